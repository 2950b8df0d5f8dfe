#pragma once
// The attractive half of the t-SNE gradient, shared by Barnes-Hut and FFT:
//   attr_i = sum_j p_ij (y_i - y_j) / (1 + |y_i - y_j|^2)   over the sparse P,
// and the KL divergence given the normalisation Z of the repulsive half.
#include <vector>

#include "soma/embed/affinities.hpp"

namespace soma::embed::detail {

// Below this many points a per-iteration loop is too short to pay for waking threads
// (on a busy machine a fork/join can cost more than the loop).
inline constexpr int64_t kParallelMin = 4096;

// attr: n x 2, overwritten.
void attractive_forces_2d(const SparseP& P, const std::vector<double>& Y,
                          std::vector<double>& attr);

// Rows [begin, end) of the same, on the calling thread, for callers that share the rows
// among their own threads. Y here is the embedding in float (n x 2, from to_float):
// neighbours' coordinates are gathered as one 64-bit (x, y) pair each; the forces come
// out to ~1e-5 relative, far inside the Barnes-Hut and FFT approximations.
void attractive_range(const SparseP& P, const float* Y, double* attr, int64_t begin, int64_t end);
void to_float(const std::vector<double>& Y, std::vector<float>& out);

// sum_ij p_ij log(p_ij / q_ij) with q_ij = (1 + |y_i - y_j|^2)^-1 / z.
double sparse_kl_2d(const SparseP& P, const std::vector<double>& Y, double z);

}  // namespace soma::embed::detail
