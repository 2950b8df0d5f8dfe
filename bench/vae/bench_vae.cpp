// One training epoch of the convolutional VAE of examples/vae.cpp on Fashion-MNIST: the same
// layers, initialisation, loss (negative ELBO summed over the batch, divided by the batch
// for the gradient), Adam lr 1e-3 and batch 128 over the first IMAGES training images,
// shuffled; the same recipe as torch_vae.py. Prints one JSON line with wall and CPU seconds,
// images/s, the mean -ELBO per image and the process's peak RSS.
//   bench_vae THREADS [IMAGES]   (IMAGES: default 20000, the example's --train)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <numeric>
#include <span>
#include <vector>

#include "soma/core/blas.hpp"
#include "soma/core/random.hpp"
#include "soma/core/system.hpp"
#include "soma/core/threads.hpp"
#include "soma/data/fashion_mnist.hpp"
#include "soma/nn/conv.hpp"
#include "soma/nn/conv_transpose.hpp"
#include "soma/nn/linear.hpp"
#include "soma/optim/adam.hpp"
#include "soma/tensor.hpp"

using namespace soma;

namespace {

constexpr int64_t kLatent = 2, kFlat = 32 * 7 * 7;

// CPU time of the whole process (all threads): steadier than wall time on a shared machine.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// examples/vae.cpp's VAE: encoder conv 1→16→32 (4x4, stride 2, pad 1) and Linear(1568, 4),
// decoder Linear(2, 1568) and transposed convs 32→16→1 back to 28x28 logits.
struct Vae {
  nn::Conv2d c1, c2;
  nn::Linear head, fc;
  nn::ConvTranspose2d t1, t2;
  explicit Vae(Rng& rng)
      : c1(1, 16, 4, {.stride = {2, 2}, .padding = {1, 1}}, rng),
        c2(16, 32, 4, {.stride = {2, 2}, .padding = {1, 1}}, rng),
        head(kFlat, 2 * kLatent, true, rng),
        fc(kLatent, kFlat, true, rng),
        t1(32, 16, 4, {.stride = {2, 2}, .padding = {1, 1}}, rng),
        t2(16, 1, 4, {.stride = {2, 2}, .padding = {1, 1}}, rng) {}
  std::vector<Tensor> parameters() const {
    std::vector<Tensor> p;
    for (const nn::Module* m :
         {static_cast<const nn::Module*>(&c1), static_cast<const nn::Module*>(&c2),
          static_cast<const nn::Module*>(&head), static_cast<const nn::Module*>(&fc),
          static_cast<const nn::Module*>(&t1), static_cast<const nn::Module*>(&t2)})
      for (const Tensor& t : m->parameters()) p.push_back(t);
    return p;
  }
  // -ELBO summed over the batch, with one reparameterised sample.
  Tensor loss(const Tensor& x, Rng& rng) {
    const Tensor h = head(relu(c2(relu(c1(x)))).reshape({-1, kFlat}));
    const Tensor mu = h.slice(1, 0, kLatent), logvar = h.slice(1, kLatent, 2 * kLatent);
    const Tensor z = mu + exp(logvar * 0.5) * randn(mu.shape(), rng);
    const Tensor kl = sum(exp(logvar) + mu * mu - logvar - 1.0) * 0.5;
    const Tensor logits = t2(relu(t1(relu(fc(z)).reshape({-1, 32, 7, 7}))));
    return bce_with_logits(logits, x, Reduction::Sum) + kl;
  }
};

}  // namespace

int main(int argc, char** argv) {
  soma::blas::tune();  // as the CLI does: OpenBLAS on its best kernel table
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_vae THREADS [IMAGES]\n");
    return 2;
  }
  set_num_threads(std::atoi(argv[1]));
  const auto train = data::fashion_mnist("train");
  const int64_t total = train.images.shape()[0];
  const int64_t n = std::clamp<int64_t>(argc > 2 ? std::atoll(argv[2]) : 20000, 1, total);
  Rng rng(43), noise(46);
  Vae model(rng);
  optim::Adam opt(model.parameters(), {.lr = 1e-3});
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  rng.shuffle(order.begin(), order.end());
  const int64_t batch = 128;
  double loss_sum = 0;
  Stopwatch sw;
  const double cpu0 = process_cpu_seconds();
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t b = std::min(batch, n - start);
    const Tensor x = train.images.index_select(
        0, tensor(std::span<const int64_t>(order.data() + start, static_cast<size_t>(b)), {b}));
    const Tensor loss = model.loss(x, noise);
    opt.zero_grad();
    (loss * (1.0 / static_cast<double>(b))).backward();
    opt.step();
    loss_sum += loss.item<double>();
  }
  const double s = sw.seconds();
  const double cpu = process_cpu_seconds() - cpu0;
  std::printf(
      "{\"threads\": %d, \"images\": %lld, \"seconds\": %.4f, \"images_per_s\": %.1f, "
      "\"cpu_seconds\": %.4f, \"mean_loss\": %.4f, \"peak_rss_bytes\": %lld}\n",
      num_threads(), static_cast<long long>(n), s, static_cast<double>(n) / s, cpu,
      loss_sum / static_cast<double>(n), static_cast<long long>(peak_rss_bytes()));
}
