// bench_tsne_gradient N [THREADS]: one Barnes-Hut gradient and its parts on the first N
// Fashion-MNIST test images, timed on fixed embeddings (after 250 and after 1,000
// iterations of a normal run). Each figure is the minimum over many single calls, which
// stays steady on a busy machine where means and totals do not (a call of 0.1-1 ms is
// rarely interrupted; a loop of them always is).
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "attractive.hpp"
#include "quadtree.hpp"
#include "soma/core/blas.hpp"
#include "soma/core/threads.hpp"
#include "soma/data/idx.hpp"
#include "soma/embed/tsne.hpp"

namespace {

double now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Minimum wall time of one call of f, in milliseconds.
template <class F>
double best_ms(F f, int calls = 300) {
  double best = 1e30;
  for (int c = 0; c < calls; ++c) {
    const double t = now();
    f();
    best = std::min(best, now() - t);
  }
  return best * 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  soma::blas::tune();  // as the CLI does: OpenBLAS on its best kernel table
  using namespace soma::embed;
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_tsne_gradient N [THREADS]\n");
    return 2;
  }
  const int64_t n = std::atoll(argv[1]);
  soma::set_num_threads(argc > 2 ? std::atoi(argv[2]) : 1);
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  std::vector<float> X =
      soma::data::idx_to_float(soma::data::read_idx(dir + "t10k-images-idx3-ubyte.gz"));
  if (n < 2 || n > static_cast<int64_t>(X.size() / 784)) {
    std::fprintf(stderr, "N must lie in [2, %zu]\n", X.size() / 784);
    return 2;
  }
  X.resize(static_cast<size_t>(n * 784));
  const int64_t k = std::min<int64_t>(n - 1, 91);
  const auto nn = nearest_neighbors(X.data(), n, 784, k);
  const auto P = joint_probabilities_nn(conditional_probabilities(nn.sq_distances, n, k, 30.0), nn);
  // 250: the fewest a run may have (the end of early exaggeration).
  for (const int iterations : {250, 1000}) {
    const auto Y = TSNE{.max_iter = iterations, .method = Method::barnes_hut, .seed = 0}
                       .fit_transform(X, n, 784)
                       .embedding;
    std::vector<double> grad, attr;
    detail::QuadTree tree;
    const double total = best_ms([&] { kl_divergence_bh(P, Y, 0.5, &grad, false); });
    const double attractive = best_ms([&] { detail::attractive_forces_2d(P, Y, attr); });
    const double build = best_ms([&] { detail::build_quadtree(Y, n, 0.5, 64, tree); });
    const double kl = best_ms([&] { detail::sparse_kl_2d(P, Y, 1.0); }, 50);
    std::printf(
        "n=%lld threads=%d Y after %d iterations: gradient %.4f ms (attractive %.4f, tree "
        "%.4f, rest repulsion) | KL sum %.4f ms\n",
        static_cast<long long>(n), soma::num_threads(), iterations, total, attractive, build, kl);
  }
}
