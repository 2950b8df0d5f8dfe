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
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "soma/core/random.hpp"
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

template <class Net>
void set_training(Net& net, bool on) {
  for (nn::Module* m : net.modules()) m->train(on);
}

// One DCGAN step on a batch of real images, as PyTorch's example: the discriminator on the
// real batch (target 1) and on a generated one, detached (target 0); then the generator
// through the updated discriminator, scored with target 1 (the non-saturating loss).
struct Trainer {
  Generator& g;
  Discriminator& d;
  optim::Adam opt_g, opt_d;
  Trainer(Generator& gen, Discriminator& dis, double lr)
      : g(gen),
        d(dis),
        opt_g(parameters_of(gen), {.lr = lr, .betas = {0.5, 0.999}}),
        opt_d(parameters_of(dis), {.lr = lr, .betas = {0.5, 0.999}}) {}
  // real [B, 1, 28, 28] in [-1, 1], labels [B]; returns {D loss, G loss} of this step.
  std::pair<double, double> step(const Tensor& real, const Tensor& labels, Rng& rng) {
    const int64_t b = real.size(0);
    const Tensor real_target = soma::ones({b}), fake_target = soma::zeros({b});
    const Tensor z = randn({b, kNoise}, rng);
    const Tensor fake_labels = randint(0, kClasses, {b}, rng);
    const Tensor fake = g(z, fake_labels);

    opt_d.zero_grad();
    const Tensor loss_real = bce_with_logits(d(real, labels), real_target);
    const Tensor loss_fake = bce_with_logits(d(fake.detach(), fake_labels), fake_target);
    const Tensor loss_d = loss_real + loss_fake;
    loss_d.backward();
    opt_d.step();

    opt_g.zero_grad();
    const Tensor loss_g = bce_with_logits(d(fake, fake_labels), real_target);
    loss_g.backward();
    opt_g.step();
    return {loss_d.item<double>(), loss_g.item<double>()};
  }
};

}  // namespace soma::examples::gan
