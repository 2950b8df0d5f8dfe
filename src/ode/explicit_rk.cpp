// The explicit Runge-Kutta steppers behind solve_ivp (the template is in
// soma/ode/detail/explicit_rk.hpp).
#include "ode/explicit_rk.hpp"
#include "ode/dop853_coefficients.hpp"

namespace soma::ode::detail {
namespace {

struct Dop853Tableau {
  static constexpr int n_stages = dop853::n_stages, order = 8, error_order = 7,
                       n_poly = dop853::interpolator_power,
                       n_stages_extended = dop853::n_stages_extended;
  static constexpr const auto& C = dop853::C;
  static constexpr const auto& A = dop853::A;
  static constexpr const auto& B = dop853::B;
  static constexpr const auto& E3 = dop853::E3;
  static constexpr const auto& E5 = dop853::E5;
  static constexpr const auto& D = dop853::D;
};

// Small systems (the common case: Lorenz, oscillators, a few species) get an RK45 stepper
// whose dimension is a constant: the component loops unroll and the buffers sit in the
// object, ~10% off a Lorenz step (the rest is the call of f through std::function, which
// solve_ivp_inline removes).
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
  switch (m) {
    case Method::RK23:
      return std::make_unique<ExplicitRk<Rk23Tableau, 0>>(m, p, false);
    case Method::RK45:
      return make_sized<Rk45Tableau>(m, p, detect_stiffness);
    case Method::DOP853:
      return std::make_unique<ExplicitRk<Dop853Tableau, 0>>(m, p, false);
    default:
      return nullptr;
  }
}

}  // namespace soma::ode::detail
