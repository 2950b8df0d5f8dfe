#pragma once
// Brent's root finder, as scipy.optimize.brentq (scipy/optimize/Zeros/brentq.c), which
// solve_ivp uses to locate events with xtol = rtol = 4 * machine epsilon.
#include <algorithm>
#include <cmath>
#include <limits>

namespace soma::ode::detail {

// A zero of g in [a, b], where g(a) = fa and g(b) = fb have opposite signs (or one is 0).
template <class G>
double brent_root(G&& g, double a, double b, double fa, double fb) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  const double xtol = 4 * eps, rtol = 4 * eps;
  double xpre = a, xcur = b, fpre = fa, fcur = fb;
  double xblk = 0, fblk = 0, spre = 0, scur = 0;
  if (fpre == 0) return xpre;
  if (fcur == 0) return xcur;
  for (int iter = 0; iter < 100; ++iter) {
    if (fpre != 0 && fcur != 0 && (std::signbit(fpre) != std::signbit(fcur))) {
      xblk = xpre;
      fblk = fpre;
      spre = scur = xcur - xpre;
    }
    if (std::fabs(fblk) < std::fabs(fcur)) {
      xpre = xcur;
      xcur = xblk;
      xblk = xpre;
      fpre = fcur;
      fcur = fblk;
      fblk = fpre;
    }
    const double delta = (xtol + rtol * std::fabs(xcur)) / 2;
    const double sbis = (xblk - xcur) / 2;
    if (fcur == 0 || std::fabs(sbis) < delta) return xcur;
    if (std::fabs(spre) > delta && std::fabs(fcur) < std::fabs(fpre)) {
      double stry;
      if (xpre == xblk) {
        stry = -fcur * (xcur - xpre) / (fcur - fpre);  // secant
      } else {                                         // inverse quadratic interpolation
        const double dpre = (fpre - fcur) / (xpre - xcur);
        const double dblk = (fblk - fcur) / (xblk - xcur);
        stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre));
      }
      if (2 * std::fabs(stry) < std::min(std::fabs(spre), 3 * std::fabs(sbis) - delta)) {
        spre = scur;
        scur = stry;
      } else {
        spre = scur = sbis;
      }
    } else {
      spre = scur = sbis;
    }
    xpre = xcur;
    fpre = fcur;
    xcur += std::fabs(scur) > delta ? scur : (sbis > 0 ? delta : -delta);
    fcur = g(xcur);
  }
  return xcur;
}

}  // namespace soma::ode::detail
