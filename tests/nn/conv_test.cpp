// Convolution, pooling, batch norm and dropout: forward values against direct
// evaluation of their definitions, gradients against finite differences (float64).
#include <gtest/gtest.h>

#include <cmath>

#include "soma/core/error.hpp"
#include "soma/nn.hpp"
#include "tensor/gradcheck.hpp"

using namespace soma;
namespace F = soma::nn::functional;
using soma::testing::expect_gradcheck;
using soma::testing::random_inputs;

namespace {
// y[n,o,i,j] = b[o] + sum_{c,p,q} w[o,c,p,q] x[n, c, i*s - pad + p*d, j*s - pad + q*d]
std::vector<double> direct_conv(const Tensor& x, const Tensor& w, const Tensor& b, int64_t s,
                                int64_t pad, int64_t d) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = w.size(0), KH = w.size(2), KW = w.size(3);
  const int64_t OH = (H + 2 * pad - d * (KH - 1) - 1) / s + 1,
                OW = (W + 2 * pad - d * (KW - 1) - 1) / s + 1;
  const auto xv = x.to_vector<double>(), wv = w.to_vector<double>();
  const auto bv = b.defined() ? b.to_vector<double>() : std::vector<double>(O, 0.0);
  std::vector<double> y;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          double acc = bv[o];
          for (int64_t c = 0; c < C; ++c)
            for (int64_t p = 0; p < KH; ++p)
              for (int64_t q = 0; q < KW; ++q) {
                const int64_t ih = i * s - pad + p * d, iw = j * s - pad + q * d;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += wv[((o * C + c) * KH + p) * KW + q] * xv[((n * C + c) * H + ih) * W + iw];
              }
          y.push_back(acc);
        }
  return y;
}

void expect_all_near(const std::vector<double>& a, const std::vector<double>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol) << "element " << i;
}
}  // namespace

TEST(Conv2d, ForwardMatchesDirectDefinition) {
  for (auto [s, pad, d] :
       {std::tuple{1, 0, 1}, std::tuple{2, 1, 1}, std::tuple{1, 2, 2}, std::tuple{3, 1, 2}}) {
    SCOPED_TRACE("stride " + std::to_string(s) + " padding " + std::to_string(pad) + " dilation " +
                 std::to_string(d));
    auto in = random_inputs({{2, 3, 9, 8}, {4, 3, 3, 2}, {4}}, 5);
    Tensor y = F::conv2d(in[0], in[1], in[2], {s, s}, {pad, pad}, {d, d});
    expect_all_near(y.to_vector<double>(), direct_conv(in[0], in[1], in[2], s, pad, d), 1e-12);
    Tensor y32 =
        F::conv2d(in[0].to(kFloat32), in[1].to(kFloat32), Tensor(), {s, s}, {pad, pad}, {d, d});
    expect_all_near(y32.to_vector<double>(), direct_conv(in[0], in[1], Tensor(), s, pad, d), 1e-5);
  }
}

TEST(Conv2d, GradientsMatchFiniteDifferences) {
  expect_gradcheck(
      [](const std::vector<Tensor>& in) {
        return F::conv2d(in[0], in[1], in[2], {2, 1}, {1, 2}, {1, 2});
      },
      random_inputs({{2, 2, 6, 7}, {3, 2, 3, 3}, {3}}, 11));
  expect_gradcheck([](const std::vector<Tensor>& in) { return F::conv2d(in[0], in[1]); },
                   random_inputs({{1, 3, 5, 5}, {2, 3, 2, 2}}, 12));
}

// "Same" convolutions (stride 1, output as large as the input) take conv2d's shifted-plane
// path; these shapes cover its edges: kernels wider than the image's half, dilation, an
// image narrower than the kernel's reach (which falls back to the row-by-row path).
TEST(Conv2d, SameConvolutionsMatchDirectDefinition) {
  for (auto [k, pad, d, h, w] :
       {std::tuple{3, 1, 1, 6, 5}, std::tuple{5, 2, 1, 4, 7}, std::tuple{3, 2, 2, 5, 5},
        std::tuple{3, 1, 1, 1, 1}, std::tuple{5, 2, 1, 2, 1}}) {
    SCOPED_TRACE("kernel " + std::to_string(k) + " padding " + std::to_string(pad) + " dilation " +
                 std::to_string(d) + " image " + std::to_string(h) + "x" + std::to_string(w));
    auto in = random_inputs({{2, 3, h, w}, {4, 3, k, k}, {4}}, 7);
    Tensor y = F::conv2d(in[0], in[1], in[2], {1, 1}, {pad, pad}, {d, d});
    ASSERT_EQ(y.shape(), (Shape{2, 4, h, w}));
    expect_all_near(y.to_vector<double>(), direct_conv(in[0], in[1], in[2], 1, pad, d), 1e-12);
  }
}

TEST(Conv2d, SameConvolutionGradientsMatchFiniteDifferences) {
  expect_gradcheck(
      [](const std::vector<Tensor>& in) {
        return F::conv2d(in[0], in[1], in[2], {1, 1}, {1, 1});
      },
      random_inputs({{2, 2, 5, 4}, {3, 2, 3, 3}, {3}}, 13));
  expect_gradcheck(
      [](const std::vector<Tensor>& in) {
        return F::conv2d(in[0], in[1], in[2], {1, 1}, {2, 2}, {2, 2});
      },
      random_inputs({{1, 2, 4, 6}, {2, 2, 3, 3}, {2}}, 14));
}

TEST(Conv2d, RejectsBadShapes) {
  EXPECT_THROW(F::conv2d(zeros({1, 3, 5}), zeros({2, 3, 3, 3})), Error);
  EXPECT_THROW(F::conv2d(zeros({1, 3, 5, 5}), zeros({2, 4, 3, 3})), Error);
  EXPECT_THROW(F::conv2d(zeros({1, 3, 2, 2}), zeros({2, 3, 3, 3})), Error);
  EXPECT_THROW(F::conv2d(zeros({1, 3, 5, 5}), zeros({2, 3, 3, 3}), zeros({3})), Error);
  EXPECT_THROW(F::conv2d(zeros({1, 3, 5, 5}), zeros({2, 3, 3, 3}), Tensor(), {0, 1}), Error);
}

TEST(Conv2d, ModuleInitAndCnnShapes) {
  Rng rng(1);
  nn::Conv2d conv(3, 8, 5, {}, rng);
  const double bound = 1.0 / std::sqrt(75.0);
  EXPECT_LE(max(abs(conv.weight)).item<double>(), bound);
  EXPECT_LE(max(abs(conv.bias)).item<double>(), bound);
  auto cnn = nn::Sequential(
      nn::Conv2d(1, 32, 3, {.padding = {1, 1}}, rng), nn::ReLU(), nn::MaxPool2d(2),
      nn::Conv2d(32, 64, 3, {.padding = {1, 1}}, rng), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
      nn::Linear(3136, 128, true, rng), nn::ReLU(), nn::Linear(128, 10, true, rng));
  Tensor out = cnn(randn({2, 1, 28, 28}, rng));
  EXPECT_EQ(out.shape(), Shape({2, 10}));
  out.sum().backward();
  for (auto& [name, p] : cnn.named_parameters()) EXPECT_TRUE(p.grad().defined()) << name;
}

TEST(Pooling, MaxPoolValuesIndicesAndGradient) {
  Tensor x = tensor({1.0, 5.0, 2.0, 0.0,  //
                     3.0, 4.0, 8.0, 7.0,  //
                     9.0, 1.0, 2.0, 2.0,  //
                     0.0, 6.0, 3.0, 1.0},
                    {1, 1, 4, 4})
                 .requires_grad_();
  Tensor y = F::max_pool2d(x, {2, 2});
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{5, 8, 9, 3}));
  y.sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(),
            (std::vector<double>{0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0}));
  // Overlapping windows with padding: random distinct values avoid ties.
  expect_gradcheck(
      [](const std::vector<Tensor>& in) {
        return F::max_pool2d(in[0], {3, 3}, {2, 2}, {1, 1});
      },
      random_inputs({{2, 3, 7, 6}}, 21));
  EXPECT_THROW(F::max_pool2d(zeros({1, 1, 4, 4}), {2, 2}, {2, 2}, {2, 2}), Error);
  // NaN propagates (as in torch) and is not replaced by a later larger value.
  const auto nan_pool =
      F::max_pool2d(tensor({1.0, NAN, 7.0, 2.0}, {1, 1, 2, 2}), {2, 2}).to_vector<double>();
  EXPECT_TRUE(std::isnan(nan_pool[0]));
}

TEST(Pooling, AvgPoolValuesAndGradient) {
  Tensor x = arange(0.0, 16.0, 1.0, kFloat64).reshape({1, 1, 4, 4});
  EXPECT_EQ(F::avg_pool2d(x, {2, 2}).to_vector<double>(),
            (std::vector<double>{2.5, 4.5, 10.5, 12.5}));
  // Padding counts as zeros: the corner window holds x[0,0] = 0, x[0,1] = 1, x[1,0] = 4, x[1,1] = 5
  // of 9.
  EXPECT_DOUBLE_EQ(F::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1}).to_vector<double>()[0], 10.0 / 9.0);
  expect_gradcheck(
      [](const std::vector<Tensor>& in) {
        return F::avg_pool2d(in[0], {3, 2}, {2, 1}, {1, 1});
      },
      random_inputs({{2, 2, 5, 6}}, 22));
}

TEST(BatchNorm, TrainingNormalisesAndUpdatesRunningStats) {
  nn::BatchNorm1d bn(2, {}, kFloat64);
  Tensor x = tensor({1.0, 10.0, 3.0, 20.0, 5.0, 60.0}, {3, 2});
  const auto y = bn(x).to_vector<double>();
  // Channel 0: mean 3, biased variance 8/3.
  EXPECT_NEAR(y[0], (1 - 3) / std::sqrt(8.0 / 3 + 1e-5), 1e-12);
  EXPECT_NEAR(y[4], (5 - 3) / std::sqrt(8.0 / 3 + 1e-5), 1e-12);
  // Running: 0.9 * 0 + 0.1 * mean; 0.9 * 1 + 0.1 * unbiased variance (4 for channel 0).
  EXPECT_NEAR(bn.running_mean.to_vector<double>()[0], 0.3, 1e-15);
  EXPECT_NEAR(bn.running_var.to_vector<double>()[0], 0.9 + 0.4, 1e-15);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
  EXPECT_EQ(bn.state_dict().size(), 5u);
  bn.eval();
  const auto e = bn(x).to_vector<double>();
  EXPECT_NEAR(e[0], (1 - 0.3) / std::sqrt(1.3 + 1e-5), 1e-12);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
  EXPECT_THROW(bn(zeros({3, 3}, kFloat64)), Error);
  nn::BatchNorm2d bn2(3);
  EXPECT_THROW(bn2(zeros({2, 3})), Error);
}

TEST(BatchNorm, GradientsMatchFiniteDifferences) {
  // Training mode (batch statistics), [N, C] and [N, C, H, W], with and without affine.
  for (Shape shape : {Shape{5, 3}, Shape{2, 3, 2, 3}}) {
    expect_gradcheck(
        [](const std::vector<Tensor>& in) {
          return F::batch_norm(in[0], Tensor(), Tensor(), in[1], in[2], true);
        },
        random_inputs({shape, {3}, {3}}, 31));
    expect_gradcheck(
        [](const std::vector<Tensor>& in) {
          return F::batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true);
        },
        random_inputs({shape}, 32));
  }
  // Evaluation mode: fixed statistics.
  Tensor rm = tensor({0.1, -0.2, 0.3}), rv = tensor({0.5, 1.5, 2.0});
  expect_gradcheck(
      [&](const std::vector<Tensor>& in) {
        return F::batch_norm(in[0], rm, rv, in[1], in[2], false);
      },
      random_inputs({{4, 3, 2}, {3}, {3}}, 33));
}

TEST(Dropout, SeededInactiveInEvalAndScaled) {
  Rng r1(9), r2(9);
  nn::Dropout d1(0.3, r1), d2(0.3, r2);
  Tensor x = ones({10000}, kFloat64).requires_grad_();
  Tensor y = d1(x);
  EXPECT_EQ(y.to_vector<double>(), d2(x).to_vector<double>());
  int64_t dropped = 0;
  for (double v : y.to_vector<double>()) {
    if (v == 0.0)
      ++dropped;
    else
      EXPECT_DOUBLE_EQ(v, 1.0 / 0.7);
  }
  EXPECT_NEAR(double(dropped) / 10000, 0.3, 0.015);  // 3.3 standard deviations
  y.sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), y.to_vector<double>());  // d(x*mask)/dx = mask
  d1.eval();
  EXPECT_EQ(d1(x).impl(), x.impl());
  EXPECT_THROW(nn::Dropout(1.5), Error);
}
