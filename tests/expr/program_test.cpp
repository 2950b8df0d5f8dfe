// Compiled programs: values against hand computation and the reference evaluator,
// statements on subsets, gathers and scatters, conditions, temporaries, randomness.
#include <gtest/gtest.h>

#include <cmath>

#include "soma/core/error.hpp"
#include "soma/expr/expr.hpp"

using namespace soma::expr;

namespace {

std::vector<double> ramp(size_t n, double lo, double hi) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = lo + (hi - lo) * static_cast<double>(i) / (n - 1);
  return v;
}

}  // namespace

TEST(Program, CobaDerivativeMatchesHandComputation) {
  const size_t n = 1000;  // several blocks and a partial one
  auto v = ramp(n, -0.08, -0.04), ge = ramp(n, 0, 5e-9), gi = ramp(n, 20e-9, 0),
       I = ramp(n, 0, 1e-10);
  Bindings b;
  b.array("v", v.data()).array("ge", ge.data()).array("gi", gi.data()).array("I", I.data());
  b.constant("gl", 10e-9).constant("vl", -0.06).constant("ve", 0.0).constant("vi", -0.08);
  b.constant("c", 200e-12);
  const Equations eqs = parse_equations(
      "dv/dt = -(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c : volt\n"
      "dge/dt = -ge/ge_tau : siemens\ndgi/dt = -gi/ge_tau : siemens\nI : amp");
  Program p = compile(eqs.substituted_rhs("v"), b);
  EXPECT_TRUE(p.has_result());
  std::vector<double> out(n);
  p.evaluate(n, out.data());
  for (size_t i = 0; i < n; ++i) {
    const double want =
        -(10e-9 * (v[i] + 0.06) + ge[i] * (v[i] - 0.0) + gi[i] * (v[i] + 0.08) - I[i]) / 200e-12;
    ASSERT_NEAR(out[i], want, 1e-12 * std::fabs(want) + 1e-12) << i;
  }
}

TEST(Program, AgreesWithReferenceEvaluator) {
  const size_t n = 300;
  auto x = ramp(n, -3, 3), y = ramp(n, 0.1, 5);
  double s = 0.7;
  Bindings b;
  b.array("x", x.data()).array("y", y.data()).scalar("s", &s).constant("k", 2.5);
  for (const char* text :
       {"x*y + s", "exp(-x/y)*k", "x**2 + y**3 - s**0.5", "clip(x, -1, s)", "x // s + x % s",
        "(x > 0) + (x >= 0)*2 + (x < s)*4 + (x <= s)*8 + (x == 0)*16 + (x != 1)*32",
        "x > 0 and y < 3 or not s", "abs(x) + sign(x) + int(x*1.5) + floor(x) + ceil(x)",
        "log(y) + log10(y) + sqrt(y) + sin(x) + cos(x) + tan(x/4) + tanh(x)", "-x", "k*s", "-(s)",
        "clip(s, x, y)", "2**x", "s - x", "s / y", "y**-1", "1 - -x", "x*mV/mV + pi"}) {
    Program p = compile(parse_expression(text), b);
    std::vector<double> out(n);
    p.evaluate(n, out.data());
    for (size_t i = 0; i < n; ++i) {
      const double want =
          evaluate(parse_expression(text), {{"x", x[i]}, {"y", y[i]}, {"s", s}, {"k", 2.5}});
      if (std::isnan(want)) {
        ASSERT_TRUE(std::isnan(out[i])) << text << " at " << i;
      } else {
        ASSERT_DOUBLE_EQ(out[i], want) << text << " at " << i;
      }
    }
  }
}

TEST(Program, ScalarsAreReadAtEachRun) {
  double t = 1.0;
  std::vector<double> x = {1, 2, 3}, out(3);
  Bindings b;
  b.array("x", x.data()).scalar("t", &t);
  Program p = compile(parse_expression("x*t*2 + t"), b);
  p.evaluate(3, out.data());
  EXPECT_DOUBLE_EQ(out[2], 7.0);
  t = 10.0;
  p.evaluate(3, out.data());
  EXPECT_DOUBLE_EQ(out[2], 70.0);
}

TEST(Program, ConstantsFold) {
  Bindings b;
  Program p = compile(parse_expression("(1 + 2)*3*mV + exp(0)"), b);
  double out[5];
  p.evaluate(5, out);
  EXPECT_DOUBLE_EQ(out[4], 9e-3 + 1);
  EXPECT_EQ(p.instruction_count(), 1u);  // one broadcast, nothing computed per element
}

TEST(Program, EulerStepStatements) {
  const size_t n = 700;
  auto v = ramp(n, -0.07, -0.05), ge = ramp(n, 0, 1e-8);
  auto v0 = v, ge0 = ge;
  double dt = 1e-4;
  Bindings b;
  b.array("v", v.data()).array("ge", ge.data()).scalar("dt", &dt);
  b.constant("ve", 0.0).constant("taue", 5e-3).constant("c", 200e-12);
  // Brian2's explicit Euler: every right-hand side before any assignment.
  Program p = compile(parse_statements("_v = v + dt*ge*(ve - v)/c\n_ge = ge - dt*ge/taue\n"
                                       "v = _v; ge = _ge"),
                      b);
  p.run(n);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_DOUBLE_EQ(v[i], v0[i] + dt * ge0[i] * (0.0 - v0[i]) / 200e-12);
    ASSERT_DOUBLE_EQ(ge[i], ge0[i] - dt * ge0[i] / 5e-3);
  }
}

TEST(Program, ThresholdAndResetOnSubset) {
  const size_t n = 600;
  std::vector<double> v(n, -0.07);
  for (size_t i = 3; i < n; i += 7) v[i] = -0.03;
  Bindings b;
  b.array("v", v.data()).constant("vr", -0.065).constant("vt", -0.05);
  Program threshold = compile(parse_expression("v > vt"), b);
  std::vector<int32_t> spikes;
  threshold.where(n, spikes);
  ASSERT_EQ(spikes.size(), (n - 3 + 6) / 7);
  for (size_t k = 0; k < spikes.size(); ++k) EXPECT_EQ(spikes[k], static_cast<int32_t>(3 + 7 * k));
  Program reset = compile(parse_statements("v = vr"), b);
  reset.run(spikes);
  for (size_t i = 0; i < n; ++i) ASSERT_DOUBLE_EQ(v[i], (i % 7 == 3) ? -0.065 : -0.07) << i;
  threshold.where(n, spikes);
  EXPECT_TRUE(spikes.empty());
  // where over a subset keeps the caller's element numbers.
  v[10] = 0;
  std::vector<int32_t> subset = {1, 10, 11}, hits;
  threshold.where(subset, hits);
  EXPECT_EQ(hits, (std::vector<int32_t>{10}));
}

TEST(Program, SynapticScatterAccumulatesRepeatedTargets) {
  // 5 synapses onto 3 neurons; synapses 0, 2, 4 all target neuron 1.
  std::vector<double> ge(3, 0.0), w = {1, 2, 4, 8, 16}, v_pre = {0.5, 0.25};
  std::vector<int32_t> post = {1, 0, 1, 2, 1}, pre = {0, 0, 1, 1, 1};
  Bindings b;
  b.gather("ge_post", ge.data(), post.data()).array("w", w.data());
  b.gather("v_pre", v_pre.data(), pre.data());
  Program on_pre = compile(parse_statements("ge_post += w*v_pre"), b);
  std::vector<int32_t> active = {0, 2, 3, 4};
  on_pre.run(active);
  EXPECT_DOUBLE_EQ(ge[0], 0.0);
  EXPECT_DOUBLE_EQ(ge[1], 1 * 0.5 + 4 * 0.25 + 16 * 0.25);
  EXPECT_DOUBLE_EQ(ge[2], 8 * 0.25);
  // And every synapse at once, in blocks.
  std::fill(ge.begin(), ge.end(), 0.0);
  on_pre.run(5);
  EXPECT_DOUBLE_EQ(ge[1], 0.5 + 4 * 0.25 + 16 * 0.25);
  EXPECT_DOUBLE_EQ(ge[0], 2 * 0.5);
}

TEST(Program, ElementIndexScalarTargetsAndRebind) {
  std::vector<double> x(10, 0.0), y(10, 1.0);
  double total = 0;
  Bindings b;
  b.array("x", x.data()).element_index("i").scalar("total", &total);
  Program p = compile(parse_statements("x = i*i; total += x"), b);
  p.run(10);
  EXPECT_DOUBLE_EQ(x[9], 81);
  EXPECT_DOUBLE_EQ(total, 285);  // sum of squares 0..9
  p.rebind_array("x", y.data());
  total = 0;
  std::vector<int32_t> some = {2, 3};
  p.run(some);
  EXPECT_DOUBLE_EQ(y[3], 9);
  EXPECT_DOUBLE_EQ(y[0], 1);
  EXPECT_DOUBLE_EQ(total, 13);
  EXPECT_THROW(p.rebind_array("i", y.data()), soma::Error);
  EXPECT_THROW(p.rebind_gather("x", y.data(), nullptr), soma::Error);
  Program copy = p;  // copies are independent programs
  total = 0;
  copy.run(some);
  EXPECT_DOUBLE_EQ(total, 13);
}

TEST(Program, RandomNumbersFollowTheSeed) {
  const size_t n = 2000;
  std::vector<double> a(n), c(n);
  soma::Rng r1(7), r2(7);
  Bindings b1, b2;
  b1.rng(&r1);
  b2.rng(&r2);
  compile(parse_expression("rand()"), b1).evaluate(n, a.data());
  compile(parse_expression("rand()"), b2).evaluate(n, c.data());
  EXPECT_EQ(a, c);
  double mean = 0;
  for (double x : a) {
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    mean += x / n;
  }
  EXPECT_NEAR(mean, 0.5, 0.03);  // 5 standard errors
  soma::Rng r3(7);
  std::vector<double> z(n);
  Bindings b3;
  b3.rng(&r3);
  compile(parse_expression("randn()"), b3).evaluate(n, z.data());
  double m = 0, m2 = 0;
  for (double x : z) m += x / n, m2 += x * x / n;
  EXPECT_NEAR(m, 0, 0.12);
  EXPECT_NEAR(m2, 1, 0.16);
}

TEST(Program, CompileErrors) {
  std::vector<double> x(4);
  Bindings b;
  b.array("x", x.data()).constant("k", 1).element_index("i");
  EXPECT_THROW(compile(parse_expression("x + nope"), b), soma::Error);
  EXPECT_THROW(compile(parse_expression("frob(x)"), b), soma::Error);
  EXPECT_THROW(compile(parse_expression("exp(x, x)"), b), soma::Error);
  EXPECT_THROW(compile(parse_expression("rand()"), b), soma::Error);  // no Rng
  EXPECT_THROW(compile(parse_expression("x*xi"), b), soma::Error);
  EXPECT_THROW(compile(parse_statements("k = 2"), b), soma::Error);
  EXPECT_THROW(compile(parse_statements("i = 2"), b), soma::Error);
  EXPECT_THROW(compile(parse_statements("tmp += 2"), b), soma::Error);
  Program stmts = compile(parse_statements("x = 1"), b);
  double out[4];
  EXPECT_THROW(stmts.evaluate(4, out), soma::Error);
  try {
    compile(parse_expression("x + nope"), b);
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown name 'nope'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find(":5:"), std::string::npos) << e.what();
  }
}
