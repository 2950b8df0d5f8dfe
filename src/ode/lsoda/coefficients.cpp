#include "ode/lsoda/coefficients.hpp"

namespace soma::ode::detail::lsoda {
namespace {

// Adams-Moulton of order q: l(x) = sum_j el_j x^j with dl/dx = (x+1)(x+2)...(x+q-1)/(q-1)!
// and l(-1) = 0. p below holds the coefficients of (x+1)...(x+q-1), built one factor at a
// time; the integrals of p and x p over [-1, 0] give el_0 and the error constant.
MethodCoefficients make_adams() {
  MethodCoefficients c;
  c.max_order = kMaxAdamsOrder;
  c.el[1][0] = 1;
  c.el[1][1] = 1;
  c.test[1][1] = 0;
  c.test[1][2] = 2;
  c.test[2][1] = 1;
  c.test[kMaxAdamsOrder][3] = 0;
  std::array<double, 13> p{};
  p[0] = 1;
  double inv_factorial = 1;  // 1/(q-1)! for the order q being built
  for (int q = 2; q <= kMaxAdamsOrder; ++q) {
    const double inv_factorial_prev = inv_factorial;
    inv_factorial /= q;
    // p(x) <- p(x) * (x + q - 1)
    p[q - 1] = 0;
    for (int i = q - 1; i >= 1; --i) p[i] = p[i - 1] + (q - 1) * p[i];
    p[0] *= q - 1;
    // Integrals over [-1, 0] of p(x) and x p(x).
    double integral = p[0], x_integral = p[0] / 2, sign = 1;
    for (int i = 1; i < q; ++i) {
      sign = -sign;
      integral += sign * p[i] / (i + 1);
      x_integral += sign * p[i] / (i + 2);
    }
    c.el[q][0] = integral * inv_factorial_prev;
    c.el[q][1] = 1;
    for (int i = 1; i < q; ++i) c.el[q][i + 1] = inv_factorial_prev * p[i] / (i + 1);
    const double inv_error_constant = 1 / (inv_factorial * x_integral);
    c.test[q][2] = inv_error_constant;
    if (q < kMaxAdamsOrder) c.test[q + 1][1] = inv_error_constant * inv_factorial / (q + 1);
    c.test[q - 1][3] = inv_error_constant;
  }
  return c;
}

// BDF of order q: l(x) = (x+1)(x+2)...(x+q) / (q! (1 + 1/2 + ... + 1/q)), normalised so that
// el_1 = 1.
MethodCoefficients make_bdf() {
  MethodCoefficients c;
  c.max_order = kMaxBdfOrder;
  std::array<double, 13> p{};
  p[0] = 1;
  double inv_factorial = 1;  // 1/(q-1)!
  for (int q = 1; q <= kMaxBdfOrder; ++q) {
    // p(x) <- p(x) * (x + q)
    p[q] = 0;
    for (int i = q; i >= 1; --i) p[i] = p[i - 1] + q * p[i];
    p[0] *= q;
    for (int i = 0; i <= q; ++i) c.el[q][i] = p[i] / p[1];
    c.el[q][1] = 1;
    c.test[q][1] = inv_factorial;
    c.test[q][2] = (q + 1) / c.el[q][0];
    c.test[q][3] = (q + 2) / c.el[q][0];
    inv_factorial /= q;
  }
  return c;
}

}  // namespace

const MethodCoefficients& adams_coefficients() {
  static const MethodCoefficients c = make_adams();
  return c;
}

const MethodCoefficients& bdf_coefficients() {
  static const MethodCoefficients c = make_bdf();
  return c;
}

}  // namespace soma::ode::detail::lsoda
