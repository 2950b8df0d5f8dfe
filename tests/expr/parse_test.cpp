// Parsing: expressions, statements and Brian2 model strings.
#include <gtest/gtest.h>

#include <cmath>

#include "soma/core/error.hpp"
#include "soma/expr/equations.hpp"
#include "soma/expr/parser.hpp"
#include "soma/expr/program.hpp"

using namespace soma::expr;

namespace {

double value_of(const std::string& text, const std::map<std::string, double>& values = {}) {
  return evaluate(parse_expression(text), values);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const soma::Error& e) {
    return e.what();
  }
  return "(no error)";
}

const char* kCoba = R"(
dv/dt = -(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c : volt
dge/dt = -ge/ge_tau : siemens
I : amp
)";

}  // namespace

TEST(Parse, PythonPrecedence) {
  EXPECT_DOUBLE_EQ(value_of("1 + 2*3"), 7);
  EXPECT_DOUBLE_EQ(value_of("-2**2"), -4);  // ** binds tighter than unary minus
  EXPECT_DOUBLE_EQ(value_of("2**-1"), 0.5);
  EXPECT_DOUBLE_EQ(value_of("2**3**2"), 512);  // right-associative
  EXPECT_DOUBLE_EQ(value_of("8/3"), 8.0 / 3.0);
  EXPECT_DOUBLE_EQ(value_of("1e-3"), 1e-3);
  EXPECT_DOUBLE_EQ(value_of(".5 + 2.5e2"), 250.5);
  EXPECT_DOUBLE_EQ(value_of("7 // 2"), 3);
  EXPECT_DOUBLE_EQ(value_of("-7 // 2"), -4);  // floor, as Python
  EXPECT_DOUBLE_EQ(value_of("-7 % 3"), 2);    // sign of the divisor, as Python
  EXPECT_DOUBLE_EQ(value_of("7 % -3"), -2);
  EXPECT_DOUBLE_EQ(value_of("1 < 2 and 3 > 4"), 0);
  EXPECT_DOUBLE_EQ(value_of("1 < 2 or 3 > 4"), 1);
  EXPECT_DOUBLE_EQ(value_of("not 1 < 2"), 0);
  EXPECT_DOUBLE_EQ(value_of("True + True"), 2);
  EXPECT_DOUBLE_EQ(value_of("clip(5, 0, 3) + clip(-1, 0, 3)"), 3);
  EXPECT_DOUBLE_EQ(value_of("int(-2.7) + int(2.7)"), 0);
  EXPECT_DOUBLE_EQ(value_of("abs(-3) + sqrt(16) + exp(0) + log(1)"), 8);
  EXPECT_DOUBLE_EQ(value_of("-40*mV"), -0.04);
  EXPECT_DOUBLE_EQ(value_of("5*ms"), 0.005);
  EXPECT_DOUBLE_EQ(value_of("100*pF"), 1e-10);
  EXPECT_DOUBLE_EQ(value_of("v > -40*mV", {{"v", -0.03}}), 1);
  EXPECT_DOUBLE_EQ(value_of("v > -40*mV", {{"v", -0.05}}), 0);
}

TEST(Parse, PrintsTextThatReadsBack) {
  for (const char* text :
       {"-(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c", "(-x)**2", "-x**2", "2**-1",
        "a - (b - c)", "a/(b*c)", "a/b*c", "not (a < b) and c >= d or e != f", "(a + b)**(c + d)",
        "clip(v, -1, 1e-300)", "x % y // z", "a - -3", "0.1*x"}) {
    const Expr e = parse_expression(text);
    const std::string printed = to_string(e);
    EXPECT_TRUE(equal(parse_expression(printed), e)) << text << " printed as " << printed;
  }
  EXPECT_EQ(to_string(parse_expression("a - (b - c)")), "a - (b - c)");
  EXPECT_EQ(to_string(parse_expression("(a*b)*c")), "a*b*c");
}

TEST(Parse, ErrorsNameTextAndColumn) {
  const std::string e1 = error_of([] { parse_expression("v + * 3"); });
  EXPECT_NE(e1.find(":5:"), std::string::npos) << e1;  // the '*' is at column 5
  EXPECT_NE(e1.find("\"v + * 3\""), std::string::npos) << e1;
  EXPECT_NE(e1.find("expected"), std::string::npos) << e1;
  const std::string e2 = error_of([] { parse_expression("(v + 3"); });
  EXPECT_NE(e2.find("expected ')'"), std::string::npos) << e2;
  EXPECT_NE(error_of([] { parse_expression("a < b < c"); }).find("comparison"), std::string::npos);
  EXPECT_NE(error_of([] { parse_expression("3x"); }).find("digit"), std::string::npos);
  EXPECT_NE(error_of([] { parse_expression("a $ b"); }).find(":3:"), std::string::npos);
  EXPECT_THROW(parse_expression(""), soma::Error);
  EXPECT_THROW(parse_expression("f(1,"), soma::Error);
  // Deep nesting is refused, not recursed into.
  EXPECT_THROW(parse_expression(std::string(5000, '(') + "1" + std::string(5000, ')')),
               soma::Error);
  EXPECT_THROW(parse_expression(std::string(5000, '-') + "1"), soma::Error);
}

// A flat chain is not nesting: sums and products of thousands of terms parse (grouped
// pairwise once longer than the depth limit) and keep their value; short chains keep
// Python's left-to-right tree.
TEST(Parse, LongFlatChainsParse) {
  for (int n : {250, 5000}) {
    std::string sum = "1", mixed = "0", product = "2";
    for (int i = 2; i <= n; ++i) sum += " + " + std::to_string(i);
    for (int i = 1; i <= n; ++i) mixed += (i % 3 == 0 ? " - " : " + ") + std::to_string(i);
    for (int i = 1; i < n; ++i) product += i % 2 ? " * 3" : " / 3";
    double want_mixed = 0;
    for (int i = 1; i <= n; ++i) want_mixed += i % 3 == 0 ? -i : i;
    EXPECT_EQ(evaluate(parse_expression(sum), {}), n * (n + 1.0) / 2) << n;
    EXPECT_EQ(evaluate(parse_expression(mixed), {}), want_mixed) << n;
    EXPECT_NEAR(evaluate(parse_expression(product), {}), n % 2 ? 2.0 : 6.0, 1e-12) << n;
    // What it prints reads back to the same tree.
    const Expr e = parse_expression(mixed);
    EXPECT_TRUE(equal(parse_expression(to_string(e)), e));
  }
  EXPECT_EQ(to_string(parse_expression("a - b + c - d")), "a - b + c - d");
  // // and % do not regroup: such a chain past the limit is still refused.
  std::string floors = "1";
  for (int i = 0; i < 300; ++i) floors += " // 1";
  EXPECT_NE(error_of([&] { parse_expression(floors); }).find("nested too deeply"),
            std::string::npos);
}

// A message quotes a window of the text around the column, not all of a long input.
TEST(Parse, ErrorsQuoteAWindowOfLongInput) {
  std::string text;
  for (int i = 0; i < 12000; ++i) text += "x*" + std::to_string(i) + " + ";
  text += "x $ 1";
  const std::string e = error_of([&] { parse_expression(text); });
  EXPECT_LT(e.size(), 250u) << e.size();
  EXPECT_NE(e.find(":" + std::to_string(text.size() - 2) + ":"), std::string::npos) << e;
  EXPECT_NE(e.find("in \"..."), std::string::npos) << e;
  EXPECT_NE(e.find("x $ 1\""), std::string::npos) << e;
  EXPECT_EQ(soma::excerpt("short text", 3), "short text");
  const std::string middle =
      soma::excerpt(std::string(100, 'a') + "X" + std::string(100, 'b'), 101);
  EXPECT_EQ(middle, "..." + std::string(30, 'a') + "X" + std::string(29, 'b') + "...");
  // A cut never splits a UTF-8 character (µ is two bytes).
  std::string micro;
  for (int i = 0; i < 60; ++i) micro += "µ";
  for (int i = 1; i <= 120; i += 7) {
    const std::string cut = soma::excerpt(micro, i);
    // After the leading "...", a whole "µ" (c2 b5) starts; before the trailing one, it ends.
    if (cut.starts_with("...")) {
      EXPECT_EQ(static_cast<unsigned char>(cut[3]), 0xC2) << i;
    }
    if (cut.ends_with("...")) {
      EXPECT_EQ(static_cast<unsigned char>(cut[cut.size() - 4]), 0xB5) << i;
    }
  }
}

TEST(Parse, Statements) {
  const auto s = parse_statements("v = vl; ge_post += w_ge\n x *= 2 # comment; y = 1\n z /= 3");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].target, "v");
  EXPECT_EQ(s[0].op, AssignOp::assign);
  EXPECT_EQ(to_string(s[0].value), "vl");
  EXPECT_EQ(s[1].target, "ge_post");
  EXPECT_EQ(s[1].op, AssignOp::add);
  EXPECT_EQ(s[1].column, 9);
  EXPECT_EQ(s[2].op, AssignOp::mul);
  EXPECT_EQ(s[2].line, 2);
  EXPECT_EQ(s[3].op, AssignOp::div);
  EXPECT_EQ(s[3].target, "z");
  EXPECT_THROW(parse_statements("v == 3"), soma::Error);
  EXPECT_THROW(parse_statements("3 = v"), soma::Error);
  EXPECT_THROW(parse_statements("v ="), soma::Error);
  const std::string e = error_of([] { parse_statements("v = 1; w = 2 +", {"reset"}); });
  EXPECT_NE(e.find("reset:1:"), std::string::npos) << e;
}

TEST(Parse, IssueModel) {
  const Equations eqs = parse_equations(kCoba);
  ASSERT_EQ(eqs.list.size(), 3u);
  EXPECT_EQ(eqs.list[0].kind, EquationKind::differential);
  EXPECT_EQ(eqs.list[0].name, "v");
  EXPECT_EQ(eqs.list[0].unit, dim::volt());
  EXPECT_EQ(eqs.list[0].line, 2);
  EXPECT_EQ(to_string(eqs.list[0].expr), "-(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c");
  EXPECT_EQ(eqs.list[1].name, "ge");
  EXPECT_EQ(eqs.list[1].unit, dim::siemens());
  EXPECT_EQ(eqs.list[2].kind, EquationKind::parameter);
  EXPECT_EQ(eqs.list[2].name, "I");
  EXPECT_EQ(eqs.list[2].unit, dim::amp());
  EXPECT_EQ(eqs.differential_names(), (std::vector<std::string>{"v", "ge"}));
  EXPECT_EQ(eqs.time, dim::second());
}

TEST(Parse, FlagsSubexpressionsConstants) {
  const Equations eqs = parse_equations(R"(
    dv/dt = (I_syn - (v - vl)/R)/c : volt (unless refractory)   # membrane
    I_syn = g*(E - v) : amp
    dg/dt = -g/tau : siemens (unless  refractory, constant over dt)
    c = 100*pF
    R = 1/(10*nS)
    g_max : siemens (shared)
    n : 1
  )");
  ASSERT_EQ(eqs.list.size(), 7u);
  EXPECT_TRUE(eqs.list[0].has_flag("unless refractory"));
  EXPECT_EQ(eqs.list[1].kind, EquationKind::subexpression);
  EXPECT_EQ(eqs.list[1].unit, dim::amp());
  EXPECT_EQ(eqs.list[2].flags, (std::vector<std::string>{"unless refractory", "constant over dt"}));
  EXPECT_EQ(eqs.list[3].kind, EquationKind::constant);
  EXPECT_DOUBLE_EQ(eqs.list[3].value, 1e-10);
  EXPECT_EQ(eqs.list[3].unit, dim::farad());
  EXPECT_EQ(eqs.list[4].kind, EquationKind::constant);
  EXPECT_DOUBLE_EQ(eqs.list[4].value, 1e8);
  EXPECT_EQ(eqs.list[4].unit, dim::ohm());
  EXPECT_TRUE(eqs.list[5].has_flag("shared"));
  EXPECT_TRUE(eqs.list[6].unit.dimensionless());
  // Subexpressions and constants substitute into the right-hand side.
  const Expr f = eqs.substituted_rhs("v");
  EXPECT_FALSE(depends_on(f, "I_syn"));
  EXPECT_FALSE(depends_on(f, "c"));
  EXPECT_TRUE(depends_on(f, "g"));
  const double got = evaluate(f, {{"v", -0.07}, {"g", 2e-9}, {"E", 0.0}, {"vl", -0.065}});
  const double want = (2e-9 * (0.0 + 0.07) - (-0.07 + 0.065) / 1e8) / 1e-10;
  EXPECT_NEAR(got, want, 1e-12 * std::fabs(want));
}

TEST(Parse, SemicolonsWithoutUnits) {
  ParseOptions opt;
  opt.units = UnitMode::optional;
  const Equations eqs =
      parse_equations("dx/dt = sigma*(y-x); dy/dt = x*(rho-z)-y; dz/dt = x*y-beta*z", opt);
  ASSERT_EQ(eqs.list.size(), 3u);
  EXPECT_EQ(eqs.list[2].name, "z");
  EXPECT_EQ(eqs.list[2].line, 1);
  EXPECT_TRUE(eqs.time.dimensionless());
  Constants ns = {{"sigma", {10, {}}}, {"rho", {28, {}}}, {"beta", {8.0 / 3.0, {}}}};
  EXPECT_NO_THROW(check_units(eqs, ns));
  // Required mode refuses the same text and says what is missing.
  const std::string e = error_of([] { parse_equations("dx/dt = -x"); });
  EXPECT_NE(e.find("expected ': unit'"), std::string::npos) << e;
}

TEST(Parse, ModelErrors) {
  EXPECT_NE(error_of([] { parse_equations("dv/dt = -v/tau : mV"); }).find("SI base units"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_equations("v : volt\nv : volt"); }).find("defined twice"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_equations("dv/dx = 1 : volt"); }).find("expected 'dt'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_equations("dt : second"); }).find("reserved"), std::string::npos);
  EXPECT_NE(error_of([] { parse_equations("v : volt (unless"); }).find("')'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_equations("v volt"); }).find("expected '=' or ':'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_equations("v : furlong"); }).find("not a unit"), std::string::npos);
  const std::string e = error_of([] { parse_equations("v : volt\ndv2/dt = (v + : volt"); });
  EXPECT_NE(e.find("model:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("dv2/dt = (v + : volt"), std::string::npos) << e;  // names the equation
  const Equations cyc = parse_equations("a = b : 1\nb = a : 1");
  EXPECT_THROW(cyc.substituted(symbol("a")), soma::Error);
  EXPECT_THROW(cyc.substituted_rhs("nope"), soma::Error);
  EXPECT_THROW(parse_equations("p : 1").substituted_rhs("p"), soma::Error);
}
