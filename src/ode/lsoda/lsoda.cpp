// LSODA as ODEPACK's driver runs it one step at a time (SciPy's solve_ivp calls it with
// itask = 5: a single step that never passes t_bound): error weights refreshed before every
// step, the initial step size from the tolerance and the initial derivative, the critical
// time t_bound, and the record of method switches. Interpolation within the last step, and
// dense output, evaluate the Nordsieck polynomial as ODEPACK's intdy (and SciPy's
// LsodaDenseOutput) does.
#include <cmath>
#include <limits>
#include <string>

#include "ode/lsoda/core.hpp"
#include "ode/stepper.hpp"
#include "soma/core/error.hpp"

namespace soma::ode::detail {
namespace {

constexpr double kRoundoff = std::numeric_limits<double>::epsilon();

class Lsoda final : public Stepper {
 public:
  Lsoda(const Problem& p, bool switching)
      : p_(p),
        f_{p.f},
        n_(p.y0.size()),
        core_(f_, p.jac, n_, {.hmin = 0, .hmax_inv = hmax_inv(p.max_step), .switching = switching}),
        switching_(switching) {
    t_ = t_old_ = t_start_ = p.t0;
    y_.assign(p.y0.begin(), p.y0.end());
    f0_.resize(n_);
    coef_.resize(n_ * lsoda::Nordsieck::kColumns);
    // An error weight of zero (atol 0 on a zero component) leaves the norm undefined;
    // ODEPACK refuses such input.
    for (std::size_t i = 0; i < n_; ++i)
      if (!(ewt(i, y_[i]) > 0))
        throw Error("solve_ivp: LSODA needs rtol |y0[" + std::to_string(i) + "]| + atol[" +
                    std::to_string(i) + "] > 0, got y0[" + std::to_string(i) +
                    "] = 0 with atol 0; give that component a positive absolute tolerance");
    log_.push_back({t_, Method::Adams});  // every problem starts non-stiff
  }

  Method method() const override { return switching_ ? Method::LSODA : Method::Adams; }
  std::int64_t nfev() const override { return f_.count; }
  // ODEPACK factors the iteration matrix once per Jacobian.
  std::int64_t njev() const override { return core_.njev(); }
  std::int64_t nlu() const override { return core_.njev(); }
  void method_log(std::vector<MethodSwitch>& out) const override {
    out.insert(out.end(), log_.begin(), log_.end());
  }

  bool step() override {
    const double direction = p_.t_bound >= p_.t0 ? 1.0 : -1.0;
    if (!started_) {
      start(direction);
    } else {
      // The critical time: shorten a step that would pass t_bound, so that f is never
      // evaluated outside the span.
      const double tn = core_.tn(), h = core_.h();
      if ((tn + h * (1 + 4 * kRoundoff) - p_.t_bound) * h > 0)
        core_.request_step((p_.t_bound - tn) * (1 - 4 * kRoundoff));
      if (!set_weights(core_.history().col(0))) return false;
    }
    const double tolsf = kRoundoff * core_.norm(core_.history().col(0));
    if (!(tolsf <= 0.01)) {
      message_ =
          std::isnan(tolsf)
              ? "LSODA: the solution is no longer finite at t = " + std::to_string(core_.tn())
              : "LSODA: too much accuracy requested at t = " + std::to_string(core_.tn()) +
                    " (the tolerances would have to be scaled up by " +
                    std::to_string(200 * tolsf) + ")";
      return false;
    }
    const lsoda::StepOutcome outcome = core_.step();
    if (outcome != lsoda::StepOutcome::Ok) {
      message_ = std::string("LSODA: ") +
                 (outcome == lsoda::StepOutcome::ErrorTestFailed
                      ? "repeated error test failures"
                      : "repeated convergence failures of the corrector") +
                 " at t = " + std::to_string(core_.tn()) + " (h = " + std::to_string(core_.h()) +
                 ")";
      return false;
    }
    if (core_.switched()) {
      core_.acknowledge_switch();
      log_.push_back(
          {core_.tn(), core_.family() == lsoda::Family::Bdf ? Method::BDF : Method::Adams});
    }
    t_old_ = t_;
    const double tn = core_.tn();
    // Within roundoff of t_bound counts as t_bound (ODEPACK's ihit).
    const bool hit =
        std::fabs(tn - p_.t_bound) <= 100 * kRoundoff * (std::fabs(tn) + std::fabs(core_.h()));
    t_ = hit ? p_.t_bound : tn;
    const std::span<const double> z0 = core_.history().col(0);
    std::copy(z0.begin(), z0.end(), y_.begin());
    return true;
  }

  void interpolate(double t, std::span<double> out) override {
    core_.history().interpolate(core_.order(), (t - core_.tn()) / core_.h(), out);
  }

  void append_dense(DenseSolution& sol) override {
    // z_k / h^k are the Taylor coefficients about t_n.
    const int q = core_.order();
    const double h = core_.h();
    double hk = 1;
    for (int k = 0; k <= q; ++k) {
      const std::span<const double> z = core_.history().col(k);
      for (std::size_t i = 0; i < n_; ++i) coef_[k * n_ + i] = z[i] / hk;
      hk *= h;
    }
    sol.append(DenseSolution::Kind::Taylor, t_old_, t_,
               std::span<const double>(coef_.data(), (q + 1) * n_));
  }

 private:
  static double hmax_inv(double max_step) { return std::isfinite(max_step) ? 1 / max_step : 0; }
  double hmax_inv() const { return hmax_inv(p_.max_step); }

  double ewt(std::size_t i, double y) const { return p_.tol.rtol * std::fabs(y) + p_.tol.atol[i]; }

  bool set_weights(std::span<const double> y) {
    const std::span<double> w = core_.weights();
    for (std::size_t i = 0; i < n_; ++i) {
      const double e = ewt(i, y[i]);
      if (e <= 0) {
        message_ = "LSODA: component " + std::to_string(i) +
                   " reached 0 at t = " + std::to_string(core_.tn()) +
                   " with atol 0 (its error weight vanished)";
        return false;
      }
      w[i] = 1 / e;
    }
    return true;
  }

  // ODEPACK's first call: f at t0, the weights of y0, and the initial step.
  void start(double direction) {
    started_ = true;
    f_(p_.t0, y_, f0_);
    set_weights(y_);
    double h0 = p_.first_step * direction;
    const double tout = std::isnan(p_.first_output) ? p_.t_bound : p_.first_output;
    if (h0 != 0) {
      if ((p_.t0 + h0 - p_.t_bound) * h0 > 0) h0 = p_.t_bound - p_.t0;
    } else {
      // h0^-2 = 1 / (tol w0^2) + tol |f0|^2, w0 = max(|t0|, |tout|): a step whose
      // second-order term is about tol, from a tolerance kept within [100 eps, 1e-3].
      const double tdist = std::fabs(tout - p_.t0);
      const double w0 = std::max(std::fabs(p_.t0), std::fabs(tout));
      const double tol = std::min(std::max(p_.tol.rtol, 100 * kRoundoff), 0.001);
      const double fnorm = core_.norm(f0_);
      h0 = 1 / std::sqrt(1 / (tol * w0 * w0) + tol * (fnorm * fnorm));  // ODEPACK's rounding
      h0 = std::copysign(std::min(h0, tdist), tout - p_.t0);
    }
    const double rh = std::fabs(h0) * hmax_inv();
    if (rh > 1) h0 /= rh;
    core_.start(p_.t0, y_, f0_, h0);
  }

  Problem p_;
  CountedRhs f_;
  std::size_t n_;
  lsoda::Core core_;
  bool switching_;
  bool started_ = false;
  std::vector<double> f0_, coef_;
  std::vector<MethodSwitch> log_;
};

}  // namespace

std::unique_ptr<Stepper> make_lsoda(const Problem& p, bool switching) {
  return std::make_unique<Lsoda>(p, switching);
}

}  // namespace soma::ode::detail
