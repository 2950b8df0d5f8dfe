// The explicit Runge-Kutta steppers behind solve_ivp (the template is in
// soma/ode/detail/explicit_rk.hpp).
#include "ode/explicit_rk.hpp"

namespace soma::ode::detail {
namespace {

// Small systems (the common case: Lorenz, oscillators, a few species) get RK45 and DOP853
// steppers whose dimension is a constant: the component loops unroll and the buffers sit in
// the object, ~10% off a Lorenz step (the rest is the call of f through std::function,
// which the templates of soma/ode/inline.hpp remove).
template <class T>
std::unique_ptr<RkStepper> make_sized(Method m, const Problem& p, bool detect_stiffness) {
  switch (p.y0.size()) {
    case 1:
      return std::make_unique<ExplicitRk<T, 1>>(m, p, detect_stiffness);
    case 2:
      return std::make_unique<ExplicitRk<T, 2>>(m, p, detect_stiffness);
    case 3:
      return std::make_unique<ExplicitRk<T, 3>>(m, p, detect_stiffness);
    case 4:
      return std::make_unique<ExplicitRk<T, 4>>(m, p, detect_stiffness);
    default:
      return std::make_unique<ExplicitRk<T, 0>>(m, p, detect_stiffness);
  }
}
}  // namespace

std::unique_ptr<RkStepper> make_explicit_rk(Method m, const Problem& p, bool detect_stiffness) {
  if (p.make_rk && *p.make_rk)
    if (auto s = (*p.make_rk)(m, p, detect_stiffness)) return s;
  switch (m) {
    case Method::RK23:
      return std::make_unique<ExplicitRk<Rk23Tableau, 0>>(m, p, false);
    case Method::RK45:
      return make_sized<Rk45Tableau>(m, p, detect_stiffness);
    case Method::DOP853:
      return make_sized<Dop853Tableau>(m, p, detect_stiffness);
    default:
      return nullptr;
  }
}

}  // namespace soma::ode::detail
