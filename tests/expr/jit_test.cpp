// jit::Kernel against a plain C++ interpreter of the same nodes, element by
// element: random specs over all ops, every tail length, aliasing and spills,
// compared bit for bit (NaN with NaN, whatever its payload: the hardware keeps
// the payload of whichever NaN operand comes first, and C++ does not fix the order).

// The reference rounds every operation separately, as the kernels do (g++ would
// otherwise fuse a*b + c in the interpreter and in vecmath::exp).
#pragma GCC optimize("fp-contract=off")

#include "soma/expr/jit.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>

#include "expr/jit/compile_steps.hpp"
#include "soma/core/error.hpp"
#include "soma/core/vecmath.hpp"

using namespace soma::expr::jit;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The semantics of jit.hpp, one element at a time.
void interpret(const Spec& s, double* const* arrays, const double* scalars, int64_t n) {
  std::vector<double> v(s.nodes.size());
  for (int64_t e = 0; e < n; ++e) {
    for (size_t i = 0; i < s.nodes.size(); ++i) {
      const Node& k = s.nodes[i];
      const double a = k.a >= 0 ? v[k.a] : 0, b = k.b >= 0 ? v[k.b] : 0, c = k.c >= 0 ? v[k.c] : 0;
      double& r = v[i];
      switch (k.op) {
        case Op::load:
          r = arrays[k.index][e];
          break;
        case Op::scalar:
          r = scalars[k.index];
          break;
        case Op::constant:
          r = k.value;
          break;
        case Op::add:
          r = a + b;
          break;
        case Op::sub:
          r = a - b;
          break;
        case Op::mul:
          r = a * b;
          break;
        case Op::div:
          r = a / b;
          break;
        case Op::neg:
          r = -a;
          break;
        case Op::abs:
          r = std::fabs(a);
          break;
        case Op::sqrt:
          r = std::sqrt(a);
          break;
        case Op::min:
          r = a < b ? a : b;
          break;
        case Op::max:
          r = a > b ? a : b;
          break;
        case Op::fma:
          r = std::fma(a, b, c);
          break;
        case Op::exp:
          r = soma::vecmath::exp(a);
          break;
        case Op::lt:
          r = a < b ? 1.0 : 0.0;
          break;
        case Op::le:
          r = a <= b ? 1.0 : 0.0;
          break;
        case Op::gt:
          r = a > b ? 1.0 : 0.0;
          break;
        case Op::ge:
          r = a >= b ? 1.0 : 0.0;
          break;
        case Op::eq:
          r = a == b ? 1.0 : 0.0;
          break;
        case Op::ne:
          r = a != b ? 1.0 : 0.0;
          break;
        case Op::select:
          r = a != 0 ? b : c;
          break;
        case Op::store:
          arrays[k.index][e] = a;
          break;
      }
    }
  }
}

bool same(double x, double y) {
  return (std::isnan(x) && std::isnan(y)) ||
         std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y);
}

// Inputs that reach every branch: ordinary values, signed zeros, infinities, NaN,
// exp's clamps, tiny and huge magnitudes.
double random_value(std::mt19937_64& g) {
  static constexpr double kSpecial[] = {0.0,   -0.0,   1.0,   -1.0,   0.5,    kInf,  -kInf, kNaN,
                                        708.0, -708.0, 709.0, -709.0, 1e-310, 1e300, 2.0};
  std::uniform_int_distribution<int> kind(0, 9);
  switch (kind(g)) {
    case 0:
      return kSpecial[std::uniform_int_distribution<size_t>(0, std::size(kSpecial) - 1)(g)];
    case 1:
      return std::uniform_real_distribution<double>(-800, 800)(g);
    default:
      return std::normal_distribution<double>(0, 3)(g);
  }
}

// A random DAG: loads, scalars and constants feeding every op, with stores
// scattered through it (so later loads read stored values).
Spec random_spec(std::mt19937_64& g, int arrays, int scalars, int nodes) {
  Spec s{.arrays = arrays, .scalars = scalars};
  std::vector<int32_t> values;
  auto pick = [&] {
    return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(g)];
  };
  auto array = [&] { return std::uniform_int_distribution<int32_t>(0, arrays - 1)(g); };
  values.push_back(s.add({.op = Op::load, .index = array()}));
  std::uniform_int_distribution<int> op(0, static_cast<int>(Op::store));
  while (static_cast<int>(s.nodes.size()) < nodes) {
    const auto o = static_cast<Op>(op(g));
    if (o == Op::store) {
      s.add({.op = Op::store, .a = pick(), .index = array()});
    } else if (o == Op::load) {
      values.push_back(s.add({.op = Op::load, .index = array()}));
    } else if (o == Op::scalar) {
      if (scalars > 0) {
        values.push_back(
            s.add({.op = Op::scalar,
                   .index = std::uniform_int_distribution<int32_t>(0, scalars - 1)(g)}));
      }
    } else if (o == Op::constant) {
      values.push_back(s.add({.op = Op::constant, .value = random_value(g)}));
    } else {
      values.push_back(s.add({.op = o, .a = pick(), .b = pick(), .c = pick()}));
    }
  }
  for (int a = 0; a < arrays; ++a) s.add({.op = Op::store, .a = pick(), .index = a});
  return s;
}

// Runs spec on n elements with the kernel and with the interpreter; arrays
// `alias` and 0 share memory when alias > 0.
void check(const Spec& s, const Kernel& k, std::mt19937_64& g, int64_t n, int alias,
           const std::string& what) {
  const auto count = static_cast<size_t>(s.arrays);
  std::vector<std::vector<double>> mine(count), want(count);
  for (size_t a = 0; a < count; ++a) {
    // One element past the end, to see that the tail writes nothing there.
    mine[a].resize(static_cast<size_t>(n) + 1);
    for (double& x : mine[a]) x = random_value(g);
    want[a] = mine[a];
  }
  std::vector<double*> pm(count), pw(count);
  for (size_t a = 0; a < count; ++a) {
    const size_t from = (alias > 0 && static_cast<int>(a) == alias) ? 0 : a;
    pm[a] = mine[from].data();
    pw[a] = want[from].data();
  }
  std::vector<double> scalars(static_cast<size_t>(s.scalars));
  for (double& x : scalars) x = random_value(g);
  k.run(pm.data(), scalars.data(), n);
  interpret(s, pw.data(), scalars.data(), n);
  for (size_t a = 0; a < count; ++a) {
    for (size_t e = 0; e <= static_cast<size_t>(n); ++e) {
      ASSERT_TRUE(same(mine[a][e], want[a][e]))
          << what << " n=" << n << " array " << a << " element " << e << ": " << mine[a][e]
          << " != " << want[a][e];
    }
  }
}

// Sets SOMA_JIT for the scope of a test, restoring it after.
class JitEnvironment {
 public:
  explicit JitEnvironment(const char* value) {
    const char* before = std::getenv("SOMA_JIT");
    had_ = before != nullptr;
    if (had_) saved_ = before;
    if (value) {
      setenv("SOMA_JIT", value, 1);
    } else {
      unsetenv("SOMA_JIT");
    }
  }
  ~JitEnvironment() {
    if (had_) {
      setenv("SOMA_JIT", saved_.c_str(), 1);
    } else {
      unsetenv("SOMA_JIT");
    }
  }

 private:
  bool had_ = false;
  std::string saved_;
};

// Both code generators where the machine has AVX-512 (AVX2 forced by SOMA_JIT=avx2).
std::vector<const char*> targets() {
  std::vector<const char*> out = {"avx2"};
  if (best_target().evex) out.push_back(nullptr);
  return out;
}
const char* target_name(const char* env) { return env ? "AVX2" : "AVX-512"; }

#define REQUIRE_JIT() \
  if (!available()) GTEST_SKIP() << "no AVX2+FMA on this machine, or SOMA_JIT=0"

void random_kernels() {
  std::mt19937_64 g(20261123);
  for (int trial = 0; trial < 60; ++trial) {
    const int arrays = 1 + trial % 4, scalars = trial % 3;
    // Every tenth spec is long: more values live than registers (spills).
    const int nodes = trial % 10 == 9 ? 120 : 6 + trial % 30;
    const Spec s = random_spec(g, arrays, scalars, nodes);
    const auto k = Kernel::compile(s);
    ASSERT_TRUE(k != nullptr);
    const std::string what = "trial " + std::to_string(trial);
    for (int64_t n = 0; n <= 37; ++n) ASSERT_NO_FATAL_FAILURE(check(s, *k, g, n, 0, what));
    ASSERT_NO_FATAL_FAILURE(check(s, *k, g, 1001, 0, what));
    if (arrays > 1) {
      ASSERT_NO_FATAL_FAILURE(check(s, *k, g, 23, arrays - 1, what + " (aliased arrays)"));
    }
  }
}

void many_arrays() {
  // 14 arrays (more than the registers kept for base pointers) all loaded first,
  // and 30 products live at once (more than the 12 value registers).
  Spec s{.arrays = 14, .scalars = 1};
  std::vector<int32_t> loads, products;
  for (int a = 0; a < 14; ++a) loads.push_back(s.add({.op = Op::load, .index = a}));
  const int32_t dt = s.add({.op = Op::scalar, .index = 0});
  for (int k = 0; k < 30; ++k) {
    products.push_back(s.add({.op = Op::mul, .a = loads[k % 14], .b = loads[(k * 5 + 3) % 14]}));
  }
  int32_t sum = s.add({.op = Op::mul, .a = products[0], .b = dt});
  for (int k = 1; k < 30; ++k) sum = s.add({.op = Op::add, .a = sum, .b = products[k]});
  for (int a = 0; a < 14; ++a) {
    s.add({.op = Op::store, .a = s.add({.op = Op::sub, .a = sum, .b = loads[a]}), .index = a});
  }
  const auto k = Kernel::compile(s);
  ASSERT_TRUE(k != nullptr);
  std::mt19937_64 g(7);
  for (const int64_t n : {1, 4, 7, 64, 1003}) {
    ASSERT_NO_FATAL_FAILURE(check(s, *k, g, n, 0, "wide"));
  }
}

void exp_matches() {
  Spec s{.arrays = 2};
  s.add({.op = Op::store,
         .a = s.add({.op = Op::exp, .a = s.add({.op = Op::load, .index = 0})}),
         .index = 1});
  const auto k = Kernel::compile(s);
  ASSERT_TRUE(k != nullptr);
  std::vector<double> x = {
      0.0,    -0.0,  1.0,  -1.0,   708.0,   -708.0, 709.0, -709.0, 709.5, 709.78,
      -708.5, 710,   -745, 1e-310, -1e-310, kInf,   -kInf, kNaN,   -kNaN, 0.5 * std::log(2.0),
      1e-17,  -1e-17};
  x.push_back(std::nextafter(708.0, kInf));
  x.push_back(std::nextafter(-708.0, -kInf));
  x.push_back(std::nextafter(709.0, kInf));
  std::mt19937_64 g(3);
  std::uniform_real_distribution<double> wide(-760, 760), narrow(-1, 1);
  for (int i = 0; i < 20000; ++i) x.push_back(i % 2 ? wide(g) : narrow(g));
  std::vector<double> y(x.size());
  double* arrays[] = {x.data(), y.data()};
  k->run(arrays, nullptr, static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_TRUE(same(y[i], soma::vecmath::exp(x[i])))
        << "exp(" << x[i] << ") = " << y[i] << ", vecmath " << soma::vecmath::exp(x[i]);
  }
  // And it is exp: within 2 ulp of libm where the result is a normal number.
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::fabs(x[i]) < 708) {
      EXPECT_NEAR(y[i], std::exp(x[i]), 4.5e-16 * std::exp(x[i])) << x[i];
    }
  }
}

}  // namespace

TEST(Jit, RandomKernelsMatchTheInterpreterBitForBit) {
  REQUIRE_JIT();
  for (const char* target : targets()) {
    JitEnvironment env(target);
    SCOPED_TRACE(target_name(target));
    random_kernels();
  }
}

TEST(Jit, ManyArraysAndManyLiveValuesSpill) {
  REQUIRE_JIT();
  for (const char* target : targets()) {
    JitEnvironment env(target);
    SCOPED_TRACE(target_name(target));
    many_arrays();
  }
}

TEST(Jit, ExpIsVecmathExpBitForBit) {
  REQUIRE_JIT();
  for (const char* target : targets()) {
    JitEnvironment env(target);
    SCOPED_TRACE(target_name(target));
    exp_matches();
  }
}

TEST(Jit, ScalarsAreReadAtEachRun) {
  REQUIRE_JIT();
  Spec s{.arrays = 2, .scalars = 1};  // v += dt*ge
  const int v = s.add({.op = Op::load, .index = 0});
  const int ge = s.add({.op = Op::load, .index = 1});
  const int dt = s.add({.op = Op::scalar, .index = 0});
  const int dv = s.add({.op = Op::mul, .a = dt, .b = ge});
  s.add({.op = Op::store, .a = s.add({.op = Op::add, .a = v, .b = dv}), .index = 0});
  const auto k = Kernel::compile(s);
  ASSERT_TRUE(k != nullptr);
  EXPECT_GT(k->code_bytes(), 0u);
  std::vector<double> vv(6, 1.0), gg = {1, 2, 3, 4, 5, 6};
  double* arrays[] = {vv.data(), gg.data()};
  double scalar = 0.5;
  k->run(arrays, &scalar, 6);
  scalar = 0.25;
  k->run(arrays, &scalar, 5);
  for (size_t i = 0; i < 6; ++i) {
    const double want = i < 5 ? 1.0 + 0.5 * gg[i] + 0.25 * gg[i] : 1.0 + 0.5 * gg[i];
    EXPECT_EQ(vv[i], want) << i;
  }
}

TEST(Jit, EnvironmentSwitchGivesNullptr) {
  Spec s{.arrays = 1};
  s.add({.op = Op::store, .a = s.add({.op = Op::load, .index = 0}), .index = 0});
  JitEnvironment env("0");
  EXPECT_FALSE(available());
  EXPECT_EQ(Kernel::compile(s), nullptr);
}

TEST(Jit, MalformedSpecsThrow) {
  auto bad = [](Spec s, const char* why) { EXPECT_THROW(Kernel::compile(s), soma::Error) << why; };
  Spec forward{.arrays = 1};
  forward.add({.op = Op::add, .a = 0, .b = 1});
  bad(forward, "operand is the node itself");
  Spec missing{.arrays = 1};
  missing.add({.op = Op::load});
  missing.add({.op = Op::fma, .a = 0, .b = 0});
  bad(missing, "fma without c");
  Spec store_value{.arrays = 1};
  store_value.add({.op = Op::store, .a = store_value.add({.op = Op::load})});
  store_value.add({.op = Op::neg, .a = 1});
  bad(store_value, "a store used as a value");
  Spec array_range{.arrays = 2};
  array_range.add({.op = Op::load, .index = 2});
  bad(array_range, "array 2 of 2");
  Spec scalar_range{.arrays = 1, .scalars = 1};
  scalar_range.add({.op = Op::scalar, .index = -1});
  bad(scalar_range, "scalar -1");
  Spec op_range{.arrays = 1};
  op_range.add({.op = static_cast<Op>(99)});
  bad(op_range, "unknown op");
  Spec negative{.arrays = -1};
  bad(negative, "negative array count");
  try {
    Kernel::compile(forward);
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 0 (add)"), std::string::npos) << e.what();
  }
}
