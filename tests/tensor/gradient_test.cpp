// Every differentiable op against central finite differences in float64,
// broadcasting cases included.
#include "gradcheck.hpp"

using namespace soma;
using soma::testing::expect_gradcheck;
using soma::testing::random_inputs;

TEST(Gradients, BinaryArithmeticWithBroadcasting) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{2, 1}, {1, 3}}, {{4, 2, 3}, {2, 1}}, {{3}, {}}};
  for (auto [sa, sb] : cases) {
    SCOPED_TRACE(sa.str() + " " + sb.str());
    expect_gradcheck([](auto& x) { return x[0] + x[1]; }, random_inputs({sa, sb}));
    expect_gradcheck([](auto& x) { return x[0] - x[1]; }, random_inputs({sa, sb}));
    expect_gradcheck([](auto& x) { return x[0] * x[1]; }, random_inputs({sa, sb}));
    auto divisor = random_inputs({sa, sb});
    divisor[1] = (abs(divisor[1]).detach() + 0.5).requires_grad_();
    expect_gradcheck([](auto& x) { return x[0] / x[1]; }, divisor);
    expect_gradcheck([](auto& x) { return maximum(x[0], x[1]); }, random_inputs({sa, sb}, 3));
    expect_gradcheck([](auto& x) { return minimum(x[0], x[1]); }, random_inputs({sa, sb}, 4));
  }
}

TEST(Gradients, ScalarOperandsAndPowers) {
  auto pos = random_inputs({{3, 2}}, 5, 0.5, 2.0);
  expect_gradcheck([](auto& x) { return 2.0 * x[0] + 1.0 - x[0] / 3.0; }, pos);
  expect_gradcheck([](auto& x) { return 1.0 / x[0]; }, pos);
  expect_gradcheck([](auto& x) { return pow(x[0], 3.0); }, pos);
  expect_gradcheck([](auto& x) { return pow(x[0], 2.0); }, pos);
  expect_gradcheck([](auto& x) { return pow(x[0], -0.5); }, pos);
  expect_gradcheck([](auto& x) { return pow(x[0], x[1]); },
                   random_inputs({{2, 3}, {3}}, 6, 0.5, 2.0));
}

TEST(Gradients, UnaryFunctions) {
  auto x = random_inputs({{3, 4}}, 7);
  auto pos = random_inputs({{3, 4}}, 8, 0.2, 3.0);
  expect_gradcheck([](auto& v) { return exp(v[0]); }, x);
  expect_gradcheck([](auto& v) { return log(v[0]); }, pos);
  expect_gradcheck([](auto& v) { return sqrt(v[0]); }, pos);
  expect_gradcheck([](auto& v) { return abs(v[0]); }, x);
  expect_gradcheck([](auto& v) { return square(v[0]); }, x);
  expect_gradcheck([](auto& v) { return sin(v[0]) + cos(v[0]); }, x);
  expect_gradcheck([](auto& v) { return tanh(v[0]); }, x);
  expect_gradcheck([](auto& v) { return sigmoid(v[0]); }, x);
  expect_gradcheck([](auto& v) { return relu(v[0]); }, x);
  expect_gradcheck([](auto& v) { return leaky_relu(v[0], 0.1); }, x);
  expect_gradcheck([](auto& v) { return clamp(v[0], -0.5, 0.5); }, x);
  expect_gradcheck([](auto& v) { return -v[0]; }, x);
}

TEST(Gradients, PreluLearnsItsSlope) {
  expect_gradcheck([](auto& v) { return prelu(v[0], v[1]); }, random_inputs({{4, 3}, {1}}, 9));
  expect_gradcheck([](auto& v) { return prelu(v[0], v[1]); }, random_inputs({{4, 3, 2}, {3}}, 10));
}

TEST(Gradients, WhereRoutesToTheChosenOperand) {
  Tensor cond = tensor({true, false, true, false, false, true}, {2, 3});
  expect_gradcheck([&](auto& v) { return where(cond, v[0], v[1]); },
                   random_inputs({{2, 3}, {3}}, 11));
}

TEST(Gradients, Reductions) {
  auto x = random_inputs({{3, 4, 2}}, 12);
  expect_gradcheck([](auto& v) { return sum(v[0]); }, x);
  expect_gradcheck([](auto& v) { return sum(v[0], {1}); }, x);
  expect_gradcheck([](auto& v) { return sum(v[0], {0, 2}, true); }, x);
  expect_gradcheck([](auto& v) { return mean(v[0], {-1}); }, x);
  expect_gradcheck([](auto& v) { return mean(v[0]); }, x);
  expect_gradcheck([](auto& v) { return max(v[0]); }, x);
  expect_gradcheck([](auto& v) { return max(v[0], 1); }, x);
  expect_gradcheck([](auto& v) { return min(v[0], 0, true); }, x);
  expect_gradcheck([](auto& v) { return var(v[0], {1}); }, x);
  expect_gradcheck([](auto& v) { return soma::std(v[0], {0, 2}, true); }, x);
  expect_gradcheck([](auto& v) { return soma::std(v[0]); }, x);
}

TEST(Gradients, ViewsAndJoins) {
  auto x = random_inputs({{2, 3, 4}}, 13);
  expect_gradcheck([](auto& v) { return v[0].reshape({6, 4}) * 2.0; }, x);
  expect_gradcheck([](auto& v) { return v[0].transpose(0, 2).contiguous(); }, x);
  expect_gradcheck([](auto& v) { return v[0].permute({2, 0, 1}) * 1.5; }, x);
  expect_gradcheck([](auto& v) { return v[0].slice(2, 1, 4, 2) * 3.0; }, x);
  expect_gradcheck([](auto& v) { return v[0].select(1, 2) * 3.0; }, x);
  expect_gradcheck([](auto& v) { return v[0].unsqueeze(1).squeeze(1).flatten(); }, x);
  expect_gradcheck([](auto& v) { return v[0].index_select(1, tensor({2L, 0L, 2L})); }, x);
  expect_gradcheck([](auto& v) { return v[0].expand({5, 2, 3, 4}) * 1.0; }, x);
  auto pair = random_inputs({{2, 3}, {2, 2}}, 14);
  expect_gradcheck([](auto& v) { return concat({v[0], v[1]}, 1); }, pair);
  auto same = random_inputs({{2, 3}, {2, 3}}, 15);
  expect_gradcheck([](auto& v) { return stack({v[0], v[1]}, 1); }, same);
  expect_gradcheck([](auto& v) { return v[0].to(kFloat32).to(kFloat64); },
                   random_inputs({{2, 3}}, 16), 1e-3, 1e-4, 1e-3);
}

TEST(Gradients, LinearAlgebra) {
  expect_gradcheck([](auto& v) { return matmul(v[0], v[1]); }, random_inputs({{3, 4}, {4, 5}}, 16));
  expect_gradcheck([](auto& v) { return matmul(v[0], v[1]); }, random_inputs({{4}, {4, 5}}, 17));
  expect_gradcheck([](auto& v) { return matmul(v[0], v[1]); }, random_inputs({{3, 4}, {4}}, 18));
  expect_gradcheck([](auto& v) { return dot(v[0], v[1]); }, random_inputs({{4}, {4}}, 19));
  expect_gradcheck([](auto& v) { return matmul(v[0], v[1]); },
                   random_inputs({{2, 3, 4}, {4, 2}}, 20));
  expect_gradcheck([](auto& v) { return matmul(v[0], v[1]); },
                   random_inputs({{2, 1, 3, 4}, {3, 4, 2}}, 21));
  expect_gradcheck([](auto& v) { return matmul(v[0].t(), v[1]); },
                   random_inputs({{4, 3}, {4, 2}}, 22));
  expect_gradcheck([](auto& v) { return linear(v[0], v[1], v[2]); },
                   random_inputs({{5, 3}, {4, 3}, {4}}, 23));
  expect_gradcheck([](auto& v) { return linear(v[0], v[1]); },
                   random_inputs({{2, 5, 3}, {4, 3}}, 24));
}

TEST(Gradients, SoftmaxAndLosses) {
  auto x = random_inputs({{4, 5}}, 25, -2, 2);
  expect_gradcheck([](auto& v) { return softmax(v[0], 1); }, x);
  expect_gradcheck([](auto& v) { return softmax(v[0], 0); }, x);
  expect_gradcheck([](auto& v) { return log_softmax(v[0], -1); }, x);
  Tensor labels = tensor({1L, 0L, 4L, 2L});
  expect_gradcheck([&](auto& v) { return cross_entropy(v[0], labels); }, x);
  expect_gradcheck([&](auto& v) { return cross_entropy(v[0], labels, Reduction::Sum); }, x);
  expect_gradcheck([&](auto& v) { return cross_entropy(v[0], labels, Reduction::None); }, x);
  expect_gradcheck([&](auto& v) { return nll_loss(log_softmax(v[0], 1), labels); }, x);
  auto pair = random_inputs({{6}, {6}}, 26);
  expect_gradcheck([](auto& v) { return mse_loss(v[0], v[1]); }, pair);
  auto probs = random_inputs({{6}}, 27, 0.05, 0.95);
  Tensor targets = tensor({1.0, 0.0, 1.0, 1.0, 0.0, 0.3});
  expect_gradcheck([&](auto& v) { return bce_loss(v[0], targets); }, probs);
  expect_gradcheck([&](auto& v) { return bce_with_logits(v[0], targets); },
                   random_inputs({{6}}, 28, -3, 3));
  expect_gradcheck([&](auto& v) { return bce_with_logits(v[0], targets, Reduction::None); },
                   random_inputs({{6}}, 29));
}

TEST(Gradients, AccumulateAcrossUsesAndCalls) {
  Tensor x = tensor({1.0, 2.0, 3.0}).requires_grad_();
  Tensor y = sum(x * x + x);  // x used twice: gradients add, 2x + 1
  y.backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{3, 5, 7}));
  sum(x).backward();  // a second backward accumulates into the leaf
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{4, 6, 8}));
}

TEST(Gradients, NoGradAndDetachStopTheGraph) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  {
    NoGradGuard guard;
    Tensor y = x * 2.0;
    EXPECT_FALSE(y.requires_grad());
  }
  Tensor z = x.detach() * 2.0;
  EXPECT_FALSE(z.requires_grad());
  Tensor w = x * x.detach();  // only the first factor carries a gradient
  sum(w).backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{1, 2}));
}

TEST(Gradients, NonScalarBackwardNeedsAGradient) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = x * 3.0;
  EXPECT_THROW(y.backward(), soma::Error);
  y.backward(tensor({1.0, 10.0}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{3, 30}));
}
