// odeint: the solution at exactly the given times, like scipy.integrate.odeint (which runs
// LSODA and interpolates within its steps): solve_ivp with t_eval = t.
#include <cmath>
#include <string>

#include "soma/core/error.hpp"
#include "soma/ode/solve_ivp.hpp"

namespace soma::ode {

Trajectory odeint(const Rhs& f, std::span<const double> y0, std::span<const double> t,
                  const OdeintOptions& options) {
  if (t.empty()) throw Error("odeint: the output times t are empty");
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!std::isfinite(t[i])) throw Error("odeint: t[" + std::to_string(i) + "] is not finite");
    if (i >= 2 && (t[i] - t[i - 1]) * (t[1] - t[0]) < 0)
      throw Error("odeint: t must be monotonic (at index " + std::to_string(i) + ")");
  }
  Options o{.method = options.method,
            .rtol = options.rtol,
            .atol = options.atol,
            .max_step = options.max_step,
            .first_step = options.first_step,
            .t_eval = std::vector<double>(t.begin(), t.end()),
            .jac = options.jac};
  Result r = solve_ivp(f, {t.front(), t.back()}, y0, o);
  if (r.status == Status::Failed)
    throw Error("odeint: integration failed at t = " +
                std::to_string(r.t.empty() ? t.front() : r.t.back()) + ": " + r.message);
  return std::move(r.y);
}

}  // namespace soma::ode
