// One training epoch of W4 (MLP 784→256→10) or W5 (CNN conv 1→32 3×3 pad 1, max-pool 2,
// conv 32→64 3×3 pad 1, max-pool 2, fc 3136→128, fc 128→10) on Fashion-MNIST, batch 64,
// Adam lr 1e-3, shuffled; the same recipe as torch_cnn.py. Prints one JSON line with the
// epoch time, images/s, the mean training loss and the process's peak RSS.
//   bench_cnn mlp|cnn THREADS [IMAGES]   (IMAGES: first n of the shuffled epoch; default all)
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <numeric>
#include <string>
#include <vector>

#include "soma/core/blas.hpp"
#include "soma/core/random.hpp"
#include "soma/core/system.hpp"
#include "soma/core/threads.hpp"
#include "soma/data/fashion_mnist.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/conv.hpp"
#include "soma/nn/linear.hpp"
#include "soma/nn/pooling.hpp"
#include "soma/nn/sequential.hpp"
#include "soma/optim/adam.hpp"
#include "soma/tensor.hpp"

using namespace soma;

namespace {

// CPU time of the whole process (all threads): on a shared machine it moves far less
// than wall time, so before/after comparisons of soma's own code read it.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

nn::Sequential make_model(const std::string& kind, Rng& rng) {
  if (kind == "mlp")
    return nn::Sequential(nn::Flatten(), nn::Linear(784, 256, true, rng), nn::ReLU(),
                          nn::Linear(256, 10, true, rng));
  nn::Conv2dOptions pad1;
  pad1.padding = {1, 1};
  return nn::Sequential(nn::Conv2d(1, 32, 3, pad1, rng), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Conv2d(32, 64, 3, pad1, rng), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Flatten(), nn::Linear(3136, 128, true, rng), nn::ReLU(),
                        nn::Linear(128, 10, true, rng));
}

}  // namespace

int main(int argc, char** argv) {
  soma::blas::tune();  // as the CLI does: OpenBLAS on its best kernel table
  if (argc < 3 || (std::string(argv[1]) != "mlp" && std::string(argv[1]) != "cnn")) {
    std::fprintf(stderr, "usage: bench_cnn mlp|cnn THREADS [IMAGES]\n");
    return 2;
  }
  const std::string kind = argv[1];
  set_num_threads(std::atoi(argv[2]));
  Rng rng(0);
  const auto train = data::fashion_mnist("train");
  const int64_t total = train.images.shape()[0];
  const int64_t n = argc > 3 ? std::min<int64_t>(std::atoll(argv[3]), total) : total;
  nn::Sequential model = make_model(kind, rng);
  optim::Adam opt(model.parameters(), {.lr = 1e-3});

  std::vector<int64_t> order(static_cast<size_t>(total));
  std::iota(order.begin(), order.end(), int64_t{0});
  rng.shuffle(order.begin(), order.end());
  const int64_t batch = 64;
  double loss_sum = 0;
  int64_t batches = 0;
  Stopwatch sw;
  const double cpu0 = process_cpu_seconds();
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t end = std::min(start + batch, n);
    const Tensor idx =
        tensor(std::span<const int64_t>(order.data() + start, static_cast<size_t>(end - start)));
    const Tensor x = train.images.index_select(0, idx);
    const Tensor y = train.labels.index_select(0, idx);
    opt.zero_grad();
    Tensor loss = cross_entropy(model(x), y);
    loss.backward();
    opt.step();
    loss_sum += loss.item<float>();
    ++batches;
  }
  const double s = sw.seconds();
  const double cpu = process_cpu_seconds() - cpu0;
  std::printf(
      "{\"model\": \"%s\", \"threads\": %d, \"images\": %lld, \"seconds\": %.4f, \"images_per_s\": "
      "%.1f, "
      "\"cpu_seconds\": %.4f, \"mean_loss\": %.5f, \"peak_rss_bytes\": %lld}\n",
      kind.c_str(), num_threads(), static_cast<long long>(n), s, static_cast<double>(n) / s, cpu,
      loss_sum / static_cast<double>(batches), static_cast<long long>(peak_rss_bytes()));
}
