// BDF for small systems: a port of SciPy's scipy.integrate._ivp.bdf (variable order 1-5,
// quasi-constant step size, the numerical differentiation formulas NDF of Shampine and
// Reichelt, "The MATLAB ODE Suite", 1997), over buffers sized once, with a dense LU of its
// own. CVODE's generality (N_Vectors, linear-solver objects, its own counters and checks)
// costs about a microsecond per step, more than the whole step of a 3-variable system; this
// stepper takes SciPy's steps at a fraction of that.
//
// The state lives in the backward-difference array D (row j: the j-th backward difference
// of y scaled to the current step h); a change of h rescales D (change_D), which keeps the
// method's coefficients fixed. The Newton iteration solves (I - c J) dy = c f - psi - d with
// J the Jacobian of the last evaluation, reused until Newton fails to converge; the LU of
// I - c J is redone when the step size or order changes (and kept, slightly stale, after a
// rejected step, as SciPy does).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "ode/bdf.hpp"
#include "ode/dense_lu.hpp"
#include "ode/num_jac.hpp"

namespace soma::ode::detail {
namespace {

constexpr int kMaxOrder = 5;
constexpr int kNewtonMaxIter = 4;
constexpr double kMinFactor = 0.2, kMaxFactor = 10;
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kInf = std::numeric_limits<double>::infinity();

// NDF coefficients (SciPy's bdf.py): kappa per order, gamma_k = sum_{j<=k} 1/j,
// alpha = (1 - kappa) gamma, error_const = kappa gamma + 1/(k + 1).
struct Coefficients {
  std::array<double, kMaxOrder + 1> gamma{}, alpha{};
  std::array<double, kMaxOrder + 2> error_const{};
  Coefficients() {
    const double kappa[kMaxOrder + 1] = {0, -0.1850, -1.0 / 9, -0.0823, -0.0415, 0};
    for (int k = 1; k <= kMaxOrder; ++k) gamma[k] = gamma[k - 1] + 1.0 / k;
    for (int k = 0; k <= kMaxOrder; ++k) {
      alpha[k] = (1 - kappa[k]) * gamma[k];
      error_const[k] = kappa[k] * gamma[k] + 1.0 / (k + 1);
    }
    error_const[kMaxOrder + 1] = 1.0 / (kMaxOrder + 2);
  }
};
const Coefficients kCoef;

using Small = std::array<std::array<double, kMaxOrder + 1>, kMaxOrder + 1>;

// SciPy's compute_R: R[i][j] = prod_{k=1..i} (k - 1 - factor j) / k, R[0][j] = 1.
Small compute_R(int order, double factor) {
  Small r{};
  for (int j = 0; j <= order; ++j) r[0][j] = 1;
  for (int i = 1; i <= order; ++i) {
    r[i][0] = 0;
    for (int j = 1; j <= order; ++j) r[i][j] = r[i - 1][j] * (i - 1 - factor * j) / i;
  }
  return r;
}

class NdfBdf final : public BdfStepper {
 public:
  explicit NdfBdf(const Problem& p)
      : f_{p.f},
        jac_(p.jac && *p.jac ? p.jac : nullptr),
        n_(p.y0.size()),
        t_bound_(p.t_bound),
        rtol_(p.tol.rtol),
        atol_(p.tol.atol),
        pairs_(p.tol.complex_pairs),
        count_(p.tol.norm_count(p.y0.size())),
        num_jac_(p.tol.complex_pairs ? p.y0.size() : 0, true),
        max_step_(p.max_step),
        first_step_(p.first_step) {
    direction_ = p.t_bound >= p.t0 ? 1.0 : -1.0;
    newton_tol_ = std::max(10 * kEps / rtol_, std::min(0.03, std::sqrt(rtol_)));
    D_.assign(static_cast<std::size_t>(kMaxOrder + 3) * n_, 0.0);
    J_.assign(n_ * n_, 0.0);
    LU_.assign(n_ * n_, 0.0);
    piv_.assign(n_, 0);
    for (auto* v : {&f_new_, &y_predict_, &scale_, &psi_, &y_new_, &d_, &dy_, &work_, &yj_})
      v->assign(n_, 0.0);
    start(p.t0, p.y0, first_step_);
  }

  Method method() const override { return Method::BDF; }
  std::int64_t nfev() const override { return f_.count; }
  std::int64_t njev() const override { return njev_; }
  std::int64_t nlu() const override { return nlu_; }
  double last_step() const override { return h_last_; }

  void restart(double t, std::span<const double> y) override { start(t, y, 0); }

  bool step() override {
    const double t = t_;
    const double min_step = 10 * std::fabs(std::nextafter(t, direction_ * kInf) - t);
    double h_abs = h_abs_;
    if (h_abs > max_step_) {
      h_abs = max_step_;
      change_D(h_abs / h_abs_);
    } else if (h_abs < min_step) {
      h_abs = min_step;
      change_D(h_abs / h_abs_);
    }
    const int q = order_;
    bool jac_current = false;
    double t_new = t, safety = 0, error_norm = 0;
    for (;;) {
      if (h_abs < min_step) {
        message_ = "Required step size is less than spacing between numbers.";
        return false;
      }
      double h = h_abs * direction_;
      t_new = t + h;
      if (direction_ * (t_new - t_bound_) > 0) {
        t_new = t_bound_;
        change_D(std::fabs(t_new - t) / h_abs);
        lu_valid_ = false;
      }
      h = t_new - t;
      h_abs = std::fabs(h);

      for (std::size_t i = 0; i < n_; ++i) {
        double s = 0, ps = 0;
        for (int j = 0; j <= q; ++j) s += D(j)[i];
        for (int j = 1; j <= q; ++j) ps += D(j)[i] * kCoef.gamma[j];
        y_predict_[i] = s;
        psi_[i] = ps / kCoef.alpha[q];
      }
      set_scale(y_predict_);
      const double c = h / kCoef.alpha[q];
      bool converged = false;
      int n_iter = 0;
      for (;;) {
        if (!lu_valid_) factor(c);
        converged = solve_newton(t_new, c, n_iter);
        if (converged || jac_current) break;
        jacobian(t_new, y_predict_);
        lu_valid_ = false;
        jac_current = true;
      }
      if (!converged) {
        h_abs *= 0.5;
        change_D(0.5);
        lu_valid_ = false;
        continue;
      }
      safety = 0.9 * (2 * kNewtonMaxIter + 1) / (2 * kNewtonMaxIter + n_iter);
      set_scale(y_new_);
      double s2 = 0;
      for (std::size_t i = 0; i < n_; ++i) {
        const double e = kCoef.error_const[q] * d_[i] / scale_[i];
        s2 += e * e;
      }
      error_norm = std::sqrt(s2 / count_);
      if (error_norm <= 1) break;
      const double fac = std::max(kMinFactor, safety * std::pow(error_norm, -1.0 / (q + 1)));
      h_abs *= fac;
      change_D(fac);
      // Newton converged, so the (now slightly stale) LU is kept, as SciPy does.
    }

    ++n_equal_steps_;
    h_last_ = t_new - t;
    t_old_ = t;
    t_ = t_new;
    y_ = y_new_;
    h_abs_ = h_abs;
    // D^{j+1} y_n = D^j y_n - D^j y_{n-1}: d is the new highest difference.
    for (std::size_t i = 0; i < n_; ++i) {
      D(q + 2)[i] = d_[i] - D(q + 1)[i];
      D(q + 1)[i] = d_[i];
    }
    for (int j = q; j >= 0; --j)
      for (std::size_t i = 0; i < n_; ++i) D(j)[i] += D(j + 1)[i];
    if (n_equal_steps_ < q + 1) return true;

    // Order selection: the step each of orders q - 1, q, q + 1 would allow.
    const double e_m = q > 1 ? weighted_rms(D(q), kCoef.error_const[q - 1]) : kInf;
    const double e_p = q < kMaxOrder ? weighted_rms(D(q + 2), kCoef.error_const[q + 1]) : kInf;
    const double norms[3] = {e_m, error_norm, e_p};
    int best = 0;
    double best_factor = -1;
    for (int k = 0; k < 3; ++k) {
      const double fk = norms[k] == 0 ? kInf : std::pow(norms[k], -1.0 / (q + k));
      if (fk > best_factor) {
        best_factor = fk;
        best = k;
      }
    }
    order_ = q + best - 1;
    const double fac = std::min(kMaxFactor, safety * best_factor);
    h_abs_ *= fac;
    change_D(fac);
    n_equal_steps_ = 0;
    lu_valid_ = false;
    return true;
  }

  // SciPy's BdfDenseOutput: y = D_0 + sum_j D_j prod_{m<j} (t - (t_n - m h)) / ((m + 1) h).
  void interpolate(double t, std::span<double> out) override {
    const double h = h_abs_ * direction_;
    std::copy_n(D(0), n_, out.begin());
    double p = 1;
    for (int j = 1; j <= order_; ++j) {
      p *= (t - (t_ - h * (j - 1))) / (h * j);
      const double* dj = D(j);
      for (std::size_t i = 0; i < n_; ++i) out[i] += dj[i] * p;
    }
  }

  // The same polynomial as Taylor coefficients about t_: with s = t - t_, the factor
  // (s + m h) / ((m + 1) h) multiplies the running product polynomial.
  void append_dense(DenseSolution& sol) override {
    const double h = h_abs_ * direction_;
    std::array<double, kMaxOrder + 2> prod{}, next{};
    prod[0] = 1;
    coef_.assign(static_cast<std::size_t>(order_ + 1) * n_, 0.0);
    std::copy_n(D(0), n_, coef_.begin());
    for (int j = 1; j <= order_; ++j) {
      const int m = j - 1;
      const double a = 1 / (h * j), b = static_cast<double>(m) / j;
      next.fill(0);
      for (int k = 0; k < j; ++k) {
        next[k + 1] += prod[k] * a;
        next[k] += prod[k] * b;
      }
      prod = next;
      for (int k = 0; k <= j; ++k)
        for (std::size_t i = 0; i < n_; ++i) coef_[k * n_ + i] += D(j)[i] * prod[k];
    }
    sol.append(DenseSolution::Kind::Taylor, t_old_, t_, coef_);
  }

 private:
  double* D(int j) { return D_.data() + static_cast<std::size_t>(j) * n_; }

  // (Re)starts at (t, y) with order 1 and a step from SciPy's select_initial_step.
  void start(double t, std::span<const double> y, double first_step) {
    t_ = t_old_ = t_start_ = t;
    y_.assign(y.begin(), y.end());
    f_(t, y_, f_new_);
    const Tolerances tol{rtol_, atol_, pairs_};
    h_abs_ = first_step > 0
                 ? first_step
                 : select_initial_step(f_, t, t_bound_, max_step_, y_, f_new_, direction_, 1, tol);
    std::fill(D_.begin(), D_.end(), 0.0);
    for (std::size_t i = 0; i < n_; ++i) {
      D(0)[i] = y_[i];
      D(1)[i] = f_new_[i] * h_abs_ * direction_;
    }
    order_ = 1;
    n_equal_steps_ = 0;
    h_last_ = 0;
    jacobian(t, y_);
    lu_valid_ = false;
  }

  // Rescales the differences to a step size `factor` times the current one (SciPy's
  // change_D: D <- (R U)^T D), and restarts the count of steps at this size.
  void change_D(double factor) {
    n_equal_steps_ = 0;
    const int q = order_;
    const Small R = compute_R(q, factor), U = compute_R(q, 1);
    Small RU{};
    for (int i = 0; i <= q; ++i)
      for (int j = 0; j <= q; ++j) {
        double s = 0;
        for (int k = 0; k <= q; ++k) s += R[i][k] * U[k][j];
        RU[i][j] = s;
      }
    // New row j = sum_k RU[k][j] D_k, done column by column through a small buffer.
    std::array<double, kMaxOrder + 1> col{};
    for (std::size_t i = 0; i < n_; ++i) {
      for (int k = 0; k <= q; ++k) col[k] = D(k)[i];
      for (int j = 0; j <= q; ++j) {
        double s = 0;
        for (int k = 0; k <= q; ++k) s += RU[k][j] * col[k];
        D(j)[i] = s;
      }
    }
  }

  double weighted_rms(const double* v, double c) const {
    double s2 = 0;
    for (std::size_t i = 0; i < n_; ++i) {
      const double e = c * v[i] / scale_[i];
      s2 += e * e;
    }
    return std::sqrt(s2 / count_);
  }

  // SciPy's scale atol + rtol |y|, with the moduli of a complex system's components.
  void set_scale(const std::vector<double>& y) {
    if (!pairs_) {
      for (std::size_t i = 0; i < n_; ++i) scale_[i] = atol_[i] + rtol_ * std::fabs(y[i]);
      return;
    }
    for (std::size_t i = 0; i + 1 < n_; i += 2)
      scale_[i] = scale_[i + 1] = atol_[i] + rtol_ * std::hypot(y[i], y[i + 1]);
  }

  // J = df/dy at (t, y): the user's Jacobian, else forward differences with CVODE's
  // increments (cvLsDenseDQJac): max(sqrt(eps) |y_j|, min_inc / w_j), w the error weights.
  void jacobian(double t, std::span<const double> y) {
    ++njev_;
    if (jac_) {
      (*jac_)(t, y, J_);
      return;
    }
    if (pairs_) {
      complex_jacobian(t, y);
      return;
    }
    f_(t, y, work_);
    double fnorm = 0;
    for (std::size_t i = 0; i < n_; ++i) {
      const double w = 1 / (rtol_ * std::fabs(y[i]) + atol_[i]);
      fnorm += (work_[i] * w) * (work_[i] * w);
    }
    fnorm = std::sqrt(fnorm / static_cast<double>(n_));
    const double srur = std::sqrt(kEps);
    const double min_inc =
        fnorm != 0 ? 1000 * h_abs_ * kEps * static_cast<double>(n_) * fnorm : 1.0;
    std::copy(y.begin(), y.end(), yj_.begin());
    for (std::size_t j = 0; j < n_; ++j) {
      const double w = 1 / (rtol_ * std::fabs(y[j]) + atol_[j]);
      const double inc = std::max(srur * std::fabs(y[j]), min_inc / w);
      yj_[j] = y[j] + inc;
      f_(t, yj_, dy_);
      const double step = yj_[j] - y[j];  // the increment actually represented
      for (std::size_t i = 0; i < n_; ++i) J_[i * n_ + j] = (dy_[i] - work_[i]) / step;
      yj_[j] = y[j];
    }
  }

  // A complex system (Tolerances::complex_pairs): SciPy's num_jac on its complex y (one
  // evaluation per complex component, see num_jac.hpp), after f at y, as SciPy's BDF:
  // there being no CVODE engine for complex systems, its Jacobians, and so its Newton
  // iterations and steps, are SciPy's.
  void complex_jacobian(double t, std::span<const double> y) {
    f_(t, y, work_);
    num_jac_(f_, t, y, work_, atol_, J_);
  }

  // LU with partial pivoting of I - c J, in place, row-major.
  void factor(double c) {
    ++nlu_;
    lu_valid_ = true;
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t j = 0; j < n_; ++j)
        LU_[i * n_ + j] = (i == j ? 1.0 : 0.0) - c * J_[i * n_ + j];
    // A zero pivot (singular) is left in: the solve gives non-finite values, Newton fails.
    (void)lu_factor<double>(LU_, n_, piv_);
  }

  void lu_solve(std::vector<double>& b) const { detail::lu_solve<double>(LU_, n_, piv_, b); }

  // SciPy's solve_bdf_system: simplified Newton from y_predict, at most 4 iterations,
  // stopping early when the contraction rate says it will not converge in time.
  bool solve_newton(double t_new, double c, int& n_iter) {
    std::fill(d_.begin(), d_.end(), 0.0);
    y_new_ = y_predict_;
    double dy_norm_old = -1;
    for (int k = 0; k < kNewtonMaxIter; ++k) {
      n_iter = k + 1;
      f_(t_new, y_new_, f_new_);
      bool finite = true;
      for (double v : f_new_) finite = finite && std::isfinite(v);
      if (!finite) return false;
      for (std::size_t i = 0; i < n_; ++i) dy_[i] = c * f_new_[i] - psi_[i] - d_[i];
      lu_solve(dy_);
      double s2 = 0;
      for (std::size_t i = 0; i < n_; ++i) {
        const double e = dy_[i] / scale_[i];
        s2 += e * e;
      }
      const double dy_norm = std::sqrt(s2 / count_);
      const double rate = dy_norm_old < 0 ? -1 : dy_norm / dy_norm_old;
      if (!std::isfinite(dy_norm)) return false;
      if (rate >= 0 &&
          (rate >= 1 || std::pow(rate, kNewtonMaxIter - k) / (1 - rate) * dy_norm > newton_tol_))
        return false;
      for (std::size_t i = 0; i < n_; ++i) {
        y_new_[i] += dy_[i];
        d_[i] += dy_[i];
      }
      if (dy_norm == 0 || (rate >= 0 && rate / (1 - rate) * dy_norm < newton_tol_)) return true;
      dy_norm_old = dy_norm;
    }
    return false;
  }

  CountedRhs f_;
  const Jacobian* jac_;
  std::size_t n_;
  double t_bound_, rtol_;
  std::vector<double> atol_;
  bool pairs_;      // a complex system as real pairs (Tolerances::complex_pairs)
  double count_;    // the number of components the norms average over
  NumJac num_jac_;  // the finite-difference Jacobian of a complex system
  double max_step_, first_step_, direction_ = 1, newton_tol_ = 0;
  double h_abs_ = 0, h_last_ = 0;
  int order_ = 1, n_equal_steps_ = 0;
  bool lu_valid_ = false;
  std::int64_t njev_ = 0, nlu_ = 0;
  std::vector<double> D_, J_, LU_;
  std::vector<std::size_t> piv_;
  std::vector<double> f_new_, y_predict_, scale_, psi_, y_new_, d_, dy_, work_, yj_, coef_;
};

}  // namespace

std::unique_ptr<BdfStepper> make_ndf_bdf_stepper(const Problem& p) {
  return std::make_unique<NdfBdf>(p);
}

}  // namespace soma::ode::detail
