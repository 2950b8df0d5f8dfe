// least_squares: checks the input, runs LM or TRF, then judges the answer:
// covariance and numerical rank from the final Jacobian (as SciPy's curve_fit:
// pseudo-inverse through the SVD, singular values below eps*max(m,n)*s_max
// dropped), an optional Gauss-Newton polish in long double, and a status that
// does not call a rank-deficient stopping point a fit.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "fit/qr.hpp"
#include "fit/solvers.hpp"
#include "soma/core/error.hpp"
#include "soma/fit/least_squares.hpp"

namespace soma::fit {

bool converged(Status s) {
  return s == Status::ftol || s == Status::xtol || s == Status::ftol_and_xtol || s == Status::gtol;
}

std::string to_string(Status s) {
  switch (s) {
    case Status::ftol:
      return "ftol";
    case Status::xtol:
      return "xtol";
    case Status::ftol_and_xtol:
      return "ftol_and_xtol";
    case Status::gtol:
      return "gtol";
    case Status::max_evaluations:
      return "max_evaluations";
    case Status::tolerance_too_small:
      return "tolerance_too_small";
    case Status::non_finite:
      return "non_finite";
    case Status::degenerate:
      return "degenerate";
  }
  return "unknown";
}

std::string describe(Status s) {
  switch (s) {
    case Status::ftol:
      return "converged: the relative reduction of the sum of squares is below ftol";
    case Status::xtol:
      return "converged: the relative change of the parameters is below xtol";
    case Status::ftol_and_xtol:
      return "converged: both the sum of squares and the parameters changed less than ftol and "
             "xtol";
    case Status::gtol:
      return "converged: the gradient is below gtol";
    case Status::max_evaluations:
      return "did not converge: the evaluation budget (max_nfev) ran out; optimal parameters not "
             "found";
    case Status::tolerance_too_small:
      return "did not converge: no further progress is possible at machine precision and the "
             "tolerances are not met";
    case Status::non_finite:
      return "did not converge: the model or its Jacobian is not finite (NaN or inf)";
    case Status::degenerate:
      return "did not converge: stopped where the Jacobian is rank-deficient, so some parameter "
             "is not determined by the data (it drifted to where the model no longer depends "
             "on it); the values are not a fit";
  }
  return "unknown status";
}

namespace {

// rank and pinv(J^T J) (n x n row-major) from an m x n column-major Jacobian,
// or from any rows x n matrix F with F^T F = J^T J (m still sets SciPy's rank
// threshold, eps * max(m, n) * s_max).
template <class T>
int covariance(size_t m, size_t n, std::vector<T> jac, std::vector<double>& out, size_t rows = 0) {
  if (rows == 0) rows = m;
  std::vector<size_t> ipvt(n);
  std::vector<T> rdiag(n), acnorm(n), wa(n), r(n * n, T(0)), s(n), v(n * n);
  detail::qrfac(rows, n, jac.data(), rows, ipvt.data(), rdiag.data(), acnorm.data(), wa.data());
  const size_t k = std::min(rows, n);
  for (size_t j = 0; j < n; ++j)
    for (size_t i = 0; i < std::min(j + 1, k); ++i)
      r[i + j * n] = i == j ? rdiag[j] : jac[i + j * rows];
  detail::jacobi_svd(n, r.data(), s.data(), v.data());
  const T threshold = std::numeric_limits<double>::epsilon() * T(std::max(m, n)) * s[0];
  out.assign(n * n, 0.0);
  int rank = 0;
  for (size_t q = 0; q < n; ++q) {
    if (!(s[q] > threshold)) continue;
    ++rank;
    const T w = T(1) / (s[q] * s[q]);
    for (size_t a = 0; a < n; ++a)
      for (size_t b = 0; b < n; ++b)
        out[ipvt[a] * n + ipvt[b]] += static_cast<double>(v[a + q * n] * v[b + q * n] * w);
  }
  return rank;
}

// Gauss-Newton in long double from x: each step solves J d = -r by pivoted QR
// and is kept only if the long double SSR decreases. Returns false (x untouched)
// when the problem has no extended evaluation.
bool polish(Residuals& problem, std::vector<double>& x, double& ssr_out, std::vector<double>& cov,
            int& rank, int& nfev) {
  const size_t n = x.size(), m = problem.size();
  std::vector<long double> p(x.begin(), x.end()), r(m), jac(m * n), rt(m), pt(n);
  if (!problem.evaluate_extended(p, r, jac)) return false;
  ++nfev;
  auto ssr_of = [](const std::vector<long double>& v) {
    long double s = 0;
    for (long double e : v) s += e * e;
    return s;
  };
  long double ssr = ssr_of(r);
  if (!std::isfinite(static_cast<double>(ssr))) return false;
  std::vector<size_t> ipvt(n);
  std::vector<long double> rdiag(n), acnorm(n), wa(n), qtb(m), z(n), d(n);
  for (int it = 0; it < 8; ++it) {
    std::vector<long double> a = jac;
    detail::qrfac(m, n, a.data(), m, ipvt.data(), rdiag.data(), acnorm.data(), wa.data());
    for (size_t i = 0; i < m; ++i) qtb[i] = -r[i];
    detail::apply_qt(m, n, a.data(), m, qtb.data());
    // Back substitution, dropping directions the Jacobian does not determine.
    const long double tiny = std::numeric_limits<long double>::epsilon() * std::abs(rdiag[0]) *
                             static_cast<long double>(m);
    for (size_t j = n; j-- > 0;) {
      long double sum = qtb[j];
      for (size_t i = j + 1; i < n; ++i) sum -= a[j + i * m] * z[i];
      z[j] = std::abs(rdiag[j]) > tiny ? sum / rdiag[j] : 0.0L;
    }
    for (size_t j = 0; j < n; ++j) d[ipvt[j]] = z[j];
    for (size_t j = 0; j < n; ++j) pt[j] = p[j] + d[j];
    std::vector<long double> jt(m * n);
    if (!problem.evaluate_extended(pt, rt, jt)) break;
    ++nfev;
    const long double ssr_t = ssr_of(rt);
    if (!(ssr_t <= ssr)) break;
    bool moved = false;
    for (size_t j = 0; j < n; ++j) moved |= pt[j] != p[j];
    p = pt;
    r = rt;
    jac = jt;
    const bool small = ssr - ssr_t <= ssr * 1e-17L;
    ssr = ssr_t;
    if (!moved || small) break;
  }
  for (size_t j = 0; j < n; ++j) x[j] = static_cast<double>(p[j]);
  ssr_out = static_cast<double>(ssr);
  rank = covariance<long double>(m, n, jac, cov);
  return true;
}

}  // namespace

Result least_squares(Residuals& problem, std::span<const double> p0, const Options& o) {
  const size_t n = p0.size(), m = problem.size();
  if (n == 0) throw Error("least_squares: p0 is empty; expected at least one parameter");
  if (m == 0) throw Error("least_squares: no residuals; expected at least one data point");
  for (size_t j = 0; j < n; ++j)
    if (!std::isfinite(p0[j]))
      throw Error("least_squares: p0[" + std::to_string(j) + "] is not finite");
  if (!(o.ftol >= 0) || !(o.xtol >= 0) || !(o.gtol >= 0) || !(o.factor > 0) || o.max_nfev < 0)
    throw Error("least_squares: tolerances must be >= 0, factor > 0 and max_nfev >= 0");
  const bool bounded = !o.lower.empty() || !o.upper.empty();
  if (bounded) {
    if ((!o.lower.empty() && o.lower.size() != n) || (!o.upper.empty() && o.upper.size() != n))
      throw Error("least_squares: bounds have " + std::to_string(o.lower.size()) + " lower and " +
                  std::to_string(o.upper.size()) + " upper values; expected " + std::to_string(n) +
                  " each (one per parameter) or none");
    for (size_t j = 0; j < n; ++j) {
      const double lo = o.lower.empty() ? -INFINITY : o.lower[j];
      const double hi = o.upper.empty() ? INFINITY : o.upper[j];
      if (!(lo < hi))
        throw Error("least_squares: bound " + std::to_string(j) + ": lower " + std::to_string(lo) +
                    " must be below upper " + std::to_string(hi));
      if (p0[j] < lo || p0[j] > hi)
        throw Error("least_squares: p0[" + std::to_string(j) + "] = " + std::to_string(p0[j]) +
                    " is outside its bounds [" + std::to_string(lo) + ", " + std::to_string(hi) +
                    "]");
    }
  }
  Method method = o.method;
  if (method == Method::automatic) method = bounded ? Method::trf : Method::lm;
  if (method == Method::lm && bounded)
    throw Error("least_squares: method lm does not support bounds; use trf (or automatic)");
  if (method == Method::lm && m < n)
    throw Error("least_squares: " + std::to_string(m) + " residuals for " + std::to_string(n) +
                " parameters; lm needs at least as many residuals as parameters");

  detail::RawResult raw;
  if (method == Method::lm)
    raw = detail::levenberg_marquardt(problem, p0, o,
                                      o.max_nfev > 0 ? o.max_nfev : int(100 * (n + 1)));
  else
    raw =
        detail::trust_region_reflective(problem, p0, o, o.max_nfev > 0 ? o.max_nfev : int(100 * n));

  Result res;
  res.x = raw.x;
  res.status = raw.status;
  res.nfev = raw.nfev;
  res.njev = raw.njev;
  res.iterations = raw.iterations;
  double ssr = raw.ssr;
  if (!raw.r.empty()) {
    ssr = 0.0;
    for (double e : raw.r) ssr += e * e;
  }
  res.ssr = ssr;

  bool polished = false;
  if (o.polish && converged(raw.status))
    polished = polish(problem, res.x, res.ssr, res.jtj_inverse, res.rank, res.nfev);
  if (!polished && !raw.gram_factor.empty()) {
    res.rank = covariance<double>(m, n, raw.gram_factor, res.jtj_inverse, n);
  } else if (!polished && raw.status != Status::non_finite) {
    if (raw.jac.empty()) {
      raw.r.resize(m);
      raw.jac.resize(m * n);
      problem.evaluate(res.x, raw.r, raw.jac);
      ++res.njev;
    }
    bool finite = true;
    for (double v : raw.jac) finite &= std::isfinite(v);
    if (finite)
      res.rank = covariance<double>(m, n, raw.jac, res.jtj_inverse);
    else
      res.jtj_inverse.assign(n * n, INFINITY);
  }
  if (res.jtj_inverse.empty()) res.jtj_inverse.assign(n * n, INFINITY);
  if (converged(res.status) && res.rank < static_cast<int>(n)) res.status = Status::degenerate;
  res.converged = converged(res.status);
  res.message = describe(res.status);
  return res;
}

}  // namespace soma::fit
