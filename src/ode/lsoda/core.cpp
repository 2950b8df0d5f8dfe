#include "ode/lsoda/core.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ode/lsoda/dense_lu.hpp"
#include "ode/lsoda/switching.hpp"

namespace soma::ode::detail::lsoda {
namespace {

constexpr double kRoundoff = std::numeric_limits<double>::epsilon();
// ODEPACK's constants: the change in h el_0 (relative) that forces a new iteration matrix,
// the steps after which it is rebuilt anyway, the corrector iterations per attempt, the
// corrector failures per step, and the steps between switching tests.
constexpr double kMatrixRateChange = 0.3;
constexpr int kMatrixMaxAge = 20;
constexpr int kMaxCorrections = 3;
constexpr int kMaxConvergenceFailures = 10;
constexpr int kSwitchTestInterval = 20;

}  // namespace

Core::Core(CountedRhs& f, const Jacobian* jac, std::size_t n, const CoreSettings& s)
    : f_(f), jac_(jac), n_(n), s_(s) {
  yh_.resize(n);
  w_.assign(n, 0.0);
  y_ = savf_ = acor_ = ftem_ = w_;
  const MethodCoefficients& a = adams_coefficients();
  const MethodCoefficients& b = bdf_coefficients();
  // The error constants of each family at order q, in the units of the Nordsieck column q:
  // their ratio converts one family's error estimate into the other's.
  for (int q = 1; q <= kMaxAdamsOrder; ++q) cm1_[q - 1] = a.test[q][2] * a.el[q][q];
  for (int q = 1; q <= kMaxBdfOrder; ++q) cm2_[q - 1] = b.test[q][2] * b.el[q][q];
}

double Core::norm(std::span<const double> v) const {
  // NaN propagates (as in ODEPACK's Fortran), so that a solution that has blown up fails the
  // driver's accuracy check instead of being stepped on.
  double m = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    const double x = std::fabs(v[i]) * w_[i];
    if (x > m || std::isnan(x)) m = x;
    if (std::isnan(m)) break;
  }
  return m;
}

void Core::start(double t0, std::span<const double> y0, std::span<const double> f0, double h0) {
  tn_ = t0;
  h_ = hold_ = h0;
  std::copy(y0.begin(), y0.end(), yh_.col(0).begin());
  for (std::size_t i = 0; i < n_; ++i) yh_.col(1)[i] = h0 * f0[i];
  // Every problem starts non-stiff: Adams of order 1.
  meth_ = mused_ = Family::Adams;
  newton_ = false;
  coef_ = &adams_coefficients();
  maxord_ = s_.max_adams_order;
  lmax_ = maxord_ + 1;
  nq_ = 1;
  l_ = 2;
  ialth_ = 2;
  rmax_ = 10000;  // the first steps may grow h by up to 10^4 (h0 is a cautious guess)
  rc_ = 0;
  el0_ = 1;
  crate_ = 0.7;
  nslp_ = 0;
  update_matrix_ = false;
  icount_ = kSwitchTestInterval;
  irflag_ = 0;
  pdest_ = pdlast_ = 0;
  load_order_coefficients();
  jstart_ = 1;
}

void Core::request_step(double h) {
  h_ = h;
  if (jstart_ >= 0) jstart_ = -2;
}

void Core::acknowledge_switch() {
  maxord_ = meth_ == Family::Bdf ? s_.max_bdf_order : s_.max_adams_order;
  jstart_ = -1;
}

void Core::load_order_coefficients() {
  for (int i = 0; i < l_; ++i) el_[i] = coef_->el[nq_][i];
  rc_ = rc_ * el_[0] / el0_;
  el0_ = el_[0];
  conit_ = 0.5 / (nq_ + 2);
}

void Core::change_step(double rh, bool clamp_to_hmin) {
  if (clamp_to_hmin) rh = std::max(rh, s_.hmin / std::fabs(h_));
  rh = std::min(rh, rmax_);
  rh = rh / std::max(1.0, std::fabs(h_) * s_.hmax_inv * rh);
  // Adams: keep h inside the stability region too; irflag remembers that it was cut, which
  // the switching test reads as a sign of stiffness.
  if (meth_ == Family::Adams) {
    irflag_ = 0;
    const double pdh = std::max(std::fabs(h_) * pdlast_, 0.000001);
    if (rh * pdh * 1.00001 >= kAdamsStability[nq_ - 1]) {
      rh = kAdamsStability[nq_ - 1] / pdh;
      irflag_ = 1;
    }
  }
  yh_.rescale(nq_, rh);
  h_ *= rh;
  rc_ *= rh;
  ialth_ = l_;
}

void Core::predict() {
  if (std::fabs(rc_ - 1) > kMatrixRateChange) update_matrix_ = update_matrix_ || newton_;
  if (nst_ >= nslp_ + kMatrixMaxAge) update_matrix_ = update_matrix_ || newton_;
  tn_ += h_;
  yh_.predict(nq_);
}

double Core::fnorm_jacobian() const {
  double an = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    double sum = 0;
    for (std::size_t j = 0; j < n_; ++j) sum += std::fabs(p_[i * n_ + j]) / w_[j];
    an = std::max(an, sum * w_[i]);
  }
  return an;
}

bool Core::build_iteration_matrix() {
  ++nje_;
  matrix_current_ = true;
  const double hl0 = h_ * el0_;
  p_.resize(n_ * n_);
  if (jac_ && *jac_) {
    (*jac_)(tn_, y_, p_);
    for (double& v : p_) v *= -hl0;
  } else {
    // Forward differences, one column per evaluation, with increments that scale with y_j
    // but stay above roundoff in the weighted norm.
    const double fac = norm(savf_);
    double r0 = 1000.0 * std::fabs(h_) * kRoundoff * static_cast<double>(n_) * fac;
    if (r0 == 0) r0 = 1;
    const double srur = std::sqrt(kRoundoff);
    for (std::size_t j = 0; j < n_; ++j) {
      const double yj = y_[j];
      const double r = std::max(srur * std::fabs(yj), r0 / w_[j]);
      y_[j] += r;
      const double scale = -hl0 / r;
      f_(tn_, y_, ftem_);
      for (std::size_t i = 0; i < n_; ++i) p_[i * n_ + j] = (ftem_[i] - savf_[i]) * scale;
      y_[j] = yj;
    }
  }
  // |J| in the norm's matrix norm: the BDF -> Adams test bounds Adams' stable step by it.
  pdnorm_ = fnorm_jacobian() / std::fabs(hl0);
  for (std::size_t i = 0; i < n_; ++i) p_[i * n_ + i] += 1;
  return lu_factor(p_, n_, pivot_);
}

Core::Corrector Core::correct(double pnorm, int& m, double& del) {
  m = 0;
  del = 0;
  double rate = 0, delp = 0;
  const std::span<const double> z0 = yh_.col(0), z1 = yh_.col(1);
  std::copy(z0.begin(), z0.end(), y_.begin());
  f_(tn_, y_, savf_);
  if (update_matrix_) {
    const bool ok = build_iteration_matrix();
    update_matrix_ = false;
    rc_ = 1;
    nslp_ = nst_;
    crate_ = 0.7;
    if (!ok) return Corrector::Failed;
  }
  std::fill(acor_.begin(), acor_.end(), 0.0);
  for (;;) {
    if (!newton_) {
      // Functional iteration: the corrected h y' replaces the predicted one.
      for (std::size_t i = 0; i < n_; ++i) {
        savf_[i] = h_ * savf_[i] - z1[i];
        y_[i] = savf_[i] - acor_[i];
      }
      del = norm(y_);
      for (std::size_t i = 0; i < n_; ++i) {
        y_[i] = z0[i] + el_[0] * savf_[i];
        acor_[i] = savf_[i];
      }
    } else {
      // Chord Newton: P delta = h f(y) - (z_1 + acor).
      for (std::size_t i = 0; i < n_; ++i) y_[i] = h_ * savf_[i] - (z1[i] + acor_[i]);
      lu_solve(p_, n_, pivot_, y_);
      del = norm(y_);
      for (std::size_t i = 0; i < n_; ++i) {
        acor_[i] += y_[i];
        y_[i] = z0[i] + el_[0] * acor_[i];
      }
    }
    // A correction at roundoff level has converged, without a new rate estimate.
    if (del <= 100.0 * pnorm * kRoundoff) break;
    // Adams takes at least two iterations, to estimate the Lipschitz constant from the
    // contraction rate (the switching test's measure of stiffness).
    if (m != 0 || meth_ != Family::Adams) {
      if (m != 0) {
        double rm = 1024.0;
        if (del <= 1024.0 * delp) rm = del / delp;
        rate = std::max(rate, rm);
        crate_ = std::max(0.2 * crate_, rm);
      }
      const double dcon = del * std::min(1.0, 1.5 * crate_) / (coef_->test[nq_][2] * conit_);
      if (dcon <= 1.0) {
        pdest_ = std::max(pdest_, rate / std::fabs(h_ * el_[0]));
        if (pdest_ != 0) pdlast_ = pdest_;
        break;
      }
    }
    ++m;
    if (m == kMaxCorrections || (m >= 2 && del > 2.0 * delp)) {
      // With a stale matrix, try once more with a fresh one before cutting h.
      if (newton_ && !matrix_current_) {
        update_matrix_ = true;
        return Corrector::Retry;
      }
      return Corrector::Failed;
    }
    delp = del;
    f_(tn_, y_, savf_);
  }
  matrix_current_ = false;
  return Corrector::Converged;
}

bool Core::handle_convergence_failure(int& ncf, double told) {
  ++ncf;
  rmax_ = 2;
  tn_ = told;
  yh_.retract(nq_);
  if (std::fabs(h_) <= s_.hmin * 1.00001) return false;
  if (ncf == kMaxConvergenceFailures) return false;
  update_matrix_ = newton_;
  change_step(0.25, true);
  return true;
}

void Core::finish_step() {
  // acor becomes the local error estimate (ODEPACK leaves it so for its callers).
  const double r = 1.0 / coef_->test[nqu_][2];
  for (double& v : acor_) v *= r;
  hold_ = h_;
  jstart_ = 1;
}

StepOutcome Core::step() {
  int kflag = 0, ncf = 0;
  matrix_current_ = false;
  const double told = tn_;
  if (jstart_ == -1) {
    // The first step after a switch: the new family's coefficients and a fresh matrix.
    update_matrix_ = newton_;
    lmax_ = maxord_ + 1;
    if (ialth_ == 1) ialth_ = 2;
    if (meth_ != mused_) {
      coef_ = meth_ == Family::Adams ? &adams_coefficients() : &bdf_coefficients();
      ialth_ = l_;
      load_order_coefficients();
    }
  }
  if ((jstart_ == -1 || jstart_ == -2) && h_ != hold_) {
    const double rh = h_ / hold_;
    h_ = hold_;
    change_step(rh, false);
  }
  predict();
  double pnorm = norm(yh_.col(0));

  for (;;) {
    int m = 0;
    double del = 0;
    const Corrector c = correct(pnorm, m, del);
    if (c == Corrector::Retry) continue;
    if (c == Corrector::Failed) {
      if (!handle_convergence_failure(ncf, told)) {
        hold_ = h_;
        jstart_ = 1;
        return StepOutcome::ConvergenceFailed;
      }
      predict();
      pnorm = norm(yh_.col(0));
      continue;
    }

    const double dsm = (m == 0 ? del : norm(acor_)) / coef_->test[nq_][2];
    double rhup = 0, rh = 0;
    if (dsm > 1.0) {
      // Error test failed: back to the previous step, then a smaller h (and maybe order).
      --kflag;
      tn_ = told;
      yh_.retract(nq_);
      rmax_ = 2;
      if (std::fabs(h_) <= s_.hmin * 1.00001 || kflag == -10) {
        hold_ = h_;
        jstart_ = 1;
        return StepOutcome::ErrorTestFailed;
      }
      if (kflag <= -3) {
        // Three failures: the higher derivatives in the history are not to be trusted.
        // Restart at order 1 from a fresh derivative, with h cut tenfold.
        rh = std::max(s_.hmin / std::fabs(h_), 0.1);
        h_ *= rh;
        std::copy(yh_.col(0).begin(), yh_.col(0).end(), y_.begin());
        f_(tn_, y_, savf_);
        for (std::size_t i = 0; i < n_; ++i) yh_.col(1)[i] = h_ * savf_[i];
        update_matrix_ = newton_;
        ialth_ = 5;
        if (nq_ != 1) {
          nq_ = 1;
          l_ = 2;
          load_order_coefficients();
        }
        predict();
        pnorm = norm(yh_.col(0));
        continue;
      }
    } else {
      // The step is accepted: apply the correction to the whole history.
      kflag = 0;
      ++nst_;
      hu_ = h_;
      nqu_ = nq_;
      mused_ = meth_;
      for (int j = 0; j < l_; ++j) {
        const std::span<double> z = yh_.col(j);
        for (std::size_t i = 0; i < n_; ++i) z[i] += el_[j] * acor_[i];
      }
      if (--icount_ < 0 && s_.switching) {
        const bool adams = meth_ == Family::Adams;
        SwitchInputs in{.nq = nq_,
                        .dsm = dsm,
                        .pnorm = pnorm,
                        .h = h_,
                        .lipschitz = adams ? pdlast_ : pdnorm_,
                        .dm_other = 0,
                        .cm_adams = cm1_[nq_ - 1],
                        .cm_bdf = nq_ <= kMaxBdfOrder ? cm2_[nq_ - 1] : 0,
                        .max_other = adams ? s_.max_bdf_order : s_.max_adams_order,
                        .pdest_zero = pdest_ == 0,
                        .restricted = irflag_ == 1};
        // At an order the other family lacks, its error comes from that order's column.
        if (adams && nq_ > s_.max_bdf_order && nq_ <= 5) {
          in.dm_other = norm(yh_.col(s_.max_bdf_order + 1)) / cm2_[s_.max_bdf_order - 1];
        } else if (!adams && nq_ > s_.max_adams_order) {
          in.dm_other = norm(yh_.col(s_.max_adams_order + 1)) / cm1_[s_.max_adams_order - 1];
          in.cm_adams = cm1_[s_.max_adams_order - 1];
        }
        const SwitchDecision d = adams ? adams_to_bdf(in) : bdf_to_adams(in);
        if (d.to_switch) {
          icount_ = kSwitchTestInterval;
          meth_ = adams ? Family::Bdf : Family::Adams;
          newton_ = meth_ == Family::Bdf;
          pdlast_ = 0;
          nq_ = d.order;
          l_ = nq_ + 1;
          change_step(d.rh, true);
          rmax_ = 10;
          finish_step();
          return StepOutcome::Ok;
        }
      }
      // No switch: consider a new h (and order) only every ialth steps.
      if (--ialth_ != 0) {
        // One step before the next change, keep the correction: the order increase test
        // compares it with the previous one.
        if (ialth_ == 1 && l_ != lmax_) {
          const std::span<double> z = yh_.col(lmax_ - 1);
          std::copy(acor_.begin(), acor_.end(), z.begin());
        }
        finish_step();
        return StepOutcome::Ok;
      }
      if (l_ != lmax_) {
        const std::span<const double> z = yh_.col(lmax_ - 1);
        for (std::size_t i = 0; i < n_; ++i) savf_[i] = acor_[i] - z[i];
        const double dup = norm(savf_) / coef_->test[nq_][3];
        rhup = 1.0 / (1.4 * std::pow(dup, 1.0 / (l_ + 1)) + 0.0000014);
      }
    }

    // The step ratios at orders q - 1, q and q + 1 (each a bit more cautious away from q);
    // Adams' are also bounded by its stability region.
    double rhsm = step_ratio(dsm, 1.0 / l_), rhdn = 0;
    if (nq_ != 1) {
      const double ddn = norm(yh_.col(l_ - 1)) / coef_->test[nq_][1];
      rhdn = 1.0 / (1.3 * std::pow(ddn, 1.0 / nq_) + 0.0000013);
    }
    double pdh = 0;
    if (meth_ == Family::Adams) {
      pdh = std::max(std::fabs(h_) * pdlast_, 0.000001);
      if (l_ < lmax_) rhup = std::min(rhup, kAdamsStability[l_ - 1] / pdh);
      rhsm = std::min(rhsm, kAdamsStability[nq_ - 1] / pdh);
      if (nq_ > 1) rhdn = std::min(rhdn, kAdamsStability[nq_ - 2] / pdh);
      pdest_ = 0;
    }
    int newq;
    if (rhsm >= rhup && rhsm >= rhdn) {
      newq = nq_;
      rh = rhsm;
    } else if (rhsm < rhup && rhup > rhdn) {
      // Order up (only after a success: rhup is 0 after a failure).
      if (rhup < 1.1) {
        ialth_ = 3;
        finish_step();
        return StepOutcome::Ok;
      }
      const double r = el_[l_ - 1] / l_;
      const std::span<double> z = yh_.col(l_);
      for (std::size_t i = 0; i < n_; ++i) z[i] = acor_[i] * r;
      nq_ = l_;
      l_ = nq_ + 1;
      load_order_coefficients();
      change_step(rhup, true);
      rmax_ = 10;
      finish_step();
      return StepOutcome::Ok;
    } else {
      newq = nq_ - 1;
      rh = rhdn;
      if (kflag < 0 && rh > 1.0) rh = 1.0;
    }
    // A change of under 10% is not worth it, unless stability restricts Adams' step.
    const bool stability_bound =
        meth_ == Family::Adams && rh * pdh * 1.00001 >= kAdamsStability[newq - 1];
    if (!stability_bound && kflag == 0 && rh < 1.1) {
      ialth_ = 3;
      finish_step();
      return StepOutcome::Ok;
    }
    if (kflag <= -2) rh = std::min(rh, 0.2);
    if (newq != nq_) {
      nq_ = newq;
      l_ = nq_ + 1;
      load_order_coefficients();
    }
    change_step(rh, true);
    if (kflag == 0) {
      rmax_ = 10;
      finish_step();
      return StepOutcome::Ok;
    }
    predict();
    pnorm = norm(yh_.col(0));
  }
}

}  // namespace soma::ode::detail::lsoda
