#include "ode/lsoda/switching.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace soma::ode::detail::lsoda {
namespace {

constexpr double kRoundoff = std::numeric_limits<double>::epsilon();
// The step advantage BDF must offer before Adams gives way (ODEPACK's ratio); BDF gives way
// at an advantage of 5 / ratio = 1 the other way.
constexpr double kRatio = 5;

}  // namespace

const double kAdamsStability[12] = {0.5,  0.575, 0.55, 0.45,  0.35,  0.25,
                                    0.20, 0.15,  0.10, 0.075, 0.050, 0.025};

double step_ratio(double d, double exponent) {
  return 1.0 / (1.2 * std::pow(d, exponent) + 0.0000012);
}

SwitchDecision adams_to_bdf(const SwitchInputs& in) {
  // Beyond order 5 the solution is smooth enough for high-order Adams: not stiff.
  if (in.nq > 5) return {};
  const bool estimates_clean = in.dsm > 100.0 * in.pnorm * kRoundoff && !in.pdest_zero;
  if (!estimates_clean) {
    // Error and Lipschitz estimates polluted by roundoff: switch only if stability cut the
    // last step, and then try a doubled step.
    if (!in.restricted) return {};
    return {true, 2.0, std::min(in.nq, in.max_other)};
  }
  const double exsm = 1.0 / (in.nq + 1);
  // Adams: the step accuracy allows, bounded by the stability region.
  double rh1 = step_ratio(in.dsm, exsm);
  double rh1_stable = 2.0 * rh1;
  const double pdh = in.lipschitz * std::fabs(in.h);
  if (pdh * rh1 > 0.00001) rh1_stable = kAdamsStability[in.nq - 1] / pdh;
  rh1 = std::min(rh1, rh1_stable);
  // BDF: accuracy only.
  double rh2;
  int order;
  if (in.nq > in.max_other) {
    order = in.max_other;
    rh2 = step_ratio(in.dm_other, 1.0 / (in.max_other + 1));
  } else {
    rh2 = step_ratio(in.dsm * (in.cm_adams / in.cm_bdf), exsm);
    order = in.nq;
  }
  if (rh2 < kRatio * rh1) return {};
  return {true, rh2, order};
}

SwitchDecision bdf_to_adams(const SwitchInputs& in) {
  const double exsm = 1.0 / (in.nq + 1);
  double rh1, dm1, exm1;
  int order;
  if (in.max_other >= in.nq) {
    dm1 = in.dsm * (in.cm_bdf / in.cm_adams);
    rh1 = step_ratio(dm1, exsm);
    order = in.nq;
    exm1 = exsm;
  } else {
    order = in.max_other;
    exm1 = 1.0 / (in.max_other + 1);
    dm1 = in.dm_other;
    rh1 = step_ratio(dm1, exm1);
  }
  double rh1_stable = 2.0 * rh1;
  const double pdh = in.lipschitz * std::fabs(in.h);
  if (pdh * rh1 > 0.00001) rh1_stable = kAdamsStability[order - 1] / pdh;
  rh1 = std::min(rh1, rh1_stable);
  const double rh2 = step_ratio(in.dsm, exsm);
  if (rh1 * kRatio < 5.0 * rh2) return {};
  // Adams' error at its step would be down at roundoff level: stay with BDF.
  const double dm_at_step = std::pow(std::max(0.001, rh1), exm1) * dm1;
  if (dm_at_step <= 1000.0 * kRoundoff * in.pnorm) return {};
  return {true, rh1, order};
}

}  // namespace soma::ode::detail::lsoda
