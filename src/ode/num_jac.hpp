#pragma once
// SciPy's finite-difference Jacobian for its implicit solvers (num_jac in
// scipy/integrate/_ivp/common.py, the dense form), which Radau uses when no jac is given.
// Forward differences whose increments adapt from one call to the next: a per-component
// factor grows when a difference drowns in the rounding of f and shrinks when it is large,
// and a column whose difference is all rounding is retried with a ten times larger step.
// Same increments as SciPy's, so the same Jacobians and the same step sequence. For a
// complex system as real pairs (Tolerances::complex_pairs) it is num_jac on SciPy's complex
// y: one increment per complex component, along its real part, sized and judged by moduli;
// the column c = df/dy_j of a holomorphic f fills the pairs' 2 x 2 block [Re c, -Im c;
// Im c, Re c] (df/d Im y_j = i c). BDF uses it for complex systems.
#include <cstddef>
#include <span>
#include <vector>

#include "soma/ode/detail/stepper.hpp"

namespace soma::ode::detail {

class NumJac {
 public:
  explicit NumJac(std::size_t n, bool complex_pairs = false);
  // J = df/dy at (t, y), row-major, where f0 = f(t, y); threshold[i] (the absolute
  // tolerance) bounds the increment's scale |y_i| from below. n evaluations of f (n / 2 for
  // complex pairs), plus one for each column retried.
  void operator()(CountedRhs& f, double t, std::span<const double> y, std::span<const double> f0,
                  std::span<const double> threshold, std::span<double> jac);

 private:
  // The largest |diff_i| of a column and its rounding scale max(|f0_i|, |f_i|).
  struct Peak {
    double diff, scale;
  };
  // Column j's difference f(t, y with y_j replaced) - f0 into diff_.
  Peak difference(CountedRhs& f, double t, std::size_t j, double y_j);

  // |v_i|, the modulus of its pair for complex pairs.
  double magnitude(std::span<const double> v, std::size_t i) const;

  std::size_t n_;
  bool pairs_;
  std::span<const double> f0_;
  std::vector<double> factor_;  // carried between calls (SciPy's jac_factor)
  std::vector<double> y_, f_new_, diff_, kept_;
};

}  // namespace soma::ode::detail
