// The fit loop against closed forms: a linear model trained by gradient descent
// reaches the least-squares solution; metrics match counts done by hand.
#include <gtest/gtest.h>

#include <filesystem>

#include "soma/data/loader.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/optim/adam.hpp"
#include "soma/optim/sgd.hpp"
#include "soma/train.hpp"

using namespace soma;

namespace {
// y = 2x - 1 + small noise; OLS on these points is the reference.
struct LineData {
  Tensor x, y;
  double slope, intercept;
};
LineData line(int64_t n, uint64_t seed) {
  Rng rng(seed);
  Tensor x = rand({n, 1}, rng) * 4.0 - 2.0;
  Tensor noise = randn({n, 1}, rng) * 0.1;
  Tensor y = x * 2.0 - 1.0 + noise;
  // Closed-form least squares for one feature.
  auto xv = x.to_vector<double>(), yv = y.to_vector<double>();
  double mx = 0, my = 0;
  for (int64_t i = 0; i < n; ++i) mx += xv[i] / n, my += yv[i] / n;
  double sxy = 0, sxx = 0;
  for (int64_t i = 0; i < n; ++i)
    sxy += (xv[i] - mx) * (yv[i] - my), sxx += (xv[i] - mx) * (xv[i] - mx);
  return {x, y, sxy / sxx, my - sxy / sxx * mx};
}
}  // namespace

TEST(Fit, GradientDescentReachesLeastSquares) {
  auto d = line(200, 1);
  Rng init(7);
  nn::Linear model(1, 1, true, init);
  optim::SGD opt(model.parameters(), {.lr = 0.1});
  data::DataLoader loader(data::TensorDataset(d.x, d.y), {.batch_size = 200});
  train::FitOptions o{.epochs = 300,
                      .loss = [](const Tensor& a, const Tensor& b) { return mse_loss(a, b); }};
  o.progress = false;
  auto h = train::fit(model, opt, loader, &loader, o);
  ASSERT_EQ(h.epochs.size(), 300u);
  EXPECT_LT(h.last().train_loss, h.epochs.front().train_loss);
  auto params = model.parameters();
  EXPECT_NEAR(params[0].item<double>(), d.slope, 1e-4);
  EXPECT_NEAR(params[1].item<double>(), d.intercept, 1e-4);
  EXPECT_NE(h.to_csv().find("epoch,train_loss,valid_loss"), std::string::npos);
}

TEST(Fit, DivergenceNamesEpochAndBatch) {
  auto d = line(40, 2);
  nn::Linear model(1, 1);
  optim::SGD opt(model.parameters(), {.lr = 1e6});
  data::DataLoader loader(data::TensorDataset(d.x, d.y), {.batch_size = 10});
  train::FitOptions o{.epochs = 50,
                      .loss = [](const Tensor& a, const Tensor& b) { return mse_loss(a, b); }};
  o.progress = false;
  try {
    train::fit(model, opt, loader, nullptr, o);
    FAIL() << "expected divergence";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("epoch "), std::string::npos) << m;
    EXPECT_NE(m.find("batch "), std::string::npos) << m;
  }
}

TEST(Fit, EarlyStoppingRestoresTheBestWeights) {
  auto d = line(100, 3);
  nn::Linear model(1, 1);
  optim::SGD opt(model.parameters(), {.lr = 0.05});
  data::DataLoader loader(data::TensorDataset(d.x, d.y), {.batch_size = 100});
  // A validation set from another line: once the model fits the training line, the
  // validation loss grows, so stopping must happen and the best epoch must be restored.
  auto other = line(100, 4);
  Tensor shifted = other.y + 3.0;
  data::DataLoader valid(data::TensorDataset(other.x, shifted), {.batch_size = 100});
  auto stopper = std::make_shared<train::EarlyStopping>(train::EarlyStoppingOptions{.patience = 3});
  train::FitOptions o{.epochs = 500,
                      .loss = [](const Tensor& a, const Tensor& b) { return mse_loss(a, b); }};
  o.progress = false;
  auto h = train::fit(model, opt, loader, &valid, o, {stopper});
  ASSERT_GT(stopper->stopped_epoch(), 0);
  EXPECT_EQ(stopper->stopped_epoch(), stopper->best_epoch() + 3);
  EXPECT_LT(h.epochs.size(), 500u);
  auto e = train::evaluate(model, valid, o.loss);
  EXPECT_DOUBLE_EQ(e.loss, h.epochs[stopper->best_epoch() - 1].valid_loss);
}

TEST(Fit, CheckpointResumeEqualsAnUninterruptedRunBitForBit) {
  auto d = line(64, 5);
  auto loss = [](const Tensor& a, const Tensor& b) { return mse_loss(a, b); };
  auto run = [&](int64_t epochs, const std::filesystem::path* ckpt, bool resume_first) {
    Rng init(11);
    auto model =
        nn::Sequential(nn::Linear(1, 8, true, init), nn::ReLU(), nn::Linear(8, 1, true, init));
    optim::Adam opt(model.parameters(), {.lr = 0.01});
    data::DataLoader loader(data::TensorDataset(d.x, d.y),
                            {.batch_size = 10, .shuffle = true, .seed = 3});
    train::FitOptions o{.epochs = epochs, .loss = loss};
    o.progress = false;
    train::History h;
    if (resume_first) h = train::resume(*ckpt, model, opt, o);
    std::vector<std::shared_ptr<train::Callback>> cbs;
    if (ckpt && !resume_first) cbs.push_back(std::make_shared<train::Checkpoint>(*ckpt));
    h = train::fit(model, opt, loader, nullptr, o, cbs, h);
    return std::make_pair(model.parameters(), h);
  };
  auto [full, full_history] = run(6, nullptr, false);
  const auto path = std::filesystem::temp_directory_path() / "soma-train-ckpt.soma";
  run(3, &path, false);
  auto [resumed, resumed_history] = run(6, &path, true);
  ASSERT_EQ(resumed_history.epochs.size(), 6u);
  for (size_t i = 0; i < full.size(); ++i) {
    const Tensor a = full[i], b = resumed[i];
    EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
  }
  EXPECT_EQ(full_history.last().train_loss, resumed_history.last().train_loss);
  std::filesystem::remove(path);
}

TEST(Metrics, CountsMatchHandCounts) {
  Tensor pred = tensor({1L, 0L, 1L, 1L, 0L, 0L});
  Tensor truth = tensor({1L, 0L, 0L, 1L, 1L, 0L});
  EXPECT_DOUBLE_EQ(train::accuracy(pred, truth), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(train::detection_rate(pred, truth), 2.0 / 3.0);       // TP 2, FN 1
  EXPECT_DOUBLE_EQ(train::false_positive_rate(pred, truth), 1.0 / 3.0);  // FP 1, TN 2
  EXPECT_EQ(train::confusion_matrix(pred, truth, 2).to_vector<int64_t>(),
            (std::vector<int64_t>{2, 1, 1, 2}));
  EXPECT_DOUBLE_EQ(train::mse(tensor({1.0, 2.0}), tensor({0.0, 4.0})), 2.5);
  EXPECT_EQ(train::predicted_labels(tensor({0.2f, 0.7f})).to_vector<int64_t>(),
            (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(train::predicted_labels(tensor({0.2f, 0.7f, 0.9f, 0.1f}, {2, 2})).to_vector<int64_t>(),
            (std::vector<int64_t>{1, 0}));
  EXPECT_THROW(train::confusion_matrix(pred, tensor({5L, 0L, 0L, 0L, 0L, 0L}), 2), Error);
}
