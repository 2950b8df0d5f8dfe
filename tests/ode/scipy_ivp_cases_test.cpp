// Cases from SciPy's own tests of solve_ivp (scipy/integrate/_ivp/tests/test_ivp.py, the
// test named above each case; the gh-* regression tests are from SciPy's main branch),
// with the expectations stated there. What SciPy returns where its test does not say
// (the times of an empty system) was printed by tests/reference/ode_scipy_edge_cases.py.
// soma gave zeros instead of y0 from the dense output of t0 == tf, refused y0 = [] and an
// infinite tf, and evaluated f outside t_span in its initial-step search (at t0 + h0 with
// h0 up to 0.01 ||y0|| / ||f0||).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ode/stepper.hpp"
#include "soma/core/error.hpp"
#include "soma/ode/solve_ivp.hpp"

using namespace soma::ode;

namespace {

const Method kAdaptive[] = {Method::RK23, Method::RK45, Method::DOP853, Method::BDF, Method::LSODA};

void fun_rational(double t, std::span<const double> y, std::span<double> dy) {
  dy[0] = y[1] / t;
  dy[1] = y[1] * (y[0] + 2 * y[1] - 1) / (t * (y[0] - 1));
}
std::vector<double> sol_rational(double t) {
  return {t / (t + 10), 10 * t / ((t + 10) * (t + 10))};
}
// SciPy's compute_error: the RMS over components of the error in units of the tolerance.
double compute_error(std::span<const double> y, double t, double rtol, double atol) {
  const auto want = sol_rational(t);
  double s = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    const double e = (y[i] - want[i]) / (atol + rtol * std::abs(want[i]));
    s += e * e;
  }
  return std::sqrt(s / 2);
}

// test_no_integration: t_span [4, 4], dense output: sol(4) and sol([4, 5, 6]) are y0.
TEST(ScipyIvpCases, NoIntegrationDenseOutputIsY0) {
  for (Method m : kAdaptive) {
    const Result r = solve_ivp([](double, std::span<const double> y,
                                  std::span<double> dy) { dy[0] = -y[0], dy[1] = -y[1]; },
                               {4, 4}, {2.0, 3.0}, {.method = m, .dense_output = true});
    ASSERT_TRUE(r.success()) << method_name(m);
    for (double t : {4.0, 5.0, 6.0}) EXPECT_EQ(r.sol(t), (std::vector<double>{2, 3})) << t;
  }
}

// test_zero_interval (gh main): (0, 0) succeeds with y[-1] = y0.
TEST(ScipyIvpCases, ZeroInterval) {
  for (Method m : kAdaptive) {
    const Result r =
        solve_ivp([](double, std::span<const double> y, std::span<double> dy) { dy[0] = 2 * y[0]; },
                  {0, 0}, {1.0}, {.method = m});
    ASSERT_TRUE(r.success());
    EXPECT_EQ(r.states.back()[0], 1.0);
  }
}

// test_empty: y0 = [] over [0, 10] and [0, inf], dense output: sol(10) is empty and
// sol([1, 2, 3]) has shape (0, 3). SciPy 1.10 returns t = [0, 10] (and [0, inf]) with y
// of shape (0, 2), or t = t_eval with t_eval; f is not evaluated (nfev 0 for LSODA).
TEST(ScipyIvpCases, EmptySystem) {
  int calls = 0;
  const Rhs f = [&](double, std::span<const double>, std::span<double>) { ++calls; };
  for (Method m : kAdaptive)
    for (double tf : std::vector<double>{10.0, INFINITY}) {
      const Result r =
          solve_ivp(f, {0, tf}, std::span<const double>(), {.method = m, .dense_output = true});
      ASSERT_EQ(r.status, Status::Success) << method_name(m) << " " << r.message;
      EXPECT_EQ(r.t, (std::vector<double>{0, tf}));
      EXPECT_EQ(r.states.size(), 2u);
      EXPECT_EQ(r.states.dim(), 0u);
      EXPECT_TRUE(r.sol(10).empty());
      EXPECT_EQ(r.sol.dim(), 0u);
      const Result e =
          solve_ivp(f, {0, 10}, std::span<const double>(), {.method = m, .t_eval = {0, 5, 10}});
      EXPECT_EQ(e.t, (std::vector<double>{0, 5, 10}));
      EXPECT_EQ(e.states.size(), 3u);
    }
  EXPECT_EQ(calls, 0);
}

// test_duplicate_timestamps (gh main): a cannon fired upwards over [0, inf), stopped by
// a terminal event when it hits the ground; max_step 0.05 * 0.001 / 9.80665.
TEST(ScipyIvpCases, InfiniteTboundEndsAtTerminalEvent) {
  const Rhs cannon = [](double, std::span<const double> y, std::span<double> dy) {
    dy[0] = y[1];
    dy[1] = -9.80665;
  };
  const Event hit_ground{.fn = [](double, std::span<const double> y) { return y[0]; },
                         .terminal = true,
                         .direction = -1};
  const Result r =
      solve_ivp(cannon, {0, INFINITY}, {0.0, 0.01},
                {.max_step = 0.05 * 0.001 / 9.80665, .dense_output = true, .events = {hit_ground}});
  ASSERT_EQ(r.status, Status::Event) << r.message;
  const auto y = r.sol(0.01);
  EXPECT_NEAR(y[0], -0.00039033, 1e-8 + 1e-5 * 0.00039033);
  EXPECT_NEAR(y[1], -0.08806632, 1e-8 + 1e-5 * 0.08806632);
  ASSERT_EQ(r.t_events[0].size(), 1u);
  EXPECT_NEAR(r.t_events[0][0], 0.00203943, 1e-8 + 1e-5 * 0.00203943);
  EXPECT_NEAR(r.y_events[0](0, 0), 0.0, 1e-9);
  EXPECT_NEAR(r.y_events[0](0, 1), -0.01, 1e-9);
  // And with every method: dy/dt = -y over [0, inf) until t = 2.
  const Event at_two{.fn = [](double t, std::span<const double>) { return t - 2; },
                     .terminal = true};
  for (Method m : kAdaptive) {
    const Result d =
        solve_ivp([](double, std::span<const double> u, std::span<double> du) { du[0] = -u[0]; },
                  {0, INFINITY}, {1.0}, {.method = m, .events = {at_two}});
    ASSERT_EQ(d.status, Status::Event) << method_name(m) << " " << d.message;
    EXPECT_NEAR(d.t.back(), 2.0, 1e-12) << method_name(m);
    EXPECT_NEAR(d.states.back()[0], std::exp(-2.0), 1e-3) << method_name(m);
  }
}

// test_tbound_respected_small_interval (gh-17341), _larger_interval (gh-8848) and
// _oscillator (gh-9198): f must never be called outside t_span. SciPy's LSODA keeps
// to it as well (ODEPACK's tcrit); here every method does, in both directions.
TEST(ScipyIvpCases, FunctionNeverEvaluatedOutsideTspan) {
  for (Method m : kAdaptive) {
    for (double sign : {1.0, -1.0}) {
      double lo = 0, hi = 0;
      bool outside = false;
      const Rhs small = [&](double t, std::span<const double> y, std::span<double> dy) {
        outside |= t < lo || t > hi;
        dy[0] = 2 * y[0];
      };
      lo = std::min(0.0, sign * 1e-4), hi = std::max(0.0, sign * 1e-4);
      EXPECT_TRUE(solve_ivp(small, {0, sign * 1e-4}, {1.0}, {.method = m}).success());
      EXPECT_FALSE(outside) << method_name(m) << " small interval, direction " << sign;

      // gh-8848: the radial equation with r = e^t on t in [-17, 2].
      outside = false;
      lo = -17, hi = 2;
      const Rhs radial = [&](double t, std::span<const double> p, std::span<double> dp) {
        outside |= t < lo || t > hi;
        const double r = std::exp(t);
        const double v = -11 / r + 10 * r / (0.05 + r * r);
        dp[0] = r * p[1];
        dp[1] = -2.0 * r * ((-0.2 - v) * p[0] + 1 / r * p[1]);
      };
      const TimeSpan span = sign > 0 ? TimeSpan{-17, 2} : TimeSpan{2, -17};
      solve_ivp(radial, span, {1.0, -11.0},
                {.method = m, .rtol = 1e-5, .atol = 1e-8, .max_step = 0.03});
      EXPECT_FALSE(outside) << method_name(m) << " gh-8848, direction " << sign;

      // gh-9198: a constant right-hand side over [100, 200] with max_step = 100.
      outside = false;
      lo = 100, hi = 200;
      const Rhs constant = [&](double t, std::span<const double>, std::span<double> dy) {
        outside |= t < lo || t > hi;
        dy[0] = 1.73307544e-02, dy[1] = 6.49376470e-06, dy[2] = 0, dy[3] = 0;
      };
      const TimeSpan span2 = sign > 0 ? TimeSpan{100, 200} : TimeSpan{200, 100};
      EXPECT_TRUE(solve_ivp(constant, span2, {134.08298555, 138.82348612, 100., 0.},
                            {.method = m, .max_step = 100, .dense_output = true})
                      .success());
      EXPECT_FALSE(outside) << method_name(m) << " gh-9198, direction " << sign;
    }
  }
}

// test_max_step and test_first_step: fun_rational over [5, 9] and [5, 1], rtol 1e-3,
// atol 1e-6, max_step 0.5 (and first_step 0.1): the ends are t_span's, every step is at
// most 0.5 (+1e-15), the first is 0.1 when asked, and the error is below 5 tolerances.
TEST(ScipyIvpCases, MaxStepAndFirstStep) {
  const double rtol = 1e-3, atol = 1e-6;
  for (Method m : kAdaptive)
    for (double tf : {9.0, 1.0})
      for (double first : {0.0, 0.1}) {
        SCOPED_TRACE(std::string(method_name(m)) + " tf " + std::to_string(tf) + " first " +
                     std::to_string(first));
        const Result r = solve_ivp(fun_rational, {5, tf}, {1.0 / 3, 2.0 / 9},
                                   {.method = m,
                                    .rtol = rtol,
                                    .atol = atol,
                                    .max_step = 0.5,
                                    .first_step = first,
                                    .dense_output = true});
        ASSERT_EQ(r.status, Status::Success) << r.message;
        EXPECT_EQ(r.t.front(), 5.0);
        EXPECT_EQ(r.t.back(), tf);
        for (std::size_t i = 1; i < r.t.size(); ++i)
          EXPECT_LE(std::abs(r.t[i] - r.t[i - 1]), 0.5 + 1e-15);
        if (first > 0) {
          EXPECT_NEAR(std::abs(r.t[1] - 5), first, 1e-7 * first);
        }
        for (std::size_t i = 0; i < r.t.size(); ++i)
          EXPECT_LT(compute_error(r.states[i], r.t[i], rtol, atol), 5) << "t " << r.t[i];
        for (int k = 0; k < 50; ++k) {
          const double t = 5 + (tf - 5) * k / 49.0;
          EXPECT_LT(compute_error(r.sol(t), t, rtol, atol), 5) << "sol at t " << t;
        }
      }
  // max_step = -1 and first_step = -1 or 5 (beyond the span) are errors.
  EXPECT_THROW(solve_ivp(fun_rational, {5, 9}, {1.0 / 3, 2.0 / 9}, {.max_step = -1}), soma::Error);
  EXPECT_THROW(solve_ivp(fun_rational, {5, 9}, {1.0 / 3, 2.0 / 9}, {.first_step = -1}),
               soma::Error);
  EXPECT_THROW(solve_ivp(fun_rational, {5, 9}, {1.0 / 3, 2.0 / 9}, {.first_step = 5}), soma::Error);
}

// test_initial_maxstep (gh main): select_initial_step returns max_step when that is
// below its own choice, for each method's error order, in both directions.
TEST(ScipyIvpCases, InitialStepRespectsMaxStep) {
  const Rhs f = fun_rational;
  const std::vector<double> y0 = {1.0 / 3, 2.0 / 9};
  const detail::Tolerances tol{1e-3, {1e-6, 1e-6}};
  for (double t_bound : {9.0, 1.0})
    for (int order : {2, 4, 7, 3, 1}) {
      const double direction = t_bound > 5 ? 1.0 : -1.0;
      std::vector<double> f0(2);
      fun_rational(5, y0, f0);
      detail::CountedRhs g{&f};
      const double free =
          detail::select_initial_step(g, 5, t_bound, INFINITY, y0, f0, direction, order, tol);
      const double capped =
          detail::select_initial_step(g, 5, t_bound, free / 2, y0, f0, direction, order, tol);
      EXPECT_EQ(capped, free / 2) << "order " << order << " t_bound " << t_bound;
    }
}

}  // namespace
