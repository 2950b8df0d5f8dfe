// Tutorial 001's "Add-on: using Keras?": a model fitted by a library loop while a callback
// stores its weights (keras.callbacks.LambdaCallback), and the animation of the neuron's
// fit over the epochs (matplotlib.animation.FuncAnimation over the weight record).
//
// The tutorial stores the weights once per epoch in Keras and once per (epoch, batch) in
// its hand-written Neuron; soma's train::WeightRecorder keeps them after every step, so
// the record here has the Neuron's rows: 99 epochs x 5 mini-batches = 495.
// The data and the model are the Neuron section's (examples/neuron_data.hpp: 800 points,
// 75/25 split, X standardised, y not): one Linear(1, 1) whose W and B start uniform in
// [0, 1) as the Neuron class draws them (Keras' Dense would start from Glorot-uniform and
// zero), MSE loss, SGD lr 0.01 (the Neuron's; the tutorial's Keras model uses 0.02 on
// Boston), batches of 600 / 5 = 120 from a fresh shuffle each epoch, as
// split_n_batch_indexes cuts them. With --batches 1 every step sees the whole training
// set, and the record follows the closed form of full-batch gradient descent on
// standardised x (the test checks it): W_k = c + (W_0 - c)(1 - 2 lr)^k, c the OLS slope.
// The animation has one frame per epoch (the tutorial's has one per record; its legend
// says "epoch" all the same): the line at the epoch's last record over the training
// (red) and test (green) points, x in [-2, 2], as the tutorial's animate() draws it.
//
//   soma example neuron-callback [--json] [--seed N] [--epochs N] [--batches N] [--lr X]
//                                [--plot DIR] [--live [--port N] [--live-hold S]]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "neuron_callback.hpp"
#include "neuron_data.hpp"
#include "soma/classic/ols.hpp"
#include "soma/core/error.hpp"
#include "soma/core/random.hpp"
#include "soma/core/system.hpp"
#include "soma/data/dataset.hpp"
#include "soma/data/loader.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/loss.hpp"
#include "soma/optim/sgd.hpp"
#include "soma/plot/animation.hpp"
#include "soma/plot/figure.hpp"
#include "soma/train/fit.hpp"
#include "soma/train/weight_recorder.hpp"

namespace soma::examples::neuron_callback {
namespace {

namespace nn = soma::nn;
namespace plot = soma::plot;
namespace train = soma::train;
using soma::Tensor;
using soma::examples::column;

// One frame of the FuncAnimation: the fit of record `k` over the data.
plot::Figure frame(const soma::examples::Points800& d, double w, double b, int64_t epoch,
                   plot::Range ylim) {
  plot::Figure fig({.width = 640, .height = 400});
  fig.title = "Linear regression training fit using a single neuron | perceptron";
  auto& ax = fig.axes();
  ax.xlabel = "X";
  ax.ylabel = "y";
  ax.xlim = plot::Range{-2.0, 2.0};
  ax.ylim = ylim;  // fixed, so that only the line moves
  ax.legend_position = plot::LegendPosition::top_left;
  ax.scatter(d.x_train, d.y_train, {.label = "Training data", .color = "#d62728", .size = 2});
  ax.scatter(d.x_test, d.y_test, {.label = "Test data", .color = "#2ca02c", .size = 2});
  ax.line({-2.0, 2.0}, {b - 2.0 * w, b + 2.0 * w},
          {.label = "Fit from the perceptron : epoch " + std::to_string(epoch),
           .color = "#1f77b4",
           .width = 2});
  return fig;
}

}  // namespace

void run(const Options& opt, const soma::cli::LiveBoard& live) {
  const int64_t epochs = opt.common.epochs;  // range(1, 100): 99
  if (epochs < 1) throw soma::Error("--epochs " + std::to_string(epochs) + ": expected >= 1");
  if (!(opt.lr > 0.0)) throw soma::Error("--lr: expected a positive learning rate");
  soma::Rng rng(opt.common.seed);
  (void)soma::examples::tutorial_001_points100(rng);  // drawn first, as in `soma example neuron`
  const auto d = soma::examples::tutorial_001_points800(rng, opt.common.seed);
  const auto n_train = int64_t(d.x_train.size());
  if (opt.batches < 1 || opt.batches > n_train)
    throw soma::Error("--batches " + std::to_string(opt.batches) + ": expected 1 to " +
                      std::to_string(n_train) + " (the training rows)");

  nn::Linear model(1, 1, true, rng, soma::kFloat64);
  const double w0 = rng.uniform(), b0 = rng.uniform();  // np.random.random, W then B
  {
    soma::NoGradGuard no_grad;
    model.weight.fill_(w0);
    model.bias.fill_(b0);
  }
  soma::optim::SGD sgd(model.parameters(), {.lr = opt.lr});
  soma::data::DataLoader loader(
      soma::data::TensorDataset(column(d.x_train),
                                soma::tensor(std::span<const double>(d.y_train), {n_train, 1})),
      {.batch_size = (n_train + opt.batches - 1) / opt.batches,
       .shuffle = true,
       .seed = opt.common.seed + 1});
  auto recorder = std::make_shared<train::WeightRecorder>();
  std::vector<std::shared_ptr<train::Callback>> callbacks = {recorder};
  live.attach(callbacks);
  soma::Stopwatch watch;
  const train::History history =
      train::fit(model, sgd, loader, nullptr,
                 {.epochs = epochs,
                  .loss = [](const Tensor& o, const Tensor& t) { return soma::mse_loss(o, t); },
                  .progress = !opt.common.json,
                  .label = "neuron-callback"},
                 callbacks);
  const double train_seconds = watch.seconds();

  const auto ws = recorder->values("weight"), bs = recorder->values("bias");
  const auto& recs = recorder->records();
  const double final_w = model.weight.to_vector<double>()[0];
  const double final_b = model.bias.to_vector<double>()[0];
  const auto ols =
      soma::classic::ols(column(d.x_train), soma::tensor(std::span<const double>(d.y_train)));

  int64_t frames = 0;
  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) {
    const std::filesystem::path dir(opt.common.plot_dir);
    std::filesystem::create_directories(dir);
    plot::Figure path({.width = 800, .height = 400, .title = "Weights stored by the callback"});
    auto& ax = path.axes();
    ax.xlabel = "(epoch, batch)";
    ax.ylabel = "parameter value";
    std::vector<double> w, b;
    for (size_t k = 0; k < recs.size(); ++k) w.push_back(ws[k][0]), b.push_back(bs[k][0]);
    ax.line(w, plot::LineOptions{.label = "weights_0"});
    ax.line(b, plot::LineOptions{.label = "bias_0"});
    figures.push_back((dir / "neuron_callback.png").string());
    path.save(figures.back());
    soma::cli::wrote(figures.back());

    const auto [ylo, yhi] = std::minmax_element(d.y_train.begin(), d.y_train.end());
    std::vector<plot::Figure> anim;
    for (size_t k = 0; k < recs.size(); ++k)
      if (recs[k].batch == int64_t(loader.size()))  // an epoch's last step
        anim.push_back(frame(d, ws[k][0], bs[k][0], recs[k].epoch, {*ylo - 100, *yhi + 100}));
    frames = int64_t(anim.size());
    figures.push_back((dir / "neuron_fit.gif").string());
    plot::save_animation(anim, figures.back(), {.delay_ms = 100});
    soma::cli::wrote(figures.back());
  }

  const bool last_equals_model = ws.back()[0] == final_w && bs.back()[0] == final_b;
  if (opt.common.json) {
    nlohmann::json rec = nlohmann::json::array();
    for (size_t k = 0; k < recs.size(); ++k)
      rec.push_back({recs[k].epoch, recs[k].batch, ws[k][0], bs[k][0], recs[k].loss});
    soma::cli::print_json({{"epochs", epochs},
                           {"batches", loader.size()},
                           {"records", recs.size()},
                           {"parameters", recorder->names()},
                           {"lr", opt.lr},
                           {"start_weight", w0},
                           {"start_bias", b0},
                           {"final_weight", final_w},
                           {"final_bias", final_b},
                           {"last_record_weight", ws.back()[0]},
                           {"last_record_bias", bs.back()[0]},
                           {"last_record_equals_model", last_equals_model},
                           {"ols_weight", ols.coef[0]},
                           {"ols_bias", ols.intercept},
                           {"final_train_loss", history.last().train_loss},
                           {"frames", frames},
                           {"record", rec},
                           {"train_seconds", train_seconds},
                           {"weights_sha256", nn::state_dict_sha256(model)},
                           // float64 like the tutorial; data-parallel training exchanges
                           // float32 gradients
                           {"ranks", 1},
                           {"figures", figures}});
    return;
  }
  // print(history.params), then the record as the tutorial's DataFrame shows it.
  std::printf("{'verbose': 0, 'epochs': %lld, 'steps': %lld}\n", (long long)epochs,
              (long long)loader.size());
  std::printf("%5s %5s %12s %12s\n", "", "", "weights_0", "bias_0");
  for (size_t k = 0; k < recs.size(); ++k) {
    if (k == 5 && recs.size() > 10) {
      std::printf("%5s %5s %12s %12s\n", "...", "...", "...", "...");
      k = recs.size() - 5;
    }
    std::printf("%5lld %5lld %12.6f %12.6f\n", (long long)recs[k].epoch,
                (long long)recs[k].batch - 1, ws[k][0], bs[k][0]);
  }
  std::printf("\n%zu rows x 2 columns   [the tutorial: 495 rows; last 257.479745 457.886822]\n",
              recs.size());
  std::printf("the model's weights: W %.6f  B %.6f (%s the last record)\n", final_w, final_b,
              last_equals_model ? "equal to" : "NOT equal to");
  std::printf("OLS on the same training set: W %.6f  B %.6f\n", ols.coef[0], ols.intercept);
  if (frames > 0)
    std::printf("animation: %lld frames in %s\n", (long long)frames,
                (std::filesystem::path(opt.common.plot_dir) / "neuron_fit.gif").c_str());
  std::printf("training %.4f s\n", train_seconds);
}

}  // namespace soma::examples::neuron_callback

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example neuron-callback` has them as flags).
int main(int argc, char** argv) {
  soma::examples::neuron_callback::Options opt;
  return soma::cli::example_main(argc, argv, opt.common, [&] {
    soma::examples::neuron_callback::run(opt, soma::cli::LiveBoard{});
  });
}
#endif
