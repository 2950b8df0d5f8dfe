// Value programs (compile_values, run_blocks): the form spiking networks compile to.
// Each assignment's value per block, temporaries shadowing bindings, index lists per run
// (a synapse reading its pre- and postsynaptic neurons), TimedArray look-ups, the fused
// rand() < x against the generator's own numbers, counter-based streams that give an
// element the same numbers whoever evaluates it, fused multiply-adds against std::fma
// (interpreter and machine code), exp(a*b) in one pass, and write_to's in-place results.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/core/random.hpp"
#include "soma/core/vecmath.hpp"
#include "soma/expr/expr.hpp"
#include "soma/expr/jit.hpp"
#include "soma/expr/program.hpp"
#include "soma/expr/timed_table.hpp"

using namespace soma;
using namespace soma::expr;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// x*y rounded on its own: a call the compiler cannot contract with the addition after it
// (GCC fuses `x*y + z` into one multiply-add where the target has one, as on aarch64).
[[gnu::noinline]] double rounded_product(double x, double y) { return x * y; }

std::vector<Statement> assignments(
    std::initializer_list<std::pair<const char*, const char*>> list) {
  std::vector<Statement> out;
  for (const auto& [name, text] : list) {
    Statement s;
    s.target = name;
    s.value = parse_expression(text);
    out.push_back(std::move(s));
  }
  return out;
}

// Every result of every block, gathered per assignment.
std::vector<std::vector<double>> collect(Program& p, size_t outputs, int64_t n,
                                         const Program::Source& source) {
  std::vector<std::vector<double>> out(outputs, std::vector<double>(static_cast<size_t>(n)));
  p.run_blocks(0, n, source, [&](int64_t first, int count) {
    for (size_t i = 0; i < outputs; ++i) {
      const Program::Value v = p.result(i);
      for (int k = 0; k < count; ++k) out[i][static_cast<size_t>(first + k)] = v[k];
    }
  });
  return out;
}

}  // namespace

TEST(ValuePrograms, EachAssignmentIsAResultAndShadowsItsName) {
  const int64_t n = 600;  // two whole blocks and a partial one
  std::vector<double> v(n);
  for (int64_t k = 0; k < n; ++k) v[static_cast<size_t>(k)] = 0.01 * static_cast<double>(k) - 2;
  double dt = 0.125;
  Bindings b;
  b.indexed("v", v.data(), IndexRole::self).scalar("dt", &dt);
  // `v` is the array until it is assigned, then the new value.
  Program p = compile_values(
      assignments({{"_a", "v*dt"}, {"v", "v + _a"}, {"_c", "v*2"}, {"_s", "dt*3"}}), b);
  const auto out = collect(p, 4, n, {});
  EXPECT_FALSE(p.is_scalar(0));
  EXPECT_TRUE(p.is_scalar(3));
  for (size_t k = 0; k < static_cast<size_t>(n); ++k) {
    EXPECT_TRUE(same_bits(out[0][k], v[k] * dt));
    EXPECT_TRUE(same_bits(out[1][k], v[k] + v[k] * dt));
    EXPECT_TRUE(same_bits(out[2][k], (v[k] + v[k] * dt) * 2));
    EXPECT_EQ(out[3][k], 0.375);
  }
}

TEST(ValuePrograms, IndexListsPickEachRolesElement) {
  // Three synapses 0->2, 1->0, 1->2 over neurons with values 10, 20, 30.
  std::vector<double> w = {1, 2, 3}, x = {10, 20, 30};
  const std::vector<int32_t> syn = {2, 0}, pre_of = {1, 0}, post_of = {2, 2};  // a spike list
  Bindings b;
  b.indexed("w", w.data(), IndexRole::self)
      .indexed("x_pre", x.data(), IndexRole::pre)
      .indexed("x_post", x.data(), IndexRole::post)
      .indexed_position("j", IndexRole::post, 100.0)
      .indexed_position("s", IndexRole::self);
  Program p =
      compile_values(assignments({{"_y", "w*x_pre + x_post"}, {"_j", "j"}, {"_s", "s"}}), b);
  const IndexLists lists{syn.data(), pre_of.data(), post_of.data()};
  const auto out = collect(p, 3, 2, {.lists = &lists});
  EXPECT_EQ(out[0], (std::vector<double>{3 * 20 + 30, 1 * 10 + 30}));
  EXPECT_EQ(out[1], (std::vector<double>{102, 102}));
  EXPECT_EQ(out[2], (std::vector<double>{2, 0}));
  // Without lists every role reads at the position itself.
  const auto plain = collect(p, 3, 3, {});
  EXPECT_EQ(plain[0], (std::vector<double>{1 * 10 + 10, 2 * 20 + 20, 3 * 30 + 30}));
  EXPECT_EQ(plain[1], (std::vector<double>{100, 101, 102}));
}

TEST(ValuePrograms, TimedTablesAreLookedUpPerElementAndShared) {
  // Two columns, rows every 1 ms; read at 0.4 ms steps.
  const TimedTable table({1, 10, 2, 20, 3, 30}, 3, 2, true, 1e-3, 1e-4);
  const TimedTable one({5, 6, 7}, 3, 1, false, 1e-3, 1e-4);
  std::vector<double> t(8), col = {0, 1, 0, 1, 2, -1, 1, 0};
  for (size_t k = 0; k < t.size(); ++k) t[k] = 4e-4 * static_cast<double>(k);
  double now = 1.2e-3;
  Bindings b;
  b.indexed("t", t.data(), IndexRole::self)
      .indexed("c", col.data(), IndexRole::self)
      .scalar("now", &now)
      .table("stim", &table)
      .table("drive", &one);
  Program p = compile_values(assignments({{"_a", "stim(t, c)"}, {"_b", "drive(now)"}}), b);
  const auto out = collect(p, 2, 8, {});
  EXPECT_TRUE(p.is_scalar(1));
  for (size_t k = 0; k < t.size(); ++k) {
    const double want = table.at(t[k], col[k]);
    EXPECT_TRUE(std::isnan(want) ? std::isnan(out[0][k]) : out[0][k] == want) << k;
    EXPECT_EQ(out[1][k], one.at(now, 0));
  }
  EXPECT_TRUE(std::isnan(out[0][4]));  // a column outside the table
  EXPECT_THROW(compile_values(assignments({{"_x", "drive(now, c)"}}), b), Error);
}

TEST(ValuePrograms, FusedRandThresholdDrawsTheGeneratorsNumbers) {
  const int64_t n = 700;
  std::vector<double> rate(n);
  for (int64_t k = 0; k < n; ++k) rate[static_cast<size_t>(k)] = static_cast<double>(k % 10) * 0.1;
  double dt = 0.5;
  Bindings b;
  b.indexed("rate", rate.data(), IndexRole::self).scalar("dt", &dt);
  for (const char* cond : {"rand() < rate", "rand() < rate*dt", "rand() < dt*dt"}) {
    Program p = compile_values(assignments({{"_c", cond}}), b);
    Rng rng(42), again(42);
    const auto out = collect(p, 1, n, {.rng = &rng});
    for (size_t k = 0; k < static_cast<size_t>(n); ++k) {
      const double x = std::string(cond) == "rand() < rate"      ? rate[k]
                       : std::string(cond) == "rand() < rate*dt" ? rate[k] * dt
                                                                 : dt * dt;
      ASSERT_EQ(out[0][k], again.uniform() < x ? 1.0 : 0.0) << cond << " at " << k;
    }
  }
  // Without a generator bound or given, a run that draws is refused.
  Program p = compile_values(assignments({{"_c", "rand() < rate"}}), b);
  EXPECT_THROW(collect(p, 1, 3, {}), Error);
}

TEST(ValuePrograms, CounterStreamsGiveAnElementItsOwnNumbers) {
  const int64_t n = 513;
  std::vector<int32_t> id(n);
  std::iota(id.begin(), id.end(), 1000);
  Bindings b;
  Program p =
      compile_values(assignments({{"_u", "rand()"}, {"_z", "randn()"}, {"_c", "rand() < 0.5"}}), b);
  const ElementStreams all{.key = {7, 9}, .a = id.data()};
  const auto whole = collect(p, 3, n, {.streams = &all});
  // The same elements evaluated in another order and grouping: the same numbers.
  std::vector<int32_t> tail(id.begin() + 300, id.end());
  const ElementStreams part{.key = {7, 9}, .a = tail.data()};
  const auto some = collect(p, 3, static_cast<int64_t>(tail.size()), {.streams = &part});
  for (size_t k = 0; k < tail.size(); ++k)
    for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(same_bits(some[i][k], whole[i][300 + k]));
  // rand() is Philox's first word of (site 0, a) as 53 bits; randn() draws from site 1.
  for (size_t k = 0; k < 4; ++k) {
    const auto w = philox_u64x2({0, static_cast<uint32_t>(id[k]), 0, 0}, {7, 9});
    EXPECT_EQ(whole[0][k], static_cast<double>(w[0] >> 11) * 0x1.0p-53);
    const auto c = philox_u64x2({2, static_cast<uint32_t>(id[k]), 0, 0}, {7, 9});
    EXPECT_EQ(whole[2][k], static_cast<double>(c[0] >> 11) * 0x1.0p-53 < 0.5 ? 1.0 : 0.0);
  }
  double mean = 0;
  for (double z : whole[1]) mean += z / static_cast<double>(n);
  EXPECT_LT(std::fabs(mean), 0.2);
}

TEST(ValuePrograms, FusedMultiplyAddsRoundOnceOnEveryPath) {
  // Values where a*b + c rounded once differs from rounded twice.
  const size_t n = 300;
  std::vector<double> a(n), b2(n), c(n);
  for (size_t k = 0; k < n; ++k) {
    a[k] = 1.0 + std::ldexp(static_cast<double>(k + 1), -30);
    b2[k] = 1.0 - std::ldexp(static_cast<double>(k + 3), -29);
    c[k] = -1.0 + std::ldexp(static_cast<double>(k), -52);
  }
  Bindings b;
  b.indexed("a", a.data(), IndexRole::self)
      .indexed("b", b2.data(), IndexRole::self)
      .indexed("c", c.data(), IndexRole::self);
  const auto code =
      assignments({{"_p", "a*b + c"}, {"_q", "a*b - c"}, {"_r", "c - a*b"}, {"_s", "c + a*b"}});
  Program fused = compile_values(code, b, {.fused_multiply_add = true});
  Program exact = compile_values(code, b);
  const auto f = collect(fused, 4, n, {});
  const auto e = collect(exact, 4, n, {});
  size_t differs = 0;
  for (size_t k = 0; k < n; ++k) {
    ASSERT_TRUE(same_bits(f[0][k], std::fma(a[k], b2[k], c[k]))) << k;
    ASSERT_TRUE(same_bits(f[1][k], std::fma(a[k], b2[k], -c[k]))) << k;
    ASSERT_TRUE(same_bits(f[2][k], std::fma(-a[k], b2[k], c[k]))) << k;
    ASSERT_TRUE(same_bits(f[3][k], std::fma(a[k], b2[k], c[k]))) << k;
    ASSERT_TRUE(same_bits(e[0][k], rounded_product(a[k], b2[k]) + c[k])) << k;
    differs += !same_bits(f[0][k], e[0][k]);
  }
  EXPECT_GT(differs, 0u) << "the inputs should tell one rounding from two";
  // The machine code computes the same fused operations.
  if (!jit::available()) GTEST_SKIP() << "no machine code here: " << jit::status();
  jit::Spec spec;
  std::vector<double*> arrays;
  auto number = [&](const double* x) {
    for (size_t k = 0; k < arrays.size(); ++k)
      if (arrays[k] == x) return static_cast<int32_t>(k);
    arrays.push_back(const_cast<double*>(x));
    return static_cast<int32_t>(arrays.size() - 1);
  };
  Program::KnownArrays known;
  const auto nodes = fused.lower(spec, arrays, 0, known);
  ASSERT_TRUE(nodes.has_value());
  std::vector<std::vector<double>> m(4, std::vector<double>(n));
  for (size_t i = 0; i < 4; ++i)
    spec.add({.op = jit::Op::store, .a = (*nodes)[i], .index = number(m[i].data())});
  fused.update_scalars();
  spec.arrays = static_cast<int32_t>(arrays.size());
  spec.scalars = static_cast<int32_t>(fused.scalar_values().size());
  const auto kernel = jit::Kernel::compile(spec);
  ASSERT_TRUE(kernel);
  kernel->run(arrays.data(), fused.scalar_values().data(), static_cast<int64_t>(n));
  for (size_t i = 0; i < 4; ++i)
    for (size_t k = 0; k < n; ++k) ASSERT_TRUE(same_bits(m[i][k], f[i][k])) << i << " " << k;
}

TEST(ValuePrograms, ExpOfAProductIsOnePassWithTheSameBits) {
  const size_t n = 300;
  std::vector<double> x(n);
  for (size_t k = 0; k < n; ++k) x[k] = 0.37 * static_cast<double>(k) - 50;
  double dt = -1.0 / 3.0;
  Bindings b;
  b.array("x", x.data()).scalar("dt", &dt);
  std::vector<double> y(n);
  b.array("y", y.data());
  Program p = compile(parse_statements("y = exp(x*dt)"), b);
  EXPECT_NE(p.disassemble().find("exp_mul"), std::string::npos) << p.disassemble();
  p.run(n);
  for (size_t k = 0; k < n; ++k) ASSERT_TRUE(same_bits(y[k], vecmath::exp(x[k] * dt))) << k;
}

TEST(ValuePrograms, WriteToStoresInPlaceUnlessTheArrayIsReadLater) {
  const int64_t n = 300;
  std::vector<double> v(n, 2.0), u(n, 3.0);
  Bindings b;
  b.indexed("v", v.data(), IndexRole::self).indexed("u", u.data(), IndexRole::self);
  Program p = compile_values(assignments({{"_v", "v*u + 1"}, {"_u", "u*0.5"}}), b);
  EXPECT_TRUE(p.write_to(0, v.data()));
  p.run_blocks(0, n, {}, [&](int64_t first, int) {
    EXPECT_EQ(p.result(0).ptr, v.data() + first);  // nothing to copy
  });
  for (double x : v) EXPECT_EQ(x, 7.0);
  // `_u` reads u after `_v` would have written it: refused.
  Program q = compile_values(assignments({{"_v", "v + u"}, {"_w", "u*2"}}), b);
  EXPECT_FALSE(q.write_to(0, u.data()));
  EXPECT_TRUE(q.write_to(1, u.data()));  // the last reader may write in place
  // A value that is an input as it is has no operation of its own to write.
  Program r = compile_values(assignments({{"_v", "v"}}), b);
  EXPECT_FALSE(r.write_to(0, u.data()));
}
