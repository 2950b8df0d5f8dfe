#pragma once
// The adaptive explicit Runge-Kutta steppers (RK23, RK45, DOP853).
#include <memory>

#include "ode/stepper.hpp"

namespace soma::ode::detail {

class RkStepper : public Stepper {
 public:
  // With stiffness detection on (RK45 only): Hairer's test says the problem is stiff.
  virtual bool stiff() const = 0;
};

std::unique_ptr<RkStepper> make_explicit_rk(Method m, const Problem& p, bool detect_stiffness);

}  // namespace soma::ode::detail
