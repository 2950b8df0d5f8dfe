#pragma once
// The conditional DCGAN of `soma example gan` (Radford, Metz & Chintala 2016; Mirza &
// Osindero 2014 for the class label), shared with bench/gan so that the benchmark times
// exactly the example's networks. Images are [N, 1, 28, 28] in [-1, 1] (tanh's range).
//
//   generator      z [N, 64] ++ Embedding(10, 16)(label) -> [N, 80, 1, 1]
//                  -ConvTranspose2d(80, 2w, 7)-BatchNorm-ReLU-        [N, 2w, 7, 7]
//                  -ConvTranspose2d(2w, w, 4, s2, p1)-BatchNorm-ReLU- [N, w, 14, 14]
//                  -ConvTranspose2d(w, 1, 4, s2, p1)-tanh-            [N, 1, 28, 28]
//   discriminator  image ++ Embedding(10, 784)(label) as a second channel [N, 2, 28, 28]
//                  -Conv2d(2, w, 4, s2, p1)-LeakyReLU(0.2)-             [N, w, 14, 14]
//                  -Conv2d(w, 2w, 4, s2, p1)-BatchNorm-LeakyReLU(0.2)-  [N, 2w, 7, 7]
//                  -Conv2d(2w, 1, 7)-                                   logit [N]
//
// As PyTorch's DCGAN example: no bias before a BatchNorm, weights drawn from N(0, 0.02),
// BatchNorm scales from N(1, 0.02), biases zero; trained with Adam(2e-4, betas 0.5, 0.999)
// on the non-saturating loss. The width w (64 in the paper's 64x64 networks) is 32 by
// default: 28x28 images need fewer features, and it keeps an epoch on two cores short.
//
// The step is data-parallel (soma::dist::DataParallel, one for each network): each rank
// runs forward and backward on its shards of the batch (a rank of one, one shard: the
// whole batch, the same numbers as without DataParallel). BatchNorm normalises each
// shard by the shard's own statistics, as DDP without SyncBatchNorm does, and the running
// statistics are averaged over the shards after every step in shard order
// (DataParallelOptions::buffers), so they end the same on every rank and equal to one
// rank's with the same shards (docs/DISTRIBUTED.md).
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "soma/core/random.hpp"
#include "soma/dist/context.hpp"
#include "soma/dist/data_parallel.hpp"
#include "soma/nn/batchnorm.hpp"
#include "soma/nn/conv.hpp"
#include "soma/nn/conv_transpose.hpp"
#include "soma/nn/embedding.hpp"
#include "soma/nn/init.hpp"
#include "soma/optim/adam.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::examples::gan {

constexpr int64_t kNoise = 64, kLabelDim = 16, kClasses = 10, kPixels = 28 * 28;

// DCGAN's initialisation of the layers it names; Embedding keeps torch's N(0, 1).
inline void dcgan_init(nn::Module& m, Rng& rng) {
  for (auto& [name, p] : m.named_parameters(false)) {
    if (dynamic_cast<nn::BatchNorm*>(&m) != nullptr)
      name == "weight" ? nn::init::normal_(p, 1.0, 0.02, rng) : nn::init::zeros_(p);
    else if (dynamic_cast<nn::Embedding*>(&m) == nullptr)
      name == "weight" ? nn::init::normal_(p, 0.0, 0.02, rng) : nn::init::zeros_(p);
  }
}

struct Generator {
  nn::Embedding label;
  nn::ConvTranspose2d t1, t2, t3;
  nn::BatchNorm2d b1, b2;
  Generator(int64_t w, Rng& rng)
      : label(kClasses, kLabelDim, {}, rng),
        t1(kNoise + kLabelDim, 2 * w, 7, {.bias = false}, rng),
        t2(2 * w, w, 4, {.stride = {2, 2}, .padding = {1, 1}, .bias = false}, rng),
        t3(w, 1, 4, {.stride = {2, 2}, .padding = {1, 1}}, rng),
        b1(2 * w),
        b2(w) {
    for (nn::Module* m : modules()) dcgan_init(*m, rng);
  }
  std::vector<nn::Module*> modules() { return {&label, &t1, &t2, &t3, &b1, &b2}; }
  // z [N, 64] float, labels [N] int64 -> images [N, 1, 28, 28] in [-1, 1].
  Tensor operator()(const Tensor& z, const Tensor& labels) {
    const Tensor in = concat({z, label(labels)}, 1).reshape({-1, kNoise + kLabelDim, 1, 1});
    return tanh(t3(relu(b2(t2(relu(b1(t1(in))))))));
  }
};

struct Discriminator {
  nn::Embedding label;
  nn::Conv2d c1, c2, c3;
  nn::BatchNorm2d b2;
  Discriminator(int64_t w, Rng& rng)
      : label(kClasses, kPixels, {}, rng),
        c1(2, w, 4, {.stride = {2, 2}, .padding = {1, 1}}, rng),
        c2(w, 2 * w, 4, {.stride = {2, 2}, .padding = {1, 1}, .bias = false}, rng),
        c3(2 * w, 1, 7, {}, rng),
        b2(2 * w) {
    for (nn::Module* m : modules()) dcgan_init(*m, rng);
  }
  std::vector<nn::Module*> modules() { return {&label, &c1, &c2, &c3, &b2}; }
  // images [N, 1, 28, 28], labels [N] -> logits [N] (real > 0).
  Tensor operator()(const Tensor& x, const Tensor& labels) {
    const Tensor in = concat({x, label(labels).reshape({-1, 1, 28, 28})}, 1);
    const Tensor h = leaky_relu(b2(c2(leaky_relu(c1(in), 0.2))), 0.2);
    return c3(h).reshape({-1});
  }
};

template <class Net>
std::vector<Tensor> parameters_of(Net& net) {
  std::vector<Tensor> p;
  for (nn::Module* m : net.modules())
    for (const Tensor& t : m->parameters()) p.push_back(t);
  return p;
}

// The buffers (BatchNorm's running statistics) of one network or two.
template <class... Nets>
std::vector<Tensor> buffers_of(Nets&... nets) {
  std::vector<Tensor> b;
  auto add = [&b](auto& net) {
    for (nn::Module* m : net.modules())
      for (const auto& [name, t] : m->named_buffers()) b.push_back(t);
  };
  (add(nets), ...);
  return b;
}

template <class Net>
void set_training(Net& net, bool on) {
  for (nn::Module* m : net.modules()) m->train(on);
}

// One DCGAN step on a batch of real images, as PyTorch's example: the discriminator on the
// real batch (target 1) and on a generated one, detached (target 0); then the generator
// through the updated discriminator, scored with target 1 (the non-saturating loss).
// Every rank draws the whole batch's noise and labels from the same stream and takes its
// shards' rows of them; each shard's generated images (with their graph) serve both halves.
struct Trainer {
  Generator& g;
  Discriminator& d;
  optim::Adam opt_g, opt_d;
  // The discriminator's half updates both networks' running statistics (the generator
  // makes the fakes); the generator's half only the discriminator's.
  dist::DataParallel dp_d, dp_g;
  // shards: parts of every batch (0: one per rank of ctx).
  Trainer(Generator& gen, Discriminator& dis, double lr, const dist::Context& ctx,
          int64_t shards = 0)
      : g(gen),
        d(dis),
        opt_g(parameters_of(gen), {.lr = lr, .betas = {0.5, 0.999}}),
        opt_d(parameters_of(dis), {.lr = lr, .betas = {0.5, 0.999}}),
        dp_d(ctx, parameters_of(dis), {.shards = shards, .buffers = buffers_of(gen, dis)}),
        dp_g(ctx, parameters_of(gen), {.shards = shards, .buffers = buffers_of(dis)}) {}
  // real [B, 1, 28, 28] in [-1, 1], labels [B]; returns {D loss, G loss} of this step.
  std::pair<double, double> step(const Tensor& real, const Tensor& labels, Rng& rng) {
    const int64_t b = real.size(0);
    const Tensor z = randn({b, kNoise}, rng);
    const Tensor fake_labels = randint(0, kClasses, {b}, rng);
    std::vector<std::pair<int64_t, Tensor>> fakes;  // this rank's shards': first row, images

    const double loss_d = dp_d.step(b, [&](int64_t lo, int64_t hi) {
      const Tensor fl = fake_labels.slice(0, lo, hi);
      const Tensor fake = g(z.slice(0, lo, hi), fl);
      fakes.emplace_back(lo, fake);
      const Tensor loss_real =
          bce_with_logits(d(real.slice(0, lo, hi), labels.slice(0, lo, hi)), soma::ones({hi - lo}));
      const Tensor loss_fake = bce_with_logits(d(fake.detach(), fl), soma::zeros({hi - lo}));
      return loss_real + loss_fake;
    });
    opt_d.step();

    const double loss_g = dp_g.step(b, [&](int64_t lo, int64_t hi) {
      Tensor fake;
      for (const auto& [first, images] : fakes)
        if (first == lo) fake = images;
      return bce_with_logits(d(fake, fake_labels.slice(0, lo, hi)), soma::ones({hi - lo}));
    });
    opt_g.step();
    return {loss_d, loss_g};
  }
};

}  // namespace soma::examples::gan
