// Tutorial 003's regression network: 1 -> 3 -> 2 -> 1, each Linear followed by a PReLU
// (one learnable slope, initially 0.25) -- the output layer's too, as the tutorial's
// `layer_output` has one. Its weights re-drawn by kaiming_uniform_(nonlinearity='relu')
// (gain sqrt 2), its biases left at nn.Linear's default uniform(+-1/sqrt(in)); SGD lr
// 0.05 on shuffled batches of 100 (DataLoader); the training loss kept per step and the
// validation loss per epoch, as the tutorial's one_epoch() records them.
// Its data file (nn_dataframe.pt, and nn_dataframe_trend.pt with the trend) is not
// available: soma draws points from a known trend, y = x^2/3 - x/2 + sin(2x)/2, plus
// normal noise of standard deviation 0.5, x uniform in [-3, 3] -- one input, one output,
// as the tutorial's scatter shows -- so the test MSE can be held against the noise
// floor, the trend's own MSE on the test points.
// As the tutorial: x and y standardised over all points (before the split) with the
// column's mean and sample standard deviation (torch's std, n - 1); a random
// permutation cut at floor(0.7 n) and floor(0.85 n) into train, validation and test;
// the test MSE in standardised units (its test_mse) and also in y's own units.
// The tutorial runs one_epoch() by hand, as often as the reader likes, so it gives no
// epoch count; soma runs 500 (--epochs). It seeds torch once (manual_seed(0), in the
// forward-pass section); soma's generator is not torch's, so --seed (default 42) drives
// the data, the split, the initial weights and the batches.
// The tutorial's live figure (graph_steps('MSE Loss'), redrawn after each one_epoch()):
// --plot writes it as regression_prelu_steps.png, --live draws it while training on the
// dashboard's training view, whose steps axis puts each epoch's validation loss at the
// epoch's last step as the tutorial does.
//
// Under `mpirun -np K` the training is data-parallel (soma::dist::DataParallel): the ranks
// run their shards of every batch and sum the --shards parts' gradients in shard order, so
// the weights equal one rank's with the same --shards, bit for bit; rank 0 alone prints.
//
//   soma example regression-prelu [--json] [--seed N] [--epochs N] [--n N] [--plot DIR]
//                                 [--shards N] [--live [--port N] [--live-hold S]]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "regression_prelu.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/random.hpp"
#include "soma/core/system.hpp"
#include "soma/data/dataset.hpp"
#include "soma/data/loader.hpp"
#include "soma/data/split.hpp"
#include "soma/dist/context.hpp"
#include "soma/dist/data_parallel.hpp"
#include "soma/dist/sampler.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/init.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/optim/sgd.hpp"
#include "soma/plot/figure.hpp"

namespace soma::examples::regression_prelu {
namespace {

namespace nn = soma::nn;
namespace data = soma::data;
using soma::Tensor;

constexpr double kNoise = 0.5;

double trend(double x) { return x * x / 3.0 - x / 2.0 + std::sin(2.0 * x) / 2.0; }

struct Standard {
  double mean = 0, scale = 1;
  double to(double v) const { return (v - mean) / scale; }
  double from(double v) const { return v * scale + mean; }
};

// The tutorial's standardize(): every point, mean and sample standard deviation.
Standard fit_standard(const std::vector<double>& v) {
  Standard s;
  for (double x : v) s.mean += x;
  s.mean /= double(v.size());
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.scale = std::sqrt(ss / double(v.size() - 1));
  return s;
}

// random_order_indices = torch.randperm(n), cut at floor(0.7 n) and floor(0.85 n).
struct Split3 {
  std::vector<int64_t> train, valid, test;
};
Split3 split3(int64_t n, soma::Rng& rng) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[size_t(i)] = i;
  rng.shuffle(order.begin(), order.end());
  const auto a = static_cast<long>(std::floor(double(n) * 0.7));
  const auto b = static_cast<long>(std::floor(double(n) * (0.7 + 0.15)));
  return {{order.begin(), order.begin() + a},
          {order.begin() + a, order.begin() + b},
          {order.begin() + b, order.end()}};
}

Tensor column(const std::vector<double>& v, const std::vector<int64_t>& rows, const Standard& s) {
  std::vector<float> out;
  for (int64_t r : rows) out.push_back(float(s.to(v[size_t(r)])));
  return soma::tensor(std::span<const float>(out), {int64_t(out.size()), 1});
}

// graph_steps(): a step's training loss at its step, an epoch's validation loss at the
// epoch's last step (len(train_dataloader) - 1, 2 len - 1, ...), in Plotly's first two
// colours as the tutorial's traces.
void draw_steps(soma::plot::Axes& ax, const std::vector<double>& step_loss,
                const std::vector<double>& valid_loss, int64_t steps_per_epoch) {
  ax.title = "MSE Loss";
  ax.xlabel = "steps";
  ax.ylabel = "loss";
  std::vector<double> steps, epoch_ends;
  for (size_t k = 0; k < step_loss.size(); ++k) steps.push_back(double(k));
  for (size_t e = 1; e <= valid_loss.size(); ++e)
    epoch_ends.push_back(double(e) * double(steps_per_epoch) - 1.0);
  ax.line(steps, step_loss, {.label = "train loss", .color = "#636efa"});
  ax.line(epoch_ends, valid_loss, {.label = "valid loss", .color = "#ef553b"});
}

void run_rank(const Options& opt, const soma::cli::LiveBoard& live,
              const soma::dist::Context& ctx) {
  const int64_t epochs = opt.common.epochs;              // the tutorial leaves it open: 500
  soma::dist::shards_for_ranks(opt.shards, ctx.size());  // checked before any data is read
  const bool writer = ctx.rank() == 0;  // under mpirun rank 0 alone prints and plots
  if (epochs < 1) throw soma::Error("--epochs 0: expected at least 1 (the losses of an epoch)");
  if (opt.n < 20) throw soma::Error("--n " + std::to_string(opt.n) + ": expected at least 20");

  soma::Rng rng(opt.common.seed);
  std::vector<double> x(size_t(opt.n)), y(size_t(opt.n));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = rng.uniform(-3.0, 3.0);
    y[i] = trend(x[i]) + kNoise * rng.normal();
  }
  const Standard sx = fit_standard(x), sy = fit_standard(y);
  const Split3 split = split3(opt.n, rng);

  // nn.Linear's own initialisation, then init_weights(): kaiming_uniform_(weight,
  // nonlinearity='relu') on every Linear, biases untouched.
  soma::Rng init_rng(opt.common.seed + 1);
  nn::Sequential model(nn::Linear(1, 3, true, init_rng), nn::PReLU(),
                       nn::Linear(3, 2, true, init_rng), nn::PReLU(),
                       nn::Linear(2, 1, true, init_rng), nn::PReLU());
  for (size_t i : {0u, 2u, 4u})
    nn::init::kaiming_uniform_(model.at<nn::Linear>(i).weight, 0.0, nn::init::FanMode::FanIn,
                               "relu", init_rng);
  soma::optim::SGD sgd(model.parameters(), {.lr = 0.05});
  data::DataLoader loader(
      data::TensorDataset(column(x, split.train, sx), column(y, split.train, sy)),
      {.batch_size = 100, .shuffle = true, .seed = opt.common.seed});
  const Tensor x_valid = column(x, split.valid, sx), y_valid = column(y, split.valid, sy);

  // step_loss: the tutorial's Losses (one per batch); train_loss: their mean per epoch.
  std::vector<double> step_loss, train_loss, valid_loss;
  soma::dist::DataParallel dp(
      ctx, model,
      [](const Tensor& out, const Tensor& target) { return soma::mse_loss(out, target); },
      {.shards = opt.shards});
  soma::ProgressBar bar(epochs, "regression-prelu", writer && !opt.common.json);
  const soma::cli::LiveBoard nowhere;  // the other ranks report nowhere
  soma::cli::LiveLoop feed(writer ? live : nowhere, epochs, loader.size());
  soma::Stopwatch watch;
  feed.begin();
  for (int64_t e = 0; e < epochs; ++e) {
    double sum = 0;
    int64_t batch = 0;
    for (auto& [bx, by] : loader) {
      step_loss.push_back(dp.step(bx, by));  // every parameter's grad() set
      sgd.step();
      sum += step_loss.back();
      feed.batch(e + 1, ++batch, step_loss.back());
    }
    train_loss.push_back(sum / double(loader.size()));
    soma::NoGradGuard no_grad;
    valid_loss.push_back(soma::mse_loss(model(x_valid), y_valid).item<double>());
    feed.epoch(e + 1, train_loss.back(), valid_loss.back());
    bar.advance();
  }
  feed.end();
  const double train_seconds = watch.seconds();
  bar.finish();
  if (!writer) return;

  // Test MSE in the data's own units, against the noisy targets and the trend itself.
  std::vector<float> pred;
  {
    soma::NoGradGuard no_grad;
    pred = model(column(x, split.test, sx)).to_vector<float>();
  }
  double mse = 0, floor = 0, to_trend = 0, test_mse_std = 0;
  for (size_t i = 0; i < split.test.size(); ++i) {
    const size_t r = size_t(split.test[i]);
    const double p = sy.from(pred[i]);
    test_mse_std += std::pow(double(pred[i]) - sy.to(y[r]), 2);
    mse += (p - y[r]) * (p - y[r]);
    floor += (trend(x[r]) - y[r]) * (trend(x[r]) - y[r]);
    to_trend += (p - trend(x[r])) * (p - trend(x[r]));
  }
  const double nt = double(split.test.size());
  mse /= nt;
  test_mse_std /= nt;
  floor /= nt;
  to_trend /= nt;

  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) {
    namespace plot = soma::plot;
    const std::filesystem::path dir(opt.common.plot_dir);
    std::filesystem::create_directories(dir);
    // The tutorial's figure as its FigureWidget shows it: 750 x 500, linear loss axis.
    plot::Figure steps({.width = 750, .height = 500});
    draw_steps(steps.axes(), step_loss, valid_loss, loader.size());
    figures.push_back((dir / "regression_prelu_steps.png").string());
    steps.save(figures.back());
    soma::cli::wrote(figures.back());
    // Beside the test set, on a log axis where the late steps' losses stay apart.
    plot::Figure fig({.rows = 1, .cols = 2, .width = 1000, .height = 400});
    auto& l = fig.axes(0, 0);
    draw_steps(l, step_loss, valid_loss, loader.size());
    l.ylog = true;
    auto& f = fig.axes(0, 1);
    f.title = "Test set";
    f.xlabel = "x";
    f.ylabel = "y";
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
    figures.push_back((dir / "regression_prelu.png").string());
    fig.save(figures.back());
    soma::cli::wrote(figures.back());
  }

  // The learnt negative slopes of the three PReLUs (each starts at 0.25).
  std::vector<double> prelu_slopes;
  for (size_t i : {1u, 3u, 5u})
    prelu_slopes.push_back(model.at<nn::PReLU>(i).weight.to_vector<double>()[0]);
  if (opt.common.json) {
    soma::cli::print_json({{"epochs", epochs},
                           {"train_size", split.train.size()},
                           {"valid_size", split.valid.size()},
                           {"test_size", split.test.size()},
                           {"steps_per_epoch", loader.size()},
                           {"prelu_slopes", prelu_slopes},
                           {"step_loss", step_loss},
                           {"train_loss", train_loss},
                           {"valid_loss", valid_loss},
                           {"final_train_loss", train_loss.back()},
                           {"final_valid_loss", valid_loss.back()},
                           {"test_mse_standardised", test_mse_std},
                           {"test_mse", mse},
                           {"trend_mse", floor},
                           {"model_vs_trend_mse", to_trend},
                           {"train_seconds", train_seconds},
                           {"weights_sha256", nn::state_dict_sha256(model)},
                           {"ranks", ctx.size()},
                           {"shards", opt.shards == 0 ? int64_t{ctx.size()} : opt.shards},
                           {"figures", figures}});
    return;
  }
  std::printf(
      "y = x^2/3 - x/2 + sin(2x)/2 + N(0, %.1f^2), x in [-3, 3]; %lld points, "
      "%zu/%zu/%zu\n",
      kNoise, (long long)opt.n, split.train.size(), split.valid.size(), split.test.size());
  std::printf(
      "1-3-2-1, PReLU after every layer, Kaiming-uniform (relu) weights, SGD lr 0.05, "
      "batch 100: %zu steps per epoch\n\n",
      loader.size());
  for (int64_t e = 0; e < epochs; e += std::max<int64_t>(1, epochs / 10))
    std::printf("epoch #%lld  step %6lld  last step loss %.5f  Validation Loss: %.5f\n",
                (long long)e, (long long)((e + 1) * int64_t(loader.size()) - 1),
                step_loss[size_t((e + 1) * int64_t(loader.size()) - 1)], valid_loss[size_t(e)]);
  std::printf(
      "epoch #%lld  step %6zu  last step loss %.5f  Validation Loss: %.5f  (standardised)\n\n",
      (long long)(epochs - 1), step_loss.size() - 1, step_loss.back(), valid_loss.back());
  std::printf("test_mse (standardised, as the tutorial) %.4f\n", test_mse_std);
  std::printf("test MSE in y's units    %.4f\n", mse);
  std::printf("trend's own test MSE   %.4f  (noise floor)\n", floor);
  std::printf("model vs trend MSE     %.4f\n", to_trend);
  std::printf("training took %.3f s\n", train_seconds);
}

}  // namespace

// Under mpirun an error on any rank ends the whole job (dist::run_on_ranks).
void run(const Options& opt, const soma::cli::LiveBoard& live) {
  soma::dist::run_on_ranks([&](const soma::dist::Context& c) { run_rank(opt, live, c); });
}

}  // namespace soma::examples::regression_prelu

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example regression-prelu` has them as flags).
int main(int argc, char** argv) {
  soma::examples::regression_prelu::Options opt;
  return soma::cli::example_main(argc, argv, opt.common, [&] {
    soma::examples::regression_prelu::run(opt, soma::cli::LiveBoard{});
  });
}
#endif
