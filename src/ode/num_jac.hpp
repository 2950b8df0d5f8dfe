#pragma once
// SciPy's finite-difference Jacobian for its implicit solvers (num_jac in
// scipy/integrate/_ivp/common.py, the dense form), which Radau uses when no jac is given.
// Forward differences whose increments adapt from one call to the next: a per-component
// factor grows when a difference drowns in the rounding of f and shrinks when it is large,
// and a column whose difference is all rounding is retried with a ten times larger step.
// Same increments as SciPy's, so the same Jacobians and the same step sequence.
#include <cstddef>
#include <span>
#include <vector>

#include "soma/ode/detail/stepper.hpp"

namespace soma::ode::detail {

class NumJac {
 public:
  explicit NumJac(std::size_t n);
  // J = df/dy at (t, y), row-major, where f0 = f(t, y); threshold[i] (the absolute
  // tolerance) bounds the increment's scale |y_i| from below. n evaluations of f, plus one
  // for each column retried.
  void operator()(CountedRhs& f, double t, std::span<const double> y, std::span<const double> f0,
                  std::span<const double> threshold, std::span<double> jac);

 private:
  // The largest |diff_i| of a column and its rounding scale max(|f0_i|, |f_i|).
  struct Peak {
    double diff, scale;
  };
  // Column j's difference f(t, y with y_j replaced) - f0 into diff_.
  Peak difference(CountedRhs& f, double t, std::size_t j, double y_j);

  std::size_t n_;
  std::span<const double> f0_;
  std::vector<double> factor_;  // carried between calls (SciPy's jac_factor)
  std::vector<double> y_, f_new_, diff_, kept_;
};

}  // namespace soma::ode::detail
