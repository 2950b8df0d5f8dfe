// bench_tsne_stages N METHOD THREADS [MAX_ITER]: one t-SNE run on the first N
// Fashion-MNIST images (test set first, then train: N up to 70,000), timing the
// preparation (everything before the first gradient) apart from the iterations.
// Prints CPU seconds (all threads) and wall seconds of each part, KL, the 10-NN label
// accuracy in the embedding, and the same as one JSON line (read by bench/tsne/run).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "soma/core/blas.hpp"
#include "soma/core/threads.hpp"
#include "soma/data/idx.hpp"
#include "soma/embed/tsne.hpp"

namespace {

struct Clock {
  double cpu = 0, wall = 0;
  static Clock now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    return {static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec), wall};
  }
};

}  // namespace

int main(int argc, char** argv) {
  soma::blas::tune();  // as the CLI does: OpenBLAS on its best kernel table
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_tsne_stages N METHOD THREADS [MAX_ITER]\n");
    return 2;
  }
  const int64_t n = std::atoll(argv[1]);
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  std::vector<float> X =
      soma::data::idx_to_float(soma::data::read_idx(dir + "t10k-images-idx3-ubyte.gz"));
  std::vector<int64_t> labels =
      soma::data::idx_to_labels(soma::data::read_idx(dir + "t10k-labels-idx1-ubyte.gz"));
  if (n > 10000) {
    const auto train =
        soma::data::idx_to_float(soma::data::read_idx(dir + "train-images-idx3-ubyte.gz"));
    X.insert(X.end(), train.begin(), train.end());
    const auto train_labels =
        soma::data::idx_to_labels(soma::data::read_idx(dir + "train-labels-idx1-ubyte.gz"));
    labels.insert(labels.end(), train_labels.begin(), train_labels.end());
  }
  labels.resize(static_cast<size_t>(n));
  X.resize(static_cast<size_t>(n * 784));
  soma::set_num_threads(std::atoi(argv[3]));
  soma::embed::TSNE tsne{.method = soma::embed::parse_method(argv[2]), .seed = 0};
  if (argc > 4) tsne.max_iter = std::atoi(argv[4]);
  Clock first{};
  tsne.on_iteration = [&](int it, int) {
    if (it == 1) first = Clock::now();
  };
  const Clock start = Clock::now();
  const auto r = tsne.fit_transform(X, n, 784);
  const Clock end = Clock::now();
  std::printf(
      "n=%lld %s threads=%s: prep cpu %.3f wall %.3f | iterations (%d) cpu %.3f wall %.3f "
      "| total cpu %.3f wall %.3f | KL %.4f\n",
      static_cast<long long>(n), argv[2], argv[3], first.cpu - start.cpu, first.wall - start.wall,
      r.n_iter, end.cpu - first.cpu, end.wall - first.wall, end.cpu - start.cpu,
      end.wall - start.wall, r.kl_divergence);
  const double accuracy = soma::embed::knn_accuracy(r.embedding, 2, labels, 10);
  std::printf(
      "{\"n\": %lld, \"method\": \"%s\", \"threads\": %s, \"prep_cpu_seconds\": %.3f, "
      "\"embed_cpu_seconds\": %.3f, \"embed_seconds\": %.3f, \"kl_divergence\": %.5f, "
      "\"knn_accuracy\": %.4f, \"knn_dims\": %lld}\n",
      static_cast<long long>(n), soma::embed::method_name(tsne.method), argv[3],
      first.cpu - start.cpu, end.cpu - start.cpu, end.wall - start.wall, r.kl_divergence, accuracy,
      static_cast<long long>(r.knn_dims));
}
