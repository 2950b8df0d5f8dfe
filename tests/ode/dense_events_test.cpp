// Dense output, output times and events.
#include <gtest/gtest.h>

#include <cmath>

#include "soma/core/error.hpp"
#include "soma/ode/ode.hpp"

namespace {
using namespace soma::ode;

void oscillator(double, std::span<const double> y, std::span<double> dy) {
  dy[0] = y[1];
  dy[1] = -y[0];
}

class EveryMethod : public ::testing::TestWithParam<Method> {};

// The dense solution between steps is as accurate as the steps themselves, and agrees with
// the values the solver stores at t_eval.
TEST_P(EveryMethod, DenseOutputMatchesAnalyticAndTEval) {
  const Method m = GetParam();
  const bool fixed = m == Method::Euler || m == Method::RK4;
  const double tol = 1e-8;
  std::vector<double> ts = {0.0, 0.37, 1.0, 2.5, 3.14, 5.9, 7.0};
  Options o{.method = m, .rtol = tol, .atol = tol, .t_eval = ts, .dense_output = true};
  if (fixed) o.first_step = m == Method::Euler ? 1e-5 : 0.01;
  Result r = solve_ivp(oscillator, {0, 7}, {1.0, 0.0}, o);
  ASSERT_EQ(r.status, Status::Success) << r.message;
  ASSERT_FALSE(r.sol.empty());
  EXPECT_DOUBLE_EQ(r.sol.t_min(), 0.0);
  EXPECT_DOUBLE_EQ(r.sol.t_max(), 7.0);
  const double bound = m == Method::Euler ? 1e-3 : (m == Method::RK4 ? 1e-6 : 1e-5);
  for (std::size_t i = 0; i < ts.size(); ++i) {
    const auto y = r.sol(ts[i]);
    EXPECT_NEAR(y[0], r.states(i, 0), 1e-9 + 1e-3 * bound) << "t=" << ts[i];
    EXPECT_NEAR(y[1], r.states(i, 1), 1e-9 + 1e-3 * bound) << "t=" << ts[i];
  }
  for (double t = 0; t <= 7; t += 0.0173) {
    const auto y = r.sol(t);
    ASSERT_NEAR(y[0], std::cos(t), bound) << method_name(m) << " t=" << t;
    ASSERT_NEAR(y[1], -std::sin(t), bound) << method_name(m) << " t=" << t;
  }
}

// A terminal event with a direction stops exactly at the crossing: a ball dropped from
// 10 m hits the ground at sqrt(2 h / g).
TEST_P(EveryMethod, TerminalEventStopsAtCrossing) {
  const Method m = GetParam();
  auto ball = [](double, std::span<const double> y, std::span<double> dy) {
    dy[0] = y[1];
    dy[1] = -9.81;
  };
  Event ground{.fn = [](double, std::span<const double> y) { return y[0]; },
               .terminal = true,
               .direction = -1};
  Options o{.method = m, .rtol = 1e-10, .atol = 1e-10, .events = {ground}};
  if (m == Method::Euler || m == Method::RK4) o.first_step = 0.01;
  Result r = solve_ivp(ball, {0, 10}, {10.0, 0.0}, o);
  ASSERT_EQ(r.status, Status::Event) << r.message;
  const double expected = std::sqrt(2 * 10 / 9.81);
  // Euler's trajectory is off by O(h); RK4 and the adaptive methods are exact on a quadratic.
  const double tol = m == Method::Euler ? 0.01 : 1e-7;
  ASSERT_EQ(r.t_events[0].size(), 1u);
  EXPECT_NEAR(r.t_events[0][0], expected, tol);
  EXPECT_EQ(r.t.back(), r.t_events[0][0]);
  EXPECT_NEAR(r.states.back()[0], 0.0, 1e-9);
  EXPECT_NEAR(r.y_events[0](0, 1), -9.81 * expected, 1e3 * tol);
}

INSTANTIATE_TEST_SUITE_P(Ode, EveryMethod,
                         ::testing::Values(Method::Euler, Method::RK4, Method::RK23, Method::RK45,
                                           Method::DOP853, Method::BDF, Method::LSODA,
                                           Method::Radau),
                         [](const auto& p) { return std::string(method_name(p.param)); });

// Non-terminal events with directions: x = cos t crosses zero upward at 3pi/2 + 2k pi and
// downward at pi/2 + 2k pi.
TEST(Events, DirectionsAndCounts) {
  auto x = [](double, std::span<const double> y) { return y[0]; };
  Result r = solve_ivp(
      oscillator, {0, 20}, {1.0, 0.0},
      {.rtol = 1e-10,
       .atol = 1e-12,
       .events = {
           {.fn = x, .direction = 1}, {.fn = x, .direction = -1}, {.fn = x, .direction = 0}}});
  ASSERT_EQ(r.status, Status::Success);
  const double pi = std::acos(-1.0);
  ASSERT_EQ(r.t_events[0].size(), 3u);  // 3pi/2, 7pi/2, 11pi/2 (< 20)
  ASSERT_EQ(r.t_events[1].size(), 3u);  // pi/2, 5pi/2, 9pi/2
  ASSERT_EQ(r.t_events[2].size(), 6u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(r.t_events[0][k], 1.5 * pi + 2 * k * pi, 1e-8);
    EXPECT_NEAR(r.t_events[1][k], 0.5 * pi + 2 * k * pi, 1e-8);
    EXPECT_NEAR(r.y_events[0](k, 1), 1.0, 1e-8);  // v = -sin t = +1 going up
  }
  EXPECT_EQ(r.y_events[2].size(), 6u);
}

TEST(Odeint, ReturnsExactlyTheGivenTimes) {
  std::vector<double> t;
  for (int i = 0; i <= 100; ++i) t.push_back(0.1 * i);
  const double y0[2] = {1.0, 0.0};
  Trajectory y = odeint(oscillator, y0, t);
  ASSERT_EQ(y.size(), t.size());
  EXPECT_EQ(y(0, 0), 1.0);
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_NEAR(y(i, 0), std::cos(t[i]), 1e-6);
    EXPECT_NEAR(y(i, 1), -std::sin(t[i]), 1e-6);
  }
}

TEST(Options, InvalidInputThrows) {
  auto f = oscillator;
  EXPECT_THROW(solve_ivp(f, {0, 1}, {1.0, 0.0}, {.rtol = -1}), soma::Error);
  EXPECT_THROW(solve_ivp(f, {0, 1}, {1.0, 0.0}, {.atol = -1}), soma::Error);
  EXPECT_THROW(solve_ivp(f, {0, 1}, {1.0, 0.0}, {.atol_vector = {1e-6}}), soma::Error);
  EXPECT_THROW(solve_ivp(f, {0, 1}, {1.0, 0.0}, {.t_eval = {0.5, 2.0}}), soma::Error);
  EXPECT_THROW(solve_ivp(f, {0, 1}, {1.0, 0.0}, {.t_eval = {0.5, 0.2}}), soma::Error);
  EXPECT_THROW(solve_ivp(f, {0, 1}, {1.0, 0.0}, {.max_step = 0}), soma::Error);
  EXPECT_THROW(solve_ivp(f, {0, 1}, {1.0, 0.0}, {.method = Method::RK4}), soma::Error);
  // An empty y0 and an infinite tf are valid, as in SciPy (scipy_ivp_cases_test.cpp);
  // a t0 that is not finite and a NaN tf are not.
  EXPECT_THROW(solve_ivp(f, {INFINITY, 1}, {1.0, 0.0}, {}), soma::Error);
  EXPECT_THROW(solve_ivp(f, {0, NAN}, {1.0, 0.0}, {}), soma::Error);
  EXPECT_THROW(solve_ivp(f, {0, 1}, {NAN, 0.0}, {}), soma::Error);
  EXPECT_THROW(parse_method("RK5"), soma::Error);
  EXPECT_EQ(parse_method("dop853"), Method::DOP853);
  EXPECT_EQ(parse_method("auto"), Method::LSODA);
  const double y0[1] = {1};
  const double bad_t[3] = {0, 1, 0.5};
  EXPECT_THROW(odeint(f, y0, bad_t), soma::Error);
}

// A right-hand side that blows up makes the solver fail with status -1, not crash.
TEST(SolveIvp, BlowUpFailsCleanly) {
  auto blowup = [](double, std::span<const double> y, std::span<double> dy) {
    dy[0] = y[0] * y[0];
  };
  for (Method m : {Method::RK45, Method::BDF, Method::LSODA}) {
    Result r = solve_ivp(blowup, {0, 2}, {1.0}, {.method = m});  // y = 1/(1-t)
    EXPECT_EQ(r.status, Status::Failed) << method_name(m);
    EXPECT_FALSE(r.message.empty());
    EXPECT_LT(r.t.back(), 1.0);
    EXPECT_GT(r.t.back(), 0.99);
  }
}

TEST(SolveIvp, MaxStepIsHonoured) {
  Result r = solve_ivp(oscillator, {0, 10}, {1.0, 0.0}, {.max_step = 0.25});
  for (std::size_t i = 1; i < r.t.size(); ++i) EXPECT_LE(r.t[i] - r.t[i - 1], 0.25 + 1e-12);
  EXPECT_GE(r.t.size(), 41u);
}

}  // namespace
