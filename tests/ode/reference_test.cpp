// Against SciPy reference values (tests/reference/ode_reference.py): Lorenz at tight
// tolerance, SciPy-comparable step counts, and the stiff problems (Robertson, van der Pol
// with mu = 1000) by BDF and by the automatic method.
#include <gtest/gtest.h>

#include <cmath>

#include "problems.hpp"
#include "soma/ode/ode.hpp"

namespace {
using namespace soma::ode;
using namespace soma::ode::test;

TEST(Lorenz, MatchesDop853ReferenceAtTightTolerance) {
  const auto& t = reference_values("lorenz_t");
  const auto& y = reference_values("lorenz_y");
  for (Method m : {Method::DOP853, Method::RK45}) {
    Result r = solve_ivp(lorenz, {0, 10}, {1, 1, 1},
                         {.method = m, .rtol = 1e-12, .atol = 1e-12, .t_eval = t});
    ASSERT_EQ(r.status, Status::Success);
    ASSERT_EQ(r.t.size(), t.size());
    for (std::size_t i = 0; i < t.size(); ++i)
      for (int j = 0; j < 3; ++j)
        // Chaos amplifies 1e-12 local errors by ~e^(0.9 t): 1e-7 relative at t = 10.
        EXPECT_NEAR(r.states(i, j), y[3 * i + j], 1e-7 * std::fabs(y[3 * i + j]) + 1e-8)
            << method_name(m) << " t=" << t[i] << " component " << j;
  }
}

// soma's step control is SciPy's, so the work matches SciPy's on the same problem.
TEST(Lorenz, EvaluationCountsMatchScipy) {
  for (Method m : {Method::RK23, Method::RK45, Method::DOP853}) {
    Result r = solve_ivp(lorenz, {0, 10}, {1, 1, 1}, {.method = m, .rtol = 1e-6, .atol = 1e-9});
    ASSERT_EQ(r.status, Status::Success);
    const double scipy = reference_values(std::string("lorenz_nfev_") + method_name(m))[0];
    EXPECT_NEAR(static_cast<double>(r.nfev), scipy, 0.02 * scipy) << method_name(m);
    const auto& fin = reference_values(std::string("lorenz_final_") + method_name(m));
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(r.states.back()[j], fin[j], 1e-3 * std::fabs(fin[j])) << method_name(m);
  }
}

class Stiff : public ::testing::TestWithParam<Method> {};

TEST_P(Stiff, Robertson) {
  const auto& t = reference_values("robertson_t");
  const auto& y = reference_values("robertson_y");
  for (bool with_jac : {false, true}) {
    Options o{.method = GetParam(), .rtol = 1e-6, .atol = 1e-10, .t_eval = t};
    if (with_jac) o.jac = robertson_jac;
    Result r = solve_ivp(robertson, {0, 4e10}, {1, 0, 0}, o);
    ASSERT_EQ(r.status, Status::Success) << r.message;
    ASSERT_EQ(r.t.size(), t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
      for (int j = 0; j < 3; ++j) {
        const double want = y[3 * i + j];
        EXPECT_NEAR(r.states(i, j), want, 2e-3 * std::fabs(want) + 2e-9)
            << method_name(GetParam()) << " t=" << t[i] << " y" << j + 1;
      }
      // Mass is conserved: y1 + y2 + y3 = 1.
      EXPECT_NEAR(r.states(i, 0) + r.states(i, 1) + r.states(i, 2), 1.0, 1e-5);
    }
    // Sensible work: of the order of SciPy's BDF (640 steps, 1790 evaluations), far from
    // the millions an explicit method would need.
    EXPECT_LT(r.nsteps, 2 * reference_values("scipy_robertson_BDF_nsteps")[0])
        << method_name(GetParam());
    EXPECT_LT(r.nfev, 2 * reference_values("scipy_robertson_BDF_nfev")[0]);
    EXPECT_GT(r.njev, 0);
    EXPECT_GT(r.nlu, 0);
    if (GetParam() == Method::LSODA) {
      ASSERT_GE(r.methods.size(), 2u);
      // LSODA starts with Adams (tests/ode/lsoda_test.cpp compares it with SciPy's).
      EXPECT_EQ(r.methods[0].method, Method::Adams);
      EXPECT_EQ(r.methods[1].method, Method::BDF);
      EXPECT_LT(r.methods[1].t, 1.0);  // stiffness shows within the first second
    }
  }
}

TEST_P(Stiff, VanDerPolMu1000) {
  const auto& t = reference_values("vdp_t");
  const auto& y = reference_values("vdp_y");
  Result r = solve_ivp(van_der_pol, {0, 3000}, {2, 0},
                       {.method = GetParam(), .rtol = 1e-6, .atol = 1e-6, .t_eval = t});
  ASSERT_EQ(r.status, Status::Success) << r.message;
  for (std::size_t i = 0; i < t.size(); ++i)
    // x varies slowly between the fast jumps; the reference times avoid the jumps.
    EXPECT_NEAR(r.states(i, 0), y[2 * i], 1e-3 * std::fabs(y[2 * i])) << "t=" << t[i];
  const double scipy_steps = reference_values(std::string("scipy_vdp_BDF_nsteps"))[0];
  EXPECT_LT(r.nsteps, 2 * scipy_steps);
  EXPECT_LT(r.nfev, 2 * reference_values("scipy_vdp_BDF_nfev")[0]);
  if (GetParam() == Method::LSODA) {
    // Stiff on the slow branches, non-stiff (Adams) through the jumps and back.
    ASSERT_GE(r.methods.size(), 3u);
    for (std::size_t k = 1; k < r.methods.size(); ++k)
      EXPECT_NE(r.methods[k].method, r.methods[k - 1].method);
  }
}

INSTANTIATE_TEST_SUITE_P(Ode, Stiff, ::testing::Values(Method::BDF, Method::LSODA),
                         [](const auto& p) { return std::string(method_name(p.param)); });

}  // namespace
