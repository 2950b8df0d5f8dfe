#pragma once
// Pooling layers over NCHW images; a stride of {0, 0} means the kernel size.
#include "soma/nn/functional.hpp"
#include "soma/nn/module.hpp"

namespace soma::nn {

// {0, 0} (the default) is the kernel size, as torch's stride=None; resolved at
// construction so that the module prints the stride it uses.
inline functional::Size2 effective_stride(functional::Size2 kernel, functional::Size2 stride) {
  return stride[0] == 0 && stride[1] == 0 ? kernel : stride;
}

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(functional::Size2 kernel, functional::Size2 stride = {0, 0},
                     functional::Size2 padding = {0, 0})
      : kernel_(kernel), stride_(effective_stride(kernel, stride)), padding_(padding) {}
  explicit MaxPool2d(int64_t kernel) : MaxPool2d(functional::Size2{kernel, kernel}) {}
  Tensor forward(const Tensor& x) override {
    return functional::max_pool2d(x, kernel_, stride_, padding_);
  }
  std::string name() const override;

 private:
  functional::Size2 kernel_, stride_, padding_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(functional::Size2 kernel, functional::Size2 stride = {0, 0},
                     functional::Size2 padding = {0, 0})
      : kernel_(kernel), stride_(effective_stride(kernel, stride)), padding_(padding) {}
  explicit AvgPool2d(int64_t kernel) : AvgPool2d(functional::Size2{kernel, kernel}) {}
  Tensor forward(const Tensor& x) override {
    return functional::avg_pool2d(x, kernel_, stride_, padding_);
  }
  std::string name() const override;

 private:
  functional::Size2 kernel_, stride_, padding_;
};

}  // namespace soma::nn
