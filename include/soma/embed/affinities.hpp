#pragma once
// The input side of t-SNE, step by step (as the tutorial walks through it):
//
//   auto D = embed::pairwise_sq_distances(X, n, d);            // n x n, squared euclidean
//   auto C = embed::conditional_probabilities(D, n, n, 30.0);  // binary search on sigma_i
//   auto P = embed::joint_probabilities(C);                    // dense, symmetric, sums to 1
//
// and for the approximate methods, with k = min(n - 1, 3 * perplexity + 1) neighbours:
//
//   auto nn = embed::nearest_neighbors(X, n, d, k);            // exact kNN by blocked GEMM
//   auto C = embed::conditional_probabilities(nn.sq_distances, n, k, 30.0);
//   auto P = embed::joint_probabilities_nn(C, nn);             // sparse CSR, sums to 1
//
// Definitions follow scikit-learn 1.2 (sklearn/manifold/_t_sne.py) so that KL
// divergences are comparable between the two.
#include <cstdint>
#include <vector>

namespace soma::embed {

// Squared euclidean distances between the rows of X (n x d, row-major): n x n.
std::vector<double> pairwise_sq_distances(const float* X, int64_t n, int64_t d);

// The k nearest neighbours of every row of X (itself excluded), nearest first.
struct Neighbors {
  int64_t n = 0, k = 0;
  std::vector<int64_t> indices{};      // n x k
  std::vector<double> sq_distances{};  // n x k, squared euclidean
};
Neighbors nearest_neighbors(const float* X, int64_t n, int64_t d, int64_t k);

// Row-stochastic conditional probabilities p_{j|i} = exp(-beta_i d_ij) / sum, with each
// beta_i = 1 / (2 sigma_i^2) found by bisection so that the row's Shannon entropy (nats)
// is log(perplexity) within `tolerance`.
struct ConditionalP {
  int64_t n = 0, k = 0;            // k columns per row (n for dense input)
  std::vector<double> p{};         // n x k; p[i][i] = 0 for dense input
  std::vector<double> beta{};      // n
  std::vector<double> entropy{};   // n, achieved entropy of each row (nats)
  double mean_perplexity() const;  // exp(mean entropy)
  double max_log_perplexity_error(double perplexity) const;  // max_i |H_i - log(perplexity)|
};
// `sq_distances` is n x k. For dense input (k == n) the diagonal (i == j) is left out.
ConditionalP conditional_probabilities(const std::vector<double>& sq_distances, int64_t n,
                                       int64_t k, double perplexity, double tolerance = 1e-5,
                                       int max_steps = 200);

// Dense symmetric P = (C + C^T) / sum, every entry at least 2^-52 (sklearn's floor).
struct DenseP {
  int64_t n = 0;
  std::vector<double> p{};  // n x n, diagonal 0
};
DenseP joint_probabilities(const ConditionalP& conditional);

// Sparse symmetric P in compressed rows: P = (C + C^T) / sum over the kNN graph.
// Columns and values are 32-bit: every gradient evaluation streams the whole matrix,
// and 8 bytes per entry instead of 16 halves that traffic (float keeps 7 digits of
// each p_ij; sums over it are taken in double).
struct SparseP {
  int64_t n = 0;
  std::vector<int64_t> row_ptr{};  // n + 1
  std::vector<int32_t> col{};      // nnz
  std::vector<float> val{};        // nnz
  int64_t nnz() const { return static_cast<int64_t>(col.size()); }
};
SparseP joint_probabilities_nn(const ConditionalP& conditional, const Neighbors& neighbors);
// All off-diagonal entries of a dense P as a sparse matrix (used to check the
// approximations against the exact method on the same P).
SparseP to_sparse(const DenseP& P);

}  // namespace soma::embed
