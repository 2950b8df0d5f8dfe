// SciPy's num_jac and _dense_num_jac (scipy/integrate/_ivp/common.py), column by column:
// SciPy evaluates every column first and then retries the rejected ones, but f has no
// state, so the order changes nothing but the order of the calls.
#include "ode/num_jac.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace soma::ode::detail {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
// SciPy's NUM_JAC_* constants.
const double kDiffReject = std::pow(kEps, 0.875);
const double kDiffSmall = std::pow(kEps, 0.75);
const double kDiffBig = std::pow(kEps, 0.25);
constexpr double kMinFactor = 1e3 * kEps;
constexpr double kFactorIncrease = 10, kFactorDecrease = 0.1;

}  // namespace

NumJac::NumJac(std::size_t n)
    : n_(n), factor_(n, std::sqrt(kEps)), y_(n), f_new_(n), diff_(n), kept_(n) {}

NumJac::Peak NumJac::difference(CountedRhs& f, double t, std::size_t j, double y_j) {
  const double saved = y_[j];
  y_[j] = y_j;
  f(t, y_, f_new_);
  y_[j] = saved;
  std::size_t at = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    diff_[i] = f_new_[i] - f0_[i];
    if (std::fabs(diff_[i]) > std::fabs(diff_[at])) at = i;  // the first largest, as argmax
  }
  return {std::fabs(diff_[at]), std::max(std::fabs(f0_[at]), std::fabs(f_new_[at]))};
}

void NumJac::operator()(CountedRhs& f, double t, std::span<const double> y,
                        std::span<const double> f0, std::span<const double> threshold,
                        std::span<double> jac) {
  std::copy(y.begin(), y.end(), y_.begin());
  f0_ = f0;
  for (std::size_t j = 0; j < n_; ++j) {
    // The step goes the way the ODE moves y_j (f_j's sign), scaled by |y_j| (at least atol).
    const double y_scale = (f0[j] >= 0 ? 1.0 : -1.0) * std::max(threshold[j], std::fabs(y[j]));
    double h = (y[j] + factor_[j] * y_scale) - y[j];
    while (h == 0) {  // a factor too small to move y_j at all
      factor_[j] *= 10;
      h = (y[j] + factor_[j] * y_scale) - y[j];
    }
    // f_new_: f at the step; diff_: its difference from f0 (the column, times h).
    Peak p = difference(f, t, j, y[j] + h);
    if (p.diff < kDiffReject * p.scale) {
      // The difference is rounding: retry with a ten times larger increment and keep the
      // new column if its difference stands further above its rounding.
      const double new_factor = kFactorIncrease * factor_[j];
      const double h_new = (y[j] + new_factor * y_scale) - y[j];
      diff_.swap(kept_);
      const Peak q = difference(f, t, j, y[j] + h_new);
      if (p.diff * q.scale < q.diff * p.scale) {
        factor_[j] = new_factor;
        h = h_new;
        p = q;
      } else {
        diff_.swap(kept_);
      }
    }
    for (std::size_t i = 0; i < n_; ++i) jac[i * n_ + j] = diff_[i] / h;
    if (p.diff < kDiffSmall * p.scale)
      factor_[j] *= kFactorIncrease;
    else if (p.diff > kDiffBig * p.scale)
      factor_[j] *= kFactorDecrease;
    factor_[j] = std::max(factor_[j], kMinFactor);
  }
}

}  // namespace soma::ode::detail
