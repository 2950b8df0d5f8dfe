// CompileOptions: common subexpressions shared across statements (several output arrays
// in one program) give evaluate()'s bits with fewer instructions; assignments between
// two occurrences keep them apart; rand() is never merged; fast arithmetic's two
// rewrites (integer powers as products, division by a shared value as multiplication by
// its reciprocal, dividing where that would change the class) against hand computation.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "soma/core/random.hpp"
#include "soma/expr/expr.hpp"

using namespace soma;
using namespace soma::expr;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::vector<int32_t> every_other(size_t n) {
  std::vector<int32_t> e;
  for (size_t i = 0; i < n; i += 2) e.push_back(static_cast<int32_t>(i));
  return e;
}

}  // namespace

// A model and its derivatives as fit writes them: most of the work is shared.
TEST(CompileOptions, SharedSubexpressionsGiveEvaluatesBits) {
  const char* outputs[] = {"init*exp(-x/tau)*(x/tau**2)", "exp(-x/tau)", "init*exp(-x/tau) + c",
                           "sqrt(x*x + c)*exp(-x/tau) - (x*x + c)", "x*x + c"};
  const size_t n = 1000;  // several blocks and a partial one
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = 0.05 * static_cast<double>(i) - 3.0;
  double tau = 7.5, init = 3.25, c = 0.125;
  std::vector<std::vector<double>> out(std::size(outputs), std::vector<double>(n));
  Bindings b;
  b.array("x", x.data()).scalar("tau", &tau).scalar("init", &init).scalar("c", &c);
  std::vector<Statement> statements;
  for (size_t k = 0; k < std::size(outputs); ++k) {
    const std::string name = "out" + std::to_string(k);
    b.array(name, out[k].data());
    statements.emplace_back(name, AssignOp::assign, parse_expression(outputs[k]));
  }
  Program plain = compile(statements, b);
  Program shared = compile(statements, b, {.share_subexpressions = true});
  EXPECT_LT(shared.instruction_count(), plain.instruction_count()) << shared.disassemble();
  for (const bool lists : {false, true}) {
    SCOPED_TRACE(lists ? "element lists (interpreter)" : "contiguous runs");
    for (auto& o : out) std::fill(o.begin(), o.end(), 0.0);
    if (lists) {
      shared.run(every_other(n));
    } else {
      shared.run(n);
    }
    for (size_t k = 0; k < std::size(outputs); ++k) {
      const Expr e = parse_expression(outputs[k]);
      for (size_t i = 0; i < n; i += lists ? 2 : 1) {
        const double want = evaluate(e, {{"x", x[i]}, {"tau", tau}, {"init", init}, {"c", c}});
        ASSERT_TRUE(same_bits(out[k][i], want))
            << outputs[k] << " at x = " << x[i] << ": " << out[k][i] << " vs " << want;
      }
    }
  }
}

// `x + 1` before and after `x = x*2` are different values; a temporary's reassignment too.
TEST(CompileOptions, AssignmentsSeparateOccurrences) {
  const size_t n = 300;
  std::vector<double> x(n), y(n), z(n), w(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<double>(i) * 0.5;
  const std::vector<double> x0 = x;
  Bindings b;
  b.array("x", x.data()).array("y", y.data()).array("z", z.data()).array("w", w.data());
  Program p = compile(parse_statements("y = exp(x + 1)\n_t = x*3\nx = x*2\nz = exp(x + 1) + _t\n"
                                       "_t = x*3\nw = exp(x + 1)*(x*3) + _t"),
                      b, {.share_subexpressions = true});
  p.run(n);
  const Expr ey = parse_expression("exp(x + 1)"), ez = parse_expression("exp(x2 + 1) + x*3"),
             ew = parse_expression("exp(x2 + 1)*(x2*3) + x2*3");
  for (size_t i = 0; i < n; ++i) {
    const std::map<std::string, double> at{{"x", x0[i]}, {"x2", x0[i] * 2}};
    ASSERT_TRUE(same_bits(y[i], evaluate(ey, at))) << i;
    ASSERT_TRUE(same_bits(z[i], evaluate(ez, at))) << i;
    ASSERT_TRUE(same_bits(w[i], evaluate(ew, at))) << i;
  }
}

// Two rand() calls are two draws, in statement order, with or without sharing.
TEST(CompileOptions, RandomNumbersAreNeverMerged) {
  const size_t n = 100;
  std::vector<double> a(n), b2(n);
  Rng rng(7);
  Bindings b;
  b.array("a", a.data()).array("b", b2.data()).rng(&rng);
  Program p = compile(parse_statements("a = rand() + 1\nb = rand() + 1"), b,
                      {.share_subexpressions = true});
  p.run(n);
  Rng want(7);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(a[i], want.uniform() + 1) << i;
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(b2[i], want.uniform() + 1) << i;
}

// Integer powers: products in fast mode (x**2 is x*x in both), pow otherwise.
TEST(CompileOptions, FastIntegerPowersAreProducts) {
  const size_t n = 257;
  std::vector<double> x(n), out(n);
  for (size_t i = 0; i < n; ++i) x[i] = 0.37 * static_cast<double>(i) - 40.1;
  for (const int k : {-3, -2, -1, 1, 3, 5, 8}) {
    SCOPED_TRACE(k);
    Bindings b;
    b.array("x", x.data());
    const Expr e = parse_expression("x**" + std::string(k < 0 ? "(" : "") + std::to_string(k) +
                                    (k < 0 ? ")" : ""));
    Program fast = compile(e, b, {.fast_arithmetic = true});
    Program exact = compile(e, b);
    fast.evaluate(n, out.data());
    for (size_t i = 0; i < n; ++i) {
      double r = x[i];
      for (int j = 1; j < std::abs(k); ++j) r *= x[i];
      if (k < 0) r = 1.0 / r;
      ASSERT_TRUE(same_bits(out[i], r)) << x[i] << ": " << out[i] << " vs " << r;
    }
    exact.evaluate(n, out.data());
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(same_bits(out[i], std::pow(x[i], k))) << x[i];
  }
}

// x / s: x * (1/s) where that is exact in class, else a division (the whole run).
TEST(CompileOptions, FastDivisionMultipliesOnlyWhereExactInClass) {
  const size_t n = 300;
  std::vector<double> x(n), out(n), listed(n);
  for (size_t i = 0; i < n; ++i)
    x[i] = std::ldexp(1.0 + 0.013 * static_cast<double>(i), -600 + 4 * static_cast<int>(i));
  double s = 0;
  Bindings b;
  b.array("x", x.data()).scalar("s", &s);
  Program p = compile(parse_expression("x / s"), b, {.fast_arithmetic = true});
  const double inf = std::numeric_limits<double>::infinity();
  for (const double sv : {3.0, -0.1, 1e300, 0.0, -0.0, inf, -inf, 1e-310, DBL_MAX, 3e-308}) {
    SCOPED_TRACE(sv);
    s = sv;
    p.evaluate(n, out.data());
    p.evaluate(every_other(n), listed.data());
    const double r = 1.0 / sv;
    const bool multiplies = std::isnormal(r) || sv == 0 || std::isinf(sv);
    for (size_t i = 0; i < n; ++i) {
      const double want = multiplies ? x[i] * r : x[i] / sv;
      ASSERT_TRUE(same_bits(out[i], want)) << x[i] << ": " << out[i] << " vs " << want;
      if (i % 2 == 0) {
        ASSERT_TRUE(same_bits(listed[i / 2], want)) << x[i];
      }
      // in class (and within 1 ulp where finite) of the exact quotient
      const double q = x[i] / sv;
      ASSERT_EQ(std::fpclassify(out[i]), std::fpclassify(q)) << x[i];
      const double ulp = std::nextafter(std::abs(q), inf) - std::abs(q);
      if (std::isfinite(q) && q != 0) {
        ASSERT_LE(std::abs(out[i] - q), 2 * ulp) << x[i];
      }
    }
  }
  // In the default mode the program divides.
  Program exact = compile(parse_expression("x / s"), b);
  s = 3.0;
  exact.evaluate(n, out.data());
  for (size_t i = 0; i < n; ++i) ASSERT_TRUE(same_bits(out[i], x[i] / 3.0)) << x[i];
}

// `-1/s` as parsed (the negation of 1, over s) and as symbolic derivatives build it (the
// number -1 over s) are one value: x**(-1/s) in a model and in its derivative is one pow.
TEST(CompileOptions, NegatedNumbersMergeWithNegativeNumbers) {
  const size_t n = 40;
  std::vector<double> x(n), a(n), b2(n);
  for (size_t i = 0; i < n; ++i) x[i] = 1.0 + 0.25 * static_cast<double>(i);
  double s = 0.8;
  Bindings b;
  b.array("x", x.data()).array("a", a.data()).array("b", b2.data()).scalar("s", &s);
  const Expr parsed = parse_expression("x**(-1/s)");
  const Expr built = pow(symbol("x"), number(-1.0) / symbol("s"));
  Program p = compile(std::vector<Statement>{{"a", AssignOp::assign, parsed},
                                             {"b", AssignOp::assign, built * symbol("x")}},
                      b, {.share_subexpressions = true});
  const std::string code = p.disassemble();
  size_t pows = 0;
  for (size_t at = code.find("pow "); at != std::string::npos; at = code.find("pow ", at + 1))
    ++pows;
  EXPECT_EQ(pows, 1u) << code;
  p.run(n);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(same_bits(a[i], evaluate(parsed, {{"x", x[i]}, {"s", s}}))) << i;
    ASSERT_TRUE(same_bits(b2[i], evaluate(built * symbol("x"), {{"x", x[i]}, {"s", s}}))) << i;
  }
}

// Whatever does not depend on the element is computed once per run by the scalar
// prologue, in every mode: exp(-dt/tau) and 1/tau**2 here leave one product per element.
TEST(CompileOptions, ParameterOnlyValuesAreComputedOncePerRun) {
  const size_t n = 10;
  std::vector<double> x(n, 2.0), out(n);
  double dt = 0.1, tau = 0.5;
  Bindings b;
  b.array("x", x.data()).scalar("dt", &dt).scalar("tau", &tau);
  const Expr e = parse_expression("x*(exp(-dt/tau)/tau**2)");
  for (const bool fast : {false, true}) {
    Program p = compile(e, b, {.share_subexpressions = fast, .fast_arithmetic = fast});
    const std::string code = p.disassemble();
    EXPECT_EQ(code.find("\nexp "), std::string::npos) << code;
    EXPECT_EQ(code.find("\ndiv "), std::string::npos) << code;
    p.evaluate(n, out.data());
    for (size_t i = 0; i < n; ++i)
      ASSERT_TRUE(same_bits(out[i], evaluate(e, {{"x", 2.0}, {"dt", dt}, {"tau", tau}})));
  }
}
