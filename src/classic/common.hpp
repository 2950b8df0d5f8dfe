#pragma once
// Shared by the classic models: reading tensors into row-major doubles with the
// checks every fit needs, and the two small dense solves they use.
#include <cstdint>
#include <string>
#include <vector>

#include "soma/tensor/tensor.hpp"

namespace soma::classic::detail {

struct Matrix {
  int64_t rows = 0, cols = 0;
  std::vector<double> v;  // row-major
  double operator()(int64_t r, int64_t c) const { return v[size_t(r * cols + c)]; }
};

// x must be 2-d, numeric, non-empty and finite; `what` names it in errors.
Matrix to_matrix(const Tensor& x, const std::string& what);
// y must be [rows] or [rows, 1], numeric and finite.
std::vector<double> to_targets(const Tensor& y, int64_t rows, const std::string& what);
// y must be [rows] integer labels in [0, num_classes).
std::vector<int64_t> to_labels(const Tensor& y, int64_t rows, int64_t num_classes,
                               const std::string& what);

// Least squares min ||a z - b|| for a [m, n], m >= n, by Householder QR; throws
// soma::Error (with `what`) when a is rank-deficient.
std::vector<double> lstsq(Matrix a, std::vector<double> b, const std::string& what);
// Solves h z = g for symmetric positive definite h [n, n] by Cholesky.
std::vector<double> cholesky_solve(std::vector<double> h, std::vector<double> g, int64_t n,
                                   const std::string& what);

}  // namespace soma::classic::detail
