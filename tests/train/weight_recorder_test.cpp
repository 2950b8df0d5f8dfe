// train::WeightRecorder: one record per optimizer step, each a copy of the parameters
// after that step; the record's last entry is the model's final state, and its path
// follows plain SGD's update worked out by hand.
#include <gtest/gtest.h>

#include "soma/core/error.hpp"
#include "soma/data/loader.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/loss.hpp"
#include "soma/optim/sgd.hpp"
#include "soma/train/weight_recorder.hpp"

namespace {

using namespace soma;

TEST(WeightRecorder, OneRecordPerStepEndingAtTheModel) {
  // 12 rows in batches of 5: 3 steps an epoch (5, 5, 2), 4 epochs.
  std::vector<double> xs, ys;
  for (int i = 0; i < 12; ++i) xs.push_back(0.1 * i), ys.push_back(3.0 * 0.1 * i - 1.0);
  data::DataLoader loader(data::TensorDataset(tensor(std::span<const double>(xs), {12, 1}),
                                              tensor(std::span<const double>(ys), {12, 1})),
                          {.batch_size = 5, .shuffle = true, .seed = 7});
  Rng rng(3);
  nn::Linear model(1, 1, true, rng, kFloat64);
  optim::SGD sgd(model.parameters(), {.lr = 0.1});
  auto recorder = std::make_shared<train::WeightRecorder>();
  train::fit(model, sgd, loader, nullptr,
             {.epochs = 4,
              .loss = [](const Tensor& o, const Tensor& t) { return mse_loss(o, t); },
              .progress = false},
             {recorder});
  ASSERT_EQ(recorder->records().size(), 12u);  // epochs x batches
  EXPECT_EQ(recorder->names(), (std::vector<std::string>{"weight", "bias"}));
  for (size_t k = 0; k < 12; ++k) {
    EXPECT_EQ(recorder->records()[k].epoch, int64_t(k / 3) + 1);
    EXPECT_EQ(recorder->records()[k].batch, int64_t(k % 3) + 1);
  }
  EXPECT_EQ(recorder->values("weight").back(), model.weight.to_vector<double>());
  EXPECT_EQ(recorder->values("bias").back(), model.bias.to_vector<double>());
  // Copies, not handles: the first record is not the final state.
  EXPECT_NE(recorder->values("weight").front(), model.weight.to_vector<double>());
}

TEST(WeightRecorder, FullBatchPathIsPlainGradientDescent) {
  // y = 2x + 1 on x = -1, 0, 1: one batch an epoch, so each record is one hand step
  // w -= lr * mean(2 (w x + b - y) x), b -= lr * mean(2 (w x + b - y)).
  const std::vector<double> xs = {-1, 0, 1}, ys = {-1, 1, 3};
  data::DataLoader loader(data::TensorDataset(tensor(std::span<const double>(xs), {3, 1}),
                                              tensor(std::span<const double>(ys), {3, 1})),
                          {.batch_size = 3});
  Rng rng(1);
  nn::Linear model(1, 1, true, rng, kFloat64);
  double w = model.weight.to_vector<double>()[0], b = model.bias.to_vector<double>()[0];
  optim::SGD sgd(model.parameters(), {.lr = 0.05});
  auto recorder = std::make_shared<train::WeightRecorder>();
  train::fit(model, sgd, loader, nullptr,
             {.epochs = 5,
              .loss = [](const Tensor& o, const Tensor& t) { return mse_loss(o, t); },
              .progress = false},
             {recorder});
  for (size_t k = 0; k < 5; ++k) {
    double gw = 0, gb = 0;
    for (size_t i = 0; i < 3; ++i) {
      const double e = w * xs[i] + b - ys[i];
      gw += 2 * e * xs[i] / 3, gb += 2 * e / 3;
    }
    w -= 0.05 * gw, b -= 0.05 * gb;
    EXPECT_NEAR(recorder->values("weight")[k][0], w, 1e-12) << "step " << k;
    EXPECT_NEAR(recorder->values("bias")[k][0], b, 1e-12) << "step " << k;
  }
}

TEST(WeightRecorder, UnknownNameIsAnErrorNamingTheKnownOnes) {
  train::WeightRecorder recorder;
  try {
    (void)recorder.values("kernel");
    FAIL() << "expected soma::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'kernel'"), std::string::npos) << e.what();
  }
}

}  // namespace
