#pragma once
// Ordinary least squares: the coefficients minimising ||y - X w - b||², solved by a
// Householder QR of [X, 1] (never the normal equations, which square the condition
// number), as numpy.linalg.lstsq gives for full-rank X.
//
//   auto fit = classic::ols(x, y);   // x [N, D], y [N]
//   fit.coef[0], fit.intercept
#include <vector>

#include "soma/tensor/tensor.hpp"

namespace soma::classic {

struct OlsResult {
  std::vector<double> coef{};  // one per column of x
  double intercept = 0.0;      // 0 when fitted without one
};

// x: [N, D] numeric, y: [N] (or [N, 1]); N > D (+1 with the intercept). A rank-deficient
// design (a constant or repeated column) throws soma::Error.
OlsResult ols(const Tensor& x, const Tensor& y, bool fit_intercept = true);

}  // namespace soma::classic
