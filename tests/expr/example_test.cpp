// The worked example at the top of include/soma/expr/expr.hpp, verbatim, so the
// documentation cannot drift from the API.
#include <gtest/gtest.h>

#include "soma/expr/expr.hpp"

using namespace soma::expr;

TEST(ExprExample, HeaderWorkedExampleRuns) {
  Equations eqs = parse_equations(R"(
    dv/dt = -(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c : volt (unless refractory)
    dge/dt = -ge/ge_tau : siemens
    dgi/dt = -gi/gi_tau : siemens
    I : amp
  )");
  Constants ns = {{"gl", {10e-9, dim::siemens()}},   {"vl", {-60e-3, dim::volt()}},
                  {"ve", {0.0, dim::volt()}},        {"vi", {-80e-3, dim::volt()}},
                  {"c", {200e-12, dim::farad()}},    {"ge_tau", {5e-3, dim::second()}},
                  {"gi_tau", {10e-3, dim::second()}}};
  check_units(eqs, ns);

  std::vector<Statement> euler;
  for (const auto& x : eqs.differential_names())
    euler.emplace_back(x, AssignOp::add, symbol("dt") * eqs.substituted_rhs(x));
  auto [a, b] = linear_coefficients(eqs.substituted_rhs("v"), "v");
  EXPECT_TRUE(depends_on(a, "ge"));
  EXPECT_TRUE(depends_on(b, "I"));

  std::vector<double> v(4000, -0.06), ge(4000), gi(4000), I(4000);
  double dt = 1e-4;
  Bindings bind;
  bind.array("v", v.data())
      .array("ge", ge.data())
      .array("gi", gi.data())
      .array("I", I.data())
      .scalar("dt", &dt);
  for (const auto& [name, q] : ns) bind.constant(name, q.value);
  Program step = compile(euler, bind);

  // Drive neuron 7 with 1 nA: it charges toward vl + I/gl = +40 mV with time
  // constant c/gl = 20 ms. Compare with the same Euler recurrence written out.
  I[7] = 1e-9;
  double expected = -0.06;
  for (int k = 0; k < 100; ++k) {
    step.run(v.size());
    expected += dt * (-(10e-9 * (expected + 0.06) - 1e-9) / 200e-12);
  }
  EXPECT_NEAR(v[7], expected, 1e-12);
  EXPECT_GT(v[7], -0.05);
  EXPECT_DOUBLE_EQ(v[0], -0.06);  // at rest: the leak holds it at vl

  Program threshold = compile(parse_expression("v > -50*mV"), bind);
  std::vector<int32_t> spikes;
  threshold.where(v.size(), spikes);
  EXPECT_EQ(spikes, (std::vector<int32_t>{7}));
  compile(parse_statements("v = vl"), bind).run(spikes);
  EXPECT_DOUBLE_EQ(v[7], -0.06);
}
