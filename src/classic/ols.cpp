#include "soma/classic/ols.hpp"

#include "common.hpp"

namespace soma::classic {

OlsResult ols(const Tensor& x, const Tensor& y, bool fit_intercept) {
  detail::Matrix a = detail::to_matrix(x, "ols: x");
  std::vector<double> b = detail::to_targets(y, a.rows, "ols: y");
  if (fit_intercept) {  // append a column of ones for the intercept
    detail::Matrix ext{a.rows, a.cols + 1, {}};
    ext.v.reserve(size_t(ext.rows * ext.cols));
    for (int64_t r = 0; r < a.rows; ++r) {
      for (int64_t c = 0; c < a.cols; ++c) ext.v.push_back(a(r, c));
      ext.v.push_back(1.0);
    }
    a = std::move(ext);
  }
  std::vector<double> z = detail::lstsq(std::move(a), std::move(b), "ols");
  OlsResult result;
  if (fit_intercept) {
    result.intercept = z.back();
    z.pop_back();
  }
  result.coef = std::move(z);
  return result;
}

}  // namespace soma::classic
