#pragma once
// solve_ivp and odeint in SciPy's shape.
//
//   auto lorenz = [](double, std::span<const double> y, std::span<double> dy) {
//     dy[0] = 10 * (y[1] - y[0]);
//     dy[1] = y[0] * (28 - y[2]) - y[1];
//     dy[2] = y[0] * y[1] - 8.0 / 3 * y[2];
//   };
//   auto r = soma::ode::solve_ivp(lorenz, {0, 40}, {1, 1, 1},
//                                 {.method = soma::ode::Method::RK45, .rtol = 1e-6, .atol = 1e-9});
//   r.t.back(), r.states.back()[0] (== r.y(0).back()), r.nfev, r.status
//
// Step-size control, the RMS error norm and the initial step follow SciPy's
// scipy.integrate._ivp (rk.py, bdf.py, radau.py, common.py) so that step counts are comparable.
// For RK45 and DOP853 with f inlined (about 1.5x faster on small systems) see
// soma/ode/inline.hpp (solve_ivp_inline, odeint_inline), included on its own.
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/core/std_function.hpp"
#include "soma/ode/dense_output.hpp"
#include "soma/ode/trajectory.hpp"

namespace soma::ode {

// dy/dt = f(t, y), written into dydt (which has y's size); must not allocate to be fast.
using Rhs = std::function<void(double t, std::span<const double> y, std::span<double> dydt)>;
// The Jacobian df/dy at (t, y), written row-major: jac[i * n + j] = d f_i / d y_j.
using Jacobian = std::function<void(double t, std::span<const double> y, std::span<double> jac)>;

enum class Method {
  Euler,   // forward Euler, fixed step (first_step, else max_step)
  RK4,     // classical 4th-order Runge-Kutta, fixed step
  RK23,    // Bogacki-Shampine 3(2), adaptive
  RK45,    // Dormand-Prince 5(4), adaptive (default)
  DOP853,  // Hairer's 8(5,3), adaptive
  BDF,     // variable-order BDF 1-5, Newton with dense LU, for stiff problems: SciPy's BDF
           // (NDF) for up to 16 variables, SUNDIALS CVODE for more
  LSODA,   // automatic: ODEPACK's LSODA (Hindmarsh & Petzold), variable-order Adams-Moulton
           // (orders 1-12) while non-stiff, BDF (orders 1-5) while stiff, switching both
           // ways; SciPy's solve_ivp(method='LSODA') and odeint run the same algorithm
  Adams,   // LSODA's variable-order Adams-Moulton alone (no switch to BDF): non-stiff problems
  Radau,   // implicit Runge-Kutta Radau IIA of order 5 (Hairer's RADAU5, as SciPy's Radau):
           // stiff problems at tight tolerances; Newton with real and complex dense LUs
};

// What ended the integration; the values are SciPy's.
enum class Status : int {
  Failed = -1,  // a step failed (step size below machine resolution, or the BDF solver gave up)
  Success = 0,  // reached the end of t_span
  Event = 1,    // a terminal event occurred
};

// An event is a zero of fn(t, y). direction > 0 counts only crossings from negative to
// positive, < 0 only positive to negative, 0 both. A terminal event stops the integration
// at the event's time (the last point of t and y is then the event).
struct Event {
  std::function<double(double t, std::span<const double> y)> fn{};
  bool terminal = false;
  int direction = 0;
};

struct Options {
  Method method = Method::RK45;
  double rtol = 1e-3;
  double atol = 1e-6;
  // Per-component absolute tolerances; when non-empty it replaces atol.
  std::vector<double> atol_vector = {};
  double max_step = std::numeric_limits<double>::infinity();
  // 0: chosen by the solver (SciPy's select_initial_step); the step size of Euler and RK4.
  double first_step = 0;
  // Times at which to store the solution (inside t_span, in the direction of integration);
  // empty: every step the solver takes.
  std::vector<double> t_eval = {};
  bool dense_output = false;
  std::vector<Event> events = {};
  // For BDF, LSODA and Radau; empty: finite differences.
  Jacobian jac = {};
  // Gives up (status Failed) after this many steps; 0 means no limit.
  std::int64_t max_steps = 0;
  // Called after every step with the time reached (for progress bars); may be empty.
  std::function<void(double t)> on_step = {};
  // Where set, receives every output point (t, y) as soon as it is computed, and the
  // result's t and y keep only the latest: the trajectory is streamed (to a file, say)
  // instead of held, so its length is bounded by max_steps and disk, not memory.
  std::function<void(double t, std::span<const double> y)> on_output = {};
};

// When the automatic method (LSODA) switched: from time t on it used `method` (Adams or
// BDF; the first record is the start, where LSODA always runs Adams).
struct MethodSwitch {
  double t{};
  Method method{};
};

// Which method took the step that reached time t: ODEPACK's method indicator (SciPy's
// odeint infodict 'mused', Adams or BDF) at an output time, from the switches recorded in
// Result::methods or OdeintInfo::methods. A switch at exactly t applies from the next step
// on; at t0 it is the first method. Throws soma::Error when nothing was recorded.
inline Method method_at(const std::vector<MethodSwitch>& methods, double t) {
  if (methods.empty()) throw Error("ode::method_at: no method switches recorded");
  const double direction = methods.size() > 1 && methods[1].t < methods[0].t ? -1.0 : 1.0;
  Method m = methods.front().method;
  for (const MethodSwitch& s : methods) {
    if (!(direction * (s.t - t) < 0)) break;
    m = s.method;
  }
  return m;
}

// Two views of the solution, so that neither reads as the other:
//   states[i]  the state at t[i] (row per time: states(i, j) is component j at t[i]);
//   y(j)       component j at every time in t, SciPy's sol.y[j] (component-major);
//   y()        all of them, y()[j][i] == states(i, j) == SciPy's sol.y[j, i].
// SciPy's sol.y is component-major; a Trajectory named y was row per time, so the field is
// named states and y is SciPy's layout (code written against the old y does not compile).
struct Result {
  std::vector<double> t{};  // times of the stored solution
  Trajectory states{};      // states[i] is the state at t[i]
  std::int64_t nfev = 0;    // right-hand side evaluations (finite-difference Jacobians included)
  std::int64_t njev = 0;    // Jacobian evaluations
  std::int64_t nlu = 0;     // LU decompositions
  std::int64_t nsteps = 0;
  Status status = Status::Failed;
  std::string message{};
  DenseSolution sol{};                          // empty unless dense_output
  std::vector<std::vector<double>> t_events{};  // per event, the times it occurred
  std::vector<Trajectory> y_events{};           // per event, the states at those times
  std::vector<MethodSwitch> methods{};          // which method ran from when (every method)
  bool success() const { return status != Status::Failed; }
  // Component j at every stored time (a copy), as SciPy's sol.y[j].
  std::vector<double> y(std::size_t j) const {
    if (j >= states.dim())
      throw Error("ode::Result::y: component " + std::to_string(j) + " of a " +
                  std::to_string(states.dim()) + "-variable solution (expected 0.." +
                  std::to_string(states.dim()) + " - 1)");
    return states.component(j);
  }
  // SciPy's sol.y: dim() rows (one per component) of t.size() values each.
  std::vector<std::vector<double>> y() const {
    std::vector<std::vector<double>> out(states.dim());
    for (std::size_t j = 0; j < out.size(); ++j) out[j] = states.component(j);
    return out;
  }
};

// The interval of integration, written {t0, tf}; tf < t0 integrates backwards. As in
// SciPy, tf may be +-infinity (the integration then ends at a terminal event, at
// max_steps or at a failed step), f is never evaluated outside [t0, tf], and t0 == tf
// returns y0 (its dense output is y0 everywhere).
struct TimeSpan {
  double t0{}, tf{};
};

// Integrates dy/dt = f(t, y) from t_span.t0 to t_span.tf starting at y0. An empty y0 is a
// system with nothing to integrate: t is {t0, tf} (or t_eval) and f is not called.
// Throws soma::Error on invalid options (tolerances, t_eval outside t_span, sizes).
Result solve_ivp(const Rhs& f, TimeSpan t_span, std::span<const double> y0,
                 const Options& options = {});
Result solve_ivp(const Rhs& f, TimeSpan t_span, std::initializer_list<double> y0,
                 const Options& options = {});

// odeint's counters, as SciPy's infodict: steps (nst), evaluations of f (nfe, finite-difference
// Jacobians included), Jacobian evaluations (nje), and LSODA's method switches.
struct OdeintInfo {
  std::int64_t nst = 0, nfe = 0, nje = 0;
  std::vector<MethodSwitch> methods{};
};

struct OdeintOptions {
  Method method = Method::LSODA;
  double rtol = 1.49012e-8;  // scipy.integrate.odeint's defaults
  double atol = 1.49012e-8;
  double max_step = std::numeric_limits<double>::infinity();
  double first_step = 0;
  Jacobian jac = {};
  // Where non-null, receives the work done (SciPy's odeint full_output infodict).
  OdeintInfo* info = nullptr;
};

// The solution at exactly the times t (monotonic; t[0] is the initial time, where the
// state is y0): row i of the result is y(t[i]). Throws soma::Error if integration fails.
// soma/ode/odeint.hpp (in soma/ode/ode.hpp) adds overloads for y0 as a braced list or an
// array and for f written state first (SciPy's order); soma/ode/inline.hpp's odeint_inline
// inlines f into the explicit methods' stages: same results, faster.
Trajectory odeint(const Rhs& f, std::span<const double> y0, std::span<const double> t,
                  const OdeintOptions& options = {});

const char* method_name(Method m);
// "RK45", "rk45", "LSODA", "auto" (= LSODA)...; throws soma::Error naming the choices.
Method parse_method(const std::string& name);

}  // namespace soma::ode
