// Radau IIA (order 5) against SciPy's Radau (tests/reference/ode_reference.py) on the stiff
// problems, Robertson and van der Pol with mu = 1000: the same steps, evaluations, Jacobians
// and LU decompositions, and the same solution; and against closed-form solutions of a stiff
// linear system, whose error must follow the tolerance.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "problems.hpp"
#include "soma/ode/ode.hpp"

namespace {
using namespace soma::ode;
using namespace soma::ode::test;

void vdp_jac(double, std::span<const double> y, std::span<double> J) {
  J[0] = 0;
  J[1] = 1;
  J[2] = -2 * kMu * y[0] * y[1] - 1;
  J[3] = kMu * (1 - y[0] * y[0]);
}

// SciPy's counts [steps, nfev, njev, nlu, calls of f] against soma's. soma's nfev counts
// every call of f (finite-difference Jacobians included), which is SciPy's `calls`.
void expect_counts_match(const Result& r, const std::string& record) {
  const auto& c = reference_values(record);
  const double steps = c[0], njev = c[2], nlu = c[3], calls = c[4];
  // soma takes SciPy's decisions; the roundings of the linear algebra differ (LAPACK there),
  // which may tip a decision near a threshold, so the acceptance allows 10 %.
  EXPECT_NEAR(static_cast<double>(r.nsteps), steps, 0.1 * steps) << record;
  EXPECT_NEAR(static_cast<double>(r.nfev), calls, 0.1 * calls) << record;
  EXPECT_NEAR(static_cast<double>(r.njev), njev, 0.1 * njev) << record;
  EXPECT_NEAR(static_cast<double>(r.nlu), nlu, 0.1 * nlu) << record;
  EXPECT_EQ(r.nlu % 2, 0) << "the real and the complex matrix are factored together";
}

// y at the output times against SciPy's Radau at the same tolerances: within the local
// tolerance rtol |y| + atol of each other (both take the same steps).
void expect_solution_matches(const Result& r, const std::string& record, double rtol, double atol) {
  const auto& want = reference_values(record);
  const std::size_t n = r.states.dim();
  ASSERT_EQ(r.t.size() * n, want.size()) << record;
  for (std::size_t i = 0; i < r.t.size(); ++i)
    for (std::size_t j = 0; j < n; ++j)
      EXPECT_NEAR(r.states(i, j), want[i * n + j], rtol * std::fabs(want[i * n + j]) + atol)
          << record << " t=" << r.t[i] << " component " << j;
}

class RadauJacobian : public ::testing::TestWithParam<bool> {};

// Robertson over [0, 4e10] at rtol 1e-6, atol 1e-10 (reference_test.cpp's BDF case).
TEST_P(RadauJacobian, RobertsonMatchesScipyRadau) {
  const bool analytic = GetParam();
  const std::string tag = analytic ? "jac" : "fd";
  const auto& t = reference_values("robertson_t");
  Options o{.method = Method::Radau, .rtol = 1e-6, .atol = 1e-10};
  if (analytic) o.jac = robertson_jac;
  Result steps = solve_ivp(robertson, {0, 4e10}, {1, 0, 0}, o);
  ASSERT_EQ(steps.status, Status::Success) << steps.message;
  expect_counts_match(steps, "scipy_robertson_Radau_" + tag + "_counts");
  const auto& fin = reference_values("scipy_robertson_Radau_" + tag + "_final");
  for (int j = 0; j < 3; ++j)
    EXPECT_NEAR(steps.states.back()[j], fin[j], 1e-6 * std::fabs(fin[j]) + 1e-10) << "y" << j + 1;

  o.t_eval = t;
  Result r = solve_ivp(robertson, {0, 4e10}, {1, 0, 0}, o);
  ASSERT_EQ(r.status, Status::Success) << r.message;
  EXPECT_EQ(r.nsteps, steps.nsteps) << "t_eval must not change the steps";
  expect_solution_matches(r, "scipy_robertson_Radau_" + tag + "_y", 1e-6, 1e-10);
  // And the true solution (SciPy's Radau at rtol 1e-10): the global error of a 1e-6 run.
  const auto& exact = reference_values("robertson_y");
  for (std::size_t i = 0; i < t.size(); ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(r.states(i, j), exact[3 * i + j], 1e-4 * std::fabs(exact[3 * i + j]) + 1e-10)
          << "t=" << t[i] << " y" << j + 1;
}

// Van der Pol, mu = 1000, y0 = (2, 0) over [0, 3000] at rtol = atol = 1e-6.
TEST_P(RadauJacobian, VanDerPolMu1000MatchesScipyRadau) {
  const bool analytic = GetParam();
  const std::string tag = analytic ? "jac" : "fd";
  Options o{.method = Method::Radau, .rtol = 1e-6, .atol = 1e-6};
  if (analytic) o.jac = vdp_jac;
  Result steps = solve_ivp(van_der_pol, {0, 3000}, {2, 0}, o);
  ASSERT_EQ(steps.status, Status::Success) << steps.message;
  expect_counts_match(steps, "scipy_vdp_Radau_" + tag + "_counts");
  const auto& fin = reference_values("scipy_vdp_Radau_" + tag + "_final");
  for (int j = 0; j < 2; ++j)
    EXPECT_NEAR(steps.states.back()[j], fin[j], 1e-5 * std::fabs(fin[j]) + 1e-6) << "y" << j + 1;

  o.t_eval = reference_values("vdp_t");
  Result r = solve_ivp(van_der_pol, {0, 3000}, {2, 0}, o);
  ASSERT_EQ(r.status, Status::Success) << r.message;
  expect_solution_matches(r, "scipy_vdp_Radau_" + tag + "_y", 1e-5, 1e-6);
  const auto& exact = reference_values("vdp_y");
  for (std::size_t i = 0; i < r.t.size(); ++i)
    EXPECT_NEAR(r.states(i, 0), exact[2 * i], 1e-4 * std::fabs(exact[2 * i])) << "t=" << r.t[i];
}

INSTANTIATE_TEST_SUITE_P(Radau, RadauJacobian, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "AnalyticJacobian" : "NumJac"; });

// y' = A y with A = P diag(-1, -1000) P^-1, P = [[1, 1], [1, -1]]: a = (y1 + y2)/2 decays
// as e^-t, b = (y1 - y2)/2 as e^-1000t, and y = (a + b, a - b).
void stiff_linear(double, std::span<const double> y, std::span<double> dy) {
  dy[0] = -500.5 * y[0] + 499.5 * y[1];
  dy[1] = 499.5 * y[0] - 500.5 * y[1];
}
double stiff_linear_exact(double t, int component) {
  const double a = 1.5 * std::exp(-t), b = 0.5 * std::exp(-1000 * t);  // y0 = (2, 1)
  return component == 0 ? a + b : a - b;
}

TEST(Radau, StiffLinearErrorFollowsTolerance) {
  std::vector<double> ts;
  for (int i = 1; i <= 100; ++i) ts.push_back(0.1 * i);
  double previous = 1;
  std::int64_t previous_steps = 0;
  for (double rtol : {1e-3, 1e-6, 1e-9}) {
    Result r =
        solve_ivp(stiff_linear, {0, 10}, {2, 1},
                  {.method = Method::Radau, .rtol = rtol, .atol = 1e-3 * rtol, .t_eval = ts});
    ASSERT_EQ(r.status, Status::Success) << r.message;
    double err = 0;  // relative to the solution's size (about e^-t)
    for (std::size_t i = 0; i < ts.size(); ++i)
      for (int j = 0; j < 2; ++j)
        err = std::max(err, std::fabs(r.states(i, j) - stiff_linear_exact(ts[i], j)) /
                                std::fabs(stiff_linear_exact(ts[i], j)));
    // The global error of a fifth-order method under local error control: a few times rtol.
    EXPECT_LT(err, 10 * rtol) << "rtol " << rtol;
    EXPECT_LT(err, 0.1 * previous) << "the error must shrink with the tolerance";
    previous = err;
    EXPECT_GT(r.nsteps, previous_steps);
    previous_steps = r.nsteps;
    // Stiffness does not set the step: an explicit method would need h < 3.3e-3 (RK45's
    // stability on -1000) over [0, 10], some 3,000 steps; accuracy alone sets Radau's.
    if (rtol == 1e-3) {
      EXPECT_LT(r.nsteps, 100);
    }
  }
}

// Backwards in time: y' = -y/2 from y(10) = 2 e^-5 to t = 0 recovers y(0) = 2.
TEST(Radau, IntegratesBackwards) {
  auto decay = [](double, std::span<const double> y, std::span<double> dy) { dy[0] = -0.5 * y[0]; };
  Result r = solve_ivp(decay, {10, 0}, {2 * std::exp(-5.0)},
                       {.method = Method::Radau, .rtol = 1e-8, .atol = 1e-12, .t_eval = {7, 3, 0}});
  ASSERT_EQ(r.status, Status::Success) << r.message;
  ASSERT_EQ(r.t.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_NEAR(r.states(i, 0), 2 * std::exp(-0.5 * r.t[i]), 1e-7 * 2 * std::exp(-0.5 * r.t[i]));
}

TEST(Radau, HonoursMaxStep) {
  Result r = solve_ivp(stiff_linear, {0, 10}, {2, 1},
                       {.method = Method::Radau, .rtol = 1e-3, .atol = 1e-6, .max_step = 0.25});
  ASSERT_EQ(r.status, Status::Success) << r.message;
  EXPECT_GE(r.nsteps, 40);
  for (std::size_t i = 1; i < r.t.size(); ++i) EXPECT_LE(r.t[i] - r.t[i - 1], 0.25 + 1e-15);
}

// x' = x^2, x(0) = 1 blows up at t = 1: the step shrinks to nothing just before.
TEST(Radau, FailsAtABlowUp) {
  auto blowup = [](double, std::span<const double> y, std::span<double> dy) {
    dy[0] = y[0] * y[0];
  };
  Result r = solve_ivp(blowup, {0, 2}, {1.0}, {.method = Method::Radau});
  EXPECT_EQ(r.status, Status::Failed);
  EXPECT_NE(r.message.find("step size"), std::string::npos) << r.message;
  EXPECT_NEAR(r.t.back(), 1.0, 1e-3);
}

TEST(Radau, ParsesItsName) {
  EXPECT_EQ(parse_method("Radau"), Method::Radau);
  EXPECT_EQ(parse_method("radau"), Method::Radau);
  EXPECT_STREQ(method_name(Method::Radau), "Radau");
}

}  // namespace
