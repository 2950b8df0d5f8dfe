// libFuzzer target for the equation language: arbitrary bytes go through every
// front door (model strings in both unit modes, expressions, statements, unit
// declarations) and, when they parse, through unit checking, printing and
// re-parsing, simplification, differentiation and compilation + evaluation.
// The only acceptable failure is a soma::Error; anything else is a bug.
// Build and run with libFuzzer (from the repository root):
//   clang++ -g -O1 -fsanitize=fuzzer,address -std=c++20 -Iinclude -Isrc
//     fuzz/expr_fuzz.cpp src/expr/*.cpp src/core/error.cpp -o expr_fuzz
//   ./expr_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/expr/expr.hpp"

namespace soma_expr_fuzz {

using namespace soma::expr;

[[noreturn]] inline void fail(const std::string& why, const std::string& input) {
  std::fprintf(stderr, "expr_fuzz: %s: %s\n", why.c_str(), input.c_str());
  std::abort();
}

// Trees from the fuzzer are at most a few hundred nodes deep; derivatives of
// those can be exponential as trees, so only small ones are differentiated.
inline size_t count_nodes(const Expr& e, size_t limit) {
  size_t n = 1;
  for (const auto& a : e->args) {
    if (n > limit) break;
    n += count_nodes(a, limit);
  }
  return n;
}

inline void exercise_expression(const Expr& e) {
  // Printing must read back to the same tree.
  const std::string text = to_string(e);
  const Expr again = parse_expression(text);
  if (!equal(again, e)) fail("printing does not read back", text);

  try {
    infer_dimension(e, {{"v", dim::volt()}, {"t", dim::second()}});
  } catch (const soma::Error&) {
  }
  const bool small = count_nodes(e, 64) <= 64;
  if (small) {
    for (const auto& name : symbols(e)) {
      (void)differentiate(e, name);
      try {
        (void)linear_coefficients(e, name);
      } catch (const soma::Error&) {
      }
    }
    try {
      (void)split_stochastic(e);
    } catch (const soma::Error&) {
    }
  }
  (void)simplify(e);

  // Bind every name to a small array and run the compiled program.
  constexpr size_t n = 300;  // more than one block
  std::vector<std::vector<double>> storage;
  std::vector<int32_t> index(n);
  for (size_t i = 0; i < n; ++i) index[i] = static_cast<int32_t>((i * 7) % n);
  soma::Rng rng(1);
  Bindings b;
  b.rng(&rng);
  int k = 0;
  for (const auto& name : symbols(e)) {
    if (is_noise_symbol(name)) continue;
    storage.emplace_back(n, 0.5 + k);
    if (k % 3 == 2)
      b.gather(name, storage.back().data(), index.data());
    else
      b.array(name, storage.back().data());
    ++k;
  }
  try {
    Program p = compile(e, b);
    std::vector<double> out(n);
    p.evaluate(n, out.data());
    std::vector<int32_t> hits;
    p.where(n, hits);
    std::vector<int32_t> some = {299, 3, 3, 150};
    p.evaluate(some, out.data());
    if (small) {
      // A single element must agree with the reference evaluator.
      std::map<std::string, double> values;
      int j = 0;
      for (const auto& name : symbols(e)) {
        if (is_noise_symbol(name)) continue;
        values[name] = 0.5 + j++;
      }
      soma::Rng unused(1);
      const double want = evaluate(e, values, &unused);
      std::vector<int32_t> first = {0};
      p.evaluate(first, out.data());
      const bool random = text.find("rand") != std::string::npos;
      if (!random && !(want == out[0]) && !(want != want && out[0] != out[0]))
        fail("compiled value " + std::to_string(out[0]) + " differs from the reference " +
                 std::to_string(want),
             text);
    }
  } catch (const soma::Error&) {
  }
}

inline void run_one(const std::string& s) {
  try {
    exercise_expression(parse_expression(s));
  } catch (const soma::Error&) {
  }
  for (UnitMode mode : {UnitMode::required, UnitMode::optional}) {
    try {
      ParseOptions opt;
      opt.units = mode;
      const Equations eqs = parse_equations(s, opt);
      try {
        check_units(eqs);
      } catch (const soma::Error&) {
      }
      for (const auto& eq : eqs.list) {
        if (!eq.expr) continue;
        try {
          (void)eqs.substituted(eq.expr);
        } catch (const soma::Error&) {
        }
      }
    } catch (const soma::Error&) {
    }
  }
  try {
    const auto statements = parse_statements(s);
    std::vector<std::vector<double>> storage;
    Bindings b;
    for (const auto& st : statements)
      for (const auto& name : symbols(st.value)) {
        if (b.find(name) || is_noise_symbol(name)) continue;
        storage.emplace_back(20, 1.0);
        b.array(name, storage.back().data());
      }
    soma::Rng rng(2);
    b.rng(&rng);
    Program p = compile(statements, b);
    p.run(20);
  } catch (const soma::Error&) {
  }
  try {
    (void)parse_unit(s);
  } catch (const soma::Error&) {
  }
}

}  // namespace soma_expr_fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  soma_expr_fuzz::run_one(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
