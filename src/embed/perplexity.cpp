// Conditional probabilities by bisection on beta_i = 1 / (2 sigma_i^2), as sklearn's
// _binary_search_perplexity: double beta until the entropy is too low, then halve the
// bracket. Distances are shifted by the row minimum before exp(): the normalised
// probabilities are the same, but nothing underflows to an all-zero row.
#include <algorithm>
#include <cmath>
#include <limits>

#include "soma/core/error.hpp"
#include "soma/embed/affinities.hpp"

namespace soma::embed {

double ConditionalP::mean_perplexity() const {
  if (entropy.empty()) return 0.0;
  double s = 0.0;
  for (double h : entropy) s += h;
  return std::exp(s / static_cast<double>(entropy.size()));
}

double ConditionalP::max_log_perplexity_error(double perplexity) const {
  double worst = 0.0;
  for (double h : entropy) worst = std::max(worst, std::abs(h - std::log(perplexity)));
  return worst;
}

ConditionalP conditional_probabilities(const std::vector<double>& sq_distances, int64_t n,
                                       int64_t k, double perplexity, double tolerance,
                                       int max_steps) {
  if (static_cast<int64_t>(sq_distances.size()) != n * k)
    throw Error("conditional_probabilities: expected " + std::to_string(n * k) +
                " distances (n x k), got " + std::to_string(sq_distances.size()));
  const bool dense = k == n;
  const int64_t others = dense ? n - 1 : k;
  if (!(perplexity > 0.0) || perplexity >= static_cast<double>(others))
    throw Error("perplexity = " + std::to_string(perplexity) +
                ": expected a value in (0, number of neighbours = " + std::to_string(others) + ")");
  ConditionalP out;
  out.n = n;
  out.k = k;
  out.p.assign(static_cast<size_t>(n * k), 0.0);
  out.beta.assign(static_cast<size_t>(n), 1.0);
  out.entropy.assign(static_cast<size_t>(n), 0.0);
  const double target = std::log(perplexity);
#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t i = 0; i < n; ++i) {
    const double* d = sq_distances.data() + i * k;
    double* p = out.p.data() + i * k;
    double dmin = std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < k; ++j)
      if (!(dense && j == i)) dmin = std::min(dmin, d[j]);
    double beta = 1.0, lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    double entropy = 0.0;
    for (int step = 0; step < max_steps; ++step) {
      double sum = 0.0;
      for (int64_t j = 0; j < k; ++j) {
        p[j] = (dense && j == i) ? 0.0 : std::exp(-(d[j] - dmin) * beta);
        sum += p[j];
      }
      double weighted = 0.0;
      for (int64_t j = 0; j < k; ++j) {
        p[j] /= sum;
        weighted += (d[j] - dmin) * p[j];
      }
      entropy = std::log(sum) + beta * weighted;
      const double diff = entropy - target;
      if (std::abs(diff) <= tolerance) break;
      if (diff > 0) {  // too flat: sharpen
        lo = beta;
        beta = std::isinf(hi) ? beta * 2.0 : (beta + hi) / 2.0;
      } else {
        hi = beta;
        beta = std::isinf(lo) ? beta / 2.0 : (beta + lo) / 2.0;
      }
    }
    out.beta[i] = beta;
    out.entropy[i] = entropy;
  }
  return out;
}

}  // namespace soma::embed
