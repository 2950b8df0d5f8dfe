// SciPy's error norm and initial step (scipy/integrate/_ivp/common.py), kept identical so
// that soma's step counts can be compared with SciPy's.
#include <algorithm>
#include <cmath>
#include <vector>

#include "ode/stepper.hpp"

namespace soma::ode::detail {

double rms_norm(std::span<const double> x, bool complex_pairs) {
  double s = 0;
  for (double v : x) s += v * v;
  const std::size_t count = complex_pairs ? x.size() / 2 : x.size();
  return count == 0 ? 0.0 : std::sqrt(s / static_cast<double>(count));
}

double select_initial_step(CountedRhs& f, double t0, double t_bound, double max_step,
                           std::span<const double> y0, std::span<const double> f0, double direction,
                           int order, const Tolerances& tol) {
  const std::size_t n = y0.size();
  if (n == 0) return std::numeric_limits<double>::infinity();
  // As SciPy since 1.11 (gh-17341, gh-8848, gh-9198): the trial step stays inside t_span,
  // so f is never evaluated outside it, and the step is at most max_step.
  const double interval_length = std::fabs(t_bound - t0);
  if (interval_length == 0) return 0;
  std::vector<double> scale(n), a(n), b(n), y1(n), f1(n);
  for (std::size_t i = 0; i < n; ++i) {
    scale[i] = tol.atol[i] + tol.magnitude(y0, i) * tol.rtol;
    a[i] = y0[i] / scale[i];
    b[i] = f0[i] / scale[i];
  }
  const double d0 = rms_norm(a, tol.complex_pairs), d1 = rms_norm(b, tol.complex_pairs);
  const double h0 = std::min((d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1, interval_length);
  for (std::size_t i = 0; i < n; ++i) y1[i] = y0[i] + h0 * direction * f0[i];
  f(t0 + h0 * direction, y1, f1);
  for (std::size_t i = 0; i < n; ++i) a[i] = (f1[i] - f0[i]) / scale[i];
  const double d2 = rms_norm(a, tol.complex_pairs) / h0;
  const double h1 = (d1 <= 1e-15 && d2 <= 1e-15)
                        ? std::max(1e-6, h0 * 1e-3)
                        : std::pow(0.01 / std::max(d1, d2), 1.0 / (order + 1));
  return std::min({100 * h0, h1, interval_length, max_step});
}

}  // namespace soma::ode::detail
