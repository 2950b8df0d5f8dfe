#pragma once
// The coefficients of LSODA's two method families in Nordsieck form, as ODEPACK's cfode
// computes them (Hindmarsh, "ODEPACK, a systematized collection of ODE solvers", 1983):
// implicit Adams (Adams-Moulton) of orders 1-12 and BDF of orders 1-5.
//
// For order q the corrector updates the Nordsieck array z (z_j = h^j y^(j) / j!) by
// z_j += el[q][j] * e, j = 0..q, where e is the accumulated correction; el[q][1] = 1.
// test[q][k] are the error constants the step and order selection divides by: k = 1 for
// order q - 1, k = 2 for order q, k = 3 for order q + 1 (ODEPACK's tesco(k, q)).
#include <array>

namespace soma::ode::detail::lsoda {

inline constexpr int kMaxAdamsOrder = 12;
inline constexpr int kMaxBdfOrder = 5;

struct MethodCoefficients {
  // Indexed by order 1..12 (index 0 unused), then by j = 0..12.
  std::array<std::array<double, 13>, 13> el{};
  // Indexed by order 1..12 (index 0 unused), then k = 1..3 (index 0 unused).
  std::array<std::array<double, 4>, 13> test{};
  int max_order = 0;
};

// Computed once; the tables are shared by every integration.
const MethodCoefficients& adams_coefficients();
const MethodCoefficients& bdf_coefficients();

}  // namespace soma::ode::detail::lsoda
