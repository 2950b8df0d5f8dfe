// The automatic method, in the spirit of LSODA: an explicit Runge-Kutta method while the
// problem is non-stiff, BDF (bdf.hpp) while it is stiff, switching both ways.
//  - The explicit method is chosen by tolerance: DOP853 at tight rtol, where its 8th order
//    takes a third of RK45's steps (Lorenz at rtol 1e-6: 547 against 1677) at twice the
//    evaluations per step; Dormand-Prince (RK45) otherwise.
//  - non-stiff -> stiff: Hairer's stiffness test inside the explicit method (15 steps with
//    h|lambda| beyond the method's stability bound: 3.25 for RK45, 6.1 for DOP853).
//  - stiff -> non-stiff: every 10 BDF steps the dominant eigenvalue of df/dy is estimated by
//    power iteration on finite-difference Jacobian-vector products; when h_BDF * |lambda|
//    stays below half the explicit method's stability bound at 3 checks in a row, it could
//    take BDF's steps, so it takes over again.
#include <cmath>
#include <limits>

#include "ode/bdf.hpp"
#include "ode/explicit_rk.hpp"

namespace soma::ode::detail {
namespace {

// Where DOP853 pays: on Lorenz (0..40, atol = rtol / 1000) it takes less time than RK45
// from rtol 1e-4 down (69 against 100 us at 1e-4, 111 against 209 us at 1e-6, f through
// std::function); SciPy too advises RK45 for low accuracy.
constexpr double kLsodaDop853Rtol = 1e-4;

Method lsoda_nonstiff_method(double rtol) {
  return rtol <= kLsodaDop853Rtol ? Method::DOP853 : Method::RK45;
}

class Lsoda final : public Stepper {
 public:
  explicit Lsoda(const Problem& p)
      : p_(p), f_{p.f}, n_(p.y0.size()), nonstiff_(lsoda_nonstiff_method(p.tol.rtol)) {
    t_ = t_old_ = t_start_ = p.t0;
    y_.assign(p.y0.begin(), p.y0.end());
    f0_ = f1_ = v_ = yp_ = y_;
    for (std::size_t i = 0; i < n_; ++i) v_[i] = 1.0 / std::sqrt(static_cast<double>(n_));
    rk_ = make_explicit_rk(nonstiff_, p_, true);
    log_.push_back({t_, nonstiff_});
  }

  Method method() const override { return Method::LSODA; }
  std::int64_t nfev() const override {
    return done_nfev_ + f_.count + (rk_ ? rk_->nfev() : 0) + (bdf_ ? bdf_->nfev() : 0);
  }
  std::int64_t njev() const override { return bdf_ ? bdf_->njev() : 0; }
  std::int64_t nlu() const override { return bdf_ ? bdf_->nlu() : 0; }
  void method_log(std::vector<MethodSwitch>& out) const override {
    out.insert(out.end(), log_.begin(), log_.end());
  }

  bool step() override {
    Stepper& s = active();
    if (!s.step()) {
      message_ = s.message();
      return false;
    }
    t_old_ = s.t_old();
    t_ = s.t();
    stepped_ = &s;
    switched_ = false;
    if (stiff_mode_) {
      if (++bdf_steps_ % 10 == 0 && t_ != p_.t_bound) {
        sync_y();
        const double h_lambda = std::fabs(bdf_->last_step()) * dominant_eigenvalue();
        calm_checks_ = h_lambda < 0.5 * stability_bound_ ? calm_checks_ + 1 : 0;
        if (calm_checks_ >= 3) switch_to_rk();
      }
    } else if (rk_->stiff() && t_ != p_.t_bound) {
      sync_y();
      switch_to_bdf();
    }
    return true;
  }

  // After a switch the new stepper has not stepped yet, so the step just taken is
  // interpolated by the previous one, which is kept until the next step.
  // The state of the stepper that took the last step (not copied on every step).
  std::span<const double> y() const override { return stepped_ ? stepped_->y() : y_; }
  void interpolate(double t, std::span<double> out) override { last().interpolate(t, out); }
  void interpolate_many(std::span<const double> ts, std::span<double> out) override {
    last().interpolate_many(ts, out);
  }
  void append_dense(DenseSolution& sol) override { last().append_dense(sol); }

 private:
  Stepper& active() {
    if (stiff_mode_) return *bdf_;
    return *rk_;
  }
  Stepper& last() { return switched_ ? *last_ : active(); }
  // y_ <- the current state, for a switch or an eigenvalue estimate.
  void sync_y() {
    const std::span<const double> y = stepped_->y();
    std::copy(y.begin(), y.end(), y_.begin());
  }

  void switch_to_bdf() {
    Problem q = p_;
    q.t0 = t_;
    q.y0 = y_;
    q.first_step = 0;
    if (!bdf_) {
      bdf_ = make_bdf_stepper(q);
    } else {
      bdf_->restart(t_, y_);
    }
    stability_bound_ = rk_->stability_bound();
    previous_ = std::move(rk_);
    done_nfev_ += previous_->nfev();
    last_ = previous_.get();
    stiff_mode_ = true;
    switched_ = true;
    bdf_steps_ = calm_checks_ = 0;
    log_.push_back({t_, Method::BDF});
  }

  void switch_to_rk() {
    Problem q = p_;
    q.t0 = t_;
    q.y0 = y_;
    q.first_step = 0;
    rk_ = make_explicit_rk(nonstiff_, q, true);
    // The BDF stepper stays alive (for restarts and its counters); interpolation of the
    // step just taken still goes to it because it has not been restarted yet.
    previous_.reset();
    last_ = bdf_.get();
    stiff_mode_ = false;
    switched_ = true;
    log_.push_back({t_, nonstiff_});
  }

  // |lambda_max| of df/dy at (t_, y_): a few power iterations on J v ~ (f(y + e v) - f(y)) / e,
  // continued from the previous direction.
  double dominant_eigenvalue() {
    f_(t_, y_, f0_);
    double ynorm = 0;
    for (double v : y_) ynorm += v * v;
    const double eps = std::sqrt(std::numeric_limits<double>::epsilon()) * (1 + std::sqrt(ynorm));
    double lambda = 0;
    for (int it = 0; it < 4; ++it) {
      for (std::size_t i = 0; i < n_; ++i) yp_[i] = y_[i] + eps * v_[i];
      f_(t_, yp_, f1_);
      double norm = 0;
      for (std::size_t i = 0; i < n_; ++i) {
        v_[i] = (f1_[i] - f0_[i]) / eps;
        norm += v_[i] * v_[i];
      }
      norm = std::sqrt(norm);
      if (!(norm > 0) || !std::isfinite(norm)) {
        for (std::size_t i = 0; i < n_; ++i) v_[i] = 1.0 / std::sqrt(static_cast<double>(n_));
        return norm > 0 ? std::numeric_limits<double>::infinity() : 0.0;
      }
      for (double& x : v_) x /= norm;
      lambda = norm;
    }
    return lambda;
  }

  Problem p_;
  CountedRhs f_;  // the power iterations' evaluations
  std::size_t n_;
  Method nonstiff_;  // RK45 or DOP853
  double stability_bound_ = 0;
  std::unique_ptr<RkStepper> rk_;
  std::unique_ptr<BdfStepper> bdf_;
  std::unique_ptr<Stepper> previous_;
  Stepper* last_ = nullptr;     // the stepper that took the last step, right after a switch
  Stepper* stepped_ = nullptr;  // the stepper that took the last step (none yet: y_ is y0)
  bool stiff_mode_ = false, switched_ = false;
  int bdf_steps_ = 0, calm_checks_ = 0;
  std::int64_t done_nfev_ = 0;
  std::vector<double> f0_, f1_, v_, yp_;
  std::vector<MethodSwitch> log_;
};

}  // namespace

std::unique_ptr<Stepper> make_lsoda(const Problem& p) { return std::make_unique<Lsoda>(p); }

}  // namespace soma::ode::detail
