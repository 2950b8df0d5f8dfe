#pragma once
// Symbolic algebra on expression trees: derivatives (for fit's Jacobians),
// simplification, substitution, and the structural analyses integrators need
// (linearity in a variable for exponential Euler, the drift/diffusion split of
// a stochastic equation).
//
//   Expr model = parse_expression("init*exp(-x/tau)");
//   Expr d_tau = differentiate(model, "tau");    // init*exp(-x/tau)*(x/tau**2), simplified
//   auto [a, b] = linear_coefficients(parse_expression("-(v - vl)/tau + I/c"), "v");
//   // a == -1/tau (as an Expr), b == vl/tau + I/c  so that dv/dt = a*v + b
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "soma/expr/ast.hpp"

namespace soma::expr {

// d e / d variable. Every other symbol is a constant. Supports all operators and
// the smooth functions; abs -> sign(x), clip -> derivative where inside the
// bounds, int/floor/ceil/sign/comparisons -> 0; rand()/randn() are constants.
// The result is simplified.
Expr differentiate(const Expr& e, const std::string& variable);

// Folds numbers and removes trivial terms: 0+x, x*1, x*0, x**1, x**0, --x, 0/x...
// Never changes a value where it is defined (x*0 -> 0 is taken as Brian2/SymPy do).
Expr simplify(const Expr& e);

// Replaces symbols by expressions (all at once, not recursively).
Expr substitute(const Expr& e, const std::map<std::string, Expr>& replacements);

// dx/dt = a*x + b with a and b independent of x. Throws soma::Error naming the
// variable when `e` is not linear in it (e.g. contains v**2 or exp(v)).
struct LinearCoefficients {
  Expr a{};  // coefficient of the variable (0 when e does not depend on it)
  Expr b{};  // the remainder
};
LinearCoefficients linear_coefficients(const Expr& e, const std::string& variable);
// The same test without throwing.
bool is_linear_in(const Expr& e, const std::string& variable);

// Brian2's split of a stochastic right-hand side: e = drift + sum_k g_k * xi_k.
// Throws soma::Error if a noise symbol occurs non-linearly (xi**2, exp(xi), xi*xi_2).
struct StochasticSplit {
  Expr drift{};                                       // f: e with every xi set to 0
  std::vector<std::pair<std::string, Expr>> noise{};  // (noise symbol, g), in name order
};
StochasticSplit split_stochastic(const Expr& e);

}  // namespace soma::expr
