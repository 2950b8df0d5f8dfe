#pragma once
// The adaptive explicit Runge-Kutta steppers (RK23, RK45, DOP853).
#include <memory>

#include "ode/stepper.hpp"
#include "soma/ode/detail/explicit_rk.hpp"

namespace soma::ode::detail {

// p.make_rk's stepper where it builds one (odeint's template: f inlined), else the
// library's.
std::unique_ptr<RkStepper> make_explicit_rk(Method m, const Problem& p, bool detect_stiffness);

}  // namespace soma::ode::detail
