#pragma once
// LSODA's method switching (Petzold, "Automatic selection of methods for solving stiff and
// nonstiff systems of ordinary differential equations", SIAM J. Sci. Stat. Comput. 4, 1983,
// as coded in ODEPACK's stoda). Every 20 steps the step size the current method could have
// used on the step just taken is compared with the one the other family would allow:
// - Adams -> BDF when BDF's step would be `ratio` (5) times longer. Adams' step is bounded
//   both by accuracy and by its stability region, estimated from the Lipschitz constant that
//   the functional iteration measures (pdlast); a stiff problem is one where stability, not
//   accuracy, holds Adams' step down.
// - BDF -> Adams when Adams' step, bounded the same way with the Jacobian's norm (pdnorm),
//   would be at least as long as BDF's: the explicit-in-cost Adams step is then the cheaper.
// The error of the other family at the same order follows from the current error estimate
// through the ratio of the methods' error constants (cm1 / cm2); at an order the other family
// lacks it is taken from the Nordsieck column of that order.

namespace soma::ode::detail::lsoda {

// The step-size ratio that the error estimate `d` (in units of the tolerance) allows at an
// order whose error scales as h^(1/exponent): ODEPACK's 1 / (1.2 d^(1/(q+1)) + 1.2e-6).
double step_ratio(double d, double exponent);

// sm1[q - 1]: h |lambda| at the edge of Adams-Moulton's (PECE) stability region, order q.
extern const double kAdamsStability[12];

struct SwitchDecision {
  bool to_switch = false;
  double rh = 0;  // the step ratio to start the new method with
  int order = 0;  // the new method's order
};

struct SwitchInputs {
  int nq;            // current order
  double dsm;        // the step's error estimate (<= 1 on a successful step)
  double pnorm;      // weighted norm of the solution (roundoff scale)
  double h;          // the step size just used
  double lipschitz;  // Adams: pdlast, the iteration's Lipschitz estimate; BDF: pdnorm
  double dm_other;   // the other family's error estimate at its maximum order, when nq > it
  double cm_adams;   // cm1(nq) (or cm1(mxordn) when nq > mxordn)
  double cm_bdf;     // cm2(nq) (or cm2(mxords) when nq > mxords)
  int max_other;     // mxords (from Adams) or mxordn (from BDF)
  bool pdest_zero;   // Adams: no Lipschitz estimate formed on this step
  bool restricted;   // Adams: the last step was cut by the stability region (irflag)
};

// From Adams (meth 1): whether to switch to BDF.
SwitchDecision adams_to_bdf(const SwitchInputs& in);
// From BDF (meth 2): whether to switch to Adams.
SwitchDecision bdf_to_adams(const SwitchInputs& in);

}  // namespace soma::ode::detail::lsoda
