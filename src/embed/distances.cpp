// Squared euclidean distances and exact k-nearest neighbours, both through GEMM:
// |x - y|^2 = |x|^2 + |y|^2 - 2 x.y, computed a block of rows at a time so the
// n x n matrix is never held at once for kNN.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include <cblas.h>

#include "soma/core/blas.hpp"
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
#pragma omp simd reduction(+ : s)
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
  // Each thread takes whole row blocks, GEMM and selection, with a one-thread BLAS:
  // OpenBLAS's own threads and OpenMP's spin-waiting beside each other on two cores
  // cost more than the GEMM (measured: a third of the time in libgomp's wait loop).
  const blas::SerialScope serial_blas;
  // Tiles of dot products, rows x cols, small enough (4 MiB) to be scanned while still
  // in cache: with few dimensions the GEMM is cheap and streaming an n x n matrix
  // through memory would cost more than computing it.
  const int64_t rows_per_tile = std::min<int64_t>(n, 256);
  const int64_t cols_per_tile = std::min<int64_t>(n, 4096);
  // Keep a few extra candidates: the GEMM estimate can misorder near-ties, which the
  // exact recomputation below then fixes.
  const int64_t extra = std::min<int64_t>(n - 1 - k, 8);
  const int64_t kc = k + extra;
#pragma omp parallel
  {
    // Left uninitialised: GEMM overwrites it.
    const std::unique_ptr<float[]> dots(
        new float[static_cast<size_t>(rows_per_tile * cols_per_tile)]);
    // Candidates of each row of the block, ranked by |x_j|^2 - 2 x_i.x_j (|x_i|^2 is
    // the same for the whole row): a buffer of 2 kc, all below the row's bound. When it
    // fills, nth_element keeps the kc best and their worst becomes the bound, so each
    // candidate costs O(1) on average (a heap costs log kc per insertion).
    const int64_t cap = 2 * kc;
    std::vector<std::pair<float, int64_t>> candidates(static_cast<size_t>(rows_per_tile * cap));
    std::vector<int64_t> sizes(static_cast<size_t>(rows_per_tile));
    std::vector<float> worst(static_cast<size_t>(rows_per_tile));
    std::vector<std::pair<double, int64_t>> exact;
#pragma omp for schedule(dynamic, 1)
    for (int64_t b0 = 0; b0 < n; b0 += rows_per_tile) {
      const int64_t rows = std::min(rows_per_tile, n - b0);
      std::fill(sizes.begin(), sizes.end(), 0);
      std::fill(worst.begin(), worst.end(), INFINITY);
      for (int64_t c0 = 0; c0 < n; c0 += cols_per_tile) {
        const int64_t cols = std::min(cols_per_tile, n - c0);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows),
                    static_cast<int>(cols), static_cast<int>(d), 1.0f, X + b0 * d,
                    static_cast<int>(d), X + c0 * d, static_cast<int>(d), 0.0f, dots.get(),
                    static_cast<int>(cols));
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t i = b0 + r;
          const float* row = dots.get() + r * cols;
          auto* cand = candidates.data() + r * cap;
          int64_t size = sizes[r];
          float bound = worst[r];
          // Most candidates lose to the current k-th best: a chunk's minimum, computed
          // in SIMD, rules out whole chunks at once.
          constexpr int64_t kChunk = 64;
          float part[kChunk];
          for (int64_t j0 = 0; j0 < cols; j0 += kChunk) {
            const int64_t len = std::min(kChunk, cols - j0);
            float lowest = INFINITY;
#pragma omp simd reduction(min : lowest)
            for (int64_t c = 0; c < len; ++c) {
              part[c] = norms[c0 + j0 + c] - 2.0f * row[j0 + c];
              lowest = std::min(lowest, part[c]);
            }
            if (!(lowest < bound)) continue;
            for (int64_t c = 0; c < len; ++c) {
              const int64_t j = c0 + j0 + c;
              if (!(part[c] < bound) || j == i) continue;
              cand[size++] = {part[c], j};
              if (size == cap) {
                std::nth_element(cand, cand + kc - 1, cand + cap);
                bound = cand[kc - 1].first;
                size = kc;
              }
            }
          }
          sizes[r] = size;
          worst[r] = bound;
        }
      }
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t i = b0 + r;
        auto* cand = candidates.data() + r * cap;
        if (sizes[r] > kc) {
          std::nth_element(cand, cand + kc - 1, cand + sizes[r]);
          sizes[r] = kc;
        }
        exact.clear();
        for (int64_t c = 0; c < sizes[r]; ++c) {
          const int64_t j = cand[c].second;
          exact.emplace_back(sq_dist(X + i * d, X + j * d, d), j);
        }
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
