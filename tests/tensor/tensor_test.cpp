// Forward values of tensor ops, checked against values worked out by hand or NumPy's rules.
#include <gtest/gtest.h>

#include <cmath>

#include "soma/core/error.hpp"
#include "soma/tensor.hpp"

using namespace soma;

namespace {
std::vector<float> vals(const Tensor& t) { return t.to_vector<float>(); }
}  // namespace

TEST(Creation, FactoriesGiveTheRightShapesAndValues) {
  EXPECT_EQ(zeros({2, 3}).shape(), (Shape{2, 3}));
  EXPECT_EQ(zeros({2, 3}).dtype(), kFloat32);
  EXPECT_EQ(vals(ones({3})), (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(vals(full({2}, 7.5)), (std::vector<float>{7.5, 7.5}));
  EXPECT_EQ(vals(arange(0.0, 1.0, 0.25)), (std::vector<float>{0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(arange(4).dtype(), kInt64);
  EXPECT_EQ(arange(4).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(vals(linspace(0, 1, 5)), (std::vector<float>{0, 0.25, 0.5, 0.75, 1}));
  EXPECT_EQ(vals(eye(2)), (std::vector<float>{1, 0, 0, 1}));
  EXPECT_EQ(tensor({1.0, 2.0}).dtype(), kFloat64);
  EXPECT_EQ(tensor({true, false}).dtype(), kBool);
}

TEST(Creation, SeededRandomIsReproducibleAndInRange) {
  Rng a(3), b(3);
  EXPECT_EQ(vals(rand({100}, a)), vals(rand({100}, b)));
  Tensor u = rand({1000});
  EXPECT_GE(min(u).item<float>(), 0.0f);
  EXPECT_LT(max(u).item<float>(), 1.0f);
  Rng r(5);
  Tensor n = randn({20000}, r, kFloat64);
  EXPECT_NEAR(mean(n).item<double>(), 0.0, 0.05);
  EXPECT_NEAR(soma::std(n).item<double>(), 1.0, 0.05);
  Tensor k = randint(2, 5, {1000}, r);
  EXPECT_EQ(min(k).item<int64_t>(), 2);
  EXPECT_EQ(max(k).item<int64_t>(), 4);
}

TEST(Views, ShareStorageAndCopyNothing) {
  Tensor a = arange(0.0, 6.0).reshape({2, 3});
  Tensor t = a.t();
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(vals(t.contiguous()), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  Tensor row = a.select(0, 1);
  row.fill_(9);
  EXPECT_EQ(vals(a), (std::vector<float>{0, 1, 2, 9, 9, 9}));
  EXPECT_EQ(vals(a.slice(1, 0, 3, 2)), (std::vector<float>{0, 2, 9, 9}));
  EXPECT_EQ(a.unsqueeze(0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(a.unsqueeze(-1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(a.unsqueeze(0).squeeze().shape(), (Shape{2, 3}));
  EXPECT_EQ(a.reshape({-1}).shape(), (Shape{6}));
  EXPECT_EQ(zeros({2, 3, 4}).permute({2, 0, 1}).shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(zeros({2, 3, 4}).T().shape(), (Shape{4, 3, 2}));
  EXPECT_THROW(a.t().view({6}), Error);
  EXPECT_EQ(vals(a.t().reshape({6})), (std::vector<float>{0, 9, 1, 9, 2, 9}));
  EXPECT_THROW(a.reshape({4, 2}), Error);
}

TEST(Views, IndexSelectConcatStack) {
  Tensor a = arange(0.0, 6.0).reshape({3, 2});
  EXPECT_EQ(vals(a.index_select(0, tensor({2L, 0L}))), (std::vector<float>{4, 5, 0, 1}));
  EXPECT_EQ(vals(concat({a, a}, 1)), (std::vector<float>{0, 1, 0, 1, 2, 3, 2, 3, 4, 5, 4, 5}));
  EXPECT_EQ(concat({a, a}, 0).shape(), (Shape{6, 2}));
  EXPECT_EQ(vals(cat({a, a}, 1)), vals(concat({a, a}, 1)));  // torch's name
  EXPECT_EQ(stack({a, a}, 0).shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(stack({a, a}, 2).shape(), (Shape{3, 2, 2}));
  EXPECT_THROW(a.index_select(0, tensor({3L})), Error);
}

TEST(Broadcasting, FollowsNumPyRules) {
  Tensor a = arange(0.0, 6.0).reshape({2, 3});
  Tensor b = tensor({10.f, 20.f, 30.f});
  EXPECT_EQ(vals(a + b), (std::vector<float>{10, 21, 32, 13, 24, 35}));
  Tensor col = tensor({1.f, 2.f}).reshape({2, 1});
  EXPECT_EQ(vals(a * col), (std::vector<float>{0, 1, 2, 6, 8, 10}));
  EXPECT_EQ((col + b).shape(), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes({8, 1, 6, 1}, {7, 1, 5}), (Shape{8, 7, 6, 5}));
}

TEST(Broadcasting, IncompatibleShapesNameBoth) {
  try {
    (void)(zeros({2, 3}) + zeros({2}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "operands could not be broadcast together with shapes (2,3) (2,)");
  }
}

TEST(Elementwise, MatmulIsNotElementwiseProduct) {
  Tensor a = tensor({1.f, 2.f, 3.f, 4.f}, {2, 2});
  Tensor b = tensor({5.f, 6.f, 7.f, 8.f}, {2, 2});
  EXPECT_EQ(vals(a * b), (std::vector<float>{5, 12, 21, 32}));
  EXPECT_EQ(vals(matmul(a, b)), (std::vector<float>{19, 22, 43, 50}));
  EXPECT_EQ(dot(tensor({1.f, 2.f}), tensor({3.f, 4.f})).item<float>(), 11.f);
  EXPECT_EQ(vals(matmul(a, tensor({1.f, 1.f}))), (std::vector<float>{3, 7}));
  EXPECT_EQ(matmul(zeros({5, 2, 3}), zeros({3, 4})).shape(), (Shape{5, 2, 4}));
  EXPECT_THROW(matmul(zeros({2, 3}), zeros({2, 3})), Error);
  // A product large enough to go through BLAS agrees with a hand loop.
  Rng rng(1);
  Tensor x = randn({70, 80}, rng, kFloat64), y = randn({80, 90}, rng, kFloat64);
  Tensor z = matmul(x, y);
  const double* px = x.data_ptr<double>();
  const double* py = y.data_ptr<double>();
  double ref = 0;
  for (int k = 0; k < 80; ++k) ref += px[5 * 80 + k] * py[k * 90 + 7];
  EXPECT_NEAR(z.data_ptr<double>()[5 * 90 + 7], ref, 1e-12);
  Tensor l = linear(x, y.t(), zeros({90}, kFloat64));
  EXPECT_NEAR(l.data_ptr<double>()[5 * 90 + 7], ref, 1e-12);
}

TEST(Elementwise, FunctionsMatchTheStandardLibrary) {
  Tensor x = tensor({-2.0, -0.5, 0.0, 0.5, 2.0});
  auto v = [](const Tensor& t) { return t.to_vector<double>(); };
  EXPECT_DOUBLE_EQ(v(exp(x))[4], std::exp(2.0));
  EXPECT_DOUBLE_EQ(v(tanh(x))[0], std::tanh(-2.0));
  EXPECT_DOUBLE_EQ(v(sigmoid(x))[3], 1.0 / (1.0 + std::exp(-0.5)));
  EXPECT_EQ(v(relu(x)), (std::vector<double>{0, 0, 0, 0.5, 2}));
  EXPECT_EQ(v(abs(x)), (std::vector<double>{2, 0.5, 0, 0.5, 2}));
  EXPECT_EQ(v(clamp(x, -1, 1)), (std::vector<double>{-1, -0.5, 0, 0.5, 1}));
  EXPECT_EQ(v(leaky_relu(x, 0.1)), (std::vector<double>{-0.2, -0.05, 0, 0.5, 2}));
  EXPECT_EQ(v(pow(x, 2.0)), (std::vector<double>{4, 0.25, 0, 0.25, 4}));
  EXPECT_DOUBLE_EQ(v(sqrt(abs(x)))[4], std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(v(log(abs(x) + 1.0))[4], std::log(3.0));
  EXPECT_EQ(where(x > 0.0, x, zeros_like(x)).to_vector<double>(), v(relu(x)));
  EXPECT_EQ((x > 0.0).dtype(), kBool);
  // sigmoid stays finite far out
  EXPECT_EQ(v(sigmoid(tensor({-1000.0, 1000.0}))), (std::vector<double>{0, 1}));
}

TEST(Reductions, OverAllAndOverDims) {
  Tensor a = tensor({1.f, 5.f, 3.f, 4.f, 2.f, 6.f}, {2, 3});
  EXPECT_EQ(sum(a).item<float>(), 21.f);
  EXPECT_EQ(vals(sum(a, {0})), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(sum(a, {1}, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(vals(mean(a, {1})), (std::vector<float>{3, 4}));
  // torch's a.sum(0), a.mean(1, keepdim=True)
  EXPECT_EQ(vals(a.sum(0)), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(a.mean(1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(vals(a.mean(-1)), (std::vector<float>{3, 4}));
  EXPECT_EQ(max(a).item<float>(), 6.f);
  EXPECT_EQ(vals(max(a, 1)), (std::vector<float>{5, 6}));
  EXPECT_EQ(vals(min(a, 0)), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(argmax(a).item<int64_t>(), 5);
  EXPECT_EQ(argmax(a, 1).to_vector<int64_t>(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(argmin(a, 0).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 0}));
  // NumPy: np.var([1,5,3,4,2,6], ddof=1) = 3.5
  EXPECT_FLOAT_EQ(var(a).item<float>(), 3.5f);
  EXPECT_FLOAT_EQ(var(a, {}, false, 0).item<float>(), 35.f / 12.f);
  EXPECT_FLOAT_EQ(soma::std(a, {1}).to_vector<float>()[0], 2.f);
  EXPECT_EQ(sum(zeros({2, 3, 4}), {0, 2}).shape(), (Shape{3}));
  EXPECT_EQ(sum(arange(5)).item<int64_t>(), 10);
}

TEST(Losses, MatchClosedForms) {
  Tensor logits = tensor({1.0, 2.0, 3.0, 1.0, 1.0, 1.0}, {2, 3});
  Tensor target = tensor({2L, 0L});
  const double l0 = -std::log(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
  const double l1 = std::log(3.0);
  EXPECT_NEAR(cross_entropy(logits, target).item<double>(), (l0 + l1) / 2, 1e-12);
  EXPECT_NEAR(nll_loss(log_softmax(logits, 1), target).item<double>(), (l0 + l1) / 2, 1e-12);
  EXPECT_NEAR(sum(softmax(logits, 1), {1}).to_vector<double>()[0], 1.0, 1e-12);
  Tensor p = tensor({0.9, 0.2});
  Tensor y = tensor({1.0, 0.0});
  EXPECT_NEAR(bce_loss(p, y).item<double>(), -(std::log(0.9) + std::log(0.8)) / 2, 1e-12);
  Tensor z = tensor({2.0, -1.0});
  const double s0 = 1 / (1 + std::exp(-2.0)), s1 = 1 / (1 + std::exp(1.0));
  EXPECT_NEAR(bce_with_logits(z, y).item<double>(), -(std::log(s0) + std::log(1 - s1)) / 2, 1e-12);
  EXPECT_NEAR(mse_loss(p, y).item<double>(), (0.01 + 0.04) / 2, 1e-12);
  // PyTorch clamps the log at -100 so a certain wrong answer stays finite.
  EXPECT_NEAR(bce_loss(tensor({0.0}), tensor({1.0})).item<double>(), 100.0, 1e-9);
  EXPECT_THROW(cross_entropy(logits, tensor({3L, 0L})), Error);
  EXPECT_THROW(bce_loss(p, tensor({1.0})), Error);
}

TEST(Dtypes, ConversionAndPromotion) {
  Tensor i = arange(3);
  Tensor f = i.to(kFloat32) * 0.5;
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_EQ(vals(f), (std::vector<float>{0, 0.5, 1}));
  EXPECT_EQ((i + tensor({1.0, 1.0, 1.0})).dtype(), kFloat64);
  EXPECT_EQ((i + 1.0).dtype(), kInt64);
  EXPECT_EQ(tensor({1.7f, -1.7f}).to(kInt64).to_vector<int64_t>(), (std::vector<int64_t>{1, -1}));
  EXPECT_THROW(arange(3).requires_grad_(), Error);
  EXPECT_THROW(zeros({2}).data_ptr<double>(), Error);
}

TEST(Printing, ReadsLikePyTorch) {
  EXPECT_EQ(tensor({1.f, 2.f}, {1, 2}).str(), "tensor([[1, 2]])");
  EXPECT_EQ(arange(2).str(), "tensor([0, 1], dtype=int64)");
}
