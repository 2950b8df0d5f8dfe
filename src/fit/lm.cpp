// Levenberg-Marquardt, a line-by-line port of MINPACK's lmder/lmpar/qrsolv
// (More, Garbow & Hillstrom, Argonne 1980; More, "The Levenberg-Marquardt
// algorithm: implementation and theory", 1978), 0-based and column-major.
// Three changes: a trial point whose residuals are not finite is treated as a
// failed step (the trust region shrinks) instead of poisoning the iteration;
// when the Jacobian comes with the residuals (automatic differentiation)
// it is taken at every trial so an accepted step needs no second evaluation;
// and for many residuals and few parameters the R factor comes from J^T J,
// accumulated in the same pass as the model (normal-equation mode, below).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "fit/qr.hpp"
#include "fit/solvers.hpp"

namespace soma::fit::detail {
namespace {

constexpr double kP1 = 0.1, kP5 = 0.5, kP25 = 0.25, kP75 = 0.75, kP0001 = 1e-4;
// Normal-equation mode needs m >= kNormalMinRows * n (below that the QR of J
// costs little anyway) and every Cholesky pivot of J^T J to keep at least
// kNormalMinPivot of its column's squared norm: the sine of the angle between
// a column and the span of the earlier ones is then >= 1e-3, forming J^T J
// costs at most ~eps/1e-6 relative accuracy in R, and the step is computed to
// ~1e-10 where the QR would give ~1e-13 (either is far below what the
// iteration needs; the final answer is judged on the residuals themselves).
constexpr size_t kNormalMinRows = 4;
constexpr double kNormalMinPivot = 1e-6;

// Solves min || [A; D] x - [b; 0] || given the pivoted QR of A (r holds R in its
// upper triangle, qtb = Q^T b). On return the lower triangle of r and sdiag hold
// the transposed triangular factor S of P^T(A^T A + D D)P = S^T S.
void qrsolv(size_t n, double* r, size_t ldr, const size_t* ipvt, const double* diag,
            const double* qtb, double* x, double* sdiag, double* wa) {
  for (size_t j = 0; j < n; ++j) {
    for (size_t i = j; i < n; ++i) r[i + j * ldr] = r[j + i * ldr];
    x[j] = r[j + j * ldr];
    wa[j] = qtb[j];
  }
  for (size_t j = 0; j < n; ++j) {
    const size_t l = ipvt[j];
    if (diag[l] != 0.0) {
      for (size_t k = j; k < n; ++k) sdiag[k] = 0.0;
      sdiag[j] = diag[l];
      double qtbpj = 0.0;
      for (size_t k = j; k < n; ++k) {
        if (sdiag[k] == 0.0) continue;
        double sn, cs;
        const double rkk = r[k + k * ldr];
        if (std::abs(rkk) < std::abs(sdiag[k])) {
          const double cotan = rkk / sdiag[k];
          sn = kP5 / std::sqrt(kP25 + kP25 * cotan * cotan);
          cs = sn * cotan;
        } else {
          const double tn = sdiag[k] / rkk;
          cs = kP5 / std::sqrt(kP25 + kP25 * tn * tn);
          sn = cs * tn;
        }
        r[k + k * ldr] = cs * rkk + sn * sdiag[k];
        const double temp = cs * wa[k] + sn * qtbpj;
        qtbpj = -sn * wa[k] + cs * qtbpj;
        wa[k] = temp;
        for (size_t i = k + 1; i < n; ++i) {
          const double t = cs * r[i + k * ldr] + sn * sdiag[i];
          sdiag[i] = -sn * r[i + k * ldr] + cs * sdiag[i];
          r[i + k * ldr] = t;
        }
      }
    }
    sdiag[j] = r[j + j * ldr];
    r[j + j * ldr] = x[j];
  }
  size_t nsing = n;
  for (size_t j = 0; j < n; ++j) {
    if (sdiag[j] == 0.0 && nsing == n) nsing = j;
    if (nsing < n) wa[j] = 0.0;
  }
  for (size_t jj = nsing; jj-- > 0;) {
    double sum = 0.0;
    for (size_t i = jj + 1; i < nsing; ++i) sum += r[i + jj * ldr] * wa[i];
    wa[jj] = (wa[jj] - sum) / sdiag[jj];
  }
  for (size_t j = 0; j < n; ++j) x[ipvt[j]] = wa[j];
}

// Finds the Levenberg parameter par so that the step x solving
// (J^T J + par D^2) x = -J^T f has ||D x|| within 10% of delta (or par = 0 when
// the Gauss-Newton step is already inside).
void lmpar(size_t n, double* r, size_t ldr, const size_t* ipvt, const double* diag,
           const double* qtb, double delta, double& par, double* x, double* sdiag, double* wa1,
           double* wa2) {
  const double dwarf = std::numeric_limits<double>::min();
  size_t nsing = n;
  for (size_t j = 0; j < n; ++j) {
    wa1[j] = qtb[j];
    if (r[j + j * ldr] == 0.0 && nsing == n) nsing = j;
    if (nsing < n) wa1[j] = 0.0;
  }
  for (size_t j = nsing; j-- > 0;) {
    wa1[j] /= r[j + j * ldr];
    const double temp = wa1[j];
    for (size_t i = 0; i < j; ++i) wa1[i] -= r[i + j * ldr] * temp;
  }
  for (size_t j = 0; j < n; ++j) x[ipvt[j]] = wa1[j];

  int iter = 0;
  for (size_t j = 0; j < n; ++j) wa2[j] = diag[j] * x[j];
  double dxnorm = enorm(n, wa2);
  double fp = dxnorm - delta;
  if (fp <= kP1 * delta) {
    par = 0.0;
    return;
  }
  double parl = 0.0;
  if (nsing >= n) {
    for (size_t j = 0; j < n; ++j) {
      const size_t l = ipvt[j];
      wa1[j] = diag[l] * (wa2[l] / dxnorm);
    }
    for (size_t j = 0; j < n; ++j) {
      double sum = 0.0;
      for (size_t i = 0; i < j; ++i) sum += r[i + j * ldr] * wa1[i];
      wa1[j] = (wa1[j] - sum) / r[j + j * ldr];
    }
    const double temp = enorm(n, wa1);
    parl = ((fp / delta) / temp) / temp;
  }
  for (size_t j = 0; j < n; ++j) {
    double sum = 0.0;
    for (size_t i = 0; i <= j; ++i) sum += r[i + j * ldr] * qtb[i];
    wa1[j] = sum / diag[ipvt[j]];
  }
  const double gnorm = enorm(n, wa1);
  double paru = gnorm / delta;
  if (paru == 0.0) paru = dwarf / std::min(delta, kP1);
  par = std::max(par, parl);
  par = std::min(par, paru);
  if (par == 0.0) par = gnorm / dxnorm;

  for (;;) {
    ++iter;
    if (par == 0.0) par = std::max(dwarf, 0.001 * paru);
    const double sp = std::sqrt(par);
    for (size_t j = 0; j < n; ++j) wa1[j] = sp * diag[j];
    qrsolv(n, r, ldr, ipvt, wa1, qtb, x, sdiag, wa2);
    for (size_t j = 0; j < n; ++j) wa2[j] = diag[j] * x[j];
    dxnorm = enorm(n, wa2);
    const double temp = fp;
    fp = dxnorm - delta;
    if (std::abs(fp) <= kP1 * delta || (parl == 0.0 && fp <= temp && temp < 0.0) || iter == 10)
      break;
    for (size_t j = 0; j < n; ++j) {
      const size_t l = ipvt[j];
      wa1[j] = diag[l] * (wa2[l] / dxnorm);
    }
    for (size_t j = 0; j < n; ++j) {
      wa1[j] /= sdiag[j];
      const double t = wa1[j];
      for (size_t i = j + 1; i < n; ++i) wa1[i] -= r[i + j * ldr] * t;
    }
    const double tn = enorm(n, wa1);
    const double parc = ((fp / delta) / tn) / tn;
    if (fp > 0.0) parl = std::max(parl, par);
    if (fp < 0.0) paru = std::min(paru, par);
    par = std::max(parl, par + parc);
  }
}

// An integer OR over the exponent bits: vectorises, unlike an early-exit loop.
bool all_finite(const std::vector<double>& v) {
  uint64_t bad = 0;
  for (double x : v) bad |= ((std::bit_cast<uint64_t>(x) >> 52) & 0x7FF) == 0x7FF;
  return bad == 0;
}

}  // namespace

RawResult levenberg_marquardt(Residuals& problem, std::span<const double> p0, const Options& o,
                              int max_nfev) {
  const size_t n = p0.size(), m = problem.size();
  const double epsmch = std::numeric_limits<double>::epsilon();
  const bool with_jac = problem.jacobian_with_residuals();
  RawResult out;
  std::vector<double> x(p0.begin(), p0.end()), diag(n, 1.0), qtf(n), wa1(n), wa2(n), wa3(n),
      work(n);
  std::vector<size_t> ipvt(n);

  // Normal-equation mode (many residuals, few parameters, a problem that
  // provides evaluate_normal): each evaluation returns J^T J, J^T r and r^T r
  // in one pass, and the R factor that MINPACK takes from the QR of J comes
  // from the pivoted Cholesky of J^T J instead (qtf = R^-T P^T J^T r). The
  // iteration is otherwise unchanged. While the Cholesky factor is well
  // conditioned this loses nothing that matters to the iteration; when it is
  // not (a column nearly dependent on the others), or anything is not finite,
  // the run switches for good to the QR of J, which needs J itself.
  bool normal = false;
  std::vector<double> jtj, jtr, trial_jtj, trial_jtr, rfac, chol_work;
  double ssr = 0.0;
  if (with_jac && m >= kNormalMinRows * n) {
    jtj.resize(n * n);
    jtr.resize(n);
    normal = problem.evaluate_normal(x, ssr, jtj, jtr);
    if (normal) {
      out.nfev = out.njev = 1;
      // Overflow of the squares, or a non-finite model: the QR path judges.
      if (!std::isfinite(ssr)) normal = false;
    }
  }
  if (normal) {
    trial_jtj.resize(n * n);
    trial_jtr.resize(n);
    rfac.resize(n * n);
    chol_work.resize(n * n);
  }

  // QR mode: residuals and Jacobian stored (m and m x n).
  std::vector<double> fvec, fjac, qtfull, fnew, trial_jac;
  bool jac_current = false;  // fjac holds the Jacobian at x
  // fjac_is_jacobian: fjac holds the Jacobian at x, not yet overwritten by its
  // QR factors; it is then returned for the covariance. Otherwise nothing is
  // (a copy every iteration would cost more than one evaluation at the end).
  bool fjac_is_jacobian = false;
  auto enter_qr_mode = [&] {
    normal = false;
    fvec.resize(m);
    fjac.resize(m * n);
    qtfull.resize(m);
    fnew.resize(m);
    trial_jac.resize(with_jac ? m * n : 0);
    problem.evaluate(x, fvec, fjac);
    ++out.nfev;
    ++out.njev;
    jac_current = fjac_is_jacobian = true;
  };
  auto finish = [&](Status s) {
    out.status = s;
    out.x = x;
    if (normal) {
      out.ssr = ssr;
      // A factor of J^T J at x for the covariance, when it is trustworthy.
      if (cholesky_pivoted(n, jtj.data(), rfac.data(), ipvt.data(), kNormalMinPivot,
                           chol_work.data())) {
        out.gram_factor.assign(n * n, 0.0);  // R P^T
        for (size_t j = 0; j < n; ++j)
          for (size_t i = 0; i <= j; ++i) out.gram_factor[i + ipvt[j] * n] = rfac[i + j * n];
      }
    } else {
      out.r = fvec;
      if (fjac_is_jacobian) out.jac = std::move(fjac);
    }
    return out;
  };
  double fnorm = 0.0;
  if (normal) {
    fnorm = std::sqrt(ssr);
  } else {
    enter_qr_mode();
    if (!all_finite(fvec)) return finish(Status::non_finite);
    fnorm = enorm(m, fvec.data());
  }
  double par = 0.0, delta = 0.0, xnorm = 0.0;
  int iter = 1;
  for (;;) {
    // The R factor of J P (in r, leading dimension ldr), Q^T f in qtf and the
    // column norms of J in wa2, by either route.
    double* r = nullptr;
    size_t ldr = 0;
    if (normal) {
      if (all_finite(jtj) && all_finite(jtr) &&
          cholesky_pivoted(n, jtj.data(), rfac.data(), ipvt.data(), kNormalMinPivot,
                           chol_work.data())) {
        for (size_t j = 0; j < n; ++j) {
          wa2[j] = std::sqrt(jtj[j + j * n]);
          qtf[j] = jtr[ipvt[j]];
        }
        for (size_t j = 0; j < n; ++j) {  // solve R^T qtf = P^T J^T f
          double sum = qtf[j];
          for (size_t i = 0; i < j; ++i) sum -= rfac[i + j * n] * qtf[i];
          qtf[j] = sum / rfac[j + j * n];
        }
        r = rfac.data();
        ldr = n;
      } else {
        enter_qr_mode();
        if (!all_finite(fvec)) return finish(Status::non_finite);
        fnorm = enorm(m, fvec.data());
      }
    }
    if (!normal) {
      if (!jac_current) {
        problem.evaluate(x, fvec, fjac);
        ++out.njev;
        jac_current = true;
        fjac_is_jacobian = true;
      }
      if (!all_finite(fjac)) return finish(Status::non_finite);
      fjac_is_jacobian = false;
      qrfac(m, n, fjac.data(), m, ipvt.data(), wa1.data(), wa2.data(), wa3.data());
      qtfull = fvec;
      apply_qt(m, n, fjac.data(), m, qtfull.data());
      for (size_t j = 0; j < n; ++j) {
        fjac[j + j * m] = wa1[j];
        qtf[j] = qtfull[j];
      }
      r = fjac.data();
      ldr = m;
    }
    if (iter == 1) {
      for (size_t j = 0; j < n; ++j) diag[j] = wa2[j] == 0.0 ? 1.0 : wa2[j];
      for (size_t j = 0; j < n; ++j) wa3[j] = diag[j] * x[j];
      xnorm = enorm(n, wa3.data());
      delta = o.factor * xnorm;
      if (delta == 0.0) delta = o.factor;
    }
    double gnorm = 0.0;
    if (fnorm != 0.0)
      for (size_t j = 0; j < n; ++j) {
        const size_t l = ipvt[j];
        if (wa2[l] == 0.0) continue;
        double sum = 0.0;
        for (size_t i = 0; i <= j; ++i) sum += r[i + j * ldr] * (qtf[i] / fnorm);
        gnorm = std::max(gnorm, std::abs(sum / wa2[l]));
      }
    if (gnorm <= o.gtol) return finish(Status::gtol);
    for (size_t j = 0; j < n; ++j) diag[j] = std::max(diag[j], wa2[j]);

    double ratio = 0.0;
    do {
      lmpar(n, r, ldr, ipvt.data(), diag.data(), qtf.data(), delta, par, wa1.data(), wa2.data(),
            wa3.data(), work.data());
      for (size_t j = 0; j < n; ++j) {
        wa1[j] = -wa1[j];
        wa2[j] = x[j] + wa1[j];
        wa3[j] = diag[j] * wa1[j];
      }
      const double pnorm = enorm(n, wa3.data());
      if (iter == 1) delta = std::min(delta, pnorm);
      double fnorm1 = NAN, ssr1 = NAN;
      if (normal) {
        problem.evaluate_normal(wa2, ssr1, trial_jtj, trial_jtr);
        fnorm1 = std::sqrt(ssr1);
      } else {
        problem.evaluate(wa2, fnew, trial_jac);
        fnorm1 = enorm(m, fnew.data());
      }
      ++out.nfev;
      // MINPACK's rule for a trial point where the model is not finite: a failed step
      // (ratio 0, the trust region shrinks by 10) and the iteration goes on from x.
      const bool finite = std::isfinite(fnorm1) && (normal || all_finite(fnew));
      double actred = -1.0;
      if (finite && kP1 * fnorm1 < fnorm) actred = 1.0 - (fnorm1 / fnorm) * (fnorm1 / fnorm);
      for (size_t j = 0; j < n; ++j) {
        wa3[j] = 0.0;
        const double temp = wa1[ipvt[j]];
        for (size_t i = 0; i <= j; ++i) wa3[i] += r[i + j * ldr] * temp;
      }
      const double temp1 = enorm(n, wa3.data()) / fnorm;
      const double temp2 = std::sqrt(par) * pnorm / fnorm;
      const double prered = temp1 * temp1 + temp2 * temp2 / kP5;
      const double dirder = -(temp1 * temp1 + temp2 * temp2);
      ratio = prered != 0.0 ? actred / prered : 0.0;
      if (!finite) ratio = 0.0;
      if (ratio <= kP25) {
        double temp = actred >= 0.0 ? kP5 : kP5 * dirder / (dirder + kP5 * actred);
        if (!finite || kP1 * fnorm1 >= fnorm || temp < kP1) temp = kP1;
        delta = temp * std::min(delta, pnorm / kP1);
        par /= temp;
      } else if (par == 0.0 || ratio >= kP75) {
        delta = pnorm / kP5;
        par = kP5 * par;
      }
      if (ratio >= kP0001) {
        x.assign(wa2.begin(), wa2.end());
        for (size_t j = 0; j < n; ++j) wa2[j] = diag[j] * x[j];
        xnorm = enorm(n, wa2.data());
        fnorm = fnorm1;
        ++iter;
        ++out.iterations;
        if (normal) {
          // The trial's sums are the new point's; the factor in rfac is not
          // needed after an accepted step.
          std::swap(jtj, trial_jtj);
          std::swap(jtr, trial_jtr);
          ssr = ssr1;
          ++out.njev;
        } else {
          std::swap(fvec, fnew);
          // The QR factors in fjac are not needed after an accepted step.
          if (with_jac) {
            std::swap(fjac, trial_jac);
            ++out.njev;
            fjac_is_jacobian = true;
          }
          jac_current = with_jac;
        }
      }
      const bool ftol_ok = std::abs(actred) <= o.ftol && prered <= o.ftol && kP5 * ratio <= 1.0;
      const bool xtol_ok = delta <= o.xtol * xnorm;
      if (ftol_ok || xtol_ok) {
        const Status s = ftol_ok && xtol_ok ? Status::ftol_and_xtol
                         : ftol_ok          ? Status::ftol
                                            : Status::xtol;
        return finish(s);
      }
      Status fail = Status::max_evaluations;
      bool failed = false;
      if (out.nfev >= max_nfev)
        failed = true;
      else if ((std::abs(actred) <= epsmch && prered <= epsmch && kP5 * ratio <= 1.0) ||
               delta <= epsmch * xnorm || gnorm <= epsmch) {
        fail = Status::tolerance_too_small;
        failed = true;
      }
      if (failed) return finish(fail);
    } while (ratio < kP0001);
  }
}

}  // namespace soma::fit::detail
