// A convolutional variational autoencoder on Fashion-MNIST with a 2-D latent space
// (Kingma & Welling 2014), beside a plain autoencoder of the same shape.
//
//   encoder  [N,1,28,28] -Conv2d(1,16,4,s2,p1)-ReLU- [N,16,14,14] -Conv2d(16,32,4,s2,p1)-ReLU-
//            [N,32,7,7] -Flatten-Linear(1568,2 * 2)- mean and log-variance of q(z|x)
//   decoder  z [N,2] -Linear(2,1568)-ReLU- [N,32,7,7] -ConvTranspose2d(32,16,4,s2,p1)-ReLU-
//            [N,16,14,14] -ConvTranspose2d(16,1,4,s2,p1)- pixel logits [N,1,28,28]
//
// Pixels (grey values in [0, 1]) are scored by a Bernoulli likelihood, as the VAE of
// pytorch/examples does; the prior is N(0, I). The loss is the negative ELBO per image,
//   -ELBO = BCE(logits, x) summed over pixels + KL(q(z|x) || N(0, I)),
// with one reparameterised sample z = mu + exp(logvar / 2) * eps. The autoencoder uses the
// encoder's mean as its code and the same decoder, trained on the BCE alone. `test_elbo`
// is the ELBO on the test images in nats per image (higher is better; an untrained
// decoder's is near -784 ln 2 = -543: logits near 0 give every pixel ln 2; seed 42: -524).
//
// --live shows the VAE's epochs, then the autoencoder's, as one run of 2 x --epochs.
//
// Under `mpirun -np K` the training is data-parallel (soma::dist::DataParallel): each rank
// runs forward and backward on its shards of every batch, and the batch's gradient is the
// sum of the --shards parts in shard order, so `mpirun -np 2` ends with the weights of one
// rank with --shards 2, bit for bit. Each shard draws its noise (eps) from a stream keyed
// by the step and the shard, not by the rank. Rank 0 alone prints and plots.
//
//   soma example vae [--json] [--seed N] [--epochs N] [--plot DIR] [--data DIR]
//                    [--train N] [--test N] [--batch N] [--lr X] [--shards N]
//                    [--live [--port N] [--live-hold S]]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/core/progress.hpp"
#include "soma/core/random.hpp"
#include "soma/data/fashion_mnist.hpp"
#include "soma/dist/context.hpp"
#include "soma/dist/data_parallel.hpp"
#include "soma/dist/sampler.hpp"
#include "soma/nn/conv.hpp"
#include "soma/nn/conv_transpose.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/state_dict.hpp"
#include "soma/optim/adam.hpp"
#include "soma/plot/figure.hpp"
#include "vae.hpp"

namespace soma::examples::vae {
namespace {

namespace nn = soma::nn;
using soma::Tensor;

constexpr int64_t kLatent = 2, kFlat = 32 * 7 * 7;

struct Encoder {
  nn::Conv2d c1, c2;
  nn::Linear head;
  Encoder(int64_t outputs, soma::Rng& rng)
      : c1(1, 16, 4, {.stride = {2, 2}, .padding = {1, 1}}, rng),
        c2(16, 32, 4, {.stride = {2, 2}, .padding = {1, 1}}, rng),
        head(kFlat, outputs, true, rng) {}
  Tensor operator()(const Tensor& x) {
    return head(soma::relu(c2(soma::relu(c1(x)))).reshape({-1, kFlat}));
  }
  void collect(std::vector<Tensor>& p) const {
    for (const nn::Module* m : std::initializer_list<const nn::Module*>{&c1, &c2, &head})
      for (const Tensor& t : m->parameters()) p.push_back(t);
  }
  void collect(nn::StateDict& sd, const std::string& prefix) const {
    sd.merge(c1.state_dict(), prefix + ".c1");
    sd.merge(c2.state_dict(), prefix + ".c2");
    sd.merge(head.state_dict(), prefix + ".head");
  }
};

struct Decoder {
  nn::Linear fc;
  nn::ConvTranspose2d t1, t2;
  explicit Decoder(soma::Rng& rng)
      : fc(kLatent, kFlat, true, rng),
        t1(32, 16, 4, {.stride = {2, 2}, .padding = {1, 1}}, rng),
        t2(16, 1, 4, {.stride = {2, 2}, .padding = {1, 1}}, rng) {}
  // z [N, 2] -> pixel logits [N, 1, 28, 28]
  Tensor operator()(const Tensor& z) {
    return t2(soma::relu(t1(soma::relu(fc(z)).reshape({-1, 32, 7, 7}))));
  }
  void collect(std::vector<Tensor>& p) const {
    for (const nn::Module* m : std::initializer_list<const nn::Module*>{&fc, &t1, &t2})
      for (const Tensor& t : m->parameters()) p.push_back(t);
  }
  void collect(nn::StateDict& sd, const std::string& prefix) const {
    sd.merge(fc.state_dict(), prefix + ".fc");
    sd.merge(t1.state_dict(), prefix + ".t1");
    sd.merge(t2.state_dict(), prefix + ".t2");
  }
};

// Both models: `variational` adds the sampled code and the KL term.
struct Model {
  bool variational;
  Encoder enc;
  Decoder dec;
  Model(bool vae, soma::Rng& rng)
      : variational(vae), enc(vae ? 2 * kLatent : kLatent, rng), dec(rng) {}
  std::vector<Tensor> parameters() const {
    std::vector<Tensor> p;
    enc.collect(p);
    dec.collect(p);
    return p;
  }
  // As a Module would name its children's entries ("enc.c1.weight").
  nn::StateDict state_dict() const {
    nn::StateDict sd;
    enc.collect(sd, "enc");
    dec.collect(sd, "dec");
    return sd;
  }
  // The code's mean [N, 2] (the autoencoder's code).
  Tensor mean(const Tensor& x) {
    const Tensor h = enc(x);
    return variational ? h.slice(1, 0, kLatent) : h;
  }
  struct Loss {
    Tensor total;            // summed over the batch: -ELBO (VAE) or BCE (autoencoder)
    double bce = 0, kl = 0;  // summed over the batch
  };
  Loss loss(const Tensor& x, soma::Rng& rng) {
    const Tensor h = enc(x);
    Tensor z = h, kl;
    if (variational) {
      const Tensor mu = h.slice(1, 0, kLatent), logvar = h.slice(1, kLatent, 2 * kLatent);
      const Tensor eps = soma::randn(mu.shape(), rng);
      z = mu + soma::exp(logvar * 0.5) * eps;
      // KL(N(mu, sigma^2) || N(0, 1)) = -1/2 (1 + log sigma^2 - mu^2 - sigma^2), per dimension.
      kl = soma::sum(soma::exp(logvar) + mu * mu - logvar - 1.0) * 0.5;
    }
    const Tensor bce = soma::bce_with_logits(dec(z), x, soma::Reduction::Sum);
    Loss l{bce, bce.item<double>(), 0};
    if (variational) {
      l.total = bce + kl;
      l.kl = kl.item<double>();
    }
    return l;
  }
};

// Per image over a whole split, without gradients: {-ELBO or BCE, BCE, KL}.
std::array<double, 3> evaluate(Model& m, const Tensor& images, int64_t batch, uint64_t seed) {
  soma::NoGradGuard no_grad;
  soma::Rng rng(seed);  // the same noise for every evaluation: curves compare like for like
  const int64_t n = images.size(0);
  double total = 0, bce = 0, kl = 0;
  for (int64_t at = 0; at < n; at += batch) {
    const Model::Loss l = m.loss(images.slice(0, at, std::min(n, at + batch)), rng);
    total += l.total.item<double>();
    bce += l.bce;
    kl += l.kl;
  }
  return {total / double(n), bce / double(n), kl / double(n)};
}

struct History {
  std::vector<double> train, test;  // loss per image, per epoch
};

History train_model(Model& m, const Tensor& train, const Tensor& test, const Options& o, int epochs,
                    soma::ProgressBar& bar, const char* label, soma::cli::LiveLoop& feed,
                    int first_epoch, const soma::dist::Context& ctx) {
  History h;
  soma::optim::Adam adam(m.parameters(), {.lr = o.lr});
  soma::Rng order_rng(o.common.seed + 3), noise_rng(o.common.seed + 4);
  // Every rank walks the same batches (order_rng); each runs its shards of a batch.
  soma::dist::DataParallel dp(ctx, m.parameters(), {.shards = o.shards, .rng = &noise_rng});
  const int64_t n = train.size(0);
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int e = 0; e < epochs; ++e) {
    for (size_t i = 0; i < order.size(); ++i) order[i] = int64_t(i);
    for (size_t i = order.size() - 1; i > 0; --i)
      std::swap(order[i], order[size_t(order_rng.next_u64() % (i + 1))]);
    double total = 0;
    for (int64_t at = 0, s = 1; at < n; at += o.batch, ++s) {
      const int64_t b = std::min(o.batch, n - at);
      const Tensor x = train.index_select(
          0, soma::tensor(std::span<const int64_t>(order.data() + at, size_t(b)), {b}));
      // The loss per image of the whole batch; every parameter's grad() set to its gradient.
      const double loss = dp.step(b, [&](int64_t lo, int64_t hi) {
        return m.loss(x.slice(0, lo, hi), noise_rng).total * (1.0 / double(hi - lo));
      });
      adam.step();
      total += loss * double(b);
      feed.batch(first_epoch + e, s, loss);
      char status[64];
      std::snprintf(status, sizeof status, "%s %.1f nats", label, loss);
      bar.advance(1, status);
    }
    h.train.push_back(total / double(n));
    h.test.push_back(evaluate(m, test, o.batch, o.common.seed + 5)[0]);
    feed.epoch(first_epoch + e, h.train.back(), h.test.back());
  }
  return h;
}

// Images [k, 28, 28] (as one flat vector) tiled into a rows x cols mosaic, row 0 on top.
std::vector<double> mosaic(const std::vector<double>& px, int64_t rows, int64_t cols) {
  const int64_t w = cols * 28, hgt = rows * 28;
  std::vector<double> out(size_t(w * hgt), 1.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t y = 0; y < 28; ++y)
        for (int64_t x = 0; x < 28; ++x)
          out[size_t((r * 28 + y) * w + c * 28 + x)] =
              px[size_t(((r * cols + c) * 28 + y) * 28 + x)];
  return out;
}

// A mosaic as a grey image (the heatmap draws row 0 at the top, as images read).
void image_axes(soma::plot::Axes& ax, const std::vector<double>& m, int64_t rows, int64_t cols,
                const std::string& title) {
  const int64_t w = cols * 28, hgt = rows * 28;
  ax.title = title;
  ax.heatmap(m, size_t(hgt), size_t(w),
             {.colorbar = false, .colormap = "gray", .zlim = soma::plot::Range{0.0, 1.0}});
}

// Returns the figures written.
std::vector<std::string> plots(const Options& o, Model& vae, Model& ae,
                               const soma::data::LabelledImages& test, const History& hv,
                               const History& ha) {
  namespace plot = soma::plot;
  namespace fs = std::filesystem;
  soma::NoGradGuard no_grad;
  fs::create_directories(o.common.plot_dir);
  const fs::path dir(o.common.plot_dir);
  std::vector<std::string> written;
  auto save = [&](const plot::Figure& fig, const char* name) {
    written.push_back((dir / name).string());
    fig.save(written.back());
  };
  const auto& names = soma::data::fashion_mnist_classes();
  const std::vector<std::string> class_names(names.begin(), names.end());
  const std::vector<double> labels = test.labels.to_vector<double>();

  plot::Figure latent({.cols = 2,
                       .width = 1400,
                       .height = 650,
                       .title = "Fashion-MNIST test images in the 2-D latent space"});
  for (int k = 0; k < 2; ++k) {
    Model& m = k == 0 ? vae : ae;
    const std::vector<double> z = m.mean(test.images).to_vector<double>();
    std::vector<double> zx, zy;
    for (size_t i = 0; i + 1 < z.size(); i += 2) {
      zx.push_back(z[i]);
      zy.push_back(z[i + 1]);
    }
    auto& ax = latent.axes(0, k);
    ax.title = k == 0 ? "VAE: mean of q(z|x)" : "autoencoder: code";
    ax.xlabel = "z1";
    ax.ylabel = "z2";
    ax.scatter(zx, zy, {.classes = labels, .class_names = class_names, .size = 2});
  }
  save(latent, "vae_latent.png");

  // Decoded samples on a 15 x 15 grid of the prior's quantiles (5%..95%), z2 upwards.
  const int64_t g = 15;
  std::vector<float> grid;
  for (int64_t r = 0; r < g; ++r)
    for (int64_t c = 0; c < g; ++c) {
      auto quantile = [&](int64_t i) {  // inverse normal CDF by bisection: exact enough here
        const double p = 0.05 + 0.9 * double(i) / double(g - 1);
        double lo = -4, hi = 4;
        for (int it = 0; it < 60; ++it) {
          const double mid = (lo + hi) / 2;
          (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
        }
        return lo;
      };
      grid.push_back(float(quantile(c)));
      grid.push_back(float(quantile(g - 1 - r)));
    }
  const Tensor decoded =
      soma::sigmoid(vae.dec(soma::tensor(std::span<const float>(grid), {g * g, kLatent})));
  plot::Figure samples({.width = 900, .height = 900});
  image_axes(samples.axes(), mosaic(decoded.to_vector<double>(), g, g), g, g,
             "VAE: decoded latent grid (z1 rightwards, z2 upwards, prior quantiles 5%-95%)");
  save(samples, "vae_samples.png");

  // Reconstructions: the first 12 test images, the VAE's (from the mean) and the AE's.
  const int64_t k = std::min<int64_t>(12, test.images.size(0));
  const Tensor x = test.images.slice(0, 0, k);
  std::vector<double> rows = x.to_vector<double>();
  for (Model* m : {&vae, &ae})
    for (double v : soma::sigmoid(m->dec(m->mean(x))).to_vector<double>()) rows.push_back(v);
  plot::Figure rec({.width = 1200, .height = 360});
  image_axes(rec.axes(), mosaic(rows, 3, k), 3, k,
             "test images (top), VAE reconstructions (middle), autoencoder (bottom)");
  save(rec, "vae_reconstructions.png");

  plot::Figure curves({.width = 900, .height = 500, .title = "training on Fashion-MNIST"});
  auto& ax = curves.axes();
  ax.xlabel = "epoch";
  ax.ylabel = "nats per image";
  std::vector<double> ep;
  for (size_t e = 0; e < hv.train.size(); ++e) ep.push_back(double(e + 1));
  if (!ep.empty()) {
    ax.line(ep, hv.train, {.label = "VAE -ELBO, train", .markers = true});
    ax.line(ep, hv.test, {.label = "VAE -ELBO, test", .dash = true, .markers = true});
    ax.line(ep, ha.train, {.label = "autoencoder BCE, train", .markers = true});
    ax.line(ep, ha.test, {.label = "autoencoder BCE, test", .dash = true, .markers = true});
  }
  save(curves, "vae_loss.png");
  return written;
}

}  // namespace

namespace {
void run_rank(const Options& opt, const soma::cli::LiveBoard& live,
              const soma::dist::Context& ctx) {
  const int epochs = opt.common.epochs;
  const bool writer = ctx.rank() == 0;  // under mpirun rank 0 alone prints and plots
  for (auto [name, v, hi] : {std::tuple{"--train", opt.train, int64_t{60000}},
                             std::tuple{"--test", opt.test, int64_t{10000}},
                             std::tuple{"--batch", opt.batch, int64_t{65536}}})
    if (v < 1 || v > hi)
      throw soma::Error(std::string(name) + " " + std::to_string(v) + ": expected 1 to " +
                        std::to_string(hi));
  if (!(opt.lr > 0)) throw soma::Error("--lr: expected a positive learning rate");
  soma::dist::shards_for_ranks(opt.shards, ctx.size());  // checked before any data is read
  soma::data::LabelledImages train = soma::data::fashion_mnist("train", opt.data_dir);
  soma::data::LabelledImages test = soma::data::fashion_mnist("test", opt.data_dir);
  // The first --train / --test images: the files' order is already mixed across classes.
  train.images = train.images.slice(0, 0, opt.train);
  test.images = test.images.slice(0, 0, opt.test);
  test.labels = test.labels.slice(0, 0, opt.test);

  soma::Rng rng_vae(opt.common.seed + 1), rng_ae(opt.common.seed + 1);
  Model vae(true, rng_vae), ae(false, rng_ae);
  const auto untrained = evaluate(vae, test.images, opt.batch, opt.common.seed + 5);
  const double untrained_ae = evaluate(ae, test.images, opt.batch, opt.common.seed + 5)[0];
  History hv, ha;
  {
    const int64_t steps = (opt.train + opt.batch - 1) / opt.batch;
    soma::ProgressBar bar(2 * epochs * steps, "vae", writer && !opt.common.json);
    const soma::cli::LiveBoard nowhere;  // the other ranks report nowhere
    soma::cli::LiveLoop feed(writer ? live : nowhere, 2 * epochs, steps);
    feed.begin();
    hv = train_model(vae, train.images, test.images, opt, epochs, bar, "VAE", feed, 1, ctx);
    ha = train_model(ae, train.images, test.images, opt, epochs, bar, "AE", feed, 1 + epochs, ctx);
    feed.end();
  }
  const auto final_vae = evaluate(vae, test.images, opt.batch, opt.common.seed + 5);
  const double final_ae = evaluate(ae, test.images, opt.batch, opt.common.seed + 5)[0];
  if (!writer) return;
  std::vector<std::string> figures;
  if (!opt.common.plot_dir.empty()) figures = plots(opt, vae, ae, test, hv, ha);
  for (const auto& f : figures) soma::cli::wrote(f);

  if (!opt.common.json) {
    std::printf("%lld training / %lld test images, %d epochs\n", static_cast<long long>(opt.train),
                static_cast<long long>(opt.test), epochs);
    std::printf(
        "VAE test ELBO %.2f nats per image (reconstruction %.2f, KL %.2f; untrained %.2f)\n",
        -final_vae[0], final_vae[1], final_vae[2], -untrained[0]);
    std::printf("autoencoder test reconstruction loss %.2f nats per image (untrained %.2f)\n",
                final_ae, untrained_ae);
    return;
  }
  auto negate = [](std::vector<double> v) {
    for (double& x : v) x = -x;
    return v;
  };
  nn::StateDict weights;  // both models', "vae.enc.c1.weight", "autoencoder..."
  weights.merge(vae.state_dict(), "vae");
  weights.merge(ae.state_dict(), "autoencoder");
  soma::cli::print_json({{"test_elbo", -final_vae[0]},
                         {"test_reconstruction_nats", final_vae[1]},
                         {"test_kl_nats", final_vae[2]},
                         {"untrained_test_elbo", -untrained[0]},
                         {"test_elbo_per_epoch", negate(hv.test)},
                         {"autoencoder_test_reconstruction_nats", final_ae},
                         {"autoencoder_untrained_reconstruction_nats", untrained_ae},
                         {"autoencoder_test_per_epoch", ha.test},
                         {"epochs", epochs},
                         {"steps_per_epoch", (opt.train + opt.batch - 1) / opt.batch},
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

}  // namespace soma::examples::vae

#ifndef SOMA_EXAMPLE_NO_MAIN
// The example as a program of its own: the shared options (soma/cli/example.hpp) from the
// command line, the rest at their defaults (`soma example vae` has them as flags).
int main(int argc, char** argv) {
  soma::examples::vae::Options opt;
  return soma::cli::example_main(argc, argv, opt.common,
                                 [&] { soma::examples::vae::run(opt, soma::cli::LiveBoard{}); });
}
#endif
