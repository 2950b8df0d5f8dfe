#pragma once
// The stepper factories of solve_ivp's methods; the Stepper seam itself is in
// soma/ode/detail/stepper.hpp.
#include <memory>

#include "soma/ode/detail/stepper.hpp"

namespace soma::ode::detail {

std::unique_ptr<Stepper> make_fixed_step(Method m, const Problem& p);
std::unique_ptr<Stepper> make_bdf(const Problem& p);
// Radau IIA of order 5, SciPy's Radau (radau.cpp).
std::unique_ptr<Stepper> make_radau(const Problem& p);
// LSODA (src/ode/lsoda/): Adams and BDF with ODEPACK's switching; Adams alone when
// switching is false.
std::unique_ptr<Stepper> make_lsoda(const Problem& p, bool switching);
// A system with no variables: one step from t0 to t_bound (constant_step.cpp); reports m.
std::unique_ptr<Stepper> make_constant(const Problem& p, Method m);
// solve_ivp's checks of f, t_span, y0, tolerances and step options (throws soma::Error);
// the problem refers to f, y0 and o.jac.
Problem checked_problem(const Rhs& f, TimeSpan t_span, std::span<const double> y0,
                        const Options& o);

}  // namespace soma::ode::detail

#include "ode/brent.hpp"
