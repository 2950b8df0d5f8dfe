#pragma once
// The small pieces both agents build from (private to src/rl).
#include "soma/nn/activation.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/rl/cartpole.hpp"

namespace soma::rl {

// in -> hidden -> ReLU -> out, drawn from `rng` in layer order (torch's initialisation).
inline nn::Sequential mlp(int64_t in, int64_t hidden, int64_t out, Rng& rng, DType dtype) {
  return nn::Sequential(nn::Linear(in, hidden, true, rng, dtype), nn::ReLU(),
                        nn::Linear(hidden, out, true, rng, dtype));
}

// One observation as a batch of one, [1, 4].
// Made directly in the networks' dtype: this runs every environment step.
inline Tensor observation_tensor(const Observation& s, DType dtype) {
  if (dtype == kFloat32) {
    const float f[4] = {float(s[0]), float(s[1]), float(s[2]), float(s[3])};
    return tensor(std::span<const float>(f, 4), {1, 4});
  }
  return tensor(std::span<const double>(s.data(), s.size()), {1, 4}).to(dtype);
}

// Element i of a contiguous float32 or float64 tensor, without a copy.
inline double element(const Tensor& t, int64_t i) {
  return t.dtype() == kFloat32 ? double(t.data_ptr<float>()[i]) : t.data_ptr<double>()[i];
}

}  // namespace soma::rl
