#pragma once
// Batch normalisation over the channel dimension: BatchNorm1d for [N, C] or
// [N, C, L], BatchNorm2d for [N, C, H, W]. Training mode normalises by batch
// statistics and updates the running ones (buffers running_mean, running_var,
// num_batches_tracked, as torch); evaluation mode uses the running statistics.
#include <cstdint>

#include "soma/nn/module.hpp"

namespace soma::nn {

struct BatchNormOptions {
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = true;               // learnable weight (ones) and bias (zeros)
  bool track_running_stats = true;  // without: batch statistics in evaluation too
};

class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override;

  Tensor weight, bias;                                    // [C] or undefined
  Tensor running_mean, running_var, num_batches_tracked;  // buffers

 protected:
  BatchNorm(int64_t num_features, const BatchNormOptions& options, DType dtype, int min_dim,
            int max_dim, const char* kind);

 private:
  int64_t features_;
  BatchNormOptions options_;
  int min_dim_, max_dim_;
  const char* kind_;
};

class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, const BatchNormOptions& options = {},
                       DType dtype = kFloat32)
      : BatchNorm(num_features, options, dtype, 2, 3, "BatchNorm1d") {}
};

class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, const BatchNormOptions& options = {},
                       DType dtype = kFloat32)
      : BatchNorm(num_features, options, dtype, 4, 4, "BatchNorm2d") {}
};

}  // namespace soma::nn
