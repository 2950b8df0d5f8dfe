#pragma once
// The two iterations behind least_squares (internal). Each returns where it
// stopped and why; least_squares adds covariance, rank checks and the polish.
#include <cstddef>
#include <span>
#include <vector>

#include "soma/fit/least_squares.hpp"

namespace soma::fit::detail {

struct RawResult {
  std::vector<double> x;
  std::vector<double> r;    // residuals at x (empty in LM's normal-equation mode)
  std::vector<double> jac;  // Jacobian at x (m x n column-major) or empty if not current
  // Normal-equation mode: r^T r at x, and (when well conditioned) an n x n
  // column-major F with F^T F = J^T J at x, for the covariance without J.
  double ssr = 0.0;
  std::vector<double> gram_factor;
  Status status = Status::max_evaluations;
  int nfev = 0, njev = 0, iterations = 0;
};

// MINPACK lmder (unbounded Levenberg-Marquardt).
RawResult levenberg_marquardt(Residuals& problem, std::span<const double> p0, const Options& o,
                              int max_nfev);
// Trust-region reflective (bounds).
RawResult trust_region_reflective(Residuals& problem, std::span<const double> p0, const Options& o,
                                  int max_nfev);

}  // namespace soma::fit::detail
