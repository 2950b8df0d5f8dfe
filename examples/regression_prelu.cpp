// Regression with a tiny PReLU network: 1 -> 3 -> 2 -> 1, PReLU after each hidden layer,
// weights Kaiming-uniform for PReLU's initial slope (0.25), SGD lr 0.05 on batches of 100.
// The data follow a known trend, y = x^2 / 3 - x / 2 + sin(2 x) / 2, plus normal noise of
// standard deviation 0.5, for x uniform in [-3, 3]; split 70/15/15 into train, validation
// and test, and standardised (x and y) on the training rows. Because the trend is known,
// the test MSE can be compared with the noise floor: the MSE of the trend itself on the
// test set (about 0.25), which no model can beat on average.
//
//   soma example regression-prelu [--json] [--seed N] [--epochs N] [--n N] [--plot DIR]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "registry.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/random.hpp"
#include "soma/core/system.hpp"
#include "soma/data/dataset.hpp"
#include "soma/data/loader.hpp"
#include "soma/data/split.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/init.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/optim/sgd.hpp"
#include "soma/plot/figure.hpp"

namespace {

namespace nn = soma::nn;
namespace data = soma::data;
using soma::Tensor;

constexpr double kNoise = 0.5;

double trend(double x) { return x * x / 3.0 - x / 2.0 + std::sin(2.0 * x) / 2.0; }

struct Options {
  soma::cli::ExampleOptions common;
  int64_t n = 2000;
};

struct Standard {
  double mean = 0, scale = 1;
  double to(double v) const { return (v - mean) / scale; }
  double from(double v) const { return v * scale + mean; }
};

Standard fit_standard(const std::vector<double>& v, const std::vector<int64_t>& rows) {
  Standard s;
  for (int64_t r : rows) s.mean += v[size_t(r)];
  s.mean /= double(rows.size());
  double ss = 0;
  for (int64_t r : rows) ss += (v[size_t(r)] - s.mean) * (v[size_t(r)] - s.mean);
  s.scale = std::sqrt(ss / double(rows.size()));
  return s;
}

Tensor column(const std::vector<double>& v, const std::vector<int64_t>& rows, const Standard& s) {
  std::vector<float> out;
  for (int64_t r : rows) out.push_back(float(s.to(v[size_t(r)])));
  return soma::tensor(std::span<const float>(out), {int64_t(out.size()), 1});
}

void run(const Options& opt) {
  const int64_t epochs = opt.common.epochs > 0 ? opt.common.epochs : 500;
  if (opt.n < 20) throw soma::Error("--n " + std::to_string(opt.n) + ": expected at least 20");

  soma::Rng rng(opt.common.seed);
  std::vector<double> x(size_t(opt.n)), y(size_t(opt.n));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = rng.uniform(-3.0, 3.0);
    y[i] = trend(x[i]) + kNoise * rng.normal();
  }
  const auto split = data::train_valid_test_split(
      opt.n, {.valid_size = 0.15, .test_size = 0.15, .seed = opt.common.seed});
  const Standard sx = fit_standard(x, split.train), sy = fit_standard(y, split.train);

  // Kaiming-uniform for the PReLU that follows (slope 0.25); biases start at zero.
  soma::Rng init_rng(opt.common.seed + 1);
  nn::Sequential model(nn::Linear(1, 3, true, init_rng), nn::PReLU(),
                       nn::Linear(3, 2, true, init_rng), nn::PReLU(),
                       nn::Linear(2, 1, true, init_rng));
  for (size_t i : {0u, 2u, 4u}) {
    auto& layer = model.at<nn::Linear>(i);
    nn::init::kaiming_uniform_(layer.weight, 0.25, nn::init::FanMode::FanIn, "leaky_relu",
                               init_rng);
    nn::init::zeros_(layer.bias);
  }
  soma::optim::SGD sgd(model.parameters(), {.lr = 0.05});
  data::DataLoader loader(
      data::TensorDataset(column(x, split.train, sx), column(y, split.train, sy)),
      {.batch_size = 100, .shuffle = true, .seed = opt.common.seed});
  const Tensor x_valid = column(x, split.valid, sx), y_valid = column(y, split.valid, sy);

  std::vector<double> train_loss, valid_loss;
  soma::ProgressBar bar(epochs, "regression-prelu", !opt.common.json);
  soma::Stopwatch watch;
  for (int64_t e = 0; e < epochs; ++e) {
    double sum = 0;
    for (auto& [bx, by] : loader) {
      Tensor loss = soma::mse_loss(model(bx), by);
      sgd.zero_grad();
      loss.backward();
      sgd.step();
      sum += loss.item<double>();
    }
    train_loss.push_back(sum / double(loader.size()));
    soma::NoGradGuard no_grad;
    valid_loss.push_back(soma::mse_loss(model(x_valid), y_valid).item<double>());
    bar.advance();
  }
  const double train_seconds = watch.seconds();
  bar.finish();

  // Test MSE in the data's own units, against the noisy targets and the trend itself.
  std::vector<float> pred;
  {
    soma::NoGradGuard no_grad;
    pred = model(column(x, split.test, sx)).to_vector<float>();
  }
  double mse = 0, floor = 0, to_trend = 0;
  for (size_t i = 0; i < split.test.size(); ++i) {
    const size_t r = size_t(split.test[i]);
    const double p = sy.from(pred[i]);
    mse += (p - y[r]) * (p - y[r]);
    floor += (trend(x[r]) - y[r]) * (trend(x[r]) - y[r]);
    to_trend += (p - trend(x[r])) * (p - trend(x[r]));
  }
  const double nt = double(split.test.size());
  mse /= nt;
  floor /= nt;
  to_trend /= nt;

  if (!opt.common.plot_dir.empty()) {
    namespace plot = soma::plot;
    std::filesystem::create_directories(opt.common.plot_dir);
    plot::Figure fig({.rows = 1, .cols = 2, .width = 1000, .height = 400});
    auto& l = fig.axes(0, 0);
    l.title = "Loss (standardised units)";
    l.xlabel = "epoch";
    l.ylog = true;
    std::vector<double> ep;
    for (int64_t e = 1; e <= epochs; ++e) ep.push_back(double(e));
    l.line(ep, train_loss, {.label = "train"});
    l.line(ep, valid_loss, {.label = "validation", .dash = true});
    auto& f = fig.axes(0, 1);
    f.title = "Test set";
    std::vector<double> xt, yt, grid, trend_y, model_y;
    for (int64_t r : split.test) xt.push_back(x[size_t(r)]), yt.push_back(y[size_t(r)]);
    for (int i = 0; i <= 200; ++i) grid.push_back(-3.0 + 6.0 * i / 200.0);
    std::vector<float> g;
    for (double v : grid) g.push_back(float(sx.to(v))), trend_y.push_back(trend(v));
    {
      soma::NoGradGuard no_grad;
      for (float v : model(soma::tensor(std::span<const float>(g), {int64_t(g.size()), 1}))
                         .to_vector<float>())
        model_y.push_back(sy.from(v));
    }
    f.scatter(xt, yt, {.label = "data"});
    f.line(grid, trend_y, {.label = "trend", .dash = true});
    f.line(grid, model_y, {.label = "model"});
    fig.save(std::filesystem::path(opt.common.plot_dir) / "regression_prelu.png");
  }

  if (opt.common.json) {
    soma::cli::print_json({{"epochs", epochs},
                           {"train_size", split.train.size()},
                           {"valid_size", split.valid.size()},
                           {"test_size", split.test.size()},
                           {"final_train_loss", train_loss.back()},
                           {"final_valid_loss", valid_loss.back()},
                           {"test_mse", mse},
                           {"trend_mse", floor},
                           {"model_vs_trend_mse", to_trend},
                           {"train_seconds", train_seconds}});
    return;
  }
  std::printf("y = x^2/3 - x/2 + sin(2x)/2 + N(0, %.1f^2), x in [-3, 3]; %lld points, 70/15/15\n",
              kNoise, (long long)opt.n);
  std::printf("1-3-2-1 PReLU network, Kaiming-uniform init, SGD lr 0.05, batch 100\n\n");
  for (int64_t e = 0; e < epochs; e += std::max<int64_t>(1, epochs / 10))
    std::printf("epoch %4lld  train %.5f  validation %.5f\n", (long long)(e + 1),
                train_loss[size_t(e)], valid_loss[size_t(e)]);
  std::printf("epoch %4lld  train %.5f  validation %.5f  (standardised units)\n\n",
              (long long)epochs, train_loss.back(), valid_loss.back());
  std::printf("test MSE               %.4f\n", mse);
  std::printf("trend's own test MSE   %.4f  (noise floor)\n", floor);
  std::printf("model vs trend MSE     %.4f\n", to_trend);
  std::printf("training took %.3f s\n", train_seconds);
}

soma::cli::ExampleRegistrar reg("regression-prelu",
                                "Tiny PReLU network fitting a known trend, with its noise floor",
                                [](CLI::App& app) {
                                  auto opt = std::make_shared<Options>();
                                  soma::cli::add_example_options(app, opt->common);
                                  app.add_option("--n", opt->n, "number of points");
                                  app.callback([opt] { run(*opt); });
                                });

}  // namespace
