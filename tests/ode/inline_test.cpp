// solve_ivp_inline takes exactly solve_ivp's steps (the same steppers, with f inlined), with
// every driver feature intact: checked against solve_ivp itself and the oscillator's
// closed form.
#include <gtest/gtest.h>

#include <cmath>

#include "problems.hpp"
#include "soma/ode/inline.hpp"

namespace {
using namespace soma::ode;

TEST(SolveIvpInline, SameStepsAsSolveIvpOnLorenz) {
  auto f = [](double t, std::span<const double> y, std::span<double> dy) {
    test::lorenz(t, y, dy);
  };
  // 0..2: before chaos amplifies rounding differences (FMA contraction may differ between
  // the inlined and the library code).
  // RK45 and DOP853 are inlined; LSODA runs the library's code either way.
  for (Method m : {Method::RK45, Method::DOP853, Method::LSODA}) {
    const Options o{.method = m, .rtol = 1e-6, .atol = 1e-9};
    Result a = solve_ivp(test::lorenz, {0, 2}, {1, 1, 1}, o);
    Result b = solve_ivp_inline<3>(f, {0, 2}, {1, 1, 1}, o);
    ASSERT_EQ(b.status, Status::Success);
    EXPECT_EQ(b.nfev, a.nfev) << method_name(m);
    ASSERT_EQ(b.t.size(), a.t.size()) << method_name(m);
    for (std::size_t i = 0; i < a.t.size(); ++i) {
      EXPECT_NEAR(b.t[i], a.t[i], 1e-12 * (1 + a.t[i]));
      for (int j = 0; j < 3; ++j)
        EXPECT_NEAR(b.states(i, j), a.states(i, j), 1e-9 * (1 + std::fabs(a.states(i, j))));
    }
  }
}

TEST(SolveIvpInline, OutputTimesEventsAndDenseOutput) {
  auto osc = [](double, std::span<const double> y, std::span<double> dy) {
    dy[0] = y[1];
    dy[1] = -y[0];
  };
  std::vector<double> ts = {0.5, 1.0, 2.0, 3.0};
  Options o{.rtol = 1e-9, .atol = 1e-12, .t_eval = ts, .dense_output = true};
  // x = cos t first falls through zero at pi/2: a terminal event.
  o.events.push_back({[](double, std::span<const double> y) { return y[0]; }, true, -1});
  Result r = solve_ivp_inline<2>(osc, {0, 5}, {1.0, 0.0}, o);
  ASSERT_EQ(r.status, Status::Event);
  ASSERT_EQ(r.t_events[0].size(), 1u);
  EXPECT_NEAR(r.t_events[0][0], M_PI / 2, 1e-8);
  ASSERT_EQ(r.t.size(), 2u);  // 0.5 and 1.0 precede the event
  for (std::size_t i = 0; i < r.t.size(); ++i) EXPECT_NEAR(r.states(i, 0), std::cos(ts[i]), 1e-8);
  EXPECT_NEAR(r.sol(1.3)[0], std::cos(1.3), 1e-8);
  // Another method falls back to solve_ivp.
  Result d = solve_ivp_inline<2>(osc, {0, 1}, {1.0, 0.0}, {.method = Method::DOP853});
  EXPECT_EQ(d.methods[0].method, Method::DOP853);
  EXPECT_NEAR(d.states.back()[0], std::cos(1.0), 1e-3);
}

}  // namespace
