#include "common.hpp"

#include <algorithm>
#include <cmath>

#include "soma/core/error.hpp"

namespace soma::classic::detail {

namespace {
std::string shape_str(const Tensor& t) {
  std::string s = "[";
  for (int d = 0; d < t.dim(); ++d) s += (d ? ", " : "") + std::to_string(t.size(d));
  return s + "]";
}
void check_numeric(const Tensor& t, const std::string& what) {
  if (!t.defined()) throw Error(what + ": tensor is undefined");
  if (t.dtype() == kBool) throw Error(what + ": expected a numeric tensor, got bool");
}
}  // namespace

Matrix to_matrix(const Tensor& x, const std::string& what) {
  check_numeric(x, what);
  if (x.dim() != 2 || x.size(0) < 1 || x.size(1) < 1)
    throw Error(what + ": expected a non-empty [N, D] tensor, got shape " + shape_str(x));
  Matrix m{x.size(0), x.size(1), x.to_vector<double>()};
  for (size_t i = 0; i < m.v.size(); ++i)
    if (!std::isfinite(m.v[i]))
      throw Error(what + ": row " + std::to_string(i / size_t(m.cols)) + ", column " +
                  std::to_string(i % size_t(m.cols)) + " is not finite");
  return m;
}

std::vector<double> to_targets(const Tensor& y, int64_t rows, const std::string& what) {
  check_numeric(y, what);
  const bool ok =
      (y.dim() == 1 && y.size(0) == rows) || (y.dim() == 2 && y.size(0) == rows && y.size(1) == 1);
  if (!ok)
    throw Error(what + ": expected shape [" + std::to_string(rows) + "] (one per row of x), got " +
                shape_str(y));
  auto v = y.to_vector<double>();
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) throw Error(what + ": entry " + std::to_string(i) + " is not finite");
  return v;
}

std::vector<int64_t> to_labels(const Tensor& y, int64_t rows, int64_t num_classes,
                               const std::string& what) {
  check_numeric(y, what);
  if (y.dtype() != kInt64) throw Error(what + ": expected int64 class labels");
  if (y.dim() != 1 || y.size(0) != rows)
    throw Error(what + ": expected shape [" + std::to_string(rows) + "] (one per row of x), got " +
                shape_str(y));
  auto v = y.to_vector<int64_t>();
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] < 0 || v[i] >= num_classes)
      throw Error(what + ": label " + std::to_string(v[i]) + " at position " + std::to_string(i) +
                  ", expected 0.." + std::to_string(num_classes - 1));
  return v;
}

std::vector<double> lstsq(Matrix a, std::vector<double> b, const std::string& what) {
  const int64_t m = a.rows, n = a.cols;
  if (m < n)
    throw Error(what + ": " + std::to_string(m) + " rows for " + std::to_string(n) +
                " unknowns, expected at least as many rows");
  auto at = [&](int64_t r, int64_t c) -> double& { return a.v[size_t(r * n + c)]; };
  double max_diag = 0.0;
  std::vector<double> diag(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    // Householder reflection zeroing column k below the diagonal.
    double norm = 0.0;
    for (int64_t r = k; r < m; ++r) norm = std::hypot(norm, at(r, k));
    const double alpha = at(k, k) > 0 ? -norm : norm;
    std::vector<double> u(static_cast<size_t>(m - k));
    for (int64_t r = k; r < m; ++r) u[size_t(r - k)] = at(r, k);
    u[0] -= alpha;
    double unorm2 = 0.0;
    for (double e : u) unorm2 += e * e;
    if (unorm2 > 0.0) {
      for (int64_t c = k; c < n; ++c) {
        double dot = 0.0;
        for (int64_t r = k; r < m; ++r) dot += u[size_t(r - k)] * at(r, c);
        const double f = 2.0 * dot / unorm2;
        for (int64_t r = k; r < m; ++r) at(r, c) -= f * u[size_t(r - k)];
      }
      double dot = 0.0;
      for (int64_t r = k; r < m; ++r) dot += u[size_t(r - k)] * b[size_t(r)];
      const double f = 2.0 * dot / unorm2;
      for (int64_t r = k; r < m; ++r) b[size_t(r)] -= f * u[size_t(r - k)];
    }
    diag[size_t(k)] = std::abs(at(k, k));
    max_diag = std::max(max_diag, diag[size_t(k)]);
  }
  // Rank check as numpy's lstsq (rcond = eps * max(m, n)) on R's diagonal.
  const double eps = 2.220446049250313e-16;
  for (int64_t k = 0; k < n; ++k)
    if (!(diag[size_t(k)] > eps * double(std::max(m, n)) * max_diag))
      throw Error(what + ": column " + std::to_string(k) +
                  " is a linear combination of the others (rank-deficient design)");
  std::vector<double> z(static_cast<size_t>(n));
  for (int64_t k = n - 1; k >= 0; --k) {
    double s = b[size_t(k)];
    for (int64_t c = k + 1; c < n; ++c) s -= at(k, c) * z[size_t(c)];
    z[size_t(k)] = s / at(k, k);
  }
  return z;
}

std::vector<double> cholesky_solve(std::vector<double> h, std::vector<double> g, int64_t n,
                                   const std::string& what) {
  auto at = [&](int64_t r, int64_t c) -> double& { return h[size_t(r * n + c)]; };
  for (int64_t j = 0; j < n; ++j) {
    double d = at(j, j);
    for (int64_t k = 0; k < j; ++k) d -= at(j, k) * at(j, k);
    if (!(d > 0.0)) throw Error(what + ": the Hessian is not positive definite");
    at(j, j) = std::sqrt(d);
    for (int64_t i = j + 1; i < n; ++i) {
      double s = at(i, j);
      for (int64_t k = 0; k < j; ++k) s -= at(i, k) * at(j, k);
      at(i, j) = s / at(j, j);
    }
  }
  for (int64_t i = 0; i < n; ++i) {  // L y = g
    for (int64_t k = 0; k < i; ++k) g[size_t(i)] -= at(i, k) * g[size_t(k)];
    g[size_t(i)] /= at(i, i);
  }
  for (int64_t i = n - 1; i >= 0; --i) {  // L^T z = y
    for (int64_t k = i + 1; k < n; ++k) g[size_t(i)] -= at(k, i) * g[size_t(k)];
    g[size_t(i)] /= at(i, i);
  }
  return g;
}

}  // namespace soma::classic::detail
