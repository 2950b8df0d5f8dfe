// Float32 conv2d and conv_transpose2d on layers with 16 or more channels, the ones that run
// through oneDNN where soma is built with it (src/nn/functional/onednn.hpp), against the
// same layers in float64, which always take soma's own im2col path (checked against
// PyTorch by torch_layers_test.cpp and torch_upsample_test.cpp): outputs and every
// gradient agree within float32 rounding, over strides, asymmetric effective padding
// (conv2d's floor, conv_transpose2d's output_padding), dilation and bias. A second run
// with the same inputs and threads gives the same bits (the data-parallel examples compare
// weights bit for bit between mpirun and one rank).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "soma/core/random.hpp"
#include "soma/core/threads.hpp"
#include "soma/nn/functional.hpp"

namespace F = soma::nn::functional;
using namespace soma;

namespace {

using Layer = std::function<Tensor(const Tensor& x, const Tensor& w, const Tensor& b)>;

// y and the gradients of sum(y * r) with respect to x, w and b, in `dtype`.
std::vector<std::vector<double>> run(const Layer& layer, const Tensor& x0, const Tensor& w0,
                                     const Tensor& b0, const Tensor& r0, DType dtype) {
  // clone(): to() of the same dtype may hand back x0 itself, which must stay a plain leaf.
  Tensor x = x0.to(dtype).clone().requires_grad_(), w = w0.to(dtype).clone().requires_grad_();
  Tensor b = b0.defined() ? b0.to(dtype).clone().requires_grad_() : Tensor();
  const Tensor y = layer(x, w, b);
  (y * r0.to(dtype)).sum().backward();
  std::vector<std::vector<double>> out = {y.to(kFloat64).to_vector<double>(),
                                          x.grad().to(kFloat64).to_vector<double>(),
                                          w.grad().to(kFloat64).to_vector<double>()};
  if (b.defined()) out.push_back(b.grad().to(kFloat64).to_vector<double>());
  return out;
}

void check(const char* name, const Layer& layer, const Shape& xs, const Shape& ws, bool bias) {
  Rng rng(11);
  const Tensor x = randn(xs, rng, kFloat64), w = randn(ws, rng, kFloat64) * 0.2;
  const Tensor probe = layer(x, w, Tensor());  // the output's shape
  const int64_t channels = probe.size(1);
  const Tensor bb = bias ? randn({channels}, rng, kFloat64) : Tensor();
  const Tensor r = randn(probe.shape(), rng, kFloat64);
  const auto want = run(layer, x, w, bb, r, kFloat64);
  const auto got = run(layer, x, w, bb, r, kFloat32);
  const char* what[] = {"y", "dx", "dw", "db"};
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    ASSERT_EQ(got[k].size(), want[k].size()) << name << " " << what[k];
    double scale = 0;
    for (double v : want[k]) scale = std::max(scale, std::abs(v));
    for (size_t i = 0; i < want[k].size(); ++i)
      ASSERT_NEAR(got[k][i], want[k][i], 2e-5 * (1 + scale))
          << name << " " << what[k] << " element " << i;
  }
  // The same float32 computation again: the same bits.
  const auto again = run(layer, x, w, bb, r, kFloat32);
  for (size_t k = 0; k < got.size(); ++k)
    EXPECT_TRUE(got[k] == again[k]) << name << " " << what[k] << " differs between two runs";
}

TEST(ConvFloat32, Conv2dMatchesFloat64) {
  check(
      "same 3x3",
      [](const Tensor& x, const Tensor& w, const Tensor& b) {
        return F::conv2d(x, w, b, {1, 1}, {1, 1});
      },
      {3, 16, 9, 8}, {24, 16, 3, 3}, true);
  check(
      "DCGAN 4x4 stride 2",
      [](const Tensor& x, const Tensor& w, const Tensor& b) {
        return F::conv2d(x, w, b, {2, 2}, {1, 1});
      },
      {2, 16, 14, 14}, {32, 16, 4, 4}, false);
  // Height 10: (10 + 2 - 5) / 2 floors, so the last padded row is never reached.
  check(
      "stride, padding, dilation",
      [](const Tensor& x, const Tensor& w, const Tensor& b) {
        return F::conv2d(x, w, b, {2, 1}, {1, 2}, {2, 1});
      },
      {2, 16, 10, 8}, {16, 16, 3, 2}, true);
}

TEST(ConvFloat32, ConvTranspose2dMatchesFloat64) {
  check(
      "DCGAN 4x4 stride 2",
      [](const Tensor& x, const Tensor& w, const Tensor& b) {
        return F::conv_transpose2d(x, w, b, {2, 2}, {1, 1});
      },
      {2, 32, 7, 7}, {32, 16, 4, 4}, true);
  check(
      "output_padding",
      [](const Tensor& x, const Tensor& w, const Tensor& b) {
        return F::conv_transpose2d(x, w, b, {2, 2}, {1, 1}, {1, 1});
      },
      {2, 16, 5, 6}, {16, 24, 3, 3}, true);
  check(
      "dilation",
      [](const Tensor& x, const Tensor& w, const Tensor& b) {
        return F::conv_transpose2d(x, w, b, {1, 1}, {2, 2}, {0, 0}, 1, {2, 2});
      },
      {1, 16, 6, 6}, {16, 16, 3, 3}, false);
  check(
      "groups (soma's own path)",
      [](const Tensor& x, const Tensor& w, const Tensor& b) {
        return F::conv_transpose2d(x, w, b, {2, 2}, {1, 1}, {0, 0}, 2);
      },
      {2, 32, 5, 5}, {32, 16, 4, 4}, true);
}

TEST(ConvFloat32, TwoThreadsAgreeWithFloat64) {
  const int saved = num_threads();
  set_num_threads(2);
  check(
      "two threads",
      [](const Tensor& x, const Tensor& w, const Tensor& b) {
        return F::conv2d(x, w, b, {2, 2}, {1, 1});
      },
      {8, 16, 14, 14}, {32, 16, 4, 4}, true);
  set_num_threads(saved);
}

}  // namespace
