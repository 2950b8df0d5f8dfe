#pragma once
// The BDF steppers (variable order 1-5, Newton iterations with a dense LU), driven one step
// at a time: SciPy's NDF formulation for small systems, SUNDIALS CVODE for larger ones.
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

// Systems up to this size get SciPy's BDF (NDF) with its own small dense LU (bdf_ndf.cpp);
// larger ones SUNDIALS CVODE (bdf_cvode.cpp), whose per-step overhead is then small beside
// the linear algebra and whose Jacobian and LU reuse pays off.
inline constexpr std::size_t kNdfMaxDim = 16;

std::unique_ptr<BdfStepper> make_bdf_stepper(const Problem& p);
std::unique_ptr<BdfStepper> make_ndf_bdf_stepper(const Problem& p);
std::unique_ptr<BdfStepper> make_cvode_bdf_stepper(const Problem& p);

}  // namespace soma::ode::detail
