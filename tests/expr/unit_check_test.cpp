// Dimension checking of models, conditions and statements.
#include <gtest/gtest.h>

#include "soma/core/error.hpp"
#include "soma/expr/equations.hpp"

using namespace soma::expr;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const soma::Error& e) {
    return e.what();
  }
  return "(no error)";
}

Constants coba_constants() {
  return {{"gl", {10e-9, dim::siemens()}}, {"vl", {-0.06, dim::volt()}},
          {"ve", {0.0, dim::volt()}},      {"vi", {-0.08, dim::volt()}},
          {"c", {200e-12, dim::farad()}},  {"ge_tau", {5e-3, dim::second()}}};
}

}  // namespace

TEST(UnitCheck, IssueModelPasses) {
  const Equations eqs = parse_equations(R"(
dv/dt = -(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c : volt
dge/dt = -ge/ge_tau : siemens
dgi/dt = -gi/(10*ms) : siemens
I : amp
)");
  EXPECT_NO_THROW(check_units(eqs, coba_constants()));
}

TEST(UnitCheck, SumOfUnlikeUnits) {
  const Equations eqs = parse_equations("I : amp\ndv/dt = (v + I)/ms : volt");
  const std::string e = error_of([&] { check_units(eqs); });
  // model:LINE:COLUMN, the equation, both units.
  EXPECT_NE(e.find("model:2:12:"), std::string::npos) << e;  // the + is in column 12
  EXPECT_NE(e.find("dv/dt = (v + I)/ms : volt"), std::string::npos) << e;
  EXPECT_NE(e.find("cannot add V and A"), std::string::npos) << e;
}

TEST(UnitCheck, DerivativeMustBeUnitPerSecond) {
  const Equations eqs = parse_equations("dv/dt = -v : volt");
  const std::string e = error_of([&] { check_units(eqs); });
  EXPECT_NE(e.find("model:1:9:"), std::string::npos) << e;
  EXPECT_NE(e.find("dv/dt = -v : volt"), std::string::npos) << e;
  EXPECT_NE(e.find("V/s"), std::string::npos) << e;
  EXPECT_NE(e.find("units V"), std::string::npos) << e;
  EXPECT_NO_THROW(check_units(parse_equations("dv/dt = -v/(10*ms) : volt")));
}

TEST(UnitCheck, FunctionsPowersNoise) {
  EXPECT_NO_THROW(
      check_units(parse_equations("dv/dt = -v/tau + sigma*xi*tau**-0.5 : volt\n"
                                  "tau : second\nsigma : volt")));
  EXPECT_NO_THROW(check_units(parse_equations("dv/dt = v*exp((v - 1*mV)/(2*mV))/ms : volt")));
  EXPECT_NO_THROW(
      check_units(parse_equations("dx/dt = sqrt(x*x)/ms + clip(x, 0*mV, 1*mV)/ms "
                                  ": volt")));
  std::string e = error_of([] { check_units(parse_equations("dv/dt = exp(v)/ms : volt")); });
  EXPECT_NE(e.find("exp() needs a dimensionless argument, got units V"), std::string::npos) << e;
  e = error_of([] { check_units(parse_equations("dv/dt = v**n/ms : volt\nn : 1")); });
  EXPECT_NE(e.find("must be a number"), std::string::npos) << e;
  e = error_of([] { check_units(parse_equations("dv/dt = v/ms + w : volt")); });
  EXPECT_NE(e.find("unknown name 'w'"), std::string::npos) << e;
  e = error_of([] { check_units(parse_equations("dv/dt = clip(v, 0, 1)/ms : volt")); });
  EXPECT_NE(e.find("clip bounds"), std::string::npos) << e;
  e = error_of([] { check_units(parse_equations("dv/dt = v*rand(1)/ms : volt")); });
  EXPECT_NE(e.find("takes 0 arguments"), std::string::npos) << e;
  e = error_of([] { check_units(parse_equations("dv/dt = (v > 1)/ms : volt")); });
  EXPECT_NE(e.find("cannot compare V with 1"), std::string::npos) << e;
}

TEST(UnitCheck, ConditionsAndStatements) {
  const Equations eqs = parse_equations("dv/dt = -v/(10*ms) : volt\nw : siemens\nge : siemens");
  const SymbolUnits u = model_units(eqs, {{"vl", {-0.06, dim::volt()}}});
  EXPECT_NO_THROW(check_condition(parse_expression("v > -40*mV"), u, "v > -40*mV"));
  std::string e =
      error_of([&] { check_condition(parse_expression("v > -40*nA"), u, "v > -40*nA"); });
  EXPECT_NE(e.find("cannot compare V with A"), std::string::npos) << e;
  EXPECT_NO_THROW(check_statements(parse_statements("v = vl; ge += w; w *= 2"), u));
  e = error_of([&] { check_statements(parse_statements("v = vl; ge += vl"), u, "on_pre"); });
  EXPECT_NE(e.find("on_pre:1:9:"), std::string::npos) << e;
  EXPECT_NE(e.find("'ge' has units S, but the value has units V"), std::string::npos) << e;
  e = error_of([&] { check_statements(parse_statements("x = 1"), u); });
  EXPECT_NE(e.find("unknown variable 'x'"), std::string::npos) << e;
}

TEST(UnitCheck, Constants) {
  const Quantity q = evaluate_constant(parse_expression("100*pF/(10*nS)"));
  EXPECT_DOUBLE_EQ(q.value, 1e-2);
  EXPECT_EQ(q.dimension, dim::second());
  EXPECT_THROW(evaluate_constant(parse_expression("v*2")), soma::Error);
  EXPECT_THROW(evaluate_constant(parse_expression("rand()")), soma::Error);
}
