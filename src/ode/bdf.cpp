// Picks the BDF engine by the size of the system (see bdf.hpp).
#include "ode/bdf.hpp"

namespace soma::ode::detail {

std::unique_ptr<BdfStepper> make_bdf_stepper(const Problem& p) {
  if (p.y0.size() <= kNdfMaxDim) return make_ndf_bdf_stepper(p);
  return make_cvode_bdf_stepper(p);
}
std::unique_ptr<Stepper> make_bdf(const Problem& p) { return make_bdf_stepper(p); }

}  // namespace soma::ode::detail
