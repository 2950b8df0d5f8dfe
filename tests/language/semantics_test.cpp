// The test that holds the equation language together: every function and operator,
// through every path that computes it — the reference evaluator (expr::evaluate),
// expr::Program's interpreter (element lists) and its machine code (contiguous runs,
// on each instruction set the machine has), snn's value programs and their
// machine-code lowering, fit's model program (fast arithmetic) and its derivative columns — on a
// table of edge inputs
// (+-0, +-inf, NaN, subnormals, huge and tiny values), against the reference semantics
// (soma/expr/functions.hpp; docs/EQUATIONS.md, "Reference semantics").
//
// Every path must give the reference's bits (any NaN matching any NaN: the hardware
// keeps whichever operand's payload comes first), except the one fast-mode rewrite the
// table allows: fit's models (CompileOptions::fast_arithmetic) divide by a parameter as a
// multiplication by its reciprocal, within 2 ulp and of the same sign and class. exp is one
// function in all of them (soma/core/vecmath.hpp, the machine code's exp instruction for
// instruction).
#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "fit/model_program.hpp"
#include "snn/compile_program.hpp"
#include "soma/expr/functions.hpp"
#include "soma/expr/jit.hpp"
#include "soma/expr/program.hpp"
#include "soma/expr/symbolic.hpp"

namespace {

using namespace soma;
using expr::Expr;
using expr::NodeKind;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The edge inputs: signed zeros, subnormals, the normal range's ends, exp's overflow and
// underflow thresholds, integers and halves (rounding, mod), infinities and NaN.
const std::vector<double>& edges() {
  static const std::vector<double> v = {
      0.0,     -0.0,   1.0,     -1.0,   0.5,     -0.5,    2.5,    -2.5,    3.0,      -7.0,  1e-310,
      -1e-310, 5e-324, DBL_MIN, 1e-300, -1e-300, 1e300,   -1e300, DBL_MAX, -DBL_MAX, 700.0, -700.0,
      709.5,   710.0,  1000.0,  -740.0, -745.5,  -1000.0, 4.5e15, -0.3,    kInf,     -kInf, kNaN};
  return v;
}

std::string show(double x) {
  std::ostringstream s;
  s.precision(17);
  s << x;
  return s.str();
}

// The reference's bits, or NaN for NaN; with ulps > 0, a finite value within that many
// units in the last place of the reference, of the same sign.
bool agrees(double got, double want, int ulps = 0) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (std::bit_cast<uint64_t>(got) == std::bit_cast<uint64_t>(want)) return true;
  if (ulps == 0 || std::isinf(want) || std::isinf(got)) return false;
  if (std::signbit(got) != std::signbit(want)) return false;
  const double w = std::fabs(want);
  return std::fabs(got - want) <= ulps * (std::nextafter(w, kInf) - w);
}

// The machine-code settings to run under: the best target here, and AVX2 where the best
// is AVX-512 (SOMA_JIT picks, as tests/expr/jit_test.cpp does); just the interpreters
// where machine code cannot run.
class JitTarget {
 public:
  explicit JitTarget(const char* value) {
    if (const char* before = std::getenv("SOMA_JIT")) saved_ = before;
    if (value)
      setenv("SOMA_JIT", value, 1);
    else
      unsetenv("SOMA_JIT");
  }
  ~JitTarget() {
    if (saved_)
      setenv("SOMA_JIT", saved_->c_str(), 1);
    else
      unsetenv("SOMA_JIT");
  }

 private:
  std::optional<std::string> saved_;
};
std::vector<const char*> jit_targets() {
  if (!expr::jit::available()) return {nullptr};
  std::vector<const char*> out = {nullptr};
  if (expr::jit::status().rfind("avx512", 0) == 0) out.push_back("avx2");
  return out;
}
std::string target_name(const char* t) { return t ? t : "best"; }

// One computed column: a path's name and its value for each input row.
struct Column {
  std::string path;
  std::vector<double> values;
  int ulps = 0;  // the distance allowed from the reference (fast-mode rewrites)
};

// The inputs, one array per variable (a, b...), all of the same length.
struct Inputs {
  std::vector<std::string> names;
  std::vector<std::vector<double>> columns;
  size_t rows() const { return columns.empty() ? 0 : columns[0].size(); }
};

std::vector<double> reference(const Expr& e, const Inputs& in) {
  std::vector<double> out(in.rows());
  for (size_t r = 0; r < in.rows(); ++r) {
    std::map<std::string, double> values;
    for (size_t v = 0; v < in.names.size(); ++v) values[in.names[v]] = in.columns[v][r];
    out[r] = expr::evaluate(e, values);
  }
  return out;
}

// expr::Program: the interpreter over an element list, then contiguous runs (machine
// code where the program has it) on each target.
void program_paths(const Expr& e, Inputs in, std::vector<Column>& out) {
  expr::Bindings b;
  for (size_t v = 0; v < in.names.size(); ++v) b.array(in.names[v], in.columns[v].data());
  expr::Program p = expr::compile(e, b);
  const size_t n = in.rows();
  std::vector<int32_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  Column vm{"expr::Program interpreter", std::vector<double>(n)};
  p.evaluate(std::span<const int32_t>(all), vm.values.data());
  out.push_back(std::move(vm));
  for (const char* t : jit_targets()) {
    JitTarget env(t);
    expr::Program q = expr::compile(e, b);
    Column c{std::string("expr::Program contiguous") +
                 (q.uses_machine_code() ? " (machine code, " + target_name(t) + ")" : ""),
             std::vector<double>(n)};
    q.evaluate(n, c.values.data());
    out.push_back(std::move(c));
  }
}

// snn's programs (expr::compile_values with fused multiply-adds, names resolved as a
// network resolves them): the interpreter block by block, and the lowering to machine
// code where it has one.
void snn_paths(const Expr& e, Inputs in, std::vector<Column>& out) {
  auto resolve = [&in](const std::string& name) -> std::optional<snn::Binding> {
    for (size_t v = 0; v < in.names.size(); ++v)
      if (in.names[v] == name)
        return snn::Binding{.kind = snn::Binding::Kind::array, .array = in.columns[v].data()};
    return std::nullopt;
  };
  expr::Program p = snn::compile_program({{"y", e}}, resolve, "semantics test");
  const size_t n = in.rows();
  Column vm{"snn value program interpreter", std::vector<double>(n)};
  Rng rng(1);
  p.run_blocks(0, static_cast<int64_t>(n), {.rng = &rng}, [&](int64_t first, int count) {
    const expr::Program::Value v = p.result(0);
    for (int k = 0; k < count; ++k) vm.values[static_cast<size_t>(first + k)] = v[k];
  });
  out.push_back(std::move(vm));
  for (const char* t : jit_targets()) {
    if (!t && !expr::jit::available()) break;
    JitTarget env(t);
    expr::jit::Spec spec;
    std::vector<double*> arrays;
    expr::Program::KnownArrays known;
    auto number = [&](const double* a) {
      for (size_t k = 0; k < arrays.size(); ++k)
        if (arrays[k] == a) return static_cast<int32_t>(k);
      arrays.push_back(const_cast<double*>(a));
      return static_cast<int32_t>(arrays.size() - 1);
    };
    const auto nodes = p.lower(spec, arrays, 0, known);
    if (!nodes) break;  // an operation without a machine-code form: the interpreter runs
    Column c{"snn value program machine code (" + target_name(t) + ")", std::vector<double>(n)};
    spec.add({.op = expr::jit::Op::store, .a = (*nodes)[0], .index = number(c.values.data())});
    p.update_scalars();
    spec.arrays = static_cast<int32_t>(arrays.size());
    spec.scalars = static_cast<int32_t>(p.scalar_values().size());
    const auto kernel = expr::jit::Kernel::compile(spec);
    if (!kernel) break;
    kernel->run(arrays.data(), p.scalar_values().data(), static_cast<int64_t>(n));
    out.push_back(std::move(c));
  }
}

// fit's lowering (expr::Program with fit's compile options): `x` an array, every other
// variable a parameter (one model per value of the parameters, which here take each
// row's values in turn).
void fit_paths(const Expr& e, const Inputs& in, std::vector<Column>& out, int ulps = 0) {
  std::vector<std::string> params(in.names.begin() + 1, in.names.end());
  if (params.empty()) params.push_back("unused");
  Expr model = expr::substitute(e, {{in.names[0], expr::symbol("x")}});
  fit::detail::ModelProgram program({model}, "x", params);
  const size_t n = in.rows();
  Column c{"fit model program", std::vector<double>(n), ulps};
  for (size_t r = 0; r < n; ++r) {
    std::vector<double> p(params.size(), 0.0);
    for (size_t v = 1; v < in.names.size(); ++v) p[v - 1] = in.columns[v][r];
    double* column = &c.values[r];
    program.run(&in.columns[0][r], 1, p, &column);
  }
  out.push_back(std::move(c));
}

void expect_agree(const std::string& what, const std::vector<double>& want,
                  const std::vector<Column>& paths, const Inputs& in) {
  for (const Column& c : paths) {
    int reported = 0;
    for (size_t r = 0; r < want.size(); ++r) {
      if (agrees(c.values[r], want[r], c.ulps)) continue;
      std::string args;
      for (size_t v = 0; v < in.names.size(); ++v)
        args += (v ? ", " : "") + in.names[v] + " = " + show(in.columns[v][r]);
      ADD_FAILURE() << what << " at " << args << ": " << c.path << " gives " << show(c.values[r])
                    << ", the reference " << show(want[r]);
      if (++reported == 3) break;
    }
  }
}

void check_all_paths(const std::string& what, const Expr& e, const Inputs& in, int fit_ulps = 0) {
  const std::vector<double> want = reference(e, in);
  std::vector<Column> paths;
  program_paths(e, in, paths);
  snn_paths(e, in, paths);
  fit_paths(e, in, paths, fit_ulps);
  expect_agree(what, want, paths, in);
}

}  // namespace

// The reference evaluator is the table's semantics: expr::evaluate of f(x) is
// expr::apply_function, and the operators are expr::apply_binary.
TEST(Language, EvaluateIsTheReferenceSemantics) {
  for (const expr::FunctionInfo& f : expr::functions()) {
    if (f.arity != 1) continue;
    for (const double x : edges()) {
      const double got = expr::evaluate(expr::call(std::string(f.name), {expr::number(x)}), {});
      EXPECT_TRUE(agrees(got, expr::apply_function(f.id, x))) << f.name << "(" << show(x) << ")";
    }
  }
}

// Spot values of the semantics that the paths once disagreed on, stated outright.
TEST(Language, EdgeValuesAreIeee) {
  using expr::Function;
  EXPECT_TRUE(std::isnan(expr::apply_function(Function::sign, kNaN)));
  EXPECT_TRUE(std::signbit(expr::apply_function(Function::sign, -0.0)));
  EXPECT_EQ(expr::apply_function(Function::sign, -kInf), -1.0);
  EXPECT_EQ(expr::apply_function(Function::exp, 710.0), kInf);
  EXPECT_EQ(expr::apply_function(Function::exp, -kInf), 0.0);
  EXPECT_GT(expr::apply_function(Function::exp, -740.0), 0.0);  // subnormal, not 0
  EXPECT_EQ(expr::apply_function(Function::log, 0.0), -kInf);
  EXPECT_TRUE(std::isnan(expr::apply_function(Function::log, -1.0)));
  EXPECT_EQ(expr::python_mod(-1.0, 3.0), 2.0);
  EXPECT_EQ(expr::python_mod(1.0, -3.0), -2.0);
  EXPECT_TRUE(std::isnan(expr::clip(kNaN, 0.0, 1.0)));
  EXPECT_EQ(expr::apply_binary(NodeKind::pow, 0.0, -1.0), kInf);
  EXPECT_EQ(expr::apply_binary(NodeKind::pow, kNaN, 0.0), 1.0);
  EXPECT_EQ(expr::apply_binary(NodeKind::floordiv, 1.0, 0.0), kInf);
  EXPECT_EQ(expr::apply_binary(NodeKind::ne, kNaN, kNaN), 1.0);
  EXPECT_EQ(expr::apply_binary(NodeKind::logical_and, kNaN, 1.0), 1.0);
}

TEST(Language, EveryFunctionThroughEveryPath) {
  for (const expr::FunctionInfo& f : expr::functions()) {
    if (f.arity != 1) continue;
    SCOPED_TRACE(std::string(f.name));
    const Inputs in{{"a"}, {edges()}};
    check_all_paths(std::string(f.name) + "(a)",
                    expr::call(std::string(f.name), {expr::symbol("a")}), in);
  }
}

TEST(Language, ClipThroughEveryPath) {
  const std::vector<std::pair<double, double>> bounds = {
      {-1.0, 1.0}, {0.0, 0.0}, {-kInf, kInf}, {2.0, 3.0}, {-0.0, 0.0}};
  for (const auto& [lo, hi] : bounds) {
    Inputs in{{"a", "lo", "hi"}, {edges(), {}, {}}};
    in.columns[1].assign(edges().size(), lo);
    in.columns[2].assign(edges().size(), hi);
    check_all_paths("clip(a, lo, hi)",
                    expr::call("clip", {expr::symbol("a"), expr::symbol("lo"), expr::symbol("hi")}),
                    in);
  }
}

TEST(Language, UnaryOperatorsThroughEveryPath) {
  const Inputs in{{"a"}, {edges()}};
  check_all_paths("-a", expr::unary(NodeKind::neg, expr::symbol("a")), in);
  check_all_paths("not a", expr::unary(NodeKind::logical_not, expr::symbol("a")), in);
}

TEST(Language, BinaryOperatorsThroughEveryPath) {
  Inputs in{{"a", "b"}, {{}, {}}};
  for (const double a : edges())
    for (const double b : edges()) {
      in.columns[0].push_back(a);
      in.columns[1].push_back(b);
    }
  const std::pair<NodeKind, const char*> ops[] = {
      {NodeKind::add, "a + b"},        {NodeKind::sub, "a - b"},
      {NodeKind::mul, "a * b"},        {NodeKind::div, "a / b"},
      {NodeKind::floordiv, "a // b"},  {NodeKind::mod, "a % b"},
      {NodeKind::pow, "a ** b"},       {NodeKind::lt, "a < b"},
      {NodeKind::le, "a <= b"},        {NodeKind::gt, "a > b"},
      {NodeKind::ge, "a >= b"},        {NodeKind::eq, "a == b"},
      {NodeKind::ne, "a != b"},        {NodeKind::logical_and, "a and b"},
      {NodeKind::logical_or, "a or b"}};
  for (const auto& [kind, text] : ops) {
    SCOPED_TRACE(text);
    // b is a parameter of fit's model: a / b is a * (1/b) there (fast mode).
    check_all_paths(text, expr::binary(kind, expr::symbol("a"), expr::symbol("b")), in,
                    kind == NodeKind::div ? 2 : 0);
  }
}

// fit's derivative columns: the symbolic derivative of each function, lowered by the
// model program, against the reference evaluator on the same derivative.
TEST(Language, DerivativesThroughFitsLowering) {
  for (const expr::FunctionInfo& f : expr::functions()) {
    if (f.arity != 1) continue;
    SCOPED_TRACE(std::string(f.name));
    const Expr d = expr::differentiate(expr::call(std::string(f.name), {expr::symbol("a")}), "a");
    const Inputs in{{"a"}, {edges()}};
    std::vector<Column> paths;
    fit_paths(d, in, paths);
    ASSERT_EQ(paths.size(), 1u) << "d/da " << f.name << "(a) = " << expr::to_string(d)
                                << " is not lowered by fit's model program";
    expect_agree("d/da " + std::string(f.name) + "(a) = " + expr::to_string(d), reference(d, in),
                 paths, in);
  }
}

// The comparisons above reach machine code where this machine runs it: the functions
// with a machine-code form (exp, sqrt, abs, sign) and the arithmetic give one column per
// instruction set from expr::Program and from snn's value programs each.
TEST(Language, MachineCodePathsAreCompared) {
  if (!expr::jit::available()) GTEST_SKIP() << "no machine code here: " << expr::jit::status();
  const Inputs in{{"a"}, {edges()}};
  for (const char* f : {"exp", "sqrt", "abs", "sign"}) {
    std::vector<Column> paths;
    const Expr e = expr::call(f, {expr::symbol("a")});
    program_paths(e, in, paths);
    snn_paths(e, in, paths);
    size_t machine = 0;
    for (const Column& c : paths) machine += c.path.find("machine code") != std::string::npos;
    EXPECT_EQ(machine, 2 * jit_targets().size()) << f;
  }
}
