#include <gtest/gtest.h>

#include <cmath>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "reference.hpp"

#include "soma/classic/neuron.hpp"
#include "soma/classic/ols.hpp"
#include "soma/core/error.hpp"

namespace classic = soma::classic;

namespace {
// Scaled data (x standardised), y = 8x + noise.
void line_data(int n, soma::Tensor& x, soma::Tensor& y) {
  soma::Rng rng(11);
  std::vector<double> xs, ys;
  for (int i = 0; i < n; ++i) xs.push_back(rng.uniform(-1.0, 1.0));
  double mean = 0, var = 0;
  for (double v : xs) mean += v / n;
  for (double v : xs) var += (v - mean) * (v - mean) / n;
  for (double& v : xs) {
    v = (v - mean) / std::sqrt(var);
    ys.push_back(8.0 * v + 1.0 + rng.normal(0.0, 1.0));
  }
  x = soma::tensor(std::span<const double>(xs), {n, 1});
  y = soma::tensor(std::span<const double>(ys), {n});
}
}  // namespace

TEST(Neuron, FullBatchConvergesToOls) {
  soma::Tensor x, y;
  line_data(200, x, y);
  const auto ref = classic::ols(x, y);
  soma::Rng rng(1);
  classic::Neuron neuron(1, rng);
  const auto h = neuron.fit(x, y, {.learning_rate = 0.1, .epochs = 300});
  EXPECT_NEAR(neuron.weights()[0], ref.coef[0], 1e-9);
  EXPECT_NEAR(neuron.bias(), ref.intercept, 1e-9);
  // MSE falls every epoch (full-batch GD with a small enough step on a quadratic).
  for (size_t e = 1; e < h.mse_per_epoch.size(); ++e)
    EXPECT_LE(h.mse_per_epoch[e], h.mse_per_epoch[e - 1] + 1e-12);  // round-off at the end
}

TEST(Neuron, HistoryLengths) {
  soma::Tensor x, y;
  line_data(50, x, y);
  soma::Rng rng(2);
  classic::Neuron neuron(1, rng);
  // 50 rows in batches of 16: 4 batches (16, 16, 16, 2) per epoch.
  const auto h = neuron.fit(x, y, {.learning_rate = 0.05, .epochs = 7, .batch_size = 16});
  EXPECT_EQ(h.weights_per_epoch.size(), 7u);
  EXPECT_EQ(h.bias_per_epoch.size(), 7u);
  EXPECT_EQ(h.mse_per_epoch.size(), 7u);
  EXPECT_EQ(h.weights_per_batch.size(), 28u);
  EXPECT_EQ(h.bias_per_batch.size(), 28u);
  EXPECT_EQ(h.mse_per_batch.size(), 28u);
  // The epoch record is the state after the epoch's last batch.
  for (size_t e = 0; e < 7; ++e) {
    EXPECT_EQ(h.weights_per_epoch[e], h.weights_per_batch[4 * e + 3]);
    EXPECT_EQ(h.bias_per_epoch[e], h.bias_per_batch[4 * e + 3]);
  }
  EXPECT_EQ(h.weights_per_epoch.back(), neuron.weights());
  // The epoch MSE is the mean squared error of predict on all rows.
  const auto p = neuron.predict(x).to_vector<double>();
  const auto t = y.to_vector<double>();
  double mse = 0;
  for (size_t i = 0; i < p.size(); ++i) mse += (p[i] - t[i]) * (p[i] - t[i]) / double(p.size());
  EXPECT_NEAR(h.mse_per_epoch.back(), mse, 1e-12);
}

TEST(Neuron, OneStepMatchesHandGradient) {
  // x = (1, 2), y = (3, 5); W = w0, B = b0. Full-batch gradient of the MSE:
  // dW = -2/2 sum (y - yhat) x, dB = -2/2 sum (y - yhat).
  soma::Rng rng(5);
  classic::Neuron neuron(1, rng);
  const double w0 = neuron.weights()[0], b0 = neuron.bias();
  EXPECT_GE(w0, 0.0);
  EXPECT_LT(w0, 1.0);
  const auto x = soma::tensor({1.0, 2.0}, {2, 1});
  const auto y = soma::tensor({3.0, 5.0});
  const double e1 = 3.0 - (w0 + b0), e2 = 5.0 - (2 * w0 + b0);
  const auto h = neuron.fit(x, y, {.learning_rate = 0.1, .epochs = 1});
  EXPECT_NEAR(neuron.weights()[0], w0 + 0.1 * (e1 * 1 + e2 * 2), 1e-15);
  EXPECT_NEAR(neuron.bias(), b0 + 0.1 * (e1 + e2), 1e-15);
  EXPECT_NEAR(h.mse_per_batch[0], (e1 * e1 + e2 * e2) / 2, 1e-15);
}

TEST(Neuron, GivenStartTakesTheSameStepsAsDrawnOne) {
  // A neuron built from given weights follows the path of one drawn with those weights.
  soma::Tensor x, y;
  line_data(40, x, y);
  soma::Rng rng(3);
  classic::Neuron drawn(1, rng);
  classic::Neuron given(drawn.weights(), drawn.bias());
  const auto a = drawn.fit(x, y, {.learning_rate = 0.1, .epochs = 5});
  const auto b = given.fit(x, y, {.learning_rate = 0.1, .epochs = 5});
  EXPECT_EQ(a.weights_per_batch, b.weights_per_batch);
  EXPECT_EQ(a.bias_per_batch, b.bias_per_batch);
  EXPECT_THROW(classic::Neuron(std::vector<double>{}, 0.0), soma::Error);
}

TEST(Neuron, BadInputThrows) {
  soma::Rng rng(1);
  EXPECT_THROW(classic::Neuron(0, rng), soma::Error);
  classic::Neuron neuron(2, rng);
  const auto y = soma::tensor({1.0, 2.0});
  EXPECT_THROW(neuron.fit(soma::tensor({1.0, 2.0}, {2, 1}), y), soma::Error);  // columns
  EXPECT_THROW(neuron.fit(soma::tensor({1.0, 2.0, 3.0, 4.0}, {2, 2}), y, {.learning_rate = -1}),
               soma::Error);
  EXPECT_THROW(neuron.fit(soma::tensor({1.0, 2.0, 3.0, 4.0}, {2, 2}), soma::tensor({1.0})),
               soma::Error);
}

// The watchers see what the history keeps, in order, and watching changes nothing.
TEST(Neuron, WatchersSeeTheHistory) {
  soma::Tensor x, y;
  line_data(50, x, y);
  const classic::NeuronOptions plain{.learning_rate = 0.05, .epochs = 3, .batch_size = 16};
  soma::Rng rng_plain(2);
  classic::Neuron unwatched(1, rng_plain);
  const auto h0 = unwatched.fit(x, y, plain);

  std::vector<std::tuple<int64_t, int64_t, double>> batches;
  std::vector<std::pair<int64_t, double>> epochs;
  classic::NeuronOptions watched = plain;
  watched.on_batch = [&](int64_t e, int64_t b, double mse) { batches.emplace_back(e, b, mse); };
  watched.on_epoch = [&](int64_t e, double mse) { epochs.emplace_back(e, mse); };
  soma::Rng rng(2);
  classic::Neuron neuron(1, rng);
  const auto h = neuron.fit(x, y, watched);

  EXPECT_EQ(h.mse_per_batch, h0.mse_per_batch);
  EXPECT_EQ(neuron.weights(), unwatched.weights());
  // 50 rows in batches of 16: 4 batches an epoch, numbered from 1.
  ASSERT_EQ(batches.size(), 12u);
  for (size_t k = 0; k < batches.size(); ++k) {
    EXPECT_EQ(std::get<0>(batches[k]), int64_t(k / 4) + 1);
    EXPECT_EQ(std::get<1>(batches[k]), int64_t(k % 4) + 1);
    EXPECT_EQ(std::get<2>(batches[k]), h.mse_per_batch[k]);
  }
  ASSERT_EQ(epochs.size(), 3u);
  for (size_t e = 0; e < 3; ++e) {
    EXPECT_EQ(epochs[e].first, int64_t(e) + 1);
    EXPECT_EQ(epochs[e].second, h.mse_per_epoch[e]);
  }
}
