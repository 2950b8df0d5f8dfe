#pragma once
// Template body of soma::embed::gradient_descent (included from gradient.hpp).
#include <cmath>
#include <limits>
#include <vector>

#include "soma/core/std_algobase.hpp"
// Alone, this brings the declarations (gradient.hpp includes this file at its end).
#include "soma/embed/gradient.hpp"

namespace soma::embed {

template <class Objective>
DescentResult gradient_descent(Objective&& objective, std::vector<double>& Y,
                               const DescentOptions& options) {
  const size_t m = Y.size();
  // update and gains side by side in one buffer (GCC 12 at -O3 reports a false
  // free-nonheap-object warning for three separate vectors here).
  std::vector<double> state(2 * m, 0.0), grad(m, 0.0);
  double* update = state.data();
  double* gains = state.data() + m;
  std::fill(gains, gains + m, 1.0);
  double error = std::numeric_limits<double>::max();
  double best_error = std::numeric_limits<double>::max();
  int best_iter = options.first_iter;
  DescentResult result;
  result.last_iter = options.first_iter;
  for (int i = options.first_iter; i < options.n_iter; ++i) {
    const bool check = (i + 1) % options.n_iter_check == 0;
    const bool compute_error = check || i == options.n_iter - 1;
    const double e = objective(Y, grad, compute_error);
    if (compute_error) error = e;
    double grad_norm2 = 0.0;
    for (size_t j = 0; j < m; ++j) {
      const bool increase = update[j] * grad[j] < 0.0;
      gains[j] = increase ? gains[j] + 0.2 : gains[j] * 0.8;
      if (gains[j] < options.min_gain) gains[j] = options.min_gain;
      const double g = grad[j] * gains[j];
      grad_norm2 += g * g;  // sklearn measures the norm of the gain-scaled gradient
      update[j] = options.momentum * update[j] - options.learning_rate * g;
      Y[j] += update[j];
    }
    result.last_iter = i;
    result.kl_divergence = error;
    if (check) {
      if (error < best_error) {
        best_error = error;
        best_iter = i;
      } else if (i - best_iter > options.n_iter_without_progress) {
        break;
      }
      if (std::sqrt(grad_norm2) <= options.min_grad_norm) break;
    }
  }
  return result;
}

}  // namespace soma::embed
