// LSODA (src/ode/lsoda/) against SciPy's, which runs ODEPACK's Fortran: the same algorithm,
// so the step and evaluation counts agree (the acceptance bound is 10%; bit for bit while
// the iterations are the same, the rounding of SciPy's LAPACK in BDF's LU lets a chaotic
// problem drift apart later). Reference values: tests/reference/lsoda_reference.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "ode/lsoda/coefficients.hpp"
#include "problems.hpp"
#include "soma/core/error.hpp"
#include "soma/ode/ode.hpp"

namespace soma::ode {
namespace {

using test::lsoda_reference;

void expect_within(double soma, double scipy, double fraction, const char* what) {
  EXPECT_LE(std::fabs(soma - scipy), fraction * scipy)
      << what << ": soma " << soma << ", SciPy " << scipy;
}

// Counts (steps, nfev, njev) within 10% of SciPy's; njev is small, so a switch more or less
// is allowed as well.
void expect_counts(const std::string& name, std::int64_t steps, std::int64_t nfev,
                   std::int64_t njev) {
  const auto& c = lsoda_reference(name + "_counts");
  expect_within(static_cast<double>(steps), c[0], 0.10, "steps");
  expect_within(static_cast<double>(nfev), c[1], 0.10, "nfev");
  EXPECT_LE(std::fabs(static_cast<double>(njev) - c[2]), std::max(0.10 * c[2], 3.0))
      << "njev: soma " << njev << ", SciPy " << c[2];
}

std::vector<double> linspace(double a, double b, int n) {
  std::vector<double> t(n);
  for (int i = 0; i < n; ++i) t[i] = a + (b - a) * i / (n - 1);
  return t;
}

// The Nordsieck coefficients of known methods: the trapezoidal rule (Adams-Moulton order 2)
// has l = (1/2, 1, 1/2), BDF2 l = (2/3, 1, 1/3); every order has el_1 = 1.
TEST(Lsoda, CoefficientsOfKnownMethods) {
  const auto& a = detail::lsoda::adams_coefficients();
  const auto& b = detail::lsoda::bdf_coefficients();
  EXPECT_DOUBLE_EQ(a.el[1][0], 1.0);
  EXPECT_DOUBLE_EQ(a.el[2][0], 0.5);
  EXPECT_DOUBLE_EQ(a.el[2][2], 0.5);
  EXPECT_DOUBLE_EQ(b.el[2][0], 2.0 / 3);
  EXPECT_DOUBLE_EQ(b.el[2][2], 1.0 / 3);
  // BDF of order q: l(x) = (x+1)...(x+q) / (q! (1 + ... + 1/q)), so l_q = 1 / (q! H_q)...
  for (int q = 1; q <= 5; ++q) {
    double fact = 1, harmonic = 0;
    for (int k = 1; k <= q; ++k) {
      fact *= k;
      harmonic += 1.0 / k;
    }
    EXPECT_NEAR(b.el[q][q], 1 / (fact * harmonic), 1e-15) << q;
    EXPECT_EQ(b.el[q][1], 1.0);
  }
  // ...and Adams' l(-1) = 0: sum_j el_j (-1)^j = 0 at every order.
  for (int q = 1; q <= 12; ++q) {
    double s = 0;
    for (int j = 0; j <= q; ++j) s += (j % 2 ? -1 : 1) * a.el[q][j];
    EXPECT_NEAR(s, 0, 1e-14) << q;
  }
}

// odeint at SciPy's defaults on Lorenz: the tutorial's comparison. Adams throughout.
TEST(Lsoda, OdeintLorenzMatchesScipy) {
  const std::vector<double> t = linspace(0, 40, 4000);
  const std::array<double, 3> y0 = {1, 1, 1};
  OdeintInfo info;
  const Trajectory y = odeint(test::lorenz, y0, t, {.info = &info});
  expect_counts("odeint_lorenz", info.nst, info.nfe, info.nje);
  ASSERT_EQ(info.methods.size(), 1u);
  EXPECT_EQ(info.methods[0].method, Method::Adams);
  const auto& rows = lsoda_reference("odeint_lorenz_rows");
  const auto& want = lsoda_reference("odeint_lorenz_y");
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto i = static_cast<std::size_t>(rows[k]);
    // A chaotic problem: errors of order tol grow ~e^(0.9 t); at t = 40 only the steps being
    // the same keeps the two together.
    const double bound = t[i] <= 10 ? 1e-5 : 1e-2;
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(y(i, j), want[3 * k + j], bound * (1 + std::fabs(want[3 * k + j])))
          << "t = " << t[i] << " y" << j;
  }
}

// The method indicator: odeint on Robertson at SciPy's defaults runs Adams, then BDF from
// t = 0.0055 on; which method reached each output time is ODEPACK's (SciPy's infodict
// 'mused', 1 Adams / 2 BDF), and the switch is where SciPy's 'tsw' puts it.
TEST(Lsoda, OdeintMethodIndicatorMatchesScipy) {
  const auto& t = lsoda_reference("odeint_robertson_t");
  const auto& mused = lsoda_reference("odeint_robertson_mused");
  const auto& tsw = lsoda_reference("odeint_robertson_tsw");
  OdeintInfo info;
  const std::vector<double> y0 = {1, 0, 0};
  odeint(test::robertson, y0, t, {.info = &info});
  ASSERT_EQ(info.methods.size(), 2u);
  EXPECT_EQ(info.methods[0].method, Method::Adams);
  EXPECT_EQ(info.methods[0].t, 0.0);
  EXPECT_EQ(info.methods[1].method, Method::BDF);
  EXPECT_NEAR(info.methods[1].t, tsw.back(), 0.1 * tsw.back());
  ASSERT_EQ(mused.size(), t.size() - 1);
  EXPECT_EQ(method_at(info.methods, t[0]), Method::Adams);
  for (std::size_t i = 1; i < t.size(); ++i)
    EXPECT_EQ(method_at(info.methods, t[i]), mused[i - 1] == 1 ? Method::Adams : Method::BDF)
        << "t = " << t[i];
  EXPECT_THROW(method_at({}, 1.0), soma::Error);
}

// solve_ivp's LSODA at its defaults (rtol 1e-3): Lorenz switches to BDF and back a few times.
TEST(Lsoda, SolveIvpLorenzMatchesScipy) {
  Result r = solve_ivp(test::lorenz, {0, 40}, {1, 1, 1}, {.method = Method::LSODA});
  ASSERT_EQ(r.status, Status::Success) << r.message;
  expect_counts("ivp_lorenz", r.nsteps, r.nfev, r.njev);
  EXPECT_EQ(r.nlu, r.njev);
  ASSERT_GE(r.methods.size(), 2u);
  EXPECT_EQ(r.methods[0].method, Method::Adams);
  for (std::size_t k = 1; k < r.methods.size(); ++k)
    EXPECT_NE(r.methods[k].method, r.methods[k - 1].method);

  const auto& t = lsoda_reference("ivp_lorenz_t");
  const auto& want = lsoda_reference("ivp_lorenz_y");
  Result e = solve_ivp(test::lorenz, {0, 40}, {1, 1, 1}, {.method = Method::LSODA, .t_eval = t});
  EXPECT_EQ(e.nfev, r.nfev);  // output times do not change the steps
  for (std::size_t i = 0; i < t.size(); ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(e.states(i, j), want[3 * i + j], 1e-6 * (1 + std::fabs(want[3 * i + j])))
          << "t = " << t[i];
}

void robertson_case(const std::string& name, double tf, double rtol, double atol) {
  SCOPED_TRACE(name);
  Result r = solve_ivp(test::robertson, {0, tf}, {1, 0, 0},
                       {.method = Method::LSODA, .rtol = rtol, .atol = atol});
  ASSERT_EQ(r.status, Status::Success) << r.message;
  expect_counts(name, r.nsteps, r.nfev, r.njev);
  // Adams while y2 builds up, then BDF for good.
  ASSERT_EQ(r.methods.size(), 2u);
  EXPECT_EQ(r.methods[0].method, Method::Adams);
  EXPECT_EQ(r.methods[1].method, Method::BDF);
  EXPECT_LT(r.methods[1].t, 0.1);

  const auto& t = lsoda_reference(name + "_t");
  const auto& want = lsoda_reference(name + "_y");
  Result e = solve_ivp(test::robertson, {0, tf}, {1, 0, 0},
                       {.method = Method::LSODA, .rtol = rtol, .atol = atol, .t_eval = t});
  for (std::size_t i = 0; i < t.size(); ++i)
    for (int j = 0; j < 3; ++j) {
      // Both solutions carry errors of about the tolerance: they agree to a few of them.
      const double w = want[3 * i + j];
      EXPECT_NEAR(e.states(i, j), w, 10 * (rtol * std::fabs(w) + atol)) << "t = " << t[i];
    }
}

TEST(Lsoda, RobertsonDefaultTolerancesMatchesScipy) {
  robertson_case("ivp_robertson40", 40, 1e-3, 1e-6);
}
TEST(Lsoda, RobertsonTightOverLongSpanMatchesScipy) {
  robertson_case("ivp_robertson4e10", 4e10, 1e-6, 1e-10);
}

// An analytic Jacobian replaces the finite differences: the same solution for fewer
// evaluations (each finite-difference Jacobian costs n evaluations).
TEST(Lsoda, AnalyticJacobianSavesEvaluations) {
  const Options fd{.method = Method::LSODA, .rtol = 1e-6, .atol = 1e-10};
  Options an = fd;
  an.jac = test::robertson_jac;
  const Result a = solve_ivp(test::robertson, {0, 4e10}, {1, 0, 0}, fd);
  const Result b = solve_ivp(test::robertson, {0, 4e10}, {1, 0, 0}, an);
  ASSERT_TRUE(a.success() && b.success());
  EXPECT_LT(b.nfev, a.nfev - 2 * a.njev);
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(b.states.back()[j], a.states.back()[j], 1e-6);
}

// f is never evaluated outside the integration interval, forwards or backwards, in
// solve_ivp or odeint (ODEPACK's critical time; SciPy's test_ivp checks the same). Forwards
// on Robertson (through the switch to BDF), backwards on a decay (backwards, Robertson and
// Lorenz blow up).
TEST(Lsoda, NeverEvaluatesOutsideSpanLsoda) {
  for (double t1 : {1e3, -10.0}) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    auto f = [&](double t, std::span<const double> y, std::span<double> dy) {
      lo = std::min(lo, t);
      hi = std::max(hi, t);
      if (t1 > 0) {
        test::robertson(t, y, dy);
      } else {
        for (std::size_t i = 0; i < y.size(); ++i) dy[i] = -0.5 * y[i];
      }
    };
    const std::string where = "t1 = " + std::to_string(t1);
    Result r = solve_ivp(f, {0, t1}, {1, 0, 0}, {.method = Method::LSODA, .atol = 1e-8});
    ASSERT_TRUE(r.success()) << r.message;
    EXPECT_EQ(r.t.back(), t1);
    EXPECT_GE(lo, std::min(0.0, t1)) << where;
    EXPECT_LE(hi, std::max(0.0, t1)) << where;
    lo = std::numeric_limits<double>::infinity();
    hi = -lo;
    const std::vector<double> t = {0, t1 / 3, t1};
    const std::array<double, 3> y0 = {1, 0, 0};
    odeint(f, y0, t, {.rtol = 1e-3, .atol = 1e-8});
    EXPECT_GE(lo, std::min(0.0, t1)) << where;
    EXPECT_LE(hi, std::max(0.0, t1)) << where;
  }
}

// Method::Adams is LSODA without switching: it stays with Adams even where LSODA would go
// to BDF, and gives the same steps as LSODA while LSODA runs Adams.
TEST(Lsoda, AdamsAloneNeverSwitches) {
  Result r = solve_ivp(test::robertson, {0, 1}, {1, 0, 0}, {.method = Method::Adams});
  ASSERT_TRUE(r.success()) << r.message;
  ASSERT_EQ(r.methods.size(), 1u);
  EXPECT_EQ(r.methods[0].method, Method::Adams);
  EXPECT_EQ(r.njev, 0);
  const OdeintOptions o{.method = Method::Adams};
  const std::vector<double> t = linspace(0, 10, 101);
  const std::array<double, 3> y0 = {1, 1, 1};
  EXPECT_EQ(odeint(test::lorenz, y0, t, o).data(), odeint(test::lorenz, y0, t).data());
}

// Dense output is the Nordsieck polynomial of each step: continuous across steps and equal to
// the steps' own states at their ends.
TEST(Lsoda, DenseOutputIsTheNordsieckPolynomial) {
  Result r =
      solve_ivp(test::robertson, {0, 100}, {1, 0, 0},
                {.method = Method::LSODA, .rtol = 1e-6, .atol = 1e-10, .dense_output = true});
  ASSERT_TRUE(r.success()) << r.message;
  ASSERT_EQ(r.sol.num_segments(), r.t.size() - 1);
  for (std::size_t i = 1; i < r.t.size(); ++i) {
    const std::vector<double> y = r.sol(r.t[i]);
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(y[j], r.states(i, j), 1e-12 * (1 + std::fabs(r.states(i, j))))
          << "t = " << r.t[i];
  }
}

// A zero error weight (atol 0 on a zero component) is refused up front, naming the component.
TEST(Lsoda, ZeroErrorWeightThrows) {
  try {
    solve_ivp(test::robertson, {0, 1}, {1, 0, 0}, {.method = Method::LSODA, .atol = 0});
    FAIL() << "no error";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("y0[1]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace soma::ode
