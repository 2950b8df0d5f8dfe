// PCA initialisation as sklearn's init='pca': project the centred data on its first
// principal components and scale so the first has standard deviation 1e-4.
// The covariance (d x d) is accumulated in double over blocks of rows (SSYRK); its top
// eigenvectors come from subspace iteration with a Rayleigh-Ritz step (Jacobi).
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include <cblas.h>

#include "soma/core/blas.hpp"
#include "soma/core/error.hpp"
#include "soma/core/random.hpp"
#include "soma/core/threads.hpp"
#include "soma/embed/tsne.hpp"

namespace soma::embed {

namespace {

// Orthonormalises the b columns of Q (d x b, row-major) by modified Gram-Schmidt,
// on a transposed copy so that each column is contiguous.
void orthonormalize(std::vector<double>& Q, int64_t d, int b) {
  thread_local std::vector<double> T;
  T.resize(Q.size());
  for (int64_t r = 0; r < d; ++r)
    for (int c = 0; c < b; ++c) T[c * d + r] = Q[r * b + c];
  for (int c = 0; c < b; ++c) {
    double* q = T.data() + c * d;
    for (int prev = 0; prev < c; ++prev) {
      const double* p = T.data() + prev * d;
      double dot = 0;
      for (int64_t r = 0; r < d; ++r) dot += q[r] * p[r];
      for (int64_t r = 0; r < d; ++r) q[r] -= dot * p[r];
    }
    double norm = 0;
    for (int64_t r = 0; r < d; ++r) norm += q[r] * q[r];
    norm = std::sqrt(norm);
    if (norm < 1e-300) {  // a degenerate column: restart it on a unit vector
      for (int64_t r = 0; r < d; ++r) q[r] = (r == c % d) ? 1.0 : 0.0;
      --c;
      continue;
    }
    for (int64_t r = 0; r < d; ++r) q[r] /= norm;
  }
  for (int64_t r = 0; r < d; ++r)
    for (int c = 0; c < b; ++c) Q[r * b + c] = T[c * d + r];
}

// Eigen-decomposition of a small symmetric matrix A (b x b) by cyclic Jacobi.
// Returns eigenvalues; V (b x b, columns) holds the eigenvectors.
std::vector<double> jacobi_eigen(std::vector<double> A, int b, std::vector<double>& V) {
  V.assign(size_t(b) * b, 0.0);
  for (int i = 0; i < b; ++i) V[i * b + i] = 1.0;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (int i = 0; i < b; ++i)
      for (int j = i + 1; j < b; ++j) off += A[i * b + j] * A[i * b + j];
    if (off < 1e-30) break;
    for (int p = 0; p < b; ++p)
      for (int q = p + 1; q < b; ++q) {
        if (std::abs(A[p * b + q]) < 1e-300) continue;
        const double theta = (A[q * b + q] - A[p * b + p]) / (2 * A[p * b + q]);
        const double t = (theta >= 0 ? 1 : -1) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < b; ++k) {  // A = J^T A J
          const double akp = A[k * b + p], akq = A[k * b + q];
          A[k * b + p] = c * akp - s * akq;
          A[k * b + q] = s * akp + c * akq;
        }
        for (int k = 0; k < b; ++k) {
          const double apk = A[p * b + k], aqk = A[q * b + k];
          A[p * b + k] = c * apk - s * aqk;
          A[q * b + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < b; ++k) {
          const double vkp = V[k * b + p], vkq = V[k * b + q];
          V[k * b + p] = c * vkp - s * vkq;
          V[k * b + q] = s * vkp + c * vkq;
        }
      }
  }
  std::vector<double> values(b);
  for (int i = 0; i < b; ++i) values[i] = A[i * b + i];
  return values;
}

// The mean of X's rows and its first `n_components` principal axes (d x n_components,
// row-major, by decreasing variance).
// Subspace iteration stops when the Rayleigh quotients change by less than `tolerance`
// (relative) from one step to the next.
std::vector<double> principal_axes(const float* X, int64_t n, int64_t d, int n_components,
                                   uint64_t seed, double tolerance, std::vector<double>& mean) {
  if (n_components < 1 || n_components > d)
    throw Error("pca: n_components = " + std::to_string(n_components) +
                " must lie in [1, number of features = " + std::to_string(d) + "]");
  mean.assign(static_cast<size_t>(d), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) mean[j] += X[i * d + j];
  for (double& m : mean) m /= static_cast<double>(n);
  // The covariance by blocks of centred rows: each block's product in float (SSYRK,
  // twice the speed of double; float keeps ~6 digits of a sum over one block, as
  // sklearn's float32 PCA), the blocks summed in double. Blocks are small so the
  // buffers stay in cache and few fresh pages are touched. The blocks are shared among
  // soma's threads, each calling a one-thread BLAS (OpenBLAS's own threads spin for up
  // to ~0.1 s after each call, taking a core from whatever runs next); the d x d
  // products of the subspace iteration below are too small to need more.
  const blas::SerialScope serial_blas;
  const int64_t block = std::min<int64_t>(n, 512);
  const int64_t n_blocks = (n + block - 1) / block;
  // Each thread beyond the first touches ~9 MB of fresh pages (its d x d sums and
  // buffers, for d = 784), which costs more than it saves on a few blocks (measured on
  // 1,000 images: 0.041 s on two threads, 0.023 on one).
  const int nt = n_blocks >= 4 ? static_cast<int>(std::min<int64_t>(num_threads(), n_blocks)) : 1;
  std::vector<std::vector<double>> partial(static_cast<size_t>(nt));
  parallel_run(nt, [&](int t, int parts) {
    std::vector<double>& Ct = partial[t];
    Ct.assign(static_cast<size_t>(d * d), 0.0);
    const std::unique_ptr<float[]> buf(new float[static_cast<size_t>(block * d)]);
    const std::unique_ptr<float[]> part(new float[static_cast<size_t>(d * d)]);
    for (int64_t blk = t; blk < n_blocks; blk += parts) {
      const int64_t b0 = blk * block, rows = std::min(block, n - b0);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < d; ++j)
          buf[r * d + j] = static_cast<float>(X[(b0 + r) * d + j] - mean[j]);
      cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, static_cast<int>(d),
                  static_cast<int>(rows), 1.0f, buf.get(), static_cast<int>(d), 0.0f, part.get(),
                  static_cast<int>(d));
      for (int64_t i = 0; i < d; ++i)
        for (int64_t j = i; j < d; ++j) Ct[i * d + j] += part[i * d + j];
    }
  });
  std::vector<double> C = std::move(partial[0]);
  for (int t = 1; t < nt; ++t)
    for (int64_t i = 0; i < d; ++i)
      for (int64_t j = i; j < d; ++j) C[i * d + j] += partial[t][i * d + j];
  partial.clear();
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = 0; j < i; ++j) C[i * d + j] = C[j * d + i];

  // Subspace iteration on a few more vectors than needed, with a Rayleigh-Ritz step
  // every iteration: the wanted directions then converge at the rate lambda_(b+1) /
  // lambda_i instead of lambda_(i+1) / lambda_i (0.64 for the first two on
  // Fashion-MNIST, which took ~30 iterations without it).
  const int b = static_cast<int>(std::min<int64_t>(d, n_components + 8));
  Rng rng(seed);
  std::vector<double> Q(static_cast<size_t>(d * b)), CQ(Q.size());
  for (double& v : Q) v = rng.normal();
  orthonormalize(Q, d, b);
  std::vector<double> T(size_t(b) * b), V;
  std::vector<int> order(b);
  // Rayleigh-Ritz on the current Q: T = Q^T C Q, its eigenvectors V (columns) and their
  // order by decreasing eigenvalue; returns the n_components largest. Leaves C Q in CQ.
  auto ritz = [&] {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(d), b,
                static_cast<int>(d), 1.0, C.data(), static_cast<int>(d), Q.data(), b, 0.0,
                CQ.data(), b);
    std::fill(T.begin(), T.end(), 0.0);
    for (int64_t k = 0; k < d; ++k)
      for (int r = 0; r < b; ++r)
        for (int c = 0; c < b; ++c) T[r * b + c] += Q[k * b + r] * CQ[k * b + c];
    // Symmetrise the rounding.
    for (int r = 0; r < b; ++r)
      for (int c = 0; c < r; ++c) T[r * b + c] = T[c * b + r] = 0.5 * (T[r * b + c] + T[c * b + r]);
    std::vector<double> values = jacobi_eigen(T, b, V);
    for (int i = 0; i < b; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](int a, int c) { return values[a] > values[c]; });
    std::vector<double> wanted(static_cast<size_t>(n_components));
    for (int c = 0; c < n_components; ++c) wanted[c] = values[order[c]];
    return wanted;
  };
  // Stop once the wanted Ritz values settle: eigenvalues converge twice as fast as
  // eigenvectors, so a tolerance of 1e-12 leaves the directions good to ~1e-6.
  std::vector<double> previous(static_cast<size_t>(n_components), 0.0);
  for (int it = 0; it < 300; ++it) {
    const std::vector<double> values = ritz();
    double change = 0.0;
    for (int c = 0; c < n_components; ++c)
      change = std::max(change,
                        std::abs(values[c] - previous[c]) / std::max(std::abs(values[c]), 1e-300));
    previous = values;
    // Q = (C Q) V, columns by decreasing Ritz value, then orthonormalised.
    std::fill(Q.begin(), Q.end(), 0.0);
    for (int64_t k = 0; k < d; ++k)
      for (int c = 0; c < b; ++c)
        for (int r = 0; r < b; ++r) Q[k * b + c] += CQ[k * b + r] * V[r * b + order[c]];
    orthonormalize(Q, d, b);
    if (change < tolerance) break;
  }
  ritz();
  std::vector<double> components(static_cast<size_t>(d * n_components), 0.0);  // d x k
  for (int c = 0; c < n_components; ++c)
    for (int64_t k = 0; k < d; ++k)
      for (int r = 0; r < b; ++r)
        components[k * n_components + c] += Q[k * b + r] * V[r * b + order[c]];
  return components;
}

}  // namespace

std::vector<double> pca_init(const float* X, int64_t n, int64_t d, int n_components, double std0,
                             uint64_t seed) {
  std::vector<double> mean;
  const std::vector<double> components = principal_axes(X, n, d, n_components, seed, 1e-12, mean);
  std::vector<double> Y(static_cast<size_t>(n * n_components), 0.0);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < d; ++j) {
      const double x = X[i * d + j] - mean[j];
      for (int c = 0; c < n_components; ++c)
        Y[i * n_components + c] += x * components[j * n_components + c];
    }
  scale_first_column_std(Y, n, n_components, std0);
  return Y;
}

void scale_first_column_std(std::vector<double>& Y, int64_t n, int64_t dims, double std0) {
  double m0 = 0, s0 = 0;
  for (int64_t i = 0; i < n; ++i) m0 += Y[i * dims];
  m0 /= static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i) s0 += (Y[i * dims] - m0) * (Y[i * dims] - m0);
  s0 = std::sqrt(s0 / static_cast<double>(n));
  if (s0 > 0)
    for (double& v : Y) v *= std0 / s0;
}

std::vector<float> pca_reduce(const float* X, int64_t n, int64_t d, int n_components,
                              uint64_t seed) {
  // Directions to ~1e-3 are plenty for searching neighbours or starting an embedding.
  std::vector<double> mean;
  const std::vector<double> components = principal_axes(X, n, d, n_components, seed, 1e-6, mean);
  // The centred scores (X - mean) W as one GEMM in float and a shift.
  const std::vector<float> W(components.begin(), components.end());
  std::vector<float> Z(static_cast<size_t>(n * n_components));
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(n), n_components,
              static_cast<int>(d), 1.0f, X, static_cast<int>(d), W.data(), n_components, 0.0f,
              Z.data(), n_components);
  for (int c = 0; c < n_components; ++c) {
    double shift = 0.0;
    for (int64_t j = 0; j < d; ++j) shift += mean[j] * components[j * n_components + c];
    for (int64_t i = 0; i < n; ++i) Z[i * n_components + c] -= static_cast<float>(shift);
  }
  return Z;
}

}  // namespace soma::embed
