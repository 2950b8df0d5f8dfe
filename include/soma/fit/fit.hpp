#pragma once
// soma::fit — curve fitting, the scipy.optimize.curve_fit way.
//
//   #include <soma/fit/fit.hpp>
//   namespace fit = soma::fit;
//
//   // 1. A C++ model, written once for any scalar type: exact Jacobians by
//   //    dual numbers (forward-mode automatic differentiation).
//   auto decay = []<class T>(double x, std::span<const T> p) -> T {
//     using std::exp;
//     return p[1] * exp(-x / p[0]);                      // p = (tau, init)
//   };
//   fit::CurveFitResult r = fit::curve_fit(decay, x, y, {1.0, 1.0});
//   if (!r.converged) std::cerr << r.message << "\n";   // never a silent non-answer
//   // r.popt, r.pcov (SciPy's scaling), r.perr(), r.ssr, r.nfev, r.status
//
//   // 2. The same model as an expression string; its Jacobian is derived
//   //    symbolically by soma::expr.
//   auto s = fit::curve_fit("init*exp(-x/tau)", x, y, {{"tau", 1.0}, {"init", 1.0}});
//
//   // 3. Bounds switch to a trust-region reflective method; sigma weights points.
//   auto b = fit::curve_fit(decay, x, y, {1.0, 1.0},
//                           {.sigma = sd, .lower = {0.0, 0.0}, .upper = {100.0, 1e4}});
//
//   // 4. SSR over a grid of one or two parameters (the others held fixed).
//   auto land = fit::ssr_landscape(decay, x, y, r.popt, {0, taus}, fit::GridAxis{1, inits});
//
// Headers: dual.hpp (Dual<N>), least_squares.hpp (solvers, Status, Residuals),
// curve_fit.hpp (callable models, ssr_landscape), expression_model.hpp (expression
// strings), nist.hpp (NIST StRD files, and nist::solve with their 27 models).
#include "soma/fit/curve_fit.hpp"
#include "soma/fit/dual.hpp"
#include "soma/fit/expression_model.hpp"
#include "soma/fit/least_squares.hpp"
#include "soma/fit/nist.hpp"
