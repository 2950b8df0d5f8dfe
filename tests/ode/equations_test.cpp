// ODE systems from the equation language agree with the same system written in C++, and
// bad models fail with soma::Error.
#include <gtest/gtest.h>

#include "problems.hpp"
#include "soma/core/error.hpp"
#include "soma/ode/ode.hpp"

namespace {
using namespace soma::ode;

TEST(Equations, LorenzMatchesHandWritten) {
  EquationSystem sys =
      compile_equations("dx/dt = sigma*(y-x); dy/dt = x*(rho-z)-y; dz/dt = x*y-beta*z",
                        {{"sigma", "10"}, {"rho", "28"}, {"beta", "8/3"}});
  ASSERT_EQ(sys.variables, (std::vector<std::string>{"x", "y", "z"}));
  const auto y0 = sys.initial_state({{"x", "1"}, {"y", "1"}, {"z", "1"}});
  const double y[3] = {1.5, -2.0, 20.0};
  double a[3], b[3];
  sys.rhs(0.0, y, a);
  test::lorenz(0.0, y, b);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(a[i], b[i], 1e-12 * std::fabs(b[i]));
  Options o{.rtol = 1e-8, .atol = 1e-10};
  Result r1 = solve_ivp(sys.rhs, {0, 2}, y0, o);
  Result r2 = solve_ivp(test::lorenz, {0, 2}, {1, 1, 1}, o);
  ASSERT_EQ(r1.status, Status::Success);
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(r1.states.back()[j], r2.states.back()[j], 1e-6);
}

TEST(Equations, UnitsTimeAndModelConstants) {
  // A leaky membrane with units: v relaxes to vl with time constant tau = 10 ms.
  EquationSystem sys = compile_equations(
      "dv/dt = (vl - v)/tau + drive*sin(2*pi*t/second)*volt/second : volt\n"
      "tau = 10*ms\n"
      "vl : volt",
      {{"vl", "-65*mV"}, {"drive", "0"}});
  auto y0 = sys.initial_state({{"v", "0*mV"}});
  EXPECT_EQ(y0[0], 0.0);
  Result r = solve_ivp(sys.rhs, {0, 0.05}, y0, {.rtol = 1e-9, .atol = 1e-12});
  EXPECT_NEAR(r.states.back()[0], -0.065 * (1 - std::exp(-5.0)), 1e-9);
}

// Initial values are unit-checked as an equation's right-hand side is (issue 12): Brian2
// rejects `G.v = '3*nS'` and `G.v = '0'` for a volt variable, and so does initial_state.
TEST(Equations, InitialValuesHaveTheVariablesUnits) {
  EquationSystem sys = compile_equations("dv/dt = -v/(10*ms) : volt\ndx/dt = -x/second");
  EXPECT_EQ(sys.initial_state({{"v", "-65*mV"}, {"x", "2"}})[0], -0.065);
  for (const char* bad : {"3*nS", "0", "-0.065"}) {
    try {
      sys.initial_state({{"v", bad}, {"x", "2"}});
      ADD_FAILURE() << bad << " accepted for a volt variable";
    } catch (const soma::Error& e) {
      EXPECT_NE(std::string(e.what()).find("initial value for 'v'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("expected V"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(sys.initial_state({{"v", "0*mV"}, {"x", "2*mV"}}), soma::Error);  // x is plain
}

TEST(Equations, ErrorsNameWhatIsWrong) {
  EXPECT_THROW(compile_equations("dx/dt = -k*x"), soma::Error);              // k unknown
  EXPECT_THROW(compile_equations("x = 3"), soma::Error);                     // nothing to integrate
  EXPECT_THROW(compile_equations("dx/dt = -x +", {}), soma::Error);          // syntax
  EXPECT_THROW(compile_equations("dv/dt = v + 1*amp : volt"), soma::Error);  // units
  EXPECT_THROW(compile_equations("dx/dt = -k*x", {{"k", "1/"}}), soma::Error);
  EquationSystem sys = compile_equations("dx/dt = -k*x", {{"k", "2"}});
  EXPECT_THROW(sys.initial_state({}), soma::Error);
  EXPECT_THROW(sys.initial_state({{"x", "1"}, {"q", "2"}}), soma::Error);
  try {
    sys.initial_state({{"q", "2"}});
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'q'"), std::string::npos) << e.what();
  }
}

}  // namespace
