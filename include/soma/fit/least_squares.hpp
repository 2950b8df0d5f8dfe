#pragma once
// The numerical core of soma::fit: nonlinear least squares min_p 0.5*||r(p)||^2
// over a residual vector r (m values) of n parameters.
//
// - Unbounded problems use Levenberg-Marquardt as MINPACK's lmder does it
//   (More 1978): QR with column pivoting, a trust region in variables scaled by
//   the Jacobian's column norms, the Levenberg parameter found by lmpar. It is
//   what scipy.optimize.curve_fit(method="lm") runs. For many residuals and
//   few parameters (m >= 4n) with a problem that provides evaluate_normal, the
//   R factor comes from the pivoted Cholesky of J^T J accumulated in the same
//   pass as the model instead (J is never stored; same iteration otherwise);
//   the run switches to the QR of J for good as soon as J^T J is too
//   ill-conditioned to factor accurately (see lm.cpp).
// - Bounded problems use a trust-region reflective method (Branch, Coleman & Li
//   1999) as scipy.optimize.least_squares(method="trf") does it: Coleman-Li
//   scaling, reflections off the bounds, iterates kept strictly feasible.
// Every result carries a Status that says how the run stopped; `converged` is
// false whenever the answer should not be trusted (evaluation budget spent,
// non-finite values, or parameters the data do not determine).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace soma::fit {

// What a solver needs: residuals r(p) and optionally their Jacobian dr/dp.
class Residuals {
 public:
  virtual ~Residuals() = default;
  virtual size_t size() const = 0;  // m, the number of residuals
  // Writes r(p) into r (m values). When jac is non-empty, also writes the m x n
  // Jacobian there, column-major: jac[i + k*m] = d r_i / d p_k.
  virtual void evaluate(std::span<const double> p, std::span<double> r, std::span<double> jac) = 0;
  // True when the Jacobian costs little more than the residuals (automatic
  // differentiation): the solver then asks for both at every trial point.
  virtual bool jacobian_with_residuals() const { return false; }
  // Optional fused form for many residuals and few parameters: at p, writes
  // ssr = r^T r, jtj = J^T J (n x n, column-major) and jtr = J^T r in one pass
  // without storing r or J. Returns false when the problem has none; solvers
  // then use evaluate() (they also do when J^T J is too ill-conditioned to
  // solve with, see lm.cpp).
  virtual bool evaluate_normal(std::span<const double> /*p*/, double& /*ssr*/,
                               std::span<double> /*jtj*/, std::span<double> /*jtr*/) {
    return false;
  }
  // Optional extended-precision evaluation for the final polish; returns false
  // when the problem has none.
  virtual bool evaluate_extended(std::span<const long double> /*p*/, std::span<long double> /*r*/,
                                 std::span<long double> /*jac*/) {
    return false;
  }
};

enum class Method { automatic, lm, trf };  // automatic: lm without bounds, trf with

// How a run stopped. The first four are convergence; the rest are not.
enum class Status {
  ftol,                 // relative reduction of the SSR below ftol
  xtol,                 // relative step below xtol
  ftol_and_xtol,        // both
  gtol,                 // gradient (cosine of residual and Jacobian columns) below gtol
  max_evaluations,      // the evaluation budget (max_nfev) ran out before convergence
  tolerance_too_small,  // no further progress possible at machine precision
  non_finite,           // the model returned NaN/inf at the starting point
  degenerate,           // stopped where the Jacobian is rank-deficient: the data do
                        // not determine some parameter (it ran off to where the model
                        // does not depend on it); the values are not a fit
};

// True for ftol, xtol, ftol_and_xtol and gtol.
bool converged(Status s);
// A plain sentence for the status ("the fit did not converge: ...").
std::string describe(Status s);
// The identifier above as text ("max_evaluations").
std::string to_string(Status s);

struct Options {
  Method method = Method::automatic;
  // Bounds per parameter (empty: unbounded; use +-infinity for a free side).
  std::vector<double> lower = {}, upper = {};
  double ftol = 1.49012e-8;  // SciPy's defaults
  double xtol = 1.49012e-8;
  double gtol = 0.0;      // lm: 0 as SciPy's leastsq; trf: 0 means SciPy's 1e-8
  int max_nfev = 0;       // 0: 100*(n+1) for lm, 100*n for trf, as SciPy with a Jacobian
  double factor = 100.0;  // lm: initial step bound, factor*||D p0||
  // After convergence, Gauss-Newton steps in long double (when the problem
  // provides evaluate_extended), and SSR/covariance from long double residuals.
  // For reference-grade accuracy (NIST StRD); costs a few extended evaluations.
  bool polish = false;
};

struct Result {
  std::vector<double> x{};            // parameters at the end
  std::vector<double> jtj_inverse{};  // n x n row-major inverse of J^T J (pseudo-inverse
                                      // when rank-deficient, see rank)
  double ssr = 0.0;                   // sum of squared residuals at x
  int nfev = 0;                       // residual evaluations
  int njev = 0;                       // Jacobian evaluations
  int iterations = 0;                 // accepted steps
  int rank = 0;                       // numerical rank of the final Jacobian
  Status status = Status::max_evaluations;
  bool converged = false;
  std::string message{};
};

// Solves from p0. Throws soma::Error on inconsistent input (m < 1, wrong bound
// sizes, p0 outside the bounds, non-positive tolerances...).
Result least_squares(Residuals& problem, std::span<const double> p0, const Options& options = {});

}  // namespace soma::fit
