// Tutorial 001 ("Coding a Neuron with Numpy"), its two regression programs:
//
// 1. OLS on 100 points, x = linspace(0, 100, 100), y = 8x + np.random.normal(x, 100):
//    LinearRegression on x (the tutorial: intercept 37.186, slope 8.228), on x
//    standardised (448.587, 239.910), and the tutorial's brute-force search of
//    (beta0, beta1) over linspace(-5000, 5000, 100)^2 for the least MSE (its answer,
//    (454.545, 252.525), is a grid point, so it comes out exactly whenever the data's
//    optimum falls in the same grid cell).
// 2. The Neuron class on 800 points, x = linspace(0, 100, 800), y = 8x +
//    np.random.normal(x, 200): a 75/25 train_test_split (scikit-learn's default),
//    StandardScaler fitted on X_train and applied to both sets, y left unscaled; W and B
//    uniform in [0, 1); `for i in range(1, nb_epochs)` with nb_epochs = 100, i.e. 99
//    epochs, each cutting a fresh shuffle into 5 mini-batches (np.array_split: 120 rows
//    each), lr 0.01, gradient 2 (y_pred - y) x averaged over the batch. The record keeps,
//    per (epoch, batch), W and B after the step and mse_train before it.
//
// The tutorial's comment calls the noise "epsilon ~ N(0,1)", but np.random.normal(x, s)
// draws with mean x and standard deviation s: y = 9x + N(0, s^2). soma follows the code.
// Its mse_train is np.mean((self.y - self.y_pred)**2) with y of shape (n,) and y_pred of
// shape (n, 1): NumPy broadcasts that to n x n, the mean over every pair (y_i - yhat_j)^2,
// which is why its table shows ~173,000 where the fit's real MSE is ~40,000. soma prints
// both: the tutorial's figure and the true MSE.
// The tutorial seeds nothing (np.random is unseeded); soma draws from --seed.
// --live shows the Neuron's training on the dashboard: each step's batch MSE (before the
// step, as the record keeps it) and the MSE on all training rows after each epoch.
//
//   soma example neuron [--json] [--seed N] [--epochs N] [--lr X] [--plot DIR]
//                       [--live [--port N] [--live-hold S]]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "classic_state.hpp"
#include "neuron.hpp"
#include "soma/classic/neuron.hpp"
#include "soma/classic/ols.hpp"
#include "soma/core/error.hpp"
#include "soma/core/random.hpp"
#include "soma/core/system.hpp"
#include "soma/data/scaler.hpp"
#include "soma/data/split.hpp"
#include "soma/plot/figure.hpp"

namespace soma::examples::neuron {
namespace {

namespace classic = soma::classic;
using soma::Tensor;

constexpr int64_t kBatches = 5;  // Neuron(nb_batches=5)

std::vector<double> linspace(double lo, double hi, int64_t n) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = lo + (hi - lo) * double(i) / double(n - 1);
  return v;
}

Tensor column(const std::vector<double>& v) {
  return soma::tensor(std::span<const double>(v), {int64_t(v.size()), 1});
}

std::vector<double> standardised(std::vector<double> v, soma::data::StandardScaler& s) {
  s.fit(std::span<const double>(v), 1).transform(v);
  return v;
}

// ---- 1. OLS and the grid search on 100 points ----
struct Ols100 {
  classic::OlsResult raw, scaled;
  double grid_b0 = 0, grid_b1 = 0, grid_mse = 0;
  std::vector<double> grid_axis, grid_log_mse;  // 100 x 100, rows beta0, columns beta1
};

Ols100 ols_section(soma::Rng& rng) {
  const std::vector<double> x = linspace(0.0, 100.0, 100);
  std::vector<double> y;
  for (double xi : x) y.push_back(8.0 * xi + rng.normal(xi, 100.0));
  Ols100 r;
  r.raw = classic::ols(column(x), soma::tensor(std::span<const double>(y)));
  soma::data::StandardScaler s;
  const std::vector<double> xs = standardised(x, s);
  r.scaled = classic::ols(column(xs), soma::tensor(std::span<const double>(y)));
  // algo_simple_linreg: every (beta0, beta1) on the grid, first minimum kept (idxmin).
  r.grid_axis = linspace(-5000.0, 5000.0, 100);
  r.grid_mse = INFINITY;
  for (double b0 : r.grid_axis)
    for (double b1 : r.grid_axis) {
      double mse = 0;
      for (size_t i = 0; i < xs.size(); ++i) mse += std::pow(b0 + b1 * xs[i] - y[i], 2);
      mse /= double(xs.size());
      r.grid_log_mse.push_back(std::log10(mse));
      if (mse < r.grid_mse) r.grid_mse = mse, r.grid_b0 = b0, r.grid_b1 = b1;
    }
  return r;
}

// ---- 2. The neuron on 800 points ----
struct Record {
  int64_t epoch, batch;
  double w, b, mse_tutorial, mse;
};

// Both MSEs of y against w x + b over all rows: the true one, and the tutorial's
// broadcast mean over all pairs, mean_ij (y_i - yhat_j)^2 = <y^2> - 2 <y><yhat> + <yhat^2>.
std::pair<double, double> mses(const std::vector<double>& x, const std::vector<double>& y, double w,
                               double b) {
  double se = 0, sy = 0, syy = 0, sp = 0, spp = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double p = w * x[i] + b;
    se += (y[i] - p) * (y[i] - p);
    sy += y[i], syy += y[i] * y[i], sp += p, spp += p * p;
  }
  const double n = double(x.size());
  return {syy / n - 2 * (sy / n) * (sp / n) + spp / n, se / n};
}

}  // namespace

void run(const Options& opt, const soma::cli::LiveBoard& live) {
  const int64_t epochs = opt.common.epochs;
  if (epochs < 1) throw soma::Error("--epochs " + std::to_string(epochs) + ": expected >= 1");
  if (!(opt.lr > 0.0)) throw soma::Error("--lr: expected a positive learning rate");
  soma::Rng rng(opt.common.seed);
  const Ols100 part1 = ols_section(rng);

  const int64_t n = 800;
  const std::vector<double> x = linspace(0.0, 100.0, n);
  std::vector<double> y;
  for (double xi : x) y.push_back(8.0 * xi + rng.normal(xi, 200.0));
  const auto split = soma::data::train_test_split(n, {.test_size = 0.25, .seed = opt.common.seed});
  std::vector<double> x_train, y_train, x_test, y_test;
  for (int64_t r : split.train) x_train.push_back(x[size_t(r)]), y_train.push_back(y[size_t(r)]);
  for (int64_t r : split.test) x_test.push_back(x[size_t(r)]), y_test.push_back(y[size_t(r)]);
  soma::data::StandardScaler scaler;
  scaler.fit(std::span<const double>(x_train), 1).transform(x_train);
  scaler.transform(x_test);

  const auto ols = classic::ols(column(x_train), soma::tensor(std::span<const double>(y_train)));
  classic::Neuron neuron(1, rng);
  const double w0 = neuron.weights()[0], b0 = neuron.bias();
  const int64_t batch_size = int64_t(x_train.size()) / kBatches;  // 600 / 5 = 120
  classic::NeuronOptions fit_options{.learning_rate = opt.lr,
                                     .epochs = epochs,
                                     .batch_size = batch_size,
                                     .seed = opt.common.seed + 1};
  soma::cli::LiveLoop feed(live, epochs, (int64_t(x_train.size()) + batch_size - 1) / batch_size);
  if (feed.on()) {
    fit_options.on_batch = [&feed](int64_t e, int64_t b, double mse) { feed.batch(e, b, mse); };
    fit_options.on_epoch = [&feed](int64_t e, double mse) { feed.epoch(e, mse, NAN); };
  }
  soma::Stopwatch watch;
  feed.begin();
  const auto history =
      neuron.fit(column(x_train), soma::tensor(std::span<const double>(y_train)), fit_options);
  feed.end();
  const double train_seconds = watch.seconds();

  std::vector<Record> records;
  double w_before = w0, b_before = b0;
  for (size_t k = 0; k < history.weights_per_batch.size(); ++k) {
    const auto [tutorial, mse] = mses(x_train, y_train, w_before, b_before);
    w_before = history.weights_per_batch[k][0];
    b_before = history.bias_per_batch[k];
    records.push_back(
        {int64_t(k) / kBatches + 1, int64_t(k) % kBatches, w_before, b_before, tutorial, mse});
  }
  const Record& last = records.back();
  const auto [final_tutorial, final_mse] = mses(x_train, y_train, last.w, last.b);
  const auto [test_tutorial, test_mse] = mses(x_test, y_test, last.w, last.b);
  const auto [ols_tutorial, ols_mse] = mses(x_train, y_train, ols.coef[0], ols.intercept);

  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) {
    namespace plot = soma::plot;
    std::filesystem::create_directories(opt.common.plot_dir);
    plot::Figure fig({.rows = 1,
                      .cols = 3,
                      .width = 1500,
                      .height = 450,
                      .title = "Tutorial 001: one linear neuron vs least squares"});
    auto& grid = fig.axes(0, 0);
    grid.title = "log10 MSE over (beta1, beta0)";
    grid.xlabel = "beta1 (slope)";
    grid.ylabel = "beta0 (intercept)";
    grid.grid = false;
    // The grid's cells are centred on linspace(-5000, 5000, 100).
    const double half = 5000.0 / 99.0;
    const plot::Range extent{-5000.0 - half, 5000.0 + half};
    grid.heatmap(part1.grid_log_mse, 100, 100,
                 {.colorbar = true, .label = "log10 MSE", .x_extent = extent, .y_extent = extent});
    auto& path = fig.axes(0, 1);
    path.title = "W and B per (epoch, batch)";
    path.xlabel = "update";
    path.ylabel = "parameter value";
    std::vector<double> step, w, b;
    for (size_t k = 0; k < records.size(); ++k)
      step.push_back(double(k)), w.push_back(records[k].w), b.push_back(records[k].b);
    path.line(step, w, {.label = "weights_0"});
    path.line(step, b, {.label = "bias_0"});
    auto& fit = fig.axes(0, 2);
    fit.title = "Test set and the neuron's line";
    fit.xlabel = "X (scaled)";
    fit.ylabel = "y";
    fit.scatter(x_test, y_test, {.label = "test data", .size = 2});
    fit.line({-2.0, 2.0}, {last.b - 2.0 * last.w, last.b + 2.0 * last.w}, {.label = "neuron"});
    figures.push_back((std::filesystem::path(opt.common.plot_dir) / "neuron.png").string());
    fig.save(figures.back());
    soma::cli::wrote(figures.back());
  }

  if (opt.common.json) {
    nlohmann::json rec = nlohmann::json::array();
    for (const auto& r : records) rec.push_back({r.epoch, r.batch, r.w, r.b, r.mse_tutorial});
    // Flat keys, named as tests/reference/neuron_tutorial.py names the tutorial's figures.
    const Record& first = records.front();
    const std::string weights = soma::nn::state_dict_sha256(soma::examples::state_dict(neuron));
    soma::cli::print_json({{"ols100_raw_intercept", part1.raw.intercept},
                           {"ols100_raw_coef", part1.raw.coef[0]},
                           {"ols100_scaled_intercept", part1.scaled.intercept},
                           {"ols100_scaled_coef", part1.scaled.coef[0]},
                           {"grid_beta0", part1.grid_b0},
                           {"grid_beta1", part1.grid_b1},
                           {"train_size", x_train.size()},
                           {"test_size", x_test.size()},
                           {"epochs", epochs},
                           {"batches", kBatches},
                           {"records", records.size()},
                           {"start_weight", w0},
                           {"start_bias", b0},
                           {"first_weight", first.w},
                           {"first_bias", first.b},
                           {"first_mse_train", first.mse_tutorial},
                           {"final_weight", last.w},
                           {"final_bias", last.b},
                           {"final_mse_train", last.mse_tutorial},
                           {"mse_train", final_mse},
                           {"mse_test", test_mse},
                           {"ols_weight", ols.coef[0]},
                           {"ols_bias", ols.intercept},
                           {"ols_mse_train", ols_mse},
                           {"record", rec},
                           {"train_seconds", train_seconds},
                           {"weights_sha256", weights},
                           // the tutorial's Neuron class, one process
                           {"ranks", 1},
                           {"figures", figures}});
    return;
  }
  std::printf("1. x = linspace(0, 100, 100), y = 8x + N(x, 100)   [the tutorial's numbers]\n");
  std::printf("   OLS on x:             intercept %10.4f  slope %9.4f   [37.1858, 8.2280]\n",
              part1.raw.intercept, part1.raw.coef[0]);
  std::printf("   OLS on x standardised: intercept %9.4f  slope %9.4f   [448.5867, 239.9096]\n",
              part1.scaled.intercept, part1.scaled.coef[0]);
  std::printf("   grid search argmin:    (%.6f, %.6f)  MSE %.1f   [(454.545455, 252.525253)]\n\n",
              part1.grid_b0, part1.grid_b1, part1.grid_mse);
  std::printf("2. x = linspace(0, 100, 800), y = 8x + N(x, 200); %zu train / %zu test, X scaled\n",
              x_train.size(), x_test.size());
  std::printf("   Neuron: %lld epochs x %lld batches of %lld, lr %g, start W %.4f B %.4f\n",
              (long long)epochs, (long long)kBatches, (long long)batch_size, opt.lr, w0, b0);
  std::printf("   %5s %5s %12s %12s %14s %12s\n", "epoch", "batch", "weights_0", "bias_0",
              "mse_train", "true MSE");
  for (size_t k = 0; k < records.size(); ++k) {
    if (k == kBatches && records.size() > 2 * kBatches) {
      std::printf("   %5s %5s %12s %12s %14s %12s\n", "...", "...", "...", "...", "...", "...");
      k = records.size() - kBatches;
    }
    const auto& r = records[k];
    std::printf("   %5lld %5lld %12.6f %12.6f %14.6f %12.3f\n", (long long)r.epoch,
                (long long)r.batch, r.w, r.b, r.mse_tutorial, r.mse);
  }
  std::printf("   (%zu rows; the tutorial's last: 257.479745 457.886822 173026.140104)\n",
              records.size());
  std::printf("   OLS on the same training set: W %.4f  B %.4f  MSE %.3f\n", ols.coef[0],
              ols.intercept, ols_mse);
  std::printf("   neuron after training:        W %.4f  B %.4f  MSE %.3f (train), %.3f (test)\n",
              last.w, last.b, final_mse, test_mse);
  std::printf("training %.4f s\n", train_seconds);
}

}  // namespace soma::examples::neuron

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example neuron` has them as flags).
int main(int argc, char** argv) {
  soma::examples::neuron::Options opt;
  return soma::cli::example_main(argc, argv, opt.common,
                                 [&] { soma::examples::neuron::run(opt, soma::cli::LiveBoard{}); });
}
#endif
