// Squared euclidean distances and exact k-nearest neighbours, both through GEMM:
// |x - y|^2 = |x|^2 + |y|^2 - 2 x.y, computed a block of rows at a time so the
// n x n matrix is never held at once for kNN.
#include <algorithm>
#include <cmath>
#include <vector>

#include "blas.hpp"
#include "soma/core/error.hpp"
#include "soma/embed/affinities.hpp"

namespace soma::embed {

namespace {

std::vector<float> row_norms(const float* X, int64_t n, int64_t d) {
  std::vector<float> norms(static_cast<size_t>(n));
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (int64_t j = 0; j < d; ++j) s += double(X[i * d + j]) * X[i * d + j];
    norms[i] = static_cast<float>(s);
  }
  return norms;
}

// Exact squared distance in double, used to refine the GEMM-based estimates.
double sq_dist(const float* a, const float* b, int64_t d) {
  double s = 0.0;
  for (int64_t j = 0; j < d; ++j) {
    const double t = double(a[j]) - double(b[j]);
    s += t * t;
  }
  return s;
}

}  // namespace

std::vector<double> pairwise_sq_distances(const float* X, int64_t n, int64_t d) {
  if (n < 1 || d < 1) throw Error("pairwise_sq_distances: expected n >= 1 rows of d >= 1 columns");
  std::vector<double> D(static_cast<size_t>(n * n));
  // Dense distances are only for the exact method (small n): compute them exactly.
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t i = 0; i < n; ++i) {
    D[i * n + i] = 0.0;
    for (int64_t j = i + 1; j < n; ++j) {
      const double s = sq_dist(X + i * d, X + j * d, d);
      D[i * n + j] = s;
      D[j * n + i] = s;
    }
  }
  return D;
}

Neighbors nearest_neighbors(const float* X, int64_t n, int64_t d, int64_t k) {
  if (k < 1 || k > n - 1)
    throw Error("nearest_neighbors: k = " + std::to_string(k) +
                " must lie in [1, n - 1 = " + std::to_string(n - 1) + "]");
  Neighbors nn;
  nn.n = n;
  nn.k = k;
  nn.indices.resize(static_cast<size_t>(n * k));
  nn.sq_distances.resize(static_cast<size_t>(n * k));
  const std::vector<float> norms = row_norms(X, n, d);
  detail::sync_blas_threads();
  // Rows per block: the block of dot products (block x n floats) stays around 64 MiB.
  const int64_t block =
      std::clamp<int64_t>((int64_t{16} << 20) / std::max<int64_t>(n, 1), 16, 4096);
  std::vector<float> dots(static_cast<size_t>(block * n));
  // Keep a few extra candidates: the GEMM estimate can misorder near-ties, which the
  // exact recomputation below then fixes.
  const int64_t extra = std::min<int64_t>(n - 1 - k, 8);
  const int64_t kc = k + extra;
  for (int64_t b0 = 0; b0 < n; b0 += block) {
    const int64_t rows = std::min(block, n - b0);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows),
                static_cast<int>(n), static_cast<int>(d), 1.0f, X + b0 * d, static_cast<int>(d), X,
                static_cast<int>(d), 0.0f, dots.data(), static_cast<int>(n));
#pragma omp parallel
    {
      std::vector<std::pair<float, int64_t>> heap;  // max-heap of the kc best so far
      std::vector<std::pair<double, int64_t>> exact;
#pragma omp for schedule(dynamic, 4)
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t i = b0 + r;
        const float* row = dots.data() + r * n;
        heap.clear();
        float worst = INFINITY;
        for (int64_t j = 0; j < n; ++j) {
          if (j == i) continue;
          const float dist = norms[i] + norms[j] - 2.0f * row[j];
          if (static_cast<int64_t>(heap.size()) < kc) {
            heap.emplace_back(dist, j);
            std::push_heap(heap.begin(), heap.end());
            if (static_cast<int64_t>(heap.size()) == kc) worst = heap.front().first;
          } else if (dist < worst) {
            std::pop_heap(heap.begin(), heap.end());
            heap.back() = {dist, j};
            std::push_heap(heap.begin(), heap.end());
            worst = heap.front().first;
          }
        }
        exact.clear();
        for (const auto& [est, j] : heap) exact.emplace_back(sq_dist(X + i * d, X + j * d, d), j);
        std::sort(exact.begin(), exact.end());
        for (int64_t c = 0; c < k; ++c) {
          nn.indices[i * k + c] = exact[c].second;
          nn.sq_distances[i * k + c] = exact[c].first;
        }
      }
    }
  }
  return nn;
}

}  // namespace soma::embed
