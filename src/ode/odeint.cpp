// odeint: the solution at exactly the given times, like scipy.integrate.odeint (which runs
// LSODA and interpolates within its steps). Its own driver rather than solve_ivp with
// t_eval: the rows of the result are the only allocation that grows with t (no copy of t,
// no vector of times), and the rows that fall inside a step are interpolated in one call.
#include <algorithm>
#include <cmath>
#include <string>

#include "ode/stepper.hpp"
#include "soma/core/error.hpp"
#include "soma/ode/solve_ivp.hpp"

namespace soma::ode {

Trajectory detail::odeint_with(const Rhs& f, std::span<const double> y0, std::span<const double> t,
                               const OdeintOptions& options, const RkFactory* make_rk) {
  if (t.empty()) throw Error("odeint: the output times t are empty");
  const std::size_t m = t.size(), n = y0.size();
  const double direction = t.back() >= t.front() ? 1.0 : -1.0;
  // One branch-free pass (it vectorizes); the error path finds the offending index.
  bool ok = std::isfinite(t[0]);
  for (std::size_t i = 1; i < m; ++i)
    ok &= std::isfinite(t[i]) & (direction * (t[i] - t[i - 1]) >= 0);
  if (!ok) {
    // Non-finite times first: a NaN at the end also spoils `direction`.
    for (std::size_t i = 0; i < m; ++i)
      if (!std::isfinite(t[i])) throw Error("odeint: t[" + std::to_string(i) + "] is not finite");
    for (std::size_t i = 1; i < m; ++i)
      if (direction * (t[i] - t[i - 1]) < 0)
        throw Error("odeint: t must be monotonic (at index " + std::to_string(i) + ")");
  }
  const Options o{.method = options.method,
                  .rtol = options.rtol,
                  .atol = options.atol,
                  .max_step = options.max_step,
                  .first_step = options.first_step,
                  .jac = options.jac};
  Problem p = checked_problem(f, {t.front(), t.back()}, y0, o);
  p.make_rk = make_rk;
  // LSODA's first step looks towards the first output time, as in SciPy's first call.
  for (double ti : t)
    if (ti != t[0]) {
      p.first_output = ti;
      break;
    }

  if (options.info) *options.info = {};
  Trajectory y(n);
  const std::span<double> rows = y.append_rows(m);
  // Row 0 and any times equal to t[0] hold the initial state itself.
  std::size_t i = 0;
  for (; i < m && t[i] == t[0]; ++i) std::copy(y0.begin(), y0.end(), rows.begin() + i * n);
  if (i == m || n == 0) return y;  // no variables: m empty rows

  const std::unique_ptr<Stepper> stepper = make_stepper(o.method, p);
  std::int64_t nsteps = 0;
  while (i < m) {
    if (!stepper->step())
      throw Error("odeint: integration failed at t = " + std::to_string(stepper->t()) + ": " +
                  stepper->message());
    ++nsteps;
    const double tt = stepper->t();
    std::size_t end = i;
    if (direction > 0)
      while (end < m && t[end] <= tt) ++end;
    else
      while (end < m && t[end] >= tt) ++end;
    if (end == i) continue;
    const std::span<double> out = rows.subspan(i * n, (end - i) * n);
    stepper->interpolate_many(t.subspan(i, end - i), out);
    // Times equal to the step's end (the last ones passed, t being sorted) get the step's
    // own state, as solve_ivp's t_eval.
    for (std::size_t k = end; k > i && t[k - 1] == tt; --k) {
      const std::span<const double> y_step = stepper->y();
      std::copy(y_step.begin(), y_step.end(), out.begin() + (k - 1 - i) * n);
    }
    i = end;
  }
  if (options.info) {
    options.info->nst = nsteps;
    options.info->nfe = stepper->nfev();
    options.info->nje = stepper->njev();
    options.info->methods.clear();
    stepper->method_log(options.info->methods);
  }
  return y;
}

Trajectory odeint(const Rhs& f, std::span<const double> y0, std::span<const double> t,
                  const OdeintOptions& options) {
  return detail::odeint_with(f, y0, t, options, nullptr);
}

}  // namespace soma::ode
