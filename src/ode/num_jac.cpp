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

NumJac::NumJac(std::size_t n, bool complex_pairs)
    : n_(n),
      pairs_(complex_pairs),
      factor_(n, std::sqrt(kEps)),
      y_(n),
      f_new_(n),
      diff_(n),
      kept_(n) {}

double NumJac::magnitude(std::span<const double> v, std::size_t i) const {
  return pairs_ ? std::hypot(v[i], v[i + 1]) : std::fabs(v[i]);
}

NumJac::Peak NumJac::difference(CountedRhs& f, double t, std::size_t j, double y_j) {
  const double saved = y_[j];
  y_[j] = y_j;
  f(t, y_, f_new_);
  y_[j] = saved;
  for (std::size_t i = 0; i < n_; ++i) diff_[i] = f_new_[i] - f0_[i];
  const std::size_t stride = pairs_ ? 2 : 1;
  std::size_t at = 0;
  for (std::size_t i = 0; i < n_; i += stride)
    if (magnitude(diff_, i) > magnitude(diff_, at)) at = i;  // the first largest, as argmax
  return {magnitude(diff_, at), std::max(magnitude(f0_, at), magnitude(f_new_, at))};
}

void NumJac::operator()(CountedRhs& f, double t, std::span<const double> y,
                        std::span<const double> f0, std::span<const double> threshold,
                        std::span<double> jac) {
  std::copy(y.begin(), y.end(), y_.begin());
  f0_ = f0;
  const std::size_t stride = pairs_ ? 2 : 1;
  for (std::size_t j = 0; j < n_; j += stride) {
    // The step goes the way the ODE moves y_j (f_j's sign; its real part's for complex
    // pairs), scaled by |y_j| (at least atol).
    const double y_scale = (f0[j] >= 0 ? 1.0 : -1.0) * std::max(threshold[j], magnitude(y, j));
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
    if (pairs_)
      for (std::size_t i = 0; i < n_; i += 2) {
        const double re = diff_[i] / h, im = diff_[i + 1] / h;
        jac[i * n_ + j] = re;
        jac[i * n_ + j + 1] = -im;
        jac[(i + 1) * n_ + j] = im;
        jac[(i + 1) * n_ + j + 1] = re;
      }
    else
      for (std::size_t i = 0; i < n_; ++i) jac[i * n_ + j] = diff_[i] / h;
    if (p.diff < kDiffSmall * p.scale)
      factor_[j] *= kFactorIncrease;
    else if (p.diff > kDiffBig * p.scale)
      factor_[j] *= kFactorDecrease;
    factor_[j] = std::max(factor_[j], kMinFactor);
  }
}

}  // namespace soma::ode::detail
