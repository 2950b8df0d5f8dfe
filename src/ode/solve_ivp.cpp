// solve_ivp's driver, following scipy.integrate.solve_ivp (ivp.py): step, then detect and
// locate events inside the step, then store either the step's end or the requested output
// times that the step passed, interpolated within it.
#include "soma/ode/solve_ivp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ode/bdf.hpp"
#include "ode/brent.hpp"
#include "ode/explicit_rk.hpp"
#include "ode/stepper.hpp"
#include "soma/core/error.hpp"

namespace soma::ode {
namespace {

[[noreturn]] void bad_option(const std::string& what) { throw Error("solve_ivp: " + what); }

detail::Tolerances validate_tolerances(const Options& o, std::size_t n) {
  detail::Tolerances tol;
  if (!(o.rtol > 0) || !std::isfinite(o.rtol))
    bad_option("option 'rtol' must be a positive number, got " + std::to_string(o.rtol));
  // As SciPy: tolerances below 100 machine epsilons cannot be met, so they are raised.
  tol.rtol = std::max(o.rtol, 100 * std::numeric_limits<double>::epsilon());
  if (!o.atol_vector.empty()) {
    if (o.atol_vector.size() != n)
      bad_option("option 'atol_vector' has " + std::to_string(o.atol_vector.size()) +
                 " values, expected one per component of y0 (" + std::to_string(n) + ")");
    tol.atol = o.atol_vector;
  } else {
    tol.atol.assign(n, o.atol);
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!(tol.atol[i] >= 0) || !std::isfinite(tol.atol[i]))
      bad_option("absolute tolerance 'atol' must be >= 0, got " + std::to_string(tol.atol[i]) +
                 " for component " + std::to_string(i));
  return tol;
}

// SciPy's find_active_events: sign changes of g between the ends of a step that match each
// event's direction.
bool crosses(double g_old, double g_new, int direction) {
  const bool up = g_old <= 0 && g_new >= 0;
  const bool down = g_old >= 0 && g_new <= 0;
  return (up && direction > 0) || (down && direction < 0) || ((up || down) && direction == 0);
}

}  // namespace

const char* method_name(Method m) {
  switch (m) {
    case Method::Euler:
      return "Euler";
    case Method::RK4:
      return "RK4";
    case Method::RK23:
      return "RK23";
    case Method::RK45:
      return "RK45";
    case Method::DOP853:
      return "DOP853";
    case Method::BDF:
      return "BDF";
    case Method::LSODA:
      return "LSODA";
    case Method::Adams:
      return "Adams";
    case Method::Radau:
      return "Radau";
  }
  return "?";
}

Method parse_method(const std::string& name) {
  std::string u;
  for (char c : name) u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (Method m : {Method::Euler, Method::RK4, Method::RK23, Method::RK45, Method::DOP853,
                   Method::BDF, Method::LSODA, Method::Adams, Method::Radau}) {
    std::string mn = method_name(m);
    for (char& c : mn) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (u == mn) return m;
  }
  if (u == "AUTO") return Method::LSODA;
  throw Error("unknown ODE method '" + name +
              "': expected one of Euler, RK4, RK23, RK45, DOP853, BDF, LSODA (or auto), Adams, "
              "Radau");
}

Result solve_ivp(const Rhs& f, TimeSpan t_span, std::initializer_list<double> y0,
                 const Options& options) {
  return solve_ivp(f, t_span, std::span<const double>(y0.begin(), y0.size()), options);
}

std::unique_ptr<detail::Stepper> detail::make_stepper(Method m, const Problem& p) {
  switch (m) {
    case Method::Euler:
    case Method::RK4:
      return make_fixed_step(m, p);
    case Method::RK23:
    case Method::RK45:
    case Method::DOP853:
      return make_explicit_rk(m, p, false);
    case Method::BDF:
      return make_bdf(p);
    case Method::LSODA:
      return make_lsoda(p, true);
    case Method::Adams:
      return make_lsoda(p, false);
    case Method::Radau:
      return make_radau(p);
  }
  return nullptr;
}

Result solve_ivp(const Rhs& f, TimeSpan t_span, std::span<const double> y0, const Options& o) {
  return detail::solve_ivp_with(f, t_span, y0, o, [&o](const detail::Problem& p) {
    return detail::make_stepper(o.method, p);
  });
}

detail::Problem detail::checked_problem(const Rhs& f, TimeSpan t_span, std::span<const double> y0,
                                        const Options& o) {
  if (!f) bad_option("the right-hand side f is empty");
  const double t0 = t_span.t0, tf = t_span.tf;
  // tf may be infinite, as in SciPy: the integration then ends at a terminal event, at
  // max_steps or when a step fails.
  if (!std::isfinite(t0))
    bad_option("t_span = {" + std::to_string(t0) + ", " + std::to_string(tf) +
               "}: t0 must be finite");
  if (std::isnan(tf))
    bad_option("t_span = {" + std::to_string(t0) + ", nan}: tf must be a number (or +-inf)");
  const std::size_t n = y0.size();
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(y0[i])) bad_option("y0[" + std::to_string(i) + "] is not finite");
  if (!(o.max_step > 0)) bad_option("option 'max_step' must be positive");
  if (o.first_step < 0 || !std::isfinite(o.first_step))
    bad_option("option 'first_step' must be positive (or 0 for automatic)");
  if (o.first_step > std::fabs(tf - t0) && tf != t0)
    bad_option("option 'first_step' exceeds the length of t_span");
  const bool fixed = o.method == Method::Euler || o.method == Method::RK4;
  if (fixed && o.first_step == 0 && !std::isfinite(o.max_step))
    bad_option(std::string("method ") + method_name(o.method) +
               " has a fixed step: set first_step (the step size) or max_step");
  return {&f, t0, tf, y0, validate_tolerances(o, n), o.max_step, o.first_step, &o.jac};
}

Result detail::solve_ivp_with(const Rhs& f, TimeSpan t_span, std::span<const double> y0,
                              const Options& o, const StepperFactory& make) {
  const detail::Problem p = checked_problem(f, t_span, y0, o);
  const double t0 = t_span.t0, tf = t_span.tf;
  const std::size_t n = y0.size();
  const double direction = tf >= t0 ? 1.0 : -1.0;
  for (std::size_t k = 0; k < o.events.size(); ++k)
    if (!o.events[k].fn) bad_option("event " + std::to_string(k) + " has no function");
  const auto& te = o.t_eval;
  const double lo = std::min(t0, tf), hi = std::max(t0, tf);
  for (std::size_t i = 0; i < te.size(); ++i) {
    if (!(te[i] >= lo && te[i] <= hi))
      bad_option("t_eval[" + std::to_string(i) + "] = " + std::to_string(te[i]) +
                 " is outside t_span");
    if (i > 0 && direction * (te[i] - te[i - 1]) < 0)
      bad_option("t_eval must be sorted in the direction of integration (at index " +
                 std::to_string(i) + ")");
  }

  Result r;
  r.states = Trajectory(n);
  if (o.dense_output) r.sol = DenseSolution(n);
  r.t_events.resize(o.events.size());
  r.y_events.assign(o.events.size(), Trajectory(n));

  // Output sizes are known with t_eval: reserving avoids regrowing (and re-touching fresh
  // pages, which costs more than the integration on large t_eval). Streamed output keeps
  // one row.
  if (!o.on_output) {
    r.t.reserve(te.size());
    r.states.reserve(te.size());
  }
  // Hands the rows from `first` on to on_output, then keeps only the last of them.
  std::vector<double> last_row;
  auto stream = [&](std::size_t first) {
    if (!o.on_output) return;
    for (std::size_t i = first; i < r.t.size(); ++i) o.on_output(r.t[i], r.states[i]);
    if (r.t.size() <= 1) return;
    last_row.assign(r.states.back().begin(), r.states.back().end());
    const double t_last = r.t.back();
    r.t.assign(1, t_last);
    r.states.clear();
    r.states.push_back(last_row);
  };
  if (te.empty()) {
    r.t.push_back(t0);
    r.states.push_back(y0);
    stream(0);
  }
  if (t0 == tf) {
    for (double t : te) {
      r.t.push_back(t);
      r.states.push_back(y0);
      stream(r.t.size() - 1);
    }
    // SciPy's ConstantDenseOutput: the solution is y0 wherever it is asked for.
    if (o.dense_output) r.sol.append(DenseSolution::Kind::Taylor, t0, tf, y0);
    r.status = Status::Success;
    r.message = "The solver successfully reached the end of the integration interval.";
    r.methods.push_back({t0, o.method});
    return r;
  }

  // No variables: nothing to integrate; one step straight to tf, as SciPy's solvers take
  // (tf may be infinite).
  std::unique_ptr<detail::Stepper> stepper = n == 0 ? detail::make_constant(p, o.method) : make(p);

  std::vector<double> g(o.events.size()), ybuf(n);
  for (std::size_t k = 0; k < o.events.size(); ++k) g[k] = o.events[k].fn(t0, y0);
  struct Root {
    double t;
    std::size_t event;
  };
  std::vector<Root> roots;
  std::size_t te_i = 0;
  bool running = true;
  while (running) {
    if (o.max_steps > 0 && r.nsteps >= o.max_steps) {
      r.status = Status::Failed;
      r.message = "Reached max_steps = " + std::to_string(o.max_steps) + " before the end.";
      break;
    }
    if (!stepper->step()) {
      r.status = Status::Failed;
      r.message = stepper->message();
      break;
    }
    ++r.nsteps;
    if (o.on_step) o.on_step(stepper->t());
    double t = stepper->t();
    const double t_old = stepper->t_old();
    std::span<const double> y = stepper->y();
    if (t == tf) {
      r.status = Status::Success;
      r.message = "The solver successfully reached the end of the integration interval.";
      running = false;
    }
    if (o.dense_output) stepper->append_dense(r.sol);

    if (!o.events.empty()) {
      roots.clear();
      for (std::size_t k = 0; k < o.events.size(); ++k) {
        const double g_new = o.events[k].fn(t, y);
        if (crosses(g[k], g_new, o.events[k].direction)) {
          auto gk = [&](double s) {
            stepper->interpolate(s, ybuf);
            return o.events[k].fn(s, ybuf);
          };
          roots.push_back({detail::brent_root(gk, t_old, t, g[k], g_new), k});
        }
        g[k] = g_new;
      }
      if (!roots.empty()) {
        std::stable_sort(roots.begin(), roots.end(),
                         [&](const Root& a, const Root& b) { return direction * (a.t - b.t) < 0; });
        for (std::size_t i = 0; i < roots.size(); ++i) {
          stepper->interpolate(roots[i].t, ybuf);
          r.t_events[roots[i].event].push_back(roots[i].t);
          r.y_events[roots[i].event].push_back(ybuf);
          if (o.events[roots[i].event].terminal) {
            r.status = Status::Event;
            r.message = "A termination event occurred.";
            running = false;
            t = roots[i].t;
            y = ybuf;  // ybuf holds y(t) from the interpolation above
            break;
          }
        }
      }
    }

    const std::size_t stored = r.t.size();
    if (te.empty()) {
      r.t.push_back(t);
      r.states.push_back(y);
    } else {
      // The requested times the step passed (up to and including t), interpolated in one
      // call; a time equal to t gets the step's own state.
      std::size_t end = te_i;
      while (end < te.size() && direction * (te[end] - t) <= 0) ++end;
      if (end > te_i) {
        const std::span<const double> ts(te.data() + te_i, end - te_i);
        std::span<double> rows = r.states.append_rows(ts.size());
        stepper->interpolate_many(ts, rows);
        for (std::size_t k = 0; k < ts.size(); ++k)
          if (ts[k] == t) std::copy(y.begin(), y.end(), rows.begin() + k * n);
        r.t.insert(r.t.end(), ts.begin(), ts.end());
        te_i = end;
      }
    }
    stream(stored);
  }
  r.nfev = stepper->nfev();
  r.njev = stepper->njev();
  r.nlu = stepper->nlu();
  stepper->method_log(r.methods);
  return r;
}

}  // namespace soma::ode
