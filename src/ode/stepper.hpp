#pragma once
// The seam between solve_ivp's driver (output times, events, dense output) and the
// stepping methods. A Stepper advances one step at a time and can interpolate inside the
// step it just took, which is all the driver needs.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "soma/ode/solve_ivp.hpp"

namespace soma::ode::detail {

// Counts right-hand side evaluations; every method calls f through this.
struct CountedRhs {
  const Rhs* f;
  std::int64_t count = 0;
  void operator()(double t, std::span<const double> y, std::span<double> dy) {
    ++count;
    (*f)(t, y, dy);
  }
};

struct Tolerances {
  double rtol;
  std::vector<double> atol;  // one per component
};

class Stepper {
 public:
  virtual ~Stepper() = default;
  // One step towards t_bound. False on failure (message() says why).
  virtual bool step() = 0;
  // The state at t, where t lies within the last step [t_old(), t()].
  virtual void interpolate(double t, std::span<double> out) = 0;
  // Appends the last step's polynomial to a dense solution.
  virtual void append_dense(DenseSolution& sol) = 0;
  virtual Method method() const = 0;

  double t() const { return t_; }
  double t_old() const { return t_old_; }
  std::span<const double> y() const { return y_; }
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
  std::vector<double> y_;
  std::string message_;
};

// Problem and settings shared by every stepper.
struct Problem {
  const Rhs* f;
  double t0, t_bound;
  std::span<const double> y0;
  Tolerances tol;
  double max_step;
  double first_step;  // 0: automatic
  const Jacobian* jac;
};

std::unique_ptr<Stepper> make_fixed_step(Method m, const Problem& p);
std::unique_ptr<Stepper> make_bdf(const Problem& p);
std::unique_ptr<Stepper> make_lsoda(const Problem& p);

// SciPy's norm: the root mean square.
double rms_norm(std::span<const double> x);

// SciPy's select_initial_step (common.py) for a method whose error estimator has `order`.
double select_initial_step(CountedRhs& f, double t0, std::span<const double> y0,
                           std::span<const double> f0, double direction, int order,
                           const Tolerances& tol);

}  // namespace soma::ode::detail

#include "ode/brent.hpp"
