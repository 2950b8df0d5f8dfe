#pragma once
// The objective of t-SNE and its gradient with respect to the embedding Y (n x dims,
// row-major), for Student-t similarities q_ij = (1 + |y_i - y_j|^2)^-1 / Z:
//
//   KL(P || Q) = sum_ij p_ij log(p_ij / q_ij)
//   dKL/dy_i  = 4 sum_j (p_ij - q_ij) (1 + |y_i - y_j|^2)^-1 (y_i - y_j)
//
// Three ways to evaluate it: exact (all pairs, dense P), Barnes-Hut (quadtree
// summaries of far cells, sparse P, 2-D) and FFT-accelerated interpolation (FIt-SNE,
// sparse P, 2-D). The attractive term always runs over the sparse P exactly; the
// methods differ in how they approximate the repulsive term and Z.
#include <cstdint>
#include <vector>

#include "soma/embed/affinities.hpp"

namespace soma::embed {

// Exact KL divergence; writes the gradient into `grad` (n x dims) when not null.
double kl_divergence_exact(const DenseP& P, const std::vector<double>& Y, int dims,
                           std::vector<double>* grad, bool compute_error = true);

// Barnes-Hut (2-D): far cells whose width / distance < angle are summarised by their
// centre of mass. angle = 0 visits every point and is exact. Returns the KL divergence
// on the sparse P with the approximated Z.
// compute_error = false skips the KL sum (returns 0) where only the gradient is needed.
double kl_divergence_bh(const SparseP& P, const std::vector<double>& Y, double angle,
                        std::vector<double>* grad, bool compute_error = true);

// FFT-accelerated interpolation (Linderman et al. 2019, FIt-SNE), 2-D: the repulsive
// sums are evaluated on an equispaced grid by Lagrange interpolation with
// `interp_points` nodes per box and a convolution done by FFT.
// Grid: boxes of side 1 / boxes_per_unit (at least min_boxes across the embedding), p
// nodes each. Accuracy is set by the node spacing and p: on random embeddings of 2,000
// points, relative gradient error against exact (measured): p = 3 with 1 box per unit
// (FIt-SNE's default) 1-5e-2, p = 3 with 2 boxes 1-6e-3, p = 4 with 1 box 3e-3-1.2e-2,
// p = 5 with 1 box 1-4e-3 (Barnes-Hut at angle 0.5: 0.8-2e-2). p = 5 with 1 box is as
// accurate as p = 3 with 2 on (5/6)^2 of the grid; p = 4 left the final KL on 1,000
// Fashion-MNIST images 1.9% above sklearn's (p = 5: see bench/results/tsne.md).
struct FftOptions {
  int interp_points = 5;
  int min_boxes = 25;
  double boxes_per_unit = 1.0;
};
double kl_divergence_fft(const SparseP& P, const std::vector<double>& Y, std::vector<double>* grad,
                         const FftOptions& options = {}, bool compute_error = true);

// Exact KL divergence on a sparse P with the exact Z (O(n^2), for checks).
double kl_divergence_sparse_exact(const SparseP& P, const std::vector<double>& Y, int dims);

// One run of gradient descent with momentum and per-coordinate gains (Jacobs 1988),
// as sklearn's _gradient_descent: gains grow by 0.2 where the gradient changes sign
// relative to the update and shrink by 0.8 elsewhere, never below min_gain.
struct DescentOptions {
  int first_iter = 0;  // iteration number to start counting from
  int n_iter = 1000;   // stop before this iteration number
  double momentum = 0.8;
  double learning_rate = 200.0;
  double min_gain = 0.01;
  double min_grad_norm = 1e-7;
  int n_iter_check = 50;  // check progress every so many iterations
  int n_iter_without_progress = 300;
};
struct DescentResult {
  double kl_divergence = 0.0;  // at the last check
  int last_iter = 0;           // last iteration run
};
// objective(Y, grad, compute_error) returns the KL divergence (when asked) and fills grad.
template <class Objective>
DescentResult gradient_descent(Objective&& objective, std::vector<double>& Y,
                               const DescentOptions& options);

// Fraction of points whose label equals the majority label of their k nearest
// neighbours in Y (leave-one-out; ties go to the smallest label).
double knn_accuracy(const std::vector<double>& Y, int dims, const std::vector<int64_t>& labels,
                    int k = 10);

}  // namespace soma::embed

#include "soma/embed/gradient_descent_impl.hpp"
