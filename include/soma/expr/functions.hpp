#pragma once
// The equation language's functions: one table (name, argument count, id) read by
// every path that parses or lowers equations (expr's compiler, which fit's models
// also use, as do the spiking networks; the evaluator and symbolic rules), and the reference
// semantics of each function and operator on one double (docs/EQUATIONS.md, "Reference semantics").
// A function is added here, once; the paths that lower it name it by id, and
// tests/language/semantics_test.cpp checks every path against apply_*.
#include <cstdint>
#include <span>
#include <string_view>

#include "soma/expr/ast.hpp"

namespace soma::expr {

enum class Function : uint8_t {
  exp,
  log,
  log10,
  sqrt,
  sin,
  cos,
  tan,
  tanh,
  abs,
  trunc,  // spelled int(x), as in Brian2 and Python
  floor,
  ceil,
  sign,
  clip,  // clip(x, low, high)
  rand,  // uniform on [0, 1), from the program's generator
  randn,
};

struct FunctionInfo {
  std::string_view name;
  int arity;
  Function id;
};

// Every function of the language, in Function's order.
std::span<const FunctionInfo> functions();
// The entry named `name`, or nullptr.
const FunctionInfo* find_function(std::string_view name);

// Reference semantics. One-argument functions (exp ... sign): IEEE at the edges (exp
// overflows to +inf, underflows to subnormals and 0; log(0) = -inf, log(x<0) = NaN; NaN
// in gives NaN out). exp is soma/core/vecmath.hpp's (within 2 ulp of libm, and the same
// bits in every path, machine code included), the others libm's; sign(x) is -1, 0 or 1
// with sign(+-0) = +-0, sign(NaN) = NaN.
double apply_function(Function f, double x);
// Binary operators (add ... logical_or); comparisons and logic give 1.0 / 0.0, NaN
// compares unequal to everything and counts as true in logic (it is not 0).
double apply_binary(NodeKind k, double a, double b);
double sign(double x);
double python_mod(double a, double b);        // a % b with the sign of b, as Python's
double clip(double x, double lo, double hi);  // numpy.clip: NaN x stays NaN

}  // namespace soma::expr
