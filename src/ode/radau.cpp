// Radau IIA of order 5 (Hairer & Wanner's RADAU5, "Solving Ordinary Differential Equations
// II", Sec. IV.8) as SciPy implements it in scipy/integrate/_ivp/radau.py, decision for
// decision, so that its steps, evaluations, Jacobians and LU decompositions are SciPy's:
//
// - the 3-stage collocation system is solved by simplified Newton on W = T^-1 Z, in which
//   the iteration matrix splits into one real n x n system (mu_real/h I - J) and one complex
//   one (mu_complex/h I - J), each factored once and reused over iterations and steps;
// - the starting guess Z0 extrapolates the previous step's collocation polynomial;
// - the error estimate is the embedded third-order formula filtered through the real LU
//   (once more through f after a rejection, Hairer's remedy for stiff components);
// - the step size follows Gustafsson's predictive controller, is kept when the factor is
//   below 1.2 (so the LUs stay valid), and J is re-evaluated only when Newton converged
//   slowly (more than 2 iterations at a rate above 1e-3) or failed with a stale J.
//
// The dense output is the collocation polynomial: y_old + sum_k Q_k x^k, x = (t - t_old)/h.
#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <string>

#include "ode/dense_lu.hpp"
#include "ode/num_jac.hpp"
#include "ode/stepper.hpp"

namespace soma::ode::detail {
namespace {

using Complex = std::complex<double>;
constexpr int kNewtonMaxIter = 6;
constexpr double kMinFactor = 0.2, kMaxFactor = 10;
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The method's constants, written as radau.py computes them.
struct Tableau {
  std::array<double, 3> c, e;
  double mu_real;
  Complex mu_complex;
  // A = T diag(mu_real, mu_complex, conj) T^-1 (in real form); W = T^-1 Z.
  double t[3][3] = {{0.09443876248897524, -0.14125529502095421, 0.03002919410514742},
                    {0.25021312296533332, 0.20412935229379994, -0.38294211275726192},
                    {1, 1, 0}};
  double ti[3][3] = {{4.17871859155190428, 0.32768282076106237, 0.52337644549944951},
                     {-4.17871859155190428, -0.32768282076106237, 0.47662355450055044},
                     {0.50287263494578682, -2.57192694985560522, 0.59603920482822492}};
  double p[3][3];  // the dense output's coefficients: Q = Z^T P
  Tableau() {
    const double s6 = std::sqrt(6.0);
    c = {(4 - s6) / 10, (4 + s6) / 10, 1};
    e = {(-13 - 7 * s6) / 3, (-13 + 7 * s6) / 3, -1.0 / 3};
    mu_real = 3 + std::pow(3.0, 2.0 / 3) - std::pow(3.0, 1.0 / 3);
    mu_complex = {3 + 0.5 * (std::pow(3.0, 1.0 / 3) - std::pow(3.0, 2.0 / 3)),
                  -0.5 * (std::pow(3.0, 5.0 / 6) + std::pow(3.0, 7.0 / 6))};
    const double rows[3][3] = {{13.0 / 3 + 7 * s6 / 3, -23.0 / 3 - 22 * s6 / 3, 10.0 / 3 + 5 * s6},
                               {13.0 / 3 - 7 * s6 / 3, -23.0 / 3 + 22 * s6 / 3, 10.0 / 3 - 5 * s6},
                               {1.0 / 3, -8.0 / 3, 10.0 / 3}};
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 3; ++k) p[i][k] = rows[i][k];
  }
};
const Tableau kTab;

// Gustafsson's predictive step-size factor (Hairer & Wanner IV.8, SciPy's predict_factor):
// error_norm^(-1/4), damped by how the error changed over the last step when that is known
// (h_abs_old and error_norm_old NaN where not).
double predict_factor(double h_abs, double h_abs_old, double error_norm, double error_norm_old) {
  double multiplier = 1;
  if (!std::isnan(error_norm_old) && !std::isnan(h_abs_old) && error_norm != 0)
    multiplier = h_abs / h_abs_old * std::pow(error_norm_old / error_norm, 0.25);
  return std::min(1.0, multiplier) * std::pow(error_norm, -0.25);  // inf for a zero error
}

class Radau final : public Stepper {
 public:
  explicit Radau(const Problem& p)
      : f_{p.f},
        jac_(p.jac && *p.jac ? p.jac : nullptr),
        n_(p.y0.size()),
        t_bound_(p.t_bound),
        rtol_(p.tol.rtol),
        atol_(p.tol.atol),
        max_step_(p.max_step),
        num_jac_(p.y0.size()) {
    direction_ = p.t_bound >= p.t0 ? 1.0 : -1.0;
    newton_tol_ = std::max(10 * kEps / rtol_, std::min(0.03, std::sqrt(rtol_)));
    for (auto* v : {&f_cur_, &y_old_, &y_new_, &scale_, &ze_, &error_, &work_, &f_real_})
      v->assign(n_, 0.0);
    for (auto* v : {&z0_, &z_, &w_, &dw_, &fs_, &q_}) v->assign(3 * n_, 0.0);
    J_.assign(n_ * n_, 0.0);
    lu_real_.assign(n_ * n_, 0.0);
    lu_complex_.assign(n_ * n_, Complex(0));
    f_complex_.assign(n_, Complex(0));

    t_ = t_old_ = t_start_ = p.t0;
    y_.assign(p.y0.begin(), p.y0.end());
    f_(t_, y_, f_cur_);
    // The first step as for an error estimator of order 3, as SciPy's Radau.
    h_abs_ = p.first_step > 0 ? p.first_step
                              : select_initial_step(f_, t_, t_bound_, max_step_, y_, f_cur_,
                                                    direction_, 3, p.tol);
    jacobian(t_, y_, f_cur_);
  }

  Method method() const override { return Method::Radau; }
  std::int64_t nfev() const override { return f_.count; }
  std::int64_t njev() const override { return njev_; }
  std::int64_t nlu() const override { return nlu_; }

  bool step() override {
    const double t = t_;
    const double min_step = 10 * std::fabs(std::nextafter(t, direction_ * kInf) - t);
    double h_abs = h_abs_;
    double h_abs_old = h_abs_old_, error_norm_old = error_norm_old_;
    if (h_abs_ > max_step_ || h_abs_ < min_step) {
      // A step size forced on the controller: its history says nothing about this one.
      h_abs = h_abs_ > max_step_ ? max_step_ : min_step;
      h_abs_old = error_norm_old = kNaN;
    }

    bool rejected = false;
    double t_new = t, error_norm = 0, safety = 0, rate = -1;
    int n_iter = 0;
    for (;;) {
      if (h_abs < min_step) {
        message_ = "Required step size is less than spacing between numbers.";
        return false;
      }
      t_new = t + h_abs * direction_;
      if (direction_ * (t_new - t_bound_) > 0) t_new = t_bound_;
      const double h = t_new - t;
      h_abs = std::fabs(h);

      predict_stages(h);
      for (std::size_t i = 0; i < n_; ++i) scale_[i] = atol_[i] + std::fabs(y_[i]) * rtol_;
      bool converged = false;
      for (;;) {
        // A factorisation kept from an earlier step may be for another h (the last step,
        // clipped at t_bound, say): SciPy uses it all the same, as a simplified Newton may.
        if (!lu_valid_) factor_lu(h);
        converged = solve_collocation(t, h, n_iter, rate);
        if (converged || current_jac_) break;
        jacobian(t, y_, f_cur_);
        lu_valid_ = false;
      }
      if (!converged) {
        h_abs *= 0.5;
        lu_valid_ = false;
        continue;
      }

      // The embedded error estimate, (mu_real/h I - J)^-1 (f + Z^T e / h).
      for (std::size_t i = 0; i < n_; ++i) {
        y_new_[i] = y_[i] + z_[2 * n_ + i];
        ze_[i] = (z_[i] * kTab.e[0] + z_[n_ + i] * kTab.e[1] + z_[2 * n_ + i] * kTab.e[2]) / h;
        error_[i] = f_cur_[i] + ze_[i];
      }
      lu_solve<double>(lu_real_, n_, piv_real_, error_);
      for (std::size_t i = 0; i < n_; ++i)
        scale_[i] = atol_[i] + std::max(std::fabs(y_[i]), std::fabs(y_new_[i])) * rtol_;
      error_norm = scaled_norm(error_);
      safety = 0.9 * (2 * kNewtonMaxIter + 1) / (2 * kNewtonMaxIter + n_iter);
      if (rejected && error_norm > 1) {
        // After a rejection, once more through f: removes the estimate's growth on stiff
        // components (Hairer & Wanner IV.8, (8.20)).
        for (std::size_t i = 0; i < n_; ++i) work_[i] = y_[i] + error_[i];
        f_(t, work_, error_);
        for (std::size_t i = 0; i < n_; ++i) error_[i] += ze_[i];
        lu_solve<double>(lu_real_, n_, piv_real_, error_);
        error_norm = scaled_norm(error_);
      }
      // SciPy tests error_norm > 1, which lets a NaN error through; !(<= 1) rejects it, and
      // the step then shrinks until it is too small.
      if (!(error_norm <= 1)) {
        const double factor = predict_factor(h_abs, h_abs_old, error_norm, error_norm_old);
        h_abs *= std::max(kMinFactor, safety * factor);
        lu_valid_ = false;
        rejected = true;
        continue;
      }
      break;
    }

    // A slowly converging Newton iteration asks for a fresh J at the new point.
    const bool recompute_jac = n_iter > 2 && rate > 1e-3;
    double factor = predict_factor(h_abs, h_abs_old, error_norm, error_norm_old);
    factor = std::min(kMaxFactor, safety * factor);
    if (!recompute_jac && factor < 1.2)
      factor = 1;  // keep h, so the LUs stay valid
    else
      lu_valid_ = false;

    std::swap(y_old_, y_);
    std::swap(y_, y_new_);
    f_(t_new, y_, f_cur_);
    if (recompute_jac)
      jacobian(t_new, y_, f_cur_);
    else
      current_jac_ = false;

    // SciPy keeps the step size proposed before this step (not the one taken) as the
    // controller's previous step.
    h_abs_old_ = h_abs_;
    error_norm_old_ = error_norm;
    h_abs_ = h_abs * factor;
    t_old_ = t;
    t_ = t_new;
    // Q = Z^T P: the collocation polynomial of this step, for output and the next guess.
    for (std::size_t i = 0; i < n_; ++i)
      for (int k = 0; k < 3; ++k)
        q_[k * n_ + i] =
            z_[i] * kTab.p[0][k] + z_[n_ + i] * kTab.p[1][k] + z_[2 * n_ + i] * kTab.p[2][k];
    have_polynomial_ = true;
    return true;
  }

  // SciPy's RadauDenseOutput: y_old + Q (x, x^2, x^3), x = (t - t_old) / h.
  void interpolate(double t, std::span<double> out) override {
    const double x = (t - t_old_) / (t_ - t_old_);
    const double x2 = x * x, x3 = x2 * x;
    for (std::size_t i = 0; i < n_; ++i)
      out[i] = q_[i] * x + q_[n_ + i] * x2 + q_[2 * n_ + i] * x3 + y_old_[i];
  }

  void append_dense(DenseSolution& sol) override {
    coef_.resize(4 * n_);
    std::copy(y_old_.begin(), y_old_.end(), coef_.begin());
    std::copy(q_.begin(), q_.end(), coef_.begin() + static_cast<std::ptrdiff_t>(n_));
    sol.append(DenseSolution::Kind::Power, t_old_, t_, coef_);
  }

 private:
  // Z0: the last step's collocation polynomial at the new stages t + c_i h, minus y (zero
  // on the first step).
  void predict_stages(double h) {
    if (!have_polynomial_) {
      std::fill(z0_.begin(), z0_.end(), 0.0);
      return;
    }
    const double h_old = t_ - t_old_;
    for (int s = 0; s < 3; ++s) {
      const double x = (t_ + h * kTab.c[s] - t_old_) / h_old;
      const double x2 = x * x, x3 = x2 * x;
      double* z = z0_.data() + static_cast<std::size_t>(s) * n_;
      for (std::size_t i = 0; i < n_; ++i)
        z[i] = (q_[i] * x + q_[n_ + i] * x2 + q_[2 * n_ + i] * x3 + y_old_[i]) - y_[i];
    }
  }

  double scaled_norm(std::span<const double> v) const {
    double s2 = 0;
    for (std::size_t i = 0; i < n_; ++i) {
      const double e = v[i] / scale_[i];
      s2 += e * e;
    }
    // SciPy's norm: the 2-norm over sqrt(size), in that order, as its roundings are.
    return std::sqrt(s2) / std::sqrt(static_cast<double>(n_));
  }

  // SciPy's solve_collocation_system: simplified Newton on W = T^-1 Z with the factored
  // real and complex matrices, at most 6 iterations, giving up as soon as the contraction
  // rate says the tolerance will not be met in the iterations left. rate < 0: not known
  // (fewer than two iterations).
  bool solve_collocation(double t, double h, int& n_iter, double& rate) {
    const double m_real = kTab.mu_real / h;
    const Complex m_complex = kTab.mu_complex / h;
    // Every attempt (a retry with a fresh J included) starts from the same guess Z0.
    std::copy(z0_.begin(), z0_.end(), z_.begin());
    for (int k = 0; k < 3; ++k)
      for (std::size_t i = 0; i < n_; ++i)
        w_[k * n_ + i] =
            kTab.ti[k][0] * z_[i] + kTab.ti[k][1] * z_[n_ + i] + kTab.ti[k][2] * z_[2 * n_ + i];
    double dw_norm_old = -1;
    rate = -1;
    bool converged = false;
    int k = 0;
    for (; k < kNewtonMaxIter; ++k) {
      bool finite = true;
      for (int s = 0; s < 3; ++s) {
        const std::span<double> fs(fs_.data() + static_cast<std::size_t>(s) * n_, n_);
        for (std::size_t i = 0; i < n_; ++i) work_[i] = y_[i] + z_[s * n_ + i];
        f_(t + h * kTab.c[s], work_, fs);
        for (double v : fs) finite = finite && std::isfinite(v);
      }
      if (!finite) break;
      for (std::size_t i = 0; i < n_; ++i) {
        const double f0 = fs_[i], f1 = fs_[n_ + i], f2 = fs_[2 * n_ + i];
        f_real_[i] = f0 * kTab.ti[0][0] + f1 * kTab.ti[0][1] + f2 * kTab.ti[0][2] - m_real * w_[i];
        // F^T (TI[1] + i TI[2]) - m_complex (W1 + i W2)
        const Complex fc(f0 * kTab.ti[1][0] + f1 * kTab.ti[1][1] + f2 * kTab.ti[1][2],
                         f0 * kTab.ti[2][0] + f1 * kTab.ti[2][1] + f2 * kTab.ti[2][2]);
        const Complex wc(w_[n_ + i], w_[2 * n_ + i]);
        f_complex_[i] = fc - Complex(m_complex.real() * wc.real() - m_complex.imag() * wc.imag(),
                                     m_complex.real() * wc.imag() + m_complex.imag() * wc.real());
      }
      lu_solve<double>(lu_real_, n_, piv_real_, f_real_);
      lu_solve<Complex>(lu_complex_, n_, piv_complex_, f_complex_);
      double s2 = 0;
      for (std::size_t i = 0; i < n_; ++i) {
        dw_[i] = f_real_[i];
        dw_[n_ + i] = f_complex_[i].real();
        dw_[2 * n_ + i] = f_complex_[i].imag();
        for (int s = 0; s < 3; ++s) {
          const double e = dw_[s * n_ + i] / scale_[i];
          s2 += e * e;
        }
      }
      const double dw_norm = std::sqrt(s2) / std::sqrt(static_cast<double>(3 * n_));
      if (dw_norm_old >= 0) rate = dw_norm / dw_norm_old;
      if (rate >= 0 &&
          (rate >= 1 || std::pow(rate, kNewtonMaxIter - k) / (1 - rate) * dw_norm > newton_tol_))
        break;
      for (std::size_t j = 0; j < 3 * n_; ++j) w_[j] += dw_[j];
      for (int s = 0; s < 3; ++s)
        for (std::size_t i = 0; i < n_; ++i)
          z_[s * n_ + i] =
              kTab.t[s][0] * w_[i] + kTab.t[s][1] * w_[n_ + i] + kTab.t[s][2] * w_[2 * n_ + i];
      if (dw_norm == 0 || (rate >= 0 && rate / (1 - rate) * dw_norm < newton_tol_)) {
        converged = true;
        break;
      }
      dw_norm_old = dw_norm;
    }
    n_iter = std::min(k + 1, kNewtonMaxIter);
    return converged;
  }

  // J = df/dy at (t, y), f0 = f(t, y): the user's Jacobian, else SciPy's num_jac.
  void jacobian(double t, std::span<const double> y, std::span<const double> f0) {
    ++njev_;
    current_jac_ = true;
    if (jac_)
      (*jac_)(t, y, J_);
    else
      num_jac_(f_, t, y, f0, atol_, J_);
  }

  // LU of mu_real/h I - J and of mu_complex/h I - J.
  void factor_lu(double h) {
    nlu_ += 2;
    lu_valid_ = true;
    const double m_real = kTab.mu_real / h;
    const Complex m_complex = kTab.mu_complex / h;
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t j = 0; j < n_; ++j) {
        const double jij = J_[i * n_ + j];
        lu_real_[i * n_ + j] = (i == j ? m_real : 0.0) - jij;
        lu_complex_[i * n_ + j] = (i == j ? m_complex : Complex(0)) - jij;
      }
    lu_factor<double>(lu_real_, n_, piv_real_);
    lu_factor<Complex>(lu_complex_, n_, piv_complex_);
  }

  CountedRhs f_;
  const Jacobian* jac_;
  std::size_t n_;
  double t_bound_, rtol_;
  std::vector<double> atol_;
  double max_step_, direction_ = 1, newton_tol_ = 0;
  double h_abs_ = 0;
  double h_abs_old_ = kNaN, error_norm_old_ = kNaN;  // NaN: no step taken yet
  bool current_jac_ = true, lu_valid_ = false, have_polynomial_ = false;
  std::int64_t njev_ = 0, nlu_ = 0;
  NumJac num_jac_;
  std::vector<double> J_, lu_real_;
  std::vector<Complex> lu_complex_, f_complex_;
  std::vector<std::size_t> piv_real_, piv_complex_;
  // f at (t_, y_); y at t_old_; per step: y_new, scales, Z^T e / h, error, scratch, the real
  // right-hand side.
  std::vector<double> f_cur_, y_old_, y_new_, scale_, ze_, error_, work_, f_real_;
  // Three rows of n: the guess Z0 and Z (stage increments), W = T^-1 Z, its Newton update,
  // f at the stages, and the dense output's Q (row k: the coefficient of x^(k+1)).
  std::vector<double> z0_, z_, w_, dw_, fs_, q_, coef_;
};

}  // namespace

std::unique_ptr<Stepper> make_radau(const Problem& p) { return std::make_unique<Radau>(p); }

}  // namespace soma::ode::detail
