#pragma once
// One step of LSODA at a time (ODEPACK's stoda): predict with the Nordsieck array, correct
// (functional iteration for Adams, a chord Newton iteration with P = I - h el_0 J for BDF),
// test the local error, then choose the next step size and order, and every 20 steps
// consider switching between the Adams and BDF families (switching.hpp). The norm is
// ODEPACK's weighted max-norm max_i |v_i| / ewt_i with ewt_i = rtol |y_i| + atol_i.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "ode/lsoda/coefficients.hpp"
#include "ode/lsoda/nordsieck.hpp"
#include "ode/stepper.hpp"

namespace soma::ode::detail::lsoda {

enum class Family { Adams = 1, Bdf = 2 };

// How a step ended (ODEPACK's kflag).
enum class StepOutcome {
  Ok,
  ErrorTestFailed,    // repeated error test failures, or |h| at hmin
  ConvergenceFailed,  // repeated corrector failures (or a singular matrix), or |h| at hmin
};

struct CoreSettings {
  double hmin = 0;
  double hmax_inv = 0;  // 1 / max_step; 0 for no bound
  int max_adams_order = kMaxAdamsOrder;
  int max_bdf_order = kMaxBdfOrder;
  bool switching = true;  // false: Adams only
};

class Core {
 public:
  Core(CountedRhs& f, const Jacobian* jac, std::size_t n, const CoreSettings& s);

  // Starts at (t0, y0) with f0 = f(t0, y0) and the first step h0 (the caller's choice).
  void start(double t0, std::span<const double> y0, std::span<const double> f0, double h0);
  // Weights w_i = 1 / ewt_i of the norm, refreshed by the driver before each step.
  std::span<double> weights() { return w_; }
  // Asks the next step to take h instead (keeping the polynomial): for a critical time.
  void request_step(double h);
  StepOutcome step();

  double tn() const { return tn_; }
  double h() const { return h_; }
  double h_used() const { return hu_; }
  int order() const { return nq_; }
  Family family() const { return meth_; }
  // True when the step just taken decided to change family (effective from the next step).
  bool switched() const { return meth_ != mused_; }
  // Completes a switch: the next step loads the new family's coefficients.
  void acknowledge_switch();
  const Nordsieck& history() const { return yh_; }
  std::int64_t njev() const { return nje_; }
  // The weighted max-norm.
  double norm(std::span<const double> v) const;

 private:
  enum class Corrector { Converged, Failed, Retry };
  Corrector correct(double pnorm, int& m, double& del);
  bool build_iteration_matrix();   // ODEPACK's prja; false if P is singular
  void load_order_coefficients();  // el, rc, el0, conit for the order nq (ODEPACK label 150)
  void change_step(double rh, bool clamp_to_hmin);  // ODEPACK labels 170-180
  void predict();
  double fnorm_jacobian() const;
  bool handle_convergence_failure(int& ncf, double told);
  void finish_step();

  CountedRhs& f_;
  const Jacobian* jac_;
  std::size_t n_;
  CoreSettings s_;
  const MethodCoefficients* coef_ = nullptr;
  Nordsieck yh_;
  std::vector<double> w_, y_, savf_, acor_, ftem_, p_;
  std::vector<std::size_t> pivot_;
  std::array<double, 13> el_{};
  double cm1_[kMaxAdamsOrder] = {}, cm2_[kMaxBdfOrder] = {};

  double tn_ = 0, h_ = 0, hold_ = 0, hu_ = 0, rc_ = 0, el0_ = 1, crate_ = 0.7, conit_ = 0;
  double rmax_ = 10000, pdest_ = 0, pdlast_ = 0, pdnorm_ = 0;
  int nq_ = 1, l_ = 2, lmax_ = 13, maxord_ = 12, ialth_ = 2, icount_ = 20, irflag_ = 0;
  int nqu_ = 1, jstart_ = 0;
  Family meth_ = Family::Adams, mused_ = Family::Adams;
  bool newton_ = false;  // ODEPACK's miter != 0: BDF's chord iteration
  bool update_matrix_ = false, matrix_current_ = false;  // ipup, jcur
  std::int64_t nst_ = 0, nslp_ = 0, nje_ = 0;
};

}  // namespace soma::ode::detail::lsoda
