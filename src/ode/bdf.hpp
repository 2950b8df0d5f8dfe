#pragma once
// The BDF stepper: SUNDIALS CVODE (variable-order, variable-step BDF of orders 1-5 with
// Newton iterations and a dense LU), driven one step at a time.
#include <memory>

#include "ode/stepper.hpp"

namespace soma::ode::detail {

class BdfStepper : public Stepper {
 public:
  // Restarts the integration at (t, y) (keeps the tolerances, Jacobian and counters).
  virtual void restart(double t, std::span<const double> y) = 0;
  // The size of the last step taken.
  virtual double last_step() const = 0;
};

std::unique_ptr<BdfStepper> make_bdf_stepper(const Problem& p);

}  // namespace soma::ode::detail
