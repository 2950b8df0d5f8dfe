// Derivatives against central finite differences; linear coefficients; noise split.
#include <gtest/gtest.h>

#include <cmath>

#include "soma/core/error.hpp"
#include "soma/expr/expr.hpp"

using namespace soma::expr;

namespace {

double central_difference(const Expr& e, std::map<std::string, double> at, const std::string& v) {
  const double x = at[v];
  const double h = 1e-6 * std::max(1.0, std::fabs(x));
  at[v] = x + h;
  const double up = evaluate(e, at);
  at[v] = x - h;
  const double down = evaluate(e, at);
  return (up - down) / (2 * h);
}

}  // namespace

TEST(Symbolic, DerivativesMatchFiniteDifferences) {
  const std::map<std::string, double> at = {{"x", 0.7}, {"y", 1.3}, {"tau", 2.0}, {"init", 3.0}};
  for (const char* text :
       {"init*exp(-x/tau)", "x**3 - 2*x*y + y**2", "x**y", "y**x", "sqrt(x*y) + log(x)/y",
        "sin(x)*cos(y) + tan(x/2)", "tanh(x - y)", "x/(y + x**2)", "log10(x + y)", "abs(x - y)",
        "clip(x*y, 0, 5)", "-(x - y)/tau + 3*x", "2**x", "x % 0.5", "exp(x)*exp(-x)"}) {
    const Expr e = parse_expression(text);
    for (const char* v : {"x", "y", "tau", "init"}) {
      const Expr d = differentiate(e, v);
      const double got = evaluate(d, at);
      const double want = central_difference(e, at, v);
      EXPECT_NEAR(got, want, 1e-6 * std::max(1.0, std::fabs(want)))
          << "d(" << text << ")/d" << v << " = " << to_string(d);
    }
  }
}

TEST(Symbolic, SimplificationDropsTrivialTerms) {
  EXPECT_EQ(to_string(differentiate(parse_expression("3*x + y"), "x")), "3");
  EXPECT_EQ(to_string(differentiate(parse_expression("x*y"), "x")), "y");
  EXPECT_EQ(to_string(differentiate(parse_expression("y"), "x")), "0");
  EXPECT_EQ(to_string(differentiate(parse_expression("x**2"), "x")), "2*x");
  EXPECT_EQ(to_string(differentiate(parse_expression("exp(-x/tau)"), "x")), "exp(-x/tau)*(-1/tau)");
  EXPECT_EQ(to_string(simplify(parse_expression("0 + x*1 - 0 + 0*y"))), "x");
  EXPECT_EQ(to_string(simplify(parse_expression("8/3 + 1"))), to_string(number(8.0 / 3 + 1)));
  EXPECT_EQ(to_string(simplify(parse_expression("--x"))), "x");
  EXPECT_EQ(to_string(simplify(parse_expression("x**1 + y**0"))), "x + 1");
  // rand() is never folded away.
  EXPECT_EQ(to_string(simplify(parse_expression("rand()*1 + rand()"))), "rand() + rand()");
}

TEST(Symbolic, CurveFitJacobianCompiles) {
  // fit's use: d/d tau and d/d init of init*exp(-x/tau), over the x array.
  const Expr model = parse_expression("init*exp(-x/tau)");
  std::vector<double> x = {0, 0.5, 1, 2, 4}, d_tau(5), d_init(5);
  double tau = 1.5, init = 2.0;
  Bindings b;
  b.array("x", x.data()).scalar("tau", &tau).scalar("init", &init);
  compile(differentiate(model, "tau"), b).evaluate(5, d_tau.data());
  compile(differentiate(model, "init"), b).evaluate(5, d_init.data());
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(d_init[i], std::exp(-x[i] / tau), 1e-15);
    EXPECT_NEAR(d_tau[i], init * std::exp(-x[i] / tau) * x[i] / (tau * tau), 1e-14);
  }
}

TEST(Symbolic, LinearCoefficients) {
  const Expr f = parse_expression("-(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c");
  const auto [a, b] = linear_coefficients(f, "v");
  EXPECT_FALSE(depends_on(a, "v"));
  EXPECT_FALSE(depends_on(b, "v"));
  const std::map<std::string, double> at = {{"gl", 1e-8}, {"vl", -0.06}, {"ge", 2e-9},
                                            {"ve", 0.0},  {"gi", 3e-9},  {"vi", -0.08},
                                            {"I", 1e-10}, {"c", 2e-10}};
  EXPECT_NEAR(evaluate(a, at), -(1e-8 + 2e-9 + 3e-9) / 2e-10, 1e-6);
  EXPECT_NEAR(evaluate(b, at), (1e-8 * -0.06 + 0 + 3e-9 * -0.08 + 1e-10) / 2e-10, 1e-9);
  // a*v + b reproduces f for any v.
  for (double v : {-0.1, -0.065, 0.02}) {
    auto at_v = at;
    at_v["v"] = v;
    EXPECT_NEAR(evaluate(a, at) * v + evaluate(b, at), evaluate(f, at_v), 1e-9);
  }
  const auto ge = linear_coefficients(parse_expression("-ge/tau"), "ge");
  EXPECT_EQ(to_string(ge.a), "-1/tau");
  EXPECT_EQ(to_string(ge.b), "0");
  const auto none = linear_coefficients(parse_expression("I/c"), "v");
  EXPECT_EQ(to_string(none.a), "0");
  for (const char* nonlinear :
       {"v**2", "exp(v)", "v*v", "1/v", "(v > 0)*v", "int(v)", "v**a", "sqrt(v)", "abs(v)"})
    EXPECT_THROW(linear_coefficients(parse_expression(nonlinear), "v"), soma::Error) << nonlinear;
  EXPECT_TRUE(is_linear_in(parse_expression("v**1*2 - v/3"), "v"));
  EXPECT_FALSE(is_linear_in(parse_expression("v*exp(-v)"), "v"));
  try {
    linear_coefficients(parse_expression("v**2"), "v");
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("not linear in 'v'"), std::string::npos);
  }
}

TEST(Symbolic, StochasticSplit) {
  const auto s = split_stochastic(parse_expression("-v/tau + sigma*xi/sqrt(tau)"));
  EXPECT_EQ(to_string(s.drift), "-v/tau");
  ASSERT_EQ(s.noise.size(), 1u);
  EXPECT_EQ(s.noise[0].first, "xi");
  EXPECT_EQ(to_string(s.noise[0].second), "sigma/sqrt(tau)");
  const auto two = split_stochastic(parse_expression("a + b*xi_1 + c*xi_2"));
  ASSERT_EQ(two.noise.size(), 2u);
  EXPECT_EQ(two.noise[1].first, "xi_2");
  EXPECT_EQ(to_string(two.noise[1].second), "c");
  EXPECT_EQ(split_stochastic(parse_expression("-v")).noise.size(), 0u);
  EXPECT_THROW(split_stochastic(parse_expression("xi**2")), soma::Error);
  EXPECT_THROW(split_stochastic(parse_expression("xi_1*xi_2")), soma::Error);
  EXPECT_THROW(split_stochastic(parse_expression("exp(xi)")), soma::Error);
}

TEST(Symbolic, SubstituteAndSymbols) {
  const Expr e = substitute(parse_expression("a*x + b"), {{"x", parse_expression("y + 1")}});
  EXPECT_EQ(to_string(e), "a*(y + 1) + b");
  EXPECT_EQ(symbols(e), (std::set<std::string>{"a", "b", "y"}));
}

// A function outside the language's table (a TimedArray, drive(t)) is a constant where
// its arguments do not depend on the variable (a model's exact integrator differentiates
// "(drive(t) - v)/tau" in v), and an error where they do.
TEST(Symbolic, FunctionsOutsideTheTableAreConstantInOtherVariables) {
  const Expr d = differentiate(parse_expression("(drive(t) - v)/tau"), "v");
  EXPECT_DOUBLE_EQ(evaluate(d, {{"tau", 4.0}}), -0.25) << to_string(d);
  EXPECT_EQ(to_string(differentiate(parse_expression("table(t, 3)*v"), "v")), "table(t, 3)");
  EXPECT_THROW(differentiate(parse_expression("drive(v)"), "v"), soma::Error);
}
