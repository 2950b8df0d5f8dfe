// A small conditional DCGAN on Fashion-MNIST (networks and training step in gan_model.hpp).
//
// The quality figure: a small CNN is first trained on the same real images for one epoch
// (its test accuracy is reported beside it); after each GAN epoch it classifies 1000
// generated images, 100 per conditioning class, and `generated_accuracy` is the share it
// puts in the class they were asked for. An untrained generator scores near chance (0.1);
// the classifier's own test accuracy is the ceiling a generator fooling it could reach.
//
// Defaults (chosen for two cores): width 32, batches of 128 (the DCGAN paper's) and the
// first 20000 training images; one epoch then takes one to two minutes (bench/results/gan.md).
//
// Under `mpirun -np K` the training is data-parallel (gan_model.hpp's Trainer): each rank
// runs its shards of every batch, the gradients are summed over the --shards parts in
// shard order and BatchNorm's running statistics averaged over them, so `mpirun -np 2`
// ends with the weights and statistics of one rank with --shards 2, bit for bit. Each rank
// trains the judge (the classifier) itself, identically. Rank 0 alone prints and plots.
//
//   soma example gan [--json] [--seed N] [--epochs N] [--plot DIR] [--data DIR]
//                    [--train N] [--test N] [--batch N] [--lr X] [--width N]
//                    [--shards N] [--live [--port N] [--live-hold S]]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "gan.hpp"
#include "gan_model.hpp"
#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/random.hpp"
#include "soma/core/system.hpp"
#include "soma/data/fashion_mnist.hpp"
#include "soma/dist/context.hpp"
#include "soma/dist/sampler.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/conv.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/pooling.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/nn/state_dict.hpp"
#include "soma/optim/adam.hpp"
#include "soma/plot/figure.hpp"

namespace soma::examples::gan {
namespace {

namespace nn = soma::nn;
using soma::Tensor;

constexpr int64_t kPerClass = 100;  // generated images per class for the accuracy

// The judge: conv 1->16 5x5, pool, conv 16->32 5x5, pool, linear 1568->10 (~90% after an
// epoch on the full set). It sees pixels in [0, 1], as the data files give them.
nn::Sequential classifier(soma::Rng& rng) {
  const nn::Conv2dOptions pad2{.padding = {2, 2}};
  return nn::Sequential(nn::Conv2d(1, 16, 5, pad2, rng), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Conv2d(16, 32, 5, pad2, rng), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Flatten(), nn::Linear(32 * 7 * 7, 10, true, rng));
}

// Shuffled order of n items.
std::vector<int64_t> permutation(int64_t n, soma::Rng& rng) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  rng.shuffle(order.begin(), order.end());
  return order;
}

Tensor rows(const Tensor& t, const std::vector<int64_t>& order, int64_t at, int64_t b) {
  return t.index_select(0, soma::tensor(std::span<const int64_t>(order.data() + at, size_t(b))));
}

void train_classifier(nn::Sequential& net, const soma::data::LabelledImages& data, uint64_t seed,
                      soma::ProgressBar& bar) {
  soma::optim::Adam adam(net.parameters(), {.lr = 1e-3});
  soma::Rng rng(seed);
  const int64_t n = data.images.size(0), batch = 64;
  const std::vector<int64_t> order = permutation(n, rng);
  for (int64_t at = 0; at < n; at += batch) {
    const int64_t b = std::min(batch, n - at);
    Tensor loss =
        soma::cross_entropy(net(rows(data.images, order, at, b)), rows(data.labels, order, at, b));
    adam.zero_grad();
    loss.backward();
    adam.step();
    bar.advance(1, "classifier");
  }
}

// Share of `labels` that the classifier gives to images [N, 1, 28, 28] in [0, 1].
double accuracy(nn::Sequential& net, const Tensor& images, const Tensor& labels) {
  soma::NoGradGuard no_grad;
  const std::vector<int64_t> got = soma::argmax(net(images), 1).to_vector<int64_t>();
  const std::vector<int64_t> want = labels.to_vector<int64_t>();
  int64_t right = 0;
  for (size_t i = 0; i < got.size(); ++i) right += got[i] == want[i];
  return double(right) / double(got.size());
}

// The generator's images for fixed noise and labels, in [0, 1], in evaluation mode.
// Both networks' weights under one name each ("generator.<layer>", "discriminator.<layer>"),
// for the weights_sha256 that tells runs apart.
nn::StateDict weights_of(gan::Generator& g, gan::Discriminator& d) {
  nn::StateDict sd;
  const std::vector<std::string> g_names = {"label", "t1", "t2", "t3", "b1", "b2"};
  const std::vector<std::string> d_names = {"label", "c1", "c2", "c3", "b2"};
  const auto gm = g.modules();
  const auto dm = d.modules();
  for (size_t i = 0; i < gm.size(); ++i) sd.merge(gm[i]->state_dict(), "generator." + g_names[i]);
  for (size_t i = 0; i < dm.size(); ++i)
    sd.merge(dm[i]->state_dict(), "discriminator." + d_names[i]);
  return sd;
}

Tensor generate(gan::Generator& g, const Tensor& z, const Tensor& labels) {
  soma::NoGradGuard no_grad;
  gan::set_training(g, false);
  const Tensor x = (g(z, labels) + 1.0) * 0.5;
  gan::set_training(g, true);
  return x;
}

// Images [k, 28, 28] (flat) tiled into a rows x cols mosaic for a grey heatmap.
std::vector<double> mosaic(const std::vector<double>& px, int64_t rows_n, int64_t cols) {
  const int64_t w = cols * 28;
  std::vector<double> out(size_t(w * rows_n * 28), 1.0);
  for (int64_t r = 0; r < rows_n; ++r)
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t y = 0; y < 28; ++y)
        for (int64_t x = 0; x < 28; ++x)
          out[size_t((r * 28 + y) * w + c * 28 + x)] =
              px[size_t(((r * cols + c) * 28 + y) * 28 + x)];
  return out;
}

struct History {
  std::vector<double> step_d, step_g;     // every step's losses
  std::vector<double> epoch_d, epoch_g;   // means per epoch
  std::vector<double> accuracy;           // generated_accuracy after each epoch
  std::vector<std::vector<double>> grid;  // the 10 x 10 sample grid after each epoch
  double seconds = 0;                     // training time, all epochs
};

std::vector<std::string> plots(const Options& o, const History& h, int64_t steps_per_epoch) {
  namespace plot = soma::plot;
  namespace fs = std::filesystem;
  fs::create_directories(o.common.plot_dir);
  const fs::path dir(o.common.plot_dir);
  std::vector<std::string> written;
  auto save = [&](const plot::Figure& fig, const std::string& name) {
    written.push_back((dir / name).string());
    fig.save(written.back());
  };
  for (size_t e = 0; e < h.grid.size(); ++e) {
    plot::Figure fig({.width = 760, .height = 800});
    auto& ax = fig.axes();
    char title[128];
    std::snprintf(title, sizeof title,
                  "epoch %zu: one row per class (T-shirt ... ankle boot), fixed noise; "
                  "classifier agrees on %.0f%%",
                  e + 1, 100 * h.accuracy[e]);
    ax.title = title;
    ax.heatmap(h.grid[e], 280, 280,
               {.colorbar = false, .colormap = "gray", .zlim = plot::Range{0.0, 1.0}});
    char name[48];
    std::snprintf(name, sizeof name, "gan_epoch_%02zu.png", e + 1);
    save(fig, name);
  }
  plot::Figure curves(
      {.width = 900, .height = 500, .title = "conditional DCGAN on Fashion-MNIST: losses"});
  auto& ax = curves.axes();
  ax.xlabel = "epoch";
  ax.ylabel = "binary cross-entropy";
  std::vector<double> t, te;
  for (size_t i = 0; i < h.step_d.size(); ++i) t.push_back(double(i + 1) / double(steps_per_epoch));
  for (size_t e = 0; e < h.epoch_d.size(); ++e) te.push_back(double(e + 1));
  if (!t.empty()) {
    ax.line(t, h.step_d, {.label = "discriminator, each step"});
    ax.line(t, h.step_g, {.label = "generator, each step"});
    ax.line(te, h.epoch_d, {.label = "discriminator, epoch mean", .markers = true});
    ax.line(te, h.epoch_g, {.label = "generator, epoch mean", .markers = true});
  }
  save(curves, "gan_loss.png");
  return written;
}

void run_rank(const Options& opt, const soma::cli::LiveBoard& live,
              const soma::dist::Context& ctx) {
  const int epochs = opt.common.epochs;
  const bool writer = ctx.rank() == 0;  // under mpirun rank 0 alone prints and plots
  for (auto [name, v, hi] : {std::tuple{"--train", opt.train, int64_t{60000}},
                             std::tuple{"--test", opt.test, int64_t{10000}},
                             std::tuple{"--batch", opt.batch, int64_t{65536}},
                             std::tuple{"--width", opt.width, int64_t{512}}})
    if (v < 1 || v > hi)
      throw soma::Error(std::string(name) + " " + std::to_string(v) + ": expected 1 to " +
                        std::to_string(hi));
  if (!(opt.lr > 0)) throw soma::Error("--lr: expected a positive learning rate");
  soma::dist::shards_for_ranks(opt.shards, ctx.size());  // checked before any data is read
  soma::data::LabelledImages train = soma::data::fashion_mnist("train", opt.data_dir);
  soma::data::LabelledImages test = soma::data::fashion_mnist("test", opt.data_dir);
  // The first --train / --test images: the files' order is already mixed across classes.
  train.images = train.images.slice(0, 0, opt.train);
  train.labels = train.labels.slice(0, 0, opt.train);
  test.images = test.images.slice(0, 0, opt.test);
  test.labels = test.labels.slice(0, 0, opt.test);
  const Tensor real = train.images * 2.0 - 1.0;  // tanh's range

  const int64_t steps = (opt.train + opt.batch - 1) / opt.batch;
  const int64_t classifier_steps = (opt.train + 63) / 64;
  soma::ProgressBar bar(classifier_steps + epochs * steps, "gan", writer && !opt.common.json);
  soma::Rng judge_rng(opt.common.seed + 1);
  nn::Sequential judge = classifier(judge_rng);
  train_classifier(judge, train, opt.common.seed + 2, bar);
  judge.eval();
  const double judge_accuracy = accuracy(judge, test.images, test.labels);

  soma::Rng init_rng(opt.common.seed + 3), rng(opt.common.seed + 4), eval_rng(opt.common.seed + 5);
  gan::Generator g(opt.width, init_rng);
  gan::Discriminator d(opt.width, init_rng);
  gan::Trainer trainer(g, d, opt.lr, ctx, opt.shards);
  // Fixed evaluation noise: kPerClass images of each class, the first 10 of each for the grid.
  std::vector<int64_t> wanted;
  for (int64_t c = 0; c < gan::kClasses; ++c)
    for (int64_t i = 0; i < kPerClass; ++i) wanted.push_back(c);
  const Tensor eval_labels = soma::tensor(std::span<const int64_t>(wanted));
  const Tensor eval_z = soma::randn({int64_t(wanted.size()), gan::kNoise}, eval_rng);
  auto evaluate = [&](History& h) {
    const Tensor x = generate(g, eval_z, eval_labels);
    h.accuracy.push_back(accuracy(judge, x, eval_labels));
    if (opt.common.plot_dir.empty()) return;
    std::vector<int64_t> pick;
    for (int64_t c = 0; c < gan::kClasses; ++c)
      for (int64_t i = 0; i < 10; ++i) pick.push_back(c * kPerClass + i);
    h.grid.push_back(mosaic(rows(x, pick, 0, int64_t(pick.size())).to_vector<double>(), 10, 10));
  };
  History untrained;
  evaluate(untrained);

  History h;
  const soma::cli::LiveBoard nowhere;  // the other ranks report nowhere
  soma::cli::LiveLoop feed(writer ? live : nowhere, epochs, steps);
  feed.begin();
  for (int e = 1; e <= epochs; ++e) {
    soma::Stopwatch sw;
    const std::vector<int64_t> order = permutation(opt.train, rng);
    double sum_d = 0, sum_g = 0;
    for (int64_t at = 0, s = 1; at < opt.train; at += opt.batch, ++s) {
      const int64_t b = std::min(opt.batch, opt.train - at);
      const auto [ld, lg] =
          trainer.step(rows(real, order, at, b), rows(train.labels, order, at, b), rng);
      h.step_d.push_back(ld);
      h.step_g.push_back(lg);
      sum_d += ld;
      sum_g += lg;
      feed.batch(e, s, ld);
      char status[64];
      std::snprintf(status, sizeof status, "epoch %d D %.3f G %.3f", e, ld, lg);
      bar.advance(1, status);
    }
    h.seconds += sw.seconds();
    h.epoch_d.push_back(sum_d / double(steps));
    h.epoch_g.push_back(sum_g / double(steps));
    evaluate(h);
    feed.epoch(e, h.epoch_d.back(), NAN,
               {{"g_loss", h.epoch_g.back()}, {"generated_accuracy", h.accuracy.back()}});
  }
  feed.end();
  bar.finish();
  if (!writer) return;

  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) figures = plots(opt, h, steps);
  for (const auto& f : figures) soma::cli::wrote(f);
  const double per_epoch = epochs > 0 ? h.seconds / epochs : 0.0;
  const double final_acc = h.accuracy.empty() ? untrained.accuracy[0] : h.accuracy.back();
  const double d_loss = h.epoch_d.empty() ? NAN : h.epoch_d.back();
  const double g_loss = h.epoch_g.empty() ? NAN : h.epoch_g.back();

  if (!opt.common.json) {
    std::printf("%lld training images, %d epochs, %.1f s per epoch\n",
                static_cast<long long>(opt.train), epochs, per_epoch);
    std::printf("last epoch's mean losses: discriminator %.3f, generator %.3f\n", d_loss, g_loss);
    std::printf(
        "classifier (1 epoch, test accuracy %.3f) puts %.3f of 1000 generated images in the "
        "class they were asked for (untrained generator: %.3f)\n",
        judge_accuracy, final_acc, untrained.accuracy[0]);
    return;
  }
  soma::cli::print_json({{"generated_accuracy", final_acc},
                         {"generated_accuracy_per_epoch", h.accuracy},
                         {"untrained_generated_accuracy", untrained.accuracy[0]},
                         {"classifier_test_accuracy", judge_accuracy},
                         {"d_loss", d_loss},
                         {"g_loss", g_loss},
                         {"d_loss_per_epoch", h.epoch_d},
                         {"g_loss_per_epoch", h.epoch_g},
                         {"seconds_per_epoch", per_epoch},
                         {"epochs", epochs},
                         {"steps_per_epoch", steps},
                         {"train", opt.train},
                         {"test", opt.test},
                         {"weights_sha256", nn::state_dict_sha256(weights_of(g, d))},
                         {"ranks", ctx.size()},
                         {"shards", opt.shards == 0 ? int64_t{ctx.size()} : opt.shards},
                         {"figures", figures}});
}

}  // namespace

// Under mpirun an error on any rank ends the whole job (dist::run_on_ranks).
void run(const Options& opt, const soma::cli::LiveBoard& live) {
  soma::dist::run_on_ranks([&](const soma::dist::Context& c) { run_rank(opt, live, c); });
}

}  // namespace soma::examples::gan

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example gan` has them as flags).
int main(int argc, char** argv) {
  soma::examples::gan::Options opt;
  return soma::cli::example_main(argc, argv, opt.common,
                                 [&] { soma::examples::gan::run(opt, soma::cli::LiveBoard{}); });
}
#endif
