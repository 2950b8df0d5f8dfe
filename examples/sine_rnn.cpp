// Sequence regression with the three recurrent layers side by side: RNN, GRU and LSTM of
// the same hidden size read a window of a noisy sum of two sines and predict its value
// `--ahead` steps after the window ends. Each model starts from the same seed, sees the
// same batches in the same order with the same Adam settings, so the curves differ only
// by the cell.
//
// The signal, per sequence (phases drawn uniformly, so every window is a new one):
//   x(t) = sin(2 pi t / 20 + phi1) + 0.5 sin(2 pi t / 7.3 + phi2) + noise * N(0, 1)
// Its variance is 1/2 + 0.5^2 / 2 + noise^2 (0.635 at the default noise 0.1): the mean
// squared error of always predicting the mean, the baseline a model must beat; the
// noise variance (0.01) is the floor no model can go below.
//
// --live shows the RNN's epochs, then the GRU's, then the LSTM's, as one run of
// 3 x --epochs.
//
//   soma example sine-rnn [--json] [--seed N] [--epochs N] [--plot DIR] [--hidden N]
//                         [--window N] [--ahead N] [--noise X] [--train N] [--test N]
//                         [--batch N] [--lr X] [--shards N] [--live [--port N] [--live-hold S]]
//
// Under `mpirun -np K` each model trains data-parallel (soma::dist::DataParallel): the
// ranks run their shards of every batch and sum the --shards parts' gradients in shard
// order, so the weights equal one rank's with the same --shards, bit for bit.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include "sine_rnn.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/random.hpp"
#include "soma/core/system.hpp"
#include "soma/dist/context.hpp"
#include "soma/dist/data_parallel.hpp"
#include "soma/dist/sampler.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/recurrent.hpp"
#include "soma/nn/state_dict.hpp"
#include "soma/optim/adam.hpp"
#include "soma/plot/figure.hpp"

namespace soma::examples::sine_rnn {
namespace {

namespace nn = soma::nn;
using soma::Tensor;

// Windows [n, window, 1] and the values `ahead` steps after each window [n, 1].
struct Split {
  Tensor x, y;
  int64_t n;
};

Split make_split(int64_t n, const Options& o, soma::Rng& rng) {
  const double two_pi = 2 * std::numbers::pi;
  std::vector<float> xs, ys;
  xs.reserve(size_t(n * o.window));
  for (int64_t i = 0; i < n; ++i) {
    const double p1 = rng.uniform(0, two_pi), p2 = rng.uniform(0, two_pi);
    auto value = [&](int64_t t) {
      return std::sin(two_pi * double(t) / 20 + p1) +
             0.5 * std::sin(two_pi * double(t) / 7.3 + p2) + o.noise * rng.normal();
    };
    for (int64_t t = 0; t < o.window; ++t) xs.push_back(float(value(t)));
    ys.push_back(float(value(o.window - 1 + o.ahead)));
  }
  return {soma::tensor(std::span<const float>(xs), {n, o.window, 1}),
          soma::tensor(std::span<const float>(ys), {n, 1}), n};
}

// A recurrent layer reading the window, a linear read-out of its last hidden state.
struct Model {
  std::string name;
  std::unique_ptr<nn::RNNBase> cell;
  nn::Linear head;
  Model(std::string label, std::unique_ptr<nn::RNNBase> c, int64_t hidden, soma::Rng& rng)
      : name(std::move(label)), cell(std::move(c)), head(hidden, 1, true, rng) {}
  Tensor operator()(const Tensor& x) {
    const Tensor out = cell->forward(x);  // [N, L, H]
    return head(out.select(1, out.shape()[1] - 1));
  }
  std::vector<Tensor> parameters() const {
    std::vector<Tensor> p = cell->parameters();
    for (const Tensor& t : head.parameters()) p.push_back(t);
    return p;
  }
  // As a Module would name its children's entries ("cell.weight_ih_l0").
  nn::StateDict state_dict() const {
    nn::StateDict sd;
    sd.merge(cell->state_dict(), "cell");
    sd.merge(head.state_dict(), "head");
    return sd;
  }
};

double test_mse(Model& m, const Split& s) {
  soma::NoGradGuard no_grad;
  return soma::mse_loss(m(s.x), s.y).item<double>();
}

struct Result {
  std::vector<double> train_curve, test_curve;  // per epoch (train: mean over its batches)
  double test_mse = 0, seconds_per_step = 0;
  std::vector<double> prediction;  // on the first test windows, for the figure
};

Result train_one(Model& m, const Split& train, const Split& test, const Options& o, int epochs,
                 soma::ProgressBar& bar, soma::cli::LiveLoop& feed, int first_epoch,
                 const soma::dist::Context& ctx) {
  Result r;
  soma::optim::Adam adam(m.parameters(), {.lr = o.lr});
  // Every rank walks the same batches; each runs forward and backward on its shards.
  soma::dist::DataParallel dp(ctx, m.parameters(), {.shards = o.shards});
  soma::Rng order_rng(o.common.seed + 7);  // the same batch order for every model
  std::vector<int64_t> order(size_t(train.n));
  double step_seconds = 0;
  int64_t steps = 0;
  for (int e = 0; e < epochs; ++e) {
    for (size_t i = 0; i < order.size(); ++i) order[i] = int64_t(i);
    for (size_t i = order.size() - 1; i > 0; --i)
      std::swap(order[i], order[size_t(order_rng.next_u64() % (i + 1))]);
    double total = 0;
    int64_t batches = 0;
    for (int64_t at = 0; at + o.batch <= train.n; at += o.batch, ++batches) {
      const Tensor idx =
          soma::tensor(std::span<const int64_t>(order.data() + at, size_t(o.batch)), {o.batch});
      const Tensor x = train.x.index_select(0, idx), y = train.y.index_select(0, idx);
      soma::Stopwatch watch;
      const double loss = dp.step(o.batch, [&](int64_t lo, int64_t hi) {
        return soma::mse_loss(m(x.slice(0, lo, hi)), y.slice(0, lo, hi));
      });
      adam.step();
      step_seconds += watch.seconds();
      ++steps;
      total += loss;
      feed.batch(first_epoch + e, batches + 1, loss);
      char status[64];
      std::snprintf(status, sizeof status, "%s loss %.4f", m.name.c_str(), loss);
      bar.advance(1, status);
    }
    r.train_curve.push_back(total / double(std::max<int64_t>(batches, 1)));
    r.test_curve.push_back(test_mse(m, test));
    feed.epoch(first_epoch + e, r.train_curve.back(), r.test_curve.back());
  }
  r.test_mse = r.test_curve.empty() ? test_mse(m, test) : r.test_curve.back();
  r.seconds_per_step = steps ? step_seconds / double(steps) : 0.0;
  soma::NoGradGuard no_grad;
  r.prediction = m(test.x.slice(0, 0, std::min<int64_t>(test.n, 200))).to_vector<double>();
  return r;
}

void check(const Options& o) {
  for (auto [name, v, lo, hi] :
       {std::tuple{"--hidden", o.hidden, 1, 4096}, std::tuple{"--window", o.window, 2, 10000},
        std::tuple{"--ahead", o.ahead, 1, 10000}, std::tuple{"--train", o.train, 1, 10000000},
        std::tuple{"--test", o.test, 1, 10000000}, std::tuple{"--batch", o.batch, 1, 65536}})
    if (v < lo || v > hi)
      throw soma::Error(std::string(name) + " " + std::to_string(v) + ": expected " +
                        std::to_string(lo) + " to " + std::to_string(hi));
  if (o.batch > o.train)
    throw soma::Error("--batch " + std::to_string(o.batch) + ": expected at most --train (" +
                      std::to_string(o.train) + ")");
  if (o.train * o.window > (int64_t{1} << 28) || o.test * o.window > (int64_t{1} << 28))
    throw soma::Error("--train/--test x --window: expected at most 2^28 values");
  if (!(o.noise >= 0 && o.noise <= 10)) throw soma::Error("--noise: expected 0 to 10");
  if (!(o.lr > 0)) throw soma::Error("--lr: expected a positive learning rate");
}

// Returns the figure written.
std::string plot_results(const Options& o, const std::vector<Model>& models,
                         const std::vector<Result>& results, const Split& test, double baseline) {
  namespace plot = soma::plot;
  std::filesystem::create_directories(o.common.plot_dir);
  const int n = int(models.size());
  plot::Figure fig({.rows = 2,
                    .cols = n,
                    .width = 400 * n,
                    .height = 750,
                    .title = "RNN vs GRU vs LSTM: a noisy sum of sines, " +
                             std::to_string(o.ahead) + " steps ahead"});
  const std::vector<double> truth =
      test.y.slice(0, 0, std::min<int64_t>(test.n, 200)).to_vector<double>();
  for (int k = 0; k < n; ++k) {
    const Result& r = results[size_t(k)];
    auto& ax = fig.axes(0, k);
    ax.title = models[size_t(k)].name + ": test MSE " + std::to_string(r.test_mse).substr(0, 6);
    ax.xlabel = "epoch";
    ax.ylabel = "mean squared error";
    std::vector<double> ep;
    for (size_t e = 0; e < r.train_curve.size(); ++e) ep.push_back(double(e + 1));
    ax.line(ep, r.train_curve, {.label = "train"});
    ax.line(ep, r.test_curve, {.label = "test", .dash = true});
    ax.line({ep.front(), ep.back()}, {baseline, baseline}, {.label = "predict the mean"});
    ax.line({ep.front(), ep.back()}, {o.noise * o.noise, o.noise * o.noise},
            {.label = "noise floor"});
    auto& sc = fig.axes(1, k);
    sc.title = models[size_t(k)].name + " on test windows";
    sc.xlabel = "true value";
    sc.ylabel = "predicted";
    sc.scatter(truth, r.prediction, {.label = "windows"});
    sc.line({-1.6, 1.6}, {-1.6, 1.6}, {.label = "y = x", .dash = true});
  }
  const std::string path = (std::filesystem::path(o.common.plot_dir) / "sine_rnn.png").string();
  fig.save(path);
  return path;
}

void run_rank(const Options& opt, const soma::cli::LiveBoard& live,
              const soma::dist::Context& ctx) {
  check(opt);
  soma::dist::shards_for_ranks(opt.shards, ctx.size());  // checked before any data is read
  const bool writer = ctx.rank() == 0;  // under mpirun rank 0 alone prints and plots
  const int epochs = opt.common.epochs;
  soma::Rng data_rng(opt.common.seed);
  const Split train = make_split(opt.train, opt, data_rng);
  const Split test = make_split(opt.test, opt, data_rng);
  // Predicting the test targets' own mean: the MSE equals their (population) variance.
  const double baseline = soma::var(test.y, {0}, false, 0).item<double>();

  std::vector<Model> models;
  const nn::RNNOptions ro{.batch_first = true};
  {
    // Every model drawn from the same seed: identical read-out weights, and recurrent
    // weights from the same stream (torch's U(±1/sqrt(H)) for all three).
    soma::Rng r1(opt.common.seed + 1), r2(opt.common.seed + 1), r3(opt.common.seed + 1);
    models.emplace_back("RNN", std::make_unique<nn::RNN>(1, opt.hidden, ro, r1), opt.hidden, r1);
    models.emplace_back("GRU", std::make_unique<nn::GRU>(1, opt.hidden, ro, r2), opt.hidden, r2);
    models.emplace_back("LSTM", std::make_unique<nn::LSTM>(1, opt.hidden, ro, r3), opt.hidden, r3);
  }
  std::vector<Result> results;
  {
    soma::ProgressBar bar(int64_t(models.size()) * epochs * (opt.train / opt.batch), "sine-rnn",
                          writer && !opt.common.json);
    const soma::cli::LiveBoard nowhere;  // the other ranks report nowhere
    soma::cli::LiveLoop feed(writer ? live : nowhere, int64_t(models.size()) * epochs,
                             opt.train / opt.batch);
    feed.begin();
    for (Model& m : models)
      results.push_back(
          train_one(m, train, test, opt, epochs, bar, feed, 1 + int(results.size()) * epochs, ctx));
    feed.end();
  }
  if (!writer) return;
  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty())
    figures.push_back(plot_results(opt, models, results, test, baseline));
  for (const auto& f : figures) soma::cli::wrote(f);

  if (!opt.common.json) {
    std::printf("predict-the-mean test MSE %.4f, noise floor %.4f\n", baseline,
                opt.noise * opt.noise);
    for (size_t k = 0; k < models.size(); ++k)
      std::printf("%-5s test MSE %.4f  (%.5f s per step)\n", models[k].name.c_str(),
                  results[k].test_mse, results[k].seconds_per_step);
    return;
  }
  nlohmann::json per_model = nlohmann::json::object();
  nn::StateDict weights;  // every model's, under its name ("LSTM.head.weight")
  for (const Model& m : models) weights.merge(m.state_dict(), m.name);
  for (size_t k = 0; k < models.size(); ++k)
    per_model[models[k].name] = {{"test_mse", results[k].test_mse},
                                 {"seconds_per_step", results[k].seconds_per_step},
                                 {"test_mse_per_epoch", results[k].test_curve},
                                 {"train_mse_per_epoch", results[k].train_curve}};
  soma::cli::print_json({{"models", per_model},
                         {"baseline_mse", baseline},
                         {"noise_variance", opt.noise * opt.noise},
                         {"epochs", epochs},
                         {"steps_per_epoch", opt.train / opt.batch},
                         {"hidden", opt.hidden},
                         {"train", opt.train},
                         {"test", opt.test},
                         {"weights_sha256", nn::state_dict_sha256(weights)},
                         {"ranks", ctx.size()},
                         {"shards", opt.shards == 0 ? int64_t{ctx.size()} : opt.shards},
                         {"figures", figures}});
}

}  // namespace

// Under mpirun an error on any rank ends the whole job (dist::run_on_ranks).
void run(const Options& opt, const soma::cli::LiveBoard& live) {
  soma::dist::run_on_ranks([&](const soma::dist::Context& c) { run_rank(opt, live, c); });
}

}  // namespace soma::examples::sine_rnn

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example sine-rnn` has them as flags).
int main(int argc, char** argv) {
  soma::examples::sine_rnn::Options opt;
  return soma::cli::example_main(
      argc, argv, opt.common, [&] { soma::examples::sine_rnn::run(opt, soma::cli::LiveBoard{}); });
}
#endif
