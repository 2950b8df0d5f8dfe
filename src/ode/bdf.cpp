// Picks the BDF engine by the size of the system (see bdf.hpp).
#include "ode/bdf.hpp"

namespace soma::ode::detail {

std::unique_ptr<BdfStepper> make_bdf_stepper(const Problem& p) {
  // A complex system takes SciPy's BDF at any size: its norms are SciPy's over complex
  // components (Tolerances::complex_pairs), which CVODE's weighted norms are not.
  if (p.y0.size() <= kNdfMaxDim || p.tol.complex_pairs) return make_ndf_bdf_stepper(p);
  return make_cvode_bdf_stepper(p);
}
std::unique_ptr<Stepper> make_bdf(const Problem& p) { return make_bdf_stepper(p); }

}  // namespace soma::ode::detail
