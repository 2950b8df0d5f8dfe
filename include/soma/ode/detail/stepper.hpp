#pragma once
// Internals of solve_ivp: the seam between its driver (output times, events, dense output)
// and the stepping methods. A Stepper advances one step at a time and can interpolate
// inside the step it just took, which is all the driver needs. Public only so that
// solve_ivp_inline and odeint_inline (soma/ode/inline.hpp) can build a stepper around a
// callable the compiler inlines; not an API of its own.
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "soma/core/std_function.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/ode/solve_ivp.hpp"

namespace soma::ode::detail {

// Counts right-hand side evaluations; every method calls f through this (or CountedFn).
struct CountedRhs {
  const Rhs* f{};
  std::int64_t count = 0;
  void operator()(double t, std::span<const double> y, std::span<double> dy) {
    ++count;
    (*f)(t, y, dy);
  }
};

// The same for a callable held by value, whose call the compiler can inline.
template <class F>
struct CountedFn {
  F f{};
  std::int64_t count = 0;
  void operator()(double t, std::span<const double> y, std::span<double> dy) {
    ++count;
    f(t, y, dy);
  }
};

struct Tolerances {
  double rtol{};
  std::vector<double> atol{};  // one per component
  // A complex system solved as real pairs (soma/ode/complex.hpp): y[2k], y[2k + 1] are the
  // real and imaginary parts of component k, and atol[2k] == atol[2k + 1]. Scales then use
  // the modulus |y_k| for both parts and norms average over the complex components: SciPy's
  // norms of a complex y (np.abs, and np.linalg.norm / sqrt(y.size)).
  bool complex_pairs = false;
  // The number of components a norm averages over, for a state of n reals.
  double norm_count(std::size_t n) const { return static_cast<double>(complex_pairs ? n / 2 : n); }
  // |y_i|: for complex pairs, the modulus of the component that y_i is a part of (std::hypot,
  // as NumPy's abs of a complex value).
  double magnitude(std::span<const double> y, std::size_t i) const {
    if (!complex_pairs) return std::fabs(y[i]);
    const std::size_t k = i & ~std::size_t{1};
    return std::hypot(y[k], y[k + 1]);
  }
};

class Stepper {
 public:
  virtual ~Stepper() = default;
  // One step towards t_bound. False on failure (message() says why).
  virtual bool step() = 0;
  // The state at t, where t lies within the last step [t_old(), t()].
  virtual void interpolate(double t, std::span<double> out) = 0;
  // The states at the times ts (each within the last step), one row of y().size() values
  // after another into out: one call per step for all the output times it passed.
  virtual void interpolate_many(std::span<const double> ts, std::span<double> out) {
    const std::size_t n = y_.size();
    for (std::size_t k = 0; k < ts.size(); ++k) interpolate(ts[k], out.subspan(k * n, n));
  }
  // Appends the last step's polynomial to a dense solution.
  virtual void append_dense(DenseSolution& sol) = 0;
  virtual Method method() const = 0;

  double t() const { return t_; }
  double t_old() const { return t_old_; }
  // The state at t().
  virtual std::span<const double> y() const { return y_; }
  const std::string& message() const { return message_; }
  virtual std::int64_t nfev() const = 0;
  virtual std::int64_t njev() const { return 0; }
  virtual std::int64_t nlu() const { return 0; }
  // Methods the automatic solver used, with the times it switched.
  virtual void method_log(std::vector<MethodSwitch>& out) const {
    out.push_back({t_start_, method()});
  }

 protected:
  double t_ = 0, t_old_ = 0, t_start_ = 0;
  std::vector<double> y_{};
  std::string message_{};
};

// An adaptive explicit Runge-Kutta stepper (RK23, RK45, DOP853).
class RkStepper : public Stepper {
 public:
  // With stiffness detection on: Hairer's test says the problem is stiff (not virtual: the
  // automatic method asks after every step).
  bool stiff() const { return stiff_count_ >= 15; }
  // h |lambda| at the edge of the method's stability region on the negative real axis.
  virtual double stability_bound() const = 0;

 protected:
  int stiff_count_ = 0, calm_count_ = 0;  // Hairer's counters (see ExplicitRk)
};

struct Problem;
// Builds the explicit Runge-Kutta stepper of method m (RK45 or DOP853; nullptr for others),
// with Hairer's stiffness test on if detect_stiffness. odeint_inline passes one that
// inlines the user's f; without one the library's steppers (f through std::function) run.
using RkFactory =
    std::function<std::unique_ptr<RkStepper>(Method m, const Problem& p, bool detect_stiffness)>;

// Problem and settings shared by every stepper.
struct Problem {
  const Rhs* f{};
  double t0{}, t_bound{};
  std::span<const double> y0{};
  Tolerances tol{};
  double max_step{};
  double first_step{};  // 0: automatic
  const Jacobian* jac{};
  const RkFactory* make_rk = nullptr;  // see RkFactory
  // LSODA: the output time its first step aims at, which bounds and scales the initial step
  // (ODEPACK's first call with tout; odeint: t[1]). NaN: t_bound.
  double first_output = std::numeric_limits<double>::quiet_NaN();
};

// The stepper of method m for p (its explicit Runge-Kutta steppers from p.make_rk where
// given).
std::unique_ptr<Stepper> make_stepper(Method m, const Problem& p);

// SciPy's norm: the root mean square (over complex components for complex pairs).
double rms_norm(std::span<const double> x, bool complex_pairs = false);

// SciPy's select_initial_step (common.py) for a method whose error estimator has `order`:
// at most max_step and |t_bound - t0|, and f is evaluated only inside [t0, t_bound].
double select_initial_step(CountedRhs& f, double t0, double t_bound, double max_step,
                           std::span<const double> y0, std::span<const double> f0, double direction,
                           int order, const Tolerances& tol);

// solve_ivp's driver (checks, output times, events, dense output) around the stepper that
// `make` builds for the validated problem.
using StepperFactory = std::function<std::unique_ptr<Stepper>(const Problem&)>;
Result solve_ivp_with(const Rhs& f, TimeSpan t_span, std::span<const double> y0,
                      const Options& options, const StepperFactory& make);

// odeint (soma/ode/solve_ivp.hpp) with the explicit Runge-Kutta steppers from make_rk
// (nullptr: the library's).
Trajectory odeint_with(const Rhs& f, std::span<const double> y0, std::span<const double> t,
                       const OdeintOptions& options, const RkFactory* make_rk);

}  // namespace soma::ode::detail
