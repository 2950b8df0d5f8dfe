// Exponential decay and the harmonic oscillator against their closed-form solutions:
// every method must be accurate, and the adaptive ones must get more accurate as the
// tolerance tightens (error roughly proportional to the tolerance).
#include <gtest/gtest.h>

#include <cmath>

#include "soma/ode/ode.hpp"

namespace {
using namespace soma::ode;

void decay(double, std::span<const double> y, std::span<double> dy) { dy[0] = -0.5 * y[0]; }
void oscillator(double, std::span<const double> y, std::span<double> dy) {
  dy[0] = y[1];
  dy[1] = -y[0];
}

// Max error over t_eval points of the oscillator started at (1, 0): x = cos t, v = -sin t.
double oscillator_error(const Result& r) {
  double e = 0;
  for (std::size_t i = 0; i < r.t.size(); ++i) {
    e = std::max(e, std::fabs(r.states(i, 0) - std::cos(r.t[i])));
    e = std::max(e, std::fabs(r.states(i, 1) + std::sin(r.t[i])));
  }
  return e;
}

class AdaptiveMethod : public ::testing::TestWithParam<Method> {};

TEST_P(AdaptiveMethod, DecayErrorScalesWithTolerance) {
  double previous = 1;
  for (double tol : {1e-3, 1e-6, 1e-9}) {
    Result r = solve_ivp(decay, {0, 10}, {2.0}, {.method = GetParam(), .rtol = tol, .atol = tol});
    ASSERT_EQ(r.status, Status::Success) << r.message;
    EXPECT_DOUBLE_EQ(r.t.back(), 10.0);
    double err = 0;
    for (std::size_t i = 0; i < r.t.size(); ++i)
      err = std::max(err, std::fabs(r.states(i, 0) - 2 * std::exp(-0.5 * r.t[i])));
    // BDF's local error control is looser than the Runge-Kutta pairs' (lower order, and
    // an error estimate from the Newton correction).
    const double factor = GetParam() == Method::BDF ? 100 : 20;
    EXPECT_LT(err, factor * tol) << method_name(GetParam()) << " tol " << tol;
    EXPECT_LT(err, previous) << "error must shrink with the tolerance";
    previous = err;
  }
}

TEST_P(AdaptiveMethod, OscillatorErrorScalesWithTolerance) {
  std::vector<double> ts;
  for (int i = 0; i <= 200; ++i) ts.push_back(0.1 * i);
  double previous = 1;
  for (double tol : {1e-4, 1e-7, 1e-10}) {
    Result r = solve_ivp(oscillator, {0, 20}, {1.0, 0.0},
                         {.method = GetParam(), .rtol = tol, .atol = tol, .t_eval = ts});
    ASSERT_EQ(r.status, Status::Success) << r.message;
    ASSERT_EQ(r.t, ts);
    const double err = oscillator_error(r);
    // Global error over ~3 periods: a few hundred times the local tolerance at most.
    const double factor = GetParam() == Method::BDF ? 3000 : 300;
    EXPECT_LT(err, factor * tol) << method_name(GetParam()) << " tol " << tol;
    EXPECT_LT(err, previous);
    previous = err;
  }
}

INSTANTIATE_TEST_SUITE_P(Ode, AdaptiveMethod,
                         ::testing::Values(Method::RK23, Method::RK45, Method::DOP853, Method::BDF,
                                           Method::LSODA, Method::Radau),
                         [](const auto& p) { return std::string(method_name(p.param)); });

// Fixed-step methods converge at their order: halving h divides the error by 2^p.
TEST(FixedStep, ConvergenceOrder) {
  for (auto [m, order] : {std::pair{Method::Euler, 1}, std::pair{Method::RK4, 4}}) {
    double e[2];
    for (int k = 0; k < 2; ++k) {
      const double h = 0.05 / (1 << k);
      Result r = solve_ivp(oscillator, {0, 2}, {1.0, 0.0}, {.method = m, .first_step = h});
      ASSERT_EQ(r.status, Status::Success);
      EXPECT_EQ(r.t.size(), static_cast<std::size_t>(std::lround(2 / h)) + 1);
      EXPECT_EQ(r.nfev, (order == 1 ? 1 : 4) * static_cast<std::int64_t>(r.t.size() - 1) + 1);
      e[k] = oscillator_error(r);
    }
    const double observed = std::log2(e[0] / e[1]);
    EXPECT_NEAR(observed, order, 0.15) << method_name(m);
  }
}

TEST(FixedStep, LastStepLandsOnEnd) {
  Result r = solve_ivp(decay, {0, 1}, {1.0}, {.method = Method::RK4, .first_step = 0.3});
  ASSERT_EQ(r.t.size(), 5u);
  EXPECT_DOUBLE_EQ(r.t[3], 0.9);
  EXPECT_EQ(r.t.back(), 1.0);
  EXPECT_NEAR(r.states.back()[0], std::exp(-0.5), 1e-5);
}

TEST(SolveIvp, BackwardIntegration) {
  for (Method m : {Method::RK45, Method::DOP853, Method::BDF, Method::LSODA}) {
    Result r =
        solve_ivp(decay, {5, 0}, {std::exp(-2.5)}, {.method = m, .rtol = 1e-8, .atol = 1e-10});
    ASSERT_EQ(r.status, Status::Success) << method_name(m) << ": " << r.message;
    EXPECT_EQ(r.t.back(), 0.0);
    EXPECT_NEAR(r.states.back()[0], 1.0, 1e-6) << method_name(m);
  }
}

TEST(SolveIvp, InitialPointOnlyWhenSpanIsEmpty) {
  Result r = solve_ivp(decay, {1, 1}, {3.0});
  EXPECT_EQ(r.status, Status::Success);
  ASSERT_EQ(r.t.size(), 1u);
  EXPECT_EQ(r.states(0, 0), 3.0);
}

}  // namespace
