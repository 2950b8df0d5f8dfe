// One training epoch of `soma example gan`'s conditional DCGAN (examples/gan_model.hpp:
// width 32, batch 128, Adam 2e-4, betas 0.5/0.999) on the first IMAGES Fashion-MNIST
// training images, shuffled; the same recipe as torch_gan.py. Prints one JSON line with the
// epoch's wall and CPU time, images/s and the epoch's mean losses.
//   bench_gan THREADS [IMAGES]   (default 60000)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <numeric>
#include <span>
#include <vector>

#include "gan_model.hpp"
#include "soma/core/blas.hpp"
#include "soma/core/random.hpp"
#include "soma/core/system.hpp"
#include "soma/core/threads.hpp"
#include "soma/data/fashion_mnist.hpp"

using namespace soma;

namespace {

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  soma::blas::tune();  // as the CLI does
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_gan THREADS [IMAGES]\n");
    return 2;
  }
  set_num_threads(std::atoi(argv[1]));
  const auto train = data::fashion_mnist("train");
  const int64_t total = train.images.size(0);
  const int64_t n = argc > 2 ? std::clamp<int64_t>(std::atoll(argv[2]), 1, total) : total;
  const Tensor real = train.images * 2.0 - 1.0;
  Rng rng(0);
  examples::gan::Generator g(32, rng);
  examples::gan::Discriminator d(32, rng);
  const dist::Context ctx;  // one rank, one shard: the example's step without mpirun
  examples::gan::Trainer trainer(g, d, 2e-4, ctx);
  std::vector<int64_t> order(static_cast<size_t>(total));
  std::iota(order.begin(), order.end(), int64_t{0});
  rng.shuffle(order.begin(), order.end());
  const int64_t batch = 128;
  double sum_d = 0, sum_g = 0;
  int64_t steps = 0;
  Stopwatch sw;
  const double cpu0 = process_cpu_seconds();
  for (int64_t at = 0; at < n; at += batch) {
    const Tensor idx = tensor(
        std::span<const int64_t>(order.data() + at, static_cast<size_t>(std::min(batch, n - at))));
    const auto [ld, lg] =
        trainer.step(real.index_select(0, idx), train.labels.index_select(0, idx), rng);
    sum_d += ld;
    sum_g += lg;
    ++steps;
  }
  const double s = sw.seconds(), cpu = process_cpu_seconds() - cpu0;
  std::printf(
      "{\"threads\": %d, \"images\": %lld, \"seconds\": %.4f, \"cpu_seconds\": %.4f, "
      "\"images_per_s\": %.1f, \"d_loss\": %.5f, \"g_loss\": %.5f}\n",
      num_threads(), static_cast<long long>(n), s, cpu, static_cast<double>(n) / s,
      sum_d / static_cast<double>(steps), sum_g / static_cast<double>(steps));
}
