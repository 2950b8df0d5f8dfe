#include "soma/nn/sequential.hpp"

#include "soma/core/error.hpp"

namespace soma::nn {

void Sequential::push_back(std::shared_ptr<Module> module) {
  if (!module) throw Error("Sequential::push_back: null module");
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (auto& m : modules_) h = m->forward(h);
  return h;
}

Module& Sequential::operator[](size_t i) const {
  if (i >= modules_.size())
    throw Error("Sequential: index " + std::to_string(i) + " is out of range for " +
                std::to_string(modules_.size()) + " modules");
  return *modules_[i];
}

void Sequential::throw_wrong_type(size_t i) const {
  throw Error("Sequential: module " + std::to_string(i) + " is " + modules_[i]->name() +
              ", not the type asked for");
}

}  // namespace soma::nn
