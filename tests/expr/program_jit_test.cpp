// Programs give the same bits whether their body runs as machine code
// (expr/jit.hpp) or on the block VM: each program is compiled twice, once with
// SOMA_JIT=0, and both run over the same inputs for lengths around the vector
// width and the VM's 256-element block.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>

#include "soma/expr/expr.hpp"
#include "soma/expr/jit.hpp"

using namespace soma::expr;

namespace {

bool same(double x, double y) {
  return (std::isnan(x) && std::isnan(y)) ||
         std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y);
}

// Compiles with the JIT disabled, restoring SOMA_JIT after.
template <class F>
Program without_jit(F compile_it) {
  const char* before = std::getenv("SOMA_JIT");
  const std::string saved = before ? before : "";
  setenv("SOMA_JIT", "0", 1);
  Program p = compile_it();
  if (before) {
    setenv("SOMA_JIT", saved.c_str(), 1);
  } else {
    unsetenv("SOMA_JIT");
  }
  return p;
}

struct State {
  std::vector<double> v, w, x;
  double dt = 1e-4;
};

State random_state(size_t n, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> normal(0, 2);
  State s;
  for (auto* a : {&s.v, &s.w, &s.x}) {
    a->resize(n + 1);  // never empty (a null pointer is refused); the last is never touched
    for (double& e : *a) e = normal(g);
  }
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (n > 5) s.v[1] = 0.0, s.w[2] = -0.0, s.x[3] = nan, s.v[4] = nan, s.w[5] = -inf;
  return s;
}

Bindings bind(State& s) {
  Bindings b;
  b.array("v", s.v.data()).array("w", s.w.data()).array("x", s.x.data()).scalar("dt", &s.dt);
  b.constant("tau", 5e-3).constant("c", 200e-12).constant("vl", -0.06);
  return b;
}

const size_t kLengths[] = {0, 1, 3, 7, 8, 9, 255, 256, 257, 1000};

void expect_same_statements(const std::string& text, bool machine_code) {
  SCOPED_TRACE(text);
  for (const size_t n : kLengths) {
    State a = random_state(n, n + 1), b = a;
    Program jit = compile(parse_statements(text), bind(a));
    Program vm = without_jit([&] { return compile(parse_statements(text), bind(b)); });
    EXPECT_FALSE(vm.uses_machine_code());
    if (soma::expr::jit::available()) {
      EXPECT_EQ(jit.uses_machine_code(), machine_code);
    }
    for (int step = 0; step < 2; ++step) {
      jit.run(n);
      vm.run(n);
    }
    for (size_t i = 0; i <= n; ++i) {
      ASSERT_TRUE(same(a.v[i], b.v[i]))
          << "n=" << n << " v[" << i << "]: " << a.v[i] << " vs " << b.v[i];
      ASSERT_TRUE(same(a.w[i], b.w[i]))
          << "n=" << n << " w[" << i << "]: " << a.w[i] << " vs " << b.w[i];
      ASSERT_TRUE(same(a.x[i], b.x[i]))
          << "n=" << n << " x[" << i << "]: " << a.x[i] << " vs " << b.x[i];
    }
  }
}

}  // namespace

TEST(ProgramJit, ArithmeticComparisonsAndLogicMatchTheVm) {
  expect_same_statements(
      "v += dt*(-(10e-9*(v - vl) + w*(v - 0.0) + x*(v + 0.08) - 1e-10)/c)\n"
      "w += dt*(-w/tau)\nx += dt*(-x/tau)",
      true);
  expect_same_statements(
      "v = clip(v, -1, 1) + (w > 0.5)*2 - (x <= w) + (v == w) + (v != x) - (w >= x) + (v < x)\n"
      "w = abs(x) + sqrt(abs(v)) - -w\nx = -x/dt",
      true);
  expect_same_statements("v = (v > 0) and (w < 0)\nw = (x > 1) or not (v > 0)\nx = not x", true);
  // Temporaries, compound assignment, a shared temporary computed once per run
  // (exp of a scalar stays on the C++ side), x**2.
  expect_same_statements(
      "_t = v*dt\n_decay = exp(-dt/tau)\nv = _t + w\nw += _t\nx *= _decay\nx /= 3\n"
      "x -= w**2\n_u = v\nv = 2*_u",
      true);
}

TEST(ProgramJit, LibmFunctionsStayOnTheVm) {
  expect_same_statements("v = exp(v)\nw = w % 3", false);
  expect_same_statements("v = v**3", false);
}

TEST(ProgramJit, ExpressionsEvaluateAndSelectTheSameValues) {
  const std::string text = "v*dt + w/(x - 1) - clip(w, 0, 1) + (v > w)";
  for (const size_t n : kLengths) {
    State s = random_state(n, 7 * n + 3);
    Program jit = compile(parse_expression(text), bind(s));
    Program vm = without_jit([&] { return compile(parse_expression(text), bind(s)); });
    if (soma::expr::jit::available()) {
      EXPECT_TRUE(jit.uses_machine_code());
    }
    std::vector<double> a(n + 1, 5.0), b(n + 1, 5.0);
    jit.evaluate(n, a.data());
    vm.evaluate(n, b.data());
    for (size_t i = 0; i <= n; ++i) ASSERT_TRUE(same(a[i], b[i])) << "n=" << n << " i=" << i;
    EXPECT_EQ(a[n], 5.0);  // nothing written past the end
    std::vector<int32_t> where_jit = {-1}, where_vm;
    jit.where(n, where_jit);
    vm.where(n, where_vm);
    EXPECT_EQ(where_jit, where_vm) << "n=" << n;
  }
}

TEST(ProgramJit, RebindingAndCopiesUseTheCurrentPointers) {
  State s = random_state(20, 1), other = random_state(20, 2);
  Program p = compile(parse_statements("v += dt*w"), bind(s));
  Program copy = p;  // shares the kernel
  const State before = other;
  p.rebind_array("v", other.v.data());
  p.rebind_array("w", other.w.data());
  double dt2 = 0.5;
  p.rebind_scalar("dt", &dt2);
  p.run(20);
  for (size_t i = 0; i < 20; ++i)
    EXPECT_TRUE(same(other.v[i], before.v[i] + 0.5 * before.w[i])) << i;
  const State s_before = s;
  copy.run(20);  // the copy still points at s, with dt = 1e-4
  for (size_t i = 0; i < 20; ++i)
    EXPECT_TRUE(same(s.v[i], s_before.v[i] + 1e-4 * s_before.w[i])) << i;
  // Element lists run on the VM, with the same values.
  const State s_after = s;
  const int32_t some[] = {3, 5};
  copy.run(std::span<const int32_t>(some));
  EXPECT_EQ(s.v[3], s_after.v[3] + 1e-4 * s_after.w[3]);
  EXPECT_EQ(s.v[6], s_after.v[6]);
}
