// The shortcuts behind the tiny-network training loops against their definitions:
// the contiguous sum path against the general strided reduction (same tensor through a
// permuted view), prelu's fused forward/backward against its formula over channels
// longer than its staging buffer, and mse_loss's fused gradient against 2(x-t)/N.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "soma/tensor.hpp"

using namespace soma;

namespace {

// a, viewed through two transposes: the same values, strides no longer contiguous, so
// sum() takes the general path.
Tensor strided_twin(const Tensor& a) { return a.transpose(0, 1).contiguous().transpose(0, 1); }

void expect_close(const Tensor& got, const Tensor& want, double tol) {
  ASSERT_EQ(got.shape(), want.shape());
  const auto g = got.to_vector<double>(), w = want.to_vector<double>();
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], w[i], tol) << "at " << i;
}

}  // namespace

TEST(FusedOps, ContiguousSumsMatchTheGeneralReduction) {
  Rng rng(3);
  for (int64_t inner : {1, 2, 3, 5, 300}) {
    const Tensor a = randn({7, 37, inner}, rng);
    const Tensor b = strided_twin(a);
    ASSERT_FALSE(b.is_contiguous());
    expect_close(sum(a), sum(b), 1e-5);
    expect_close(mean(a), mean(b), 1e-6);
    expect_close(sum(a, {0}), sum(b, {0}), 1e-5);
    expect_close(sum(a, {0, 1}, true), sum(b, {0, 1}, true), 1e-5);
    expect_close(mean(a, {1, 2}), mean(b, {1, 2}), 1e-6);
    expect_close(sum(a, {2}), sum(b, {2}), 1e-5);
    expect_close(sum(a.to(kFloat64), {0}), sum(b.to(kFloat64), {0}), 1e-12);
  }
}

TEST(FusedOps, MeanBackwardFillsTheScaledGradient) {
  Tensor x = randn({4, 5}).requires_grad_();
  mean(x).backward();
  for (double v : x.grad().to_vector<double>()) EXPECT_FLOAT_EQ(v, 1.0f / 20);
}

TEST(FusedOps, PreluMatchesItsFormulaOnLongChannels) {
  Rng rng(4);
  const int64_t n = 2, c = 3, len = 700;  // len > the 256-element staging chunk
  Tensor x = randn({n, c, len}, rng).requires_grad_();
  Tensor w = tensor({0.25f, -0.5f, 1.5f}).requires_grad_();
  const Tensor r = randn({n, c, len}, rng);
  const Tensor y = prelu(x, w);
  sum(y * r).backward();
  const auto xv = x.to_vector<double>(), rv = r.to_vector<double>(), yv = y.to_vector<double>();
  const auto wv = w.to_vector<double>();
  const auto dx = x.grad().to_vector<double>(), dw = w.grad().to_vector<double>();
  std::vector<double> want_dw(static_cast<size_t>(c), 0.0);
  for (int64_t i = 0; i < n * c * len; ++i) {
    const size_t ch = static_cast<size_t>((i / len) % c), k = static_cast<size_t>(i);
    const double slope = xv[k] > 0 ? 1.0 : wv[ch];
    EXPECT_FLOAT_EQ(yv[k], static_cast<float>(xv[k] * slope));
    EXPECT_FLOAT_EQ(dx[k], static_cast<float>(rv[k] * slope));
    if (xv[k] <= 0) want_dw[ch] += xv[k] * rv[k];
  }
  for (size_t ch = 0; ch < static_cast<size_t>(c); ++ch) EXPECT_NEAR(dw[ch], want_dw[ch], 1e-4);
}

TEST(FusedOps, MseGradientIsTwiceTheResidualOverN) {
  Tensor x = tensor({1.f, -2.f, 0.5f, 4.f}, {2, 2}).requires_grad_();
  Tensor t = tensor({0.f, -1.f, 1.5f, 1.f}, {2, 2}).requires_grad_();
  const Tensor loss = mse_loss(x, t);
  EXPECT_NEAR(loss.item<double>(), (1 + 1 + 1 + 9) / 4.0, 1e-6);
  loss.backward();
  const std::vector<double> want = {0.5, -0.5, -0.5, 1.5};
  const auto dx = x.grad().to_vector<double>(), dt = t.grad().to_vector<double>();
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(dx[i], want[i], 1e-7);
    EXPECT_NEAR(dt[i], -want[i], 1e-7);
  }
  Tensor xs = tensor({3.f, 1.f}).requires_grad_();
  const Tensor none = mse_loss(xs, tensor({1.f, 1.f}), Reduction::None);
  EXPECT_EQ(none.to_vector<float>(), (std::vector<float>{4.f, 0.f}));
  none.backward(tensor({1.f, 2.f}));
  EXPECT_EQ(xs.grad().to_vector<float>(), (std::vector<float>{4.f, 0.f}));
}
