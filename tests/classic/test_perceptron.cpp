#include <gtest/gtest.h>

#include <span>

#include "reference.hpp"

#include "soma/classic/perceptron.hpp"
#include "soma/core/error.hpp"
#include "soma/core/random.hpp"

namespace classic = soma::classic;

namespace {
// Points around `centres`, label = index of the centre; well separated when spread is small.
void clusters(const std::vector<std::pair<double, double>>& centres, int per, double spread,
              soma::Tensor& x, soma::Tensor& y) {
  soma::Rng rng(3);
  std::vector<double> xs;
  std::vector<int64_t> ys;
  for (int i = 0; i < per; ++i)
    for (size_t k = 0; k < centres.size(); ++k) {
      xs.push_back(centres[k].first + rng.normal(0.0, spread));
      xs.push_back(centres[k].second + rng.normal(0.0, spread));
      ys.push_back(int64_t(k));
    }
  x = soma::tensor(std::span<const double>(xs), {int64_t(ys.size()), 2});
  y = soma::tensor(std::span<const int64_t>(ys), {int64_t(ys.size())});
}
}  // namespace

TEST(Perceptron, ConvergesOnSeparableData) {
  soma::Tensor x, y;
  clusters({{-2.0, -1.0}, {2.0, 1.5}}, 50, 0.5, x, y);
  classic::Perceptron p;
  const auto r = p.fit(x, y);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.iterations, 1000);
  EXPECT_EQ(p.predict(x).to_vector<int64_t>(), y.to_vector<int64_t>());
  // The last pass made no update, and every earlier one made at least one.
  EXPECT_EQ(r.weight_changes.back(), 0.0);
  EXPECT_EQ(r.mistakes.back(), 0);
  for (int64_t i = 0; i + 1 < r.iterations; ++i) EXPECT_GT(r.mistakes[size_t(i)], 0);
}

TEST(Perceptron, LearningRateScheduleAndWeightChange) {
  // Two points, labels 1 and 0. Zero weights: score 0 -> output 0, so in pass 0
  // (rate 1) the first point is a mistake: w += 1 * (1 - 0) * [2, 1] -> w = 2, b = 1.
  // Then x = -1: score -1 -> 0, right. Total change |2| + |1| = 3.
  // Pass 1 (rate 1/2): both right, change 0: stop.
  const auto x = soma::tensor({2.0, -1.0}, {2, 1});
  const auto y = classic_test::labels({1, 0});
  classic::Perceptron p;
  const auto r = p.fit(x, y);
  ASSERT_EQ(r.iterations, 2);
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.learning_rates, (std::vector<double>{1.0, 0.5}));
  EXPECT_EQ(r.weight_changes, (std::vector<double>{3.0, 0.0}));
  EXPECT_EQ(p.weights()[0][0], 2.0);
  EXPECT_EQ(p.bias()[0], 1.0);
}

TEST(Perceptron, RateIsOneOverIterPlusOneAndStopRuleHonoursTolerance) {
  // Not separable (XOR-like): it never makes a mistake-free pass.
  const auto x = soma::tensor({0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0}, {4, 2});
  const auto y = classic_test::labels({0, 0, 1, 1});
  classic::Perceptron p({.max_iter = 25});
  const auto r = p.fit(x, y);
  EXPECT_FALSE(r.converged);
  ASSERT_EQ(r.iterations, 25);
  for (int64_t i = 0; i < 25; ++i) {
    EXPECT_DOUBLE_EQ(r.learning_rates[size_t(i)], 1.0 / double(i + 1));
    EXPECT_GT(r.weight_changes[size_t(i)], 0.0);
  }
  // With a tolerance, training stops at the first pass whose change is <= it.
  const double tol = r.weight_changes[4];
  classic::Perceptron q({.max_iter = 25, .tolerance = tol});
  const auto s = q.fit(x, y);
  EXPECT_TRUE(s.converged);
  int64_t expected = 0;
  while (r.weight_changes[size_t(expected)] > tol) ++expected;
  EXPECT_EQ(s.iterations, expected + 1);
  EXPECT_LE(s.weight_changes.back(), tol);
}

TEST(Perceptron, TutorialStopRuleLeavesTheBiasOutAndIsStrict) {
  // The two points of LearningRateScheduleAndWeightChange: pass 0 changes w by 2 and b by
  // 1. Without the bias the total is 2, so a tolerance of 2 stops there only when the
  // comparison is <=; tutorial 002 compares with < (total_change < lim), so it goes on
  // to the mistake-free pass 1.
  const auto x = soma::tensor({2.0, -1.0}, {2, 1});
  const auto y = classic_test::labels({1, 0});
  classic::Perceptron loose({.tolerance = 2.0, .count_bias_change = false});
  const auto a = loose.fit(x, y);
  EXPECT_EQ(a.weight_changes, (std::vector<double>{2.0}));
  EXPECT_EQ(a.iterations, 1);
  classic::Perceptron strict(
      {.tolerance = 2.0, .count_bias_change = false, .strict_tolerance = true});
  const auto b = strict.fit(x, y);
  EXPECT_EQ(b.weight_changes, (std::vector<double>{2.0, 0.0}));
  EXPECT_EQ(b.iterations, 2);
  EXPECT_EQ(strict.bias()[0], 1.0);  // still learnt, only not counted
}

TEST(Perceptron, MultiClassOneHotArgmax) {
  soma::Tensor x, y;
  clusters({{0.0, 3.0}, {-3.0, -2.0}, {3.0, -2.0}}, 40, 0.6, x, y);
  classic::Perceptron p({.num_classes = 3});
  const auto r = p.fit(x, y);
  EXPECT_TRUE(r.converged);
  ASSERT_EQ(p.weights().size(), 3u);
  EXPECT_EQ(p.predict(x).to_vector<int64_t>(), y.to_vector<int64_t>());
  // predict is the argmax of the scores.
  const auto s = p.scores(x).to_vector<double>();
  const auto labels = p.predict(x).to_vector<int64_t>();
  for (size_t i = 0; i < labels.size(); ++i)
    for (size_t k = 0; k < 3; ++k) EXPECT_LE(s[i * 3 + k], s[i * 3 + size_t(labels[i])]);
}

TEST(Perceptron, MultiClassUpdateIsTargetMinusOutput) {
  // One sample of class 2, zero weights: scores all 0, argmax = 0 (the first), so the
  // one-hot output is (1, 0, 0), target (0, 0, 1): unit 0 moves by -x, unit 2 by +x.
  const auto x = soma::tensor({1.5, -2.0}, {1, 2});
  const auto y = classic_test::labels({2});
  classic::Perceptron p({.num_classes = 3, .max_iter = 1});
  const auto r = p.fit(x, y);
  EXPECT_EQ(r.weight_changes[0], 2 * (1.5 + 2.0 + 1.0));
  EXPECT_EQ(p.weights()[0], (std::vector<double>{-1.5, 2.0}));
  EXPECT_EQ(p.weights()[1], (std::vector<double>{0.0, 0.0}));
  EXPECT_EQ(p.weights()[2], (std::vector<double>{1.5, -2.0}));
  EXPECT_EQ(p.bias(), (std::vector<double>{-1.0, 0.0, 1.0}));
}

TEST(Perceptron, BadInputThrows) {
  const auto x = soma::tensor({1.0, 2.0}, {2, 1});
  classic::Perceptron p;
  EXPECT_THROW(p.predict(x), soma::Error);
  EXPECT_THROW(p.fit(x, classic_test::labels({0, 3})), soma::Error);
  EXPECT_THROW(p.fit(x, classic_test::labels({0})), soma::Error);
  EXPECT_THROW(classic::Perceptron({.num_classes = 1}).fit(x, classic_test::labels({0, 0})),
               soma::Error);
  p.fit(x, classic_test::labels({0, 1}));
  EXPECT_THROW(p.predict(soma::tensor({1.0, 2.0}, {1, 2})), soma::Error);  // columns
}

// The watcher sees each iteration's figures as the result keeps them, and changes nothing.
TEST(Perceptron, WatcherSeesEveryIteration) {
  soma::Tensor x, y;
  clusters({{-2.0, -1.0}, {2.0, 1.5}, {0.0, 3.0}}, 30, 0.8, x, y);
  const classic::PerceptronOptions plain{.num_classes = 3, .max_iter = 50};
  classic::Perceptron unwatched(plain);
  const auto r0 = unwatched.fit(x, y);

  std::vector<int64_t> iterations, mistakes;
  std::vector<double> changes;
  classic::PerceptronOptions watched = plain;
  watched.on_iteration = [&](int64_t i, int64_t m, double c) {
    iterations.push_back(i), mistakes.push_back(m), changes.push_back(c);
  };
  classic::Perceptron p(watched);
  const auto r = p.fit(x, y);
  EXPECT_EQ(p.weights(), unwatched.weights());
  EXPECT_EQ(r.iterations, r0.iterations);
  ASSERT_GT(r.iterations, 2);  // several passes to watch
  ASSERT_EQ(int64_t(iterations.size()), r.iterations);
  for (size_t k = 0; k < iterations.size(); ++k) EXPECT_EQ(iterations[k], int64_t(k) + 1);
  EXPECT_EQ(mistakes, r.mistakes);
  EXPECT_EQ(changes, r.weight_changes);
}
