#pragma once
// ODE systems written in soma's equation language (soma::expr), e.g. Lorenz:
//
//   auto sys = soma::ode::compile_equations(
//       "dx/dt = sigma*(y-x); dy/dt = x*(rho-z)-y; dz/dt = x*y-beta*z",
//       {{"sigma", "10"}, {"rho", "28"}, {"beta", "8/3"}});
//   auto y0 = sys.initial_state({{"x", "1"}, {"y", "1"}, {"z", "1"}});
//   auto r = soma::ode::solve_ivp(sys.rhs, {0, 40}, y0);
//
// Units are optional (a line without ": unit" is dimensionless); where given they are
// checked, and values are in SI units. Parameter and initial values are constant
// expressions ("8/3", "-65*mV"). The right-hand sides compile once to an expr Program.
// Names and values come as braced lists, as above, or as a std::map<std::string,
// std::string> (StringMap converts from one).
#include <string>
#include <vector>

#include "soma/core/string_map.hpp"
#include "soma/expr/units.hpp"
#include "soma/ode/solve_ivp.hpp"

namespace soma::ode {

struct EquationSystem {
  std::vector<std::string> variables{};  // the state variables, in the order of the equations
  std::vector<expr::Dimension> units{};  // each one's declared unit (dimensionless if none)
  Rhs rhs{};                             // dy/dt for y in that order
  // Values for every variable from name -> constant expression; throws soma::Error naming
  // a missing or unknown variable, or a value whose units are not the variable's (as an
  // equation would: "v = 3*nS" for a volt variable, or "0" without units).
  std::vector<double> initial_state(const StringMap<std::string>& values) const;
};

// Throws soma::Error (with the equation, column and what was expected) for syntax errors,
// unit mismatches, unknown names, missing parameters and non-differential models.
EquationSystem compile_equations(const std::string& equations,
                                 const StringMap<std::string>& parameters = {});

}  // namespace soma::ode
