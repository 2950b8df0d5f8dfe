#pragma once
// nn::Linear: y = x @ weight^T + bias, with x [..., in_features], weight
// [out_features, in_features], bias [out_features].
#include <cstdint>

#include "soma/nn/module.hpp"

namespace soma::nn {

class Linear : public Module {
 public:
  // Initialised as PyTorch does, weight first, then bias: weight by
  // kaiming_uniform_(a = sqrt(5)), i.e. uniform(-1/sqrt(in), 1/sqrt(in)), bias by
  // uniform(-1/sqrt(in), 1/sqrt(in)). Float32 unless `dtype` says otherwise.
  Linear(int64_t in_features, int64_t out_features, bool bias = true, Rng& rng = global_rng(),
         DType dtype = kFloat32);

  Tensor forward(const Tensor& x) override;
  std::string name() const override;
  void reset_parameters(Rng& rng) override;

  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }

  Tensor weight;
  Tensor bias;  // undefined without bias

 private:
  int64_t in_, out_;
};

}  // namespace soma::nn
