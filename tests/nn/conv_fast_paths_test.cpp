// The image ops' fast paths against their definitions: the 2x2 max-pooling kernels
// (vectorised for float) against a direct first-maximum search, conv2d split over two
// threads against the same call on one thread, and the whole-kernel convolutions against
// matrix products.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "soma/core/random.hpp"
#include "soma/core/threads.hpp"
#include "soma/nn.hpp"
#include "tensor/gradcheck.hpp"

using namespace soma;
using soma::testing::expect_gradcheck;
using soma::testing::random_inputs;
namespace F = soma::nn::functional;

namespace {

// Equal up to float64 rounding (the two sides sum in different orders).
void expect_close(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape(), want.shape());
  const auto g = got.to_vector<double>(), w = want.to_vector<double>();
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(g[i], w[i], 1e-12 * (1 + std::abs(w[i]))) << "element " << i;
}

// Values with many ties (a third are 0, as after a ReLU) and, if asked, some NaNs.
Tensor tied_input(const Shape& shape, uint64_t seed, bool with_nan) {
  Rng rng(seed);
  Tensor x = empty(shape, kFloat32);
  float* p = x.data_ptr<float>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double u = rng.uniform();
    p[i] = u < 0.33 ? 0.0f : static_cast<float>(std::floor(u * 8));
    if (with_nan && rng.uniform() < 0.03) p[i] = std::numeric_limits<float>::quiet_NaN();
  }
  return x;
}

// The definition: window (i, j) of each plane covers rows 2i, 2i+1 and columns 2j, 2j+1;
// its output is the first maximum in row-major order, a NaN beating any number (the first
// NaN wins); the gradient of g goes to that element, the rest of dx is 0.
void expected_pool(const Tensor& x, const Tensor& g, std::vector<float>* y,
                   std::vector<float>* dx) {
  const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const int64_t OH = H / 2, OW = W / 2;
  const float* xs = x.data_ptr<float>();
  const float* gs = g.data_ptr<float>();
  y->assign(static_cast<size_t>(planes * OH * OW), 0.0f);
  dx->assign(static_cast<size_t>(x.numel()), 0.0f);
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t i = 0; i < OH; ++i)
      for (int64_t j = 0; j < OW; ++j) {
        int64_t best = -1;
        for (int64_t a = 0; a < 2; ++a)
          for (int64_t b = 0; b < 2; ++b) {
            const int64_t at = (p * H + 2 * i + a) * W + 2 * j + b;
            if (best < 0) {
              best = at;
            } else if (!std::isnan(xs[best]) && (std::isnan(xs[at]) || xs[at] > xs[best])) {
              best = at;
            }
          }
        const int64_t o = (p * OH + i) * OW + j;
        (*y)[static_cast<size_t>(o)] = xs[best];
        (*dx)[static_cast<size_t>(best)] = gs[o];
      }
}

void expect_same(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i]))
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i;
    else
      EXPECT_EQ(got[i], want[i]) << "element " << i;
  }
}

}  // namespace

TEST(MaxPool2x2, MatchesFirstMaximumDefinition) {
  // Odd sizes (a row and a column no window covers), rows longer than one vector of 16
  // windows, the Fashion-MNIST sizes; with ties everywhere, with and without NaN.
  for (const Shape& shape : {Shape{2, 3, 5, 7}, Shape{1, 2, 6, 70}, Shape{2, 4, 28, 28}})
    for (bool with_nan : {false, true}) {
      SCOPED_TRACE(shape.str() + (with_nan ? " with NaN" : ""));
      Tensor x = tied_input(shape, 5, with_nan).requires_grad_();
      Tensor y = F::max_pool2d(x, {2, 2});
      Rng rng(6);
      Tensor g = empty(y.shape(), kFloat32);
      g.uniform_(-1.0, 1.0, rng);
      (y * g).sum().backward();
      std::vector<float> want_y, want_dx;
      expected_pool(x.detach(), g, &want_y, &want_dx);
      expect_same(y.to_vector<float>(), want_y);
      expect_same(x.grad().to_vector<float>(), want_dx);
      // float64 takes the portable kernel: the same answers.
      Tensor x64 = x.detach().to(kFloat64).requires_grad_();
      Tensor y64 = F::max_pool2d(x64, {2, 2});
      (y64 * g.to(kFloat64)).sum().backward();
      expect_same(y64.to(kFloat32).to_vector<float>(), want_y);
      expect_same(x64.grad().to(kFloat32).to_vector<float>(), want_dx);
    }
}

TEST(Conv2dThreads, TwoThreadsMatchOne) {
  // Large enough for conv2d to split the batch; float64, so only the order of the
  // per-thread weight-gradient sums differs.
  Rng rng(3);
  auto make = [&](const Shape& s) {
    Tensor t = empty(s, kFloat64);
    t.uniform_(-1.0, 1.0, rng);
    return t;
  };
  const Tensor x0 = make({16, 8, 12, 12}), w0 = make({16, 8, 3, 3}), b0 = make({16}),
               g = make({16, 16, 12, 12});
  auto run = [&](int threads, std::vector<std::vector<double>>* out) {
    set_num_threads(threads);
    Tensor x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_(),
           b = b0.clone().requires_grad_();
    Tensor y = F::conv2d(x, w, b, {1, 1}, {1, 1});
    (y * g).sum().backward();
    *out = {y.to_vector<double>(), x.grad().to_vector<double>(), w.grad().to_vector<double>(),
            b.grad().to_vector<double>()};
  };
  const int saved = num_threads();
  std::vector<std::vector<double>> one, two;
  run(1, &one);
  run(2, &two);
  set_num_threads(saved);
  for (size_t k = 0; k < one.size(); ++k) {
    ASSERT_EQ(one[k].size(), two[k].size());
    for (size_t i = 0; i < one[k].size(); ++i)
      EXPECT_NEAR(one[k][i], two[k][i], 1e-12 * (1 + std::abs(one[k][i])))
          << "output " << k << " element " << i;
  }
}

// A kernel that covers the whole unpadded input (one output pixel) runs as one matrix
// product over the batch: conv2d is x [N, K] @ w [O, K]^T + b, and conv_transpose2d is
// x [N, C_in] @ w [C_in, C_out * kh * kw] plus the bias per output channel. Checked against
// matmul (forward and, through autograd, backward), and the gradients against finite
// differences in float64.
TEST(ConvWholeKernel, Conv2dIsAMatrixProduct) {
  const auto in = random_inputs({{5, 3, 4, 2}, {6, 3, 4, 2}, {6}}, 31);
  std::vector<Tensor> a, b;
  for (const Tensor& t : in) {
    a.push_back(t.detach().clone().requires_grad_());
    b.push_back(t.detach().clone().requires_grad_());
  }
  const Tensor y = F::conv2d(a[0], a[1], a[2]);
  ASSERT_EQ(y.shape(), Shape({5, 6, 1, 1}));
  const Tensor want = matmul(b[0].reshape({5, 24}), b[1].reshape({6, 24}).t()) + b[2];
  const Tensor g = random_inputs({{5, 6}}, 32)[0];
  (y.reshape({5, 6}) * g).sum().backward();
  (want * g).sum().backward();
  expect_close(y.reshape({5, 6}), want);
  for (int k = 0; k < 3; ++k) expect_close(a[k].grad(), b[k].grad());
  expect_gradcheck([](const std::vector<Tensor>& v) { return F::conv2d(v[0], v[1], v[2]); }, in);
  // stride does not matter with one output pixel; dilation 1 is required (a 1-wide kernel
  // may have any): these must agree with the plain path too.
  expect_gradcheck(
      [](const std::vector<Tensor>& v) {
        return F::conv2d(v[0], v[1], Tensor(), {3, 2}, {0, 0}, {1, 5});
      },
      random_inputs({{2, 2, 3, 1}, {4, 2, 3, 1}}, 33));
}

TEST(ConvWholeKernel, ConvTranspose2dIsAMatrixProduct) {
  const auto in = random_inputs({{5, 4, 1, 1}, {4, 3, 2, 3}, {3}}, 34);
  std::vector<Tensor> a, b;
  for (const Tensor& t : in) {
    a.push_back(t.detach().clone().requires_grad_());
    b.push_back(t.detach().clone().requires_grad_());
  }
  const Tensor y = F::conv_transpose2d(a[0], a[1], a[2]);
  ASSERT_EQ(y.shape(), Shape({5, 3, 2, 3}));
  const Tensor want = (matmul(b[0].reshape({5, 4}), b[1].reshape({4, 18})).reshape({5, 3, 6}) +
                       b[2].reshape({3, 1}))
                          .reshape({5, 3, 2, 3});
  const Tensor g = random_inputs({{5, 3, 2, 3}}, 35)[0];
  (y * g).sum().backward();
  (want * g).sum().backward();
  expect_close(y, want);
  for (int k = 0; k < 3; ++k) expect_close(a[k].grad(), b[k].grad());
  expect_gradcheck(
      [](const std::vector<Tensor>& v) { return F::conv_transpose2d(v[0], v[1], v[2]); }, in);
  // output_padding makes the output larger than the kernel: the general path.
  expect_gradcheck(
      [](const std::vector<Tensor>& v) {
        return F::conv_transpose2d(v[0], v[1], v[2], {2, 2}, {0, 0}, {1, 1});
      },
      in);
}

namespace {

// conv2d by its definition, float64: y[n, o, a, b] = b[o] + sum over c, i, j of
// w[o, c, i, j] x[n, c, a*sh - ph + i*dh, b*sw - pw + j*dw] (0 outside the image).
std::vector<double> direct_conv2d(const Tensor& x, const Tensor& w, F::Size2 s, F::Size2 p,
                                  F::Size2 d, int64_t oh, int64_t ow) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = w.size(0), KH = w.size(2), KW = w.size(3);
  const auto xs = x.to_vector<double>(), ws = w.to_vector<double>();
  std::vector<double> y(static_cast<size_t>(N * O * oh * ow), 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t a = 0; a < oh; ++a)
        for (int64_t b = 0; b < ow; ++b) {
          double acc = 0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t i = 0; i < KH; ++i)
              for (int64_t j = 0; j < KW; ++j) {
                const int64_t h = a * s[0] - p[0] + i * d[0], v = b * s[1] - p[1] + j * d[1];
                if (h < 0 || h >= H || v < 0 || v >= W) continue;
                acc += ws[static_cast<size_t>(((o * C + c) * KH + i) * KW + j)] *
                       xs[static_cast<size_t>(((n * C + c) * H + h) * W + v)];
              }
          y[static_cast<size_t>(((n * O + o) * oh + a) * ow + b)] = acc;
        }
  return y;
}

}  // namespace

// Strided convolutions whose input is stride times their output run on polyphase planes
// (im2col.hpp): conv2d against its definition, its gradients and conv_transpose2d's (the
// same geometry read backwards) against finite differences, and conv_transpose2d against
// conv2d through the adjoint identity <conv_transpose2d(y), x> = <y, conv2d(x)>.
TEST(ConvPhased, StridedConvolutionsMatchDefinitions) {
  struct Case {
    Shape x, w;
    F::Size2 s, p, d;
    int64_t oh, ow;
  };
  const std::vector<Case> cases = {
      {{2, 3, 8, 6}, {4, 3, 4, 3}, {2, 3}, {1, 1}, {1, 1}, 4, 2},  // 8 = 2*4, 6 = 3*2
      {{1, 2, 8, 8}, {3, 2, 2, 4}, {2, 2}, {1, 1}, {3, 1}, 4, 4},  // dilated rows
      {{2, 2, 6, 4}, {2, 2, 4, 4}, {2, 1}, {1, 2}, {1, 1}, 3, 5},  // stride 1 along columns
  };
  uint64_t seed = 40;
  for (const Case& c : cases) {
    const auto in = random_inputs({c.x, c.w}, ++seed);
    const Tensor y = F::conv2d(in[0], in[1], Tensor(), c.s, c.p, c.d);
    ASSERT_EQ(y.shape(), Shape({c.x[0], c.w[0], c.oh, c.ow}));
    const auto want = direct_conv2d(in[0], in[1], c.s, c.p, c.d, c.oh, c.ow);
    const auto got = y.to_vector<double>();
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
    expect_gradcheck(
        [&](const std::vector<Tensor>& v) {
          return F::conv2d(v[0], v[1], Tensor(), c.s, c.p, c.d);
        },
        in);
    // conv_transpose2d maps y's shape back to x's (output_padding where the division
    // rounded), with conv2d's weight as its own [C_in = O, C_out = C, kh, kw].
    const Tensor u = random_inputs({y.shape()}, ++seed)[0];
    const F::Size2 op = {c.x[2] - ((c.oh - 1) * c.s[0] - 2 * c.p[0] + c.d[0] * (c.w[2] - 1) + 1),
                         c.x[3] - ((c.ow - 1) * c.s[1] - 2 * c.p[1] + c.d[1] * (c.w[3] - 1) + 1)};
    const Tensor back = F::conv_transpose2d(u, in[1], Tensor(), c.s, c.p, op, 1, c.d);
    ASSERT_EQ(back.shape(), in[0].shape());
    const double lhs = (back * in[0]).sum().item<double>(), rhs = (u * y).sum().item<double>();
    EXPECT_NEAR(lhs, rhs, 1e-10 * (1 + std::abs(rhs)));
    expect_gradcheck(
        [&](const std::vector<Tensor>& v) {
          return F::conv_transpose2d(v[0], v[1], Tensor(), c.s, c.p, op, 1, c.d);
        },
        {u.detach().clone().requires_grad_(), in[1]});
  }
  // Two groups and a bias, as ConvTranspose2d(4, 6, 4, stride 2, padding 1, groups 2).
  expect_gradcheck(
      [](const std::vector<Tensor>& v) {
        return F::conv_transpose2d(v[0], v[1], v[2], {2, 2}, {1, 1}, {0, 0}, 2);
      },
      random_inputs({{2, 4, 3, 3}, {4, 3, 4, 4}, {6}}, 50));
}
