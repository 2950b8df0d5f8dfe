// The single neuron of the "coding a neuron" tutorial: y = 8x + noise on 800 points,
// x and y standardised, a linear neuron y = W x + B from a random start trained by
// mini-batch gradient descent on the MSE, compared with ordinary least squares on the
// same scaled data (the optimum the neuron descends to).
//
//   soma example neuron [--json] [--seed N] [--epochs N] [--batch-size N] [--lr X] [--plot DIR]
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "registry.hpp"
#include "soma/classic/neuron.hpp"
#include "soma/classic/ols.hpp"
#include "soma/core/error.hpp"
#include "soma/core/random.hpp"
#include "soma/core/system.hpp"
#include "soma/data/scaler.hpp"
#include "soma/plot/figure.hpp"

namespace {

namespace classic = soma::classic;
using soma::Tensor;

struct Options {
  soma::cli::ExampleOptions common;
  int64_t batch_size = 32;  // 0: full batch
  double lr = 0.05;
};

void run(const Options& opt) {
  const int64_t epochs = opt.common.epochs > 0 ? opt.common.epochs : 30;
  if (opt.batch_size < 0) throw soma::Error("--batch-size: expected >= 0 (0: full batch)");
  if (!(opt.lr > 0.0)) throw soma::Error("--lr: expected a positive learning rate");

  const int64_t n = 800;
  soma::Rng rng(opt.common.seed);
  std::vector<double> xs, ys;
  for (int64_t i = 0; i < n; ++i) {
    xs.push_back(rng.uniform(0.0, 10.0));
    ys.push_back(8.0 * xs.back() + rng.normal(0.0, 10.0));
  }
  // Scaled as in the tutorial: both to mean 0, standard deviation 1, so one learning
  // rate suits weight and bias alike.
  soma::data::StandardScaler sx, sy;
  sx.fit(std::span<const double>(xs), 1).transform(xs);
  sy.fit(std::span<const double>(ys), 1).transform(ys);
  const Tensor x = soma::tensor(std::span<const double>(xs), {n, 1});
  const Tensor y = soma::tensor(std::span<const double>(ys), {n});

  const auto ols = classic::ols(x, y);
  classic::Neuron neuron(1, rng);
  const double w0 = neuron.weights()[0], b0 = neuron.bias();
  soma::Stopwatch watch;
  const auto history = neuron.fit(x, y,
                                  {.learning_rate = opt.lr,
                                   .epochs = epochs,
                                   .batch_size = opt.batch_size,
                                   .seed = opt.common.seed});
  const double train_seconds = watch.seconds();

  double ols_mse = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double e = ys[size_t(i)] - (ols.coef[0] * xs[size_t(i)] + ols.intercept);
    ols_mse += e * e / double(n);
  }
  const double mse = history.mse_per_epoch.empty() ? 0.0 : history.mse_per_epoch.back();

  if (!opt.common.plot_dir.empty()) {
    namespace plot = soma::plot;
    std::filesystem::create_directories(opt.common.plot_dir);
    plot::Figure fig({.rows = 1,
                      .cols = 2,
                      .width = 1100,
                      .height = 450,
                      .title = "A single linear neuron vs least squares"});
    auto& fit = fig.axes(0, 0);
    fit.title = "y = 8x + noise (scaled)";
    fit.xlabel = "x";
    fit.ylabel = "y";
    fit.scatter(xs, ys, {.label = "data", .size = 2});
    const auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
    fit.line({*lo, *hi},
             {neuron.weights()[0] * *lo + neuron.bias(), neuron.weights()[0] * *hi + neuron.bias()},
             {.label = "neuron"});
    fit.line({*lo, *hi}, {ols.coef[0] * *lo + ols.intercept, ols.coef[0] * *hi + ols.intercept},
             {.label = "OLS", .dash = true});
    auto& path = fig.axes(0, 1);
    path.title = "Weights per epoch";
    path.xlabel = "epoch";
    std::vector<double> ep{0.0}, w{w0}, b{b0};
    for (size_t e = 0; e < history.weights_per_epoch.size(); ++e) {
      ep.push_back(double(e + 1));
      w.push_back(history.weights_per_epoch[e][0]);
      b.push_back(history.bias_per_epoch[e]);
    }
    path.line(ep, w, {.label = "W"});
    path.line(ep, b, {.label = "B"});
    path.line({0.0, double(epochs)}, {ols.coef[0], ols.coef[0]}, {.label = "OLS W", .dash = true});
    path.line({0.0, double(epochs)}, {ols.intercept, ols.intercept},
              {.label = "OLS B", .dash = true});
    fig.save(std::filesystem::path(opt.common.plot_dir) / "neuron.png");
  }

  if (!opt.common.json) {
    std::printf("y = 8x + noise, %lld points, x and y standardised\n", static_cast<long long>(n));
    std::printf("start:  W = %.6f  B = %.6f\n", w0, b0);
    std::printf("neuron: W = %.6f  B = %.6f  MSE %.6f  (%lld epochs, batch %lld, lr %g)\n",
                neuron.weights()[0], neuron.bias(), mse, static_cast<long long>(epochs),
                static_cast<long long>(opt.batch_size), opt.lr);
    std::printf("OLS:    W = %.6f  B = %.6f  MSE %.6f\n", ols.coef[0], ols.intercept, ols_mse);
    std::printf("training %.4f s\n", train_seconds);
    return;
  }
  soma::cli::print_json(
      {{"ols_coef", {{"weight", ols.coef[0]}, {"bias", ols.intercept}}},
       {"neuron_coef", {{"weight", neuron.weights()[0]}, {"bias", neuron.bias()}}},
       {"mse", mse},
       {"ols_mse", ols_mse},
       {"mse_per_epoch", history.mse_per_epoch},
       {"epochs", epochs},
       {"train_seconds", train_seconds}});
}

soma::cli::ExampleRegistrar reg(
    "neuron", "A single linear neuron by gradient descent vs OLS", [](CLI::App& app) {
      auto opts = std::make_shared<Options>();
      soma::cli::add_example_options(app, opts->common);
      app.add_option("--batch-size", opts->batch_size, "Mini-batch size (0: full batch)")
          ->capture_default_str();
      app.add_option("--lr", opts->lr, "Learning rate")->capture_default_str();
      app.callback([opts] { run(*opts); });
    });

}  // namespace
