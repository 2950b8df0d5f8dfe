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

// sum_ij p_ij log(p_ij / q_ij) with q_ij = (1 + |y_i - y_j|^2)^-1 / z.
double sparse_kl_2d(const SparseP& P, const std::vector<double>& Y, double z);

}  // namespace soma::embed::detail
