#include "soma/expr/functions.hpp"

#include <cmath>

#include "soma/core/vecmath.hpp"

namespace soma::expr {

namespace {
constexpr FunctionInfo kFunctions[] = {
    {"exp", 1, Function::exp},    {"log", 1, Function::log},     {"log10", 1, Function::log10},
    {"sqrt", 1, Function::sqrt},  {"sin", 1, Function::sin},     {"cos", 1, Function::cos},
    {"tan", 1, Function::tan},    {"tanh", 1, Function::tanh},   {"abs", 1, Function::abs},
    {"int", 1, Function::trunc},  {"floor", 1, Function::floor}, {"ceil", 1, Function::ceil},
    {"sign", 1, Function::sign},  {"clip", 3, Function::clip},   {"rand", 0, Function::rand},
    {"randn", 0, Function::randn}};
}  // namespace

std::span<const FunctionInfo> functions() { return kFunctions; }

const FunctionInfo* find_function(std::string_view name) {
  for (const FunctionInfo& f : kFunctions)
    if (f.name == name) return &f;
  return nullptr;
}

double sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }

double python_mod(double a, double b) {
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

double clip(double x, double lo, double hi) {
  x = x < lo ? lo : x;
  return x > hi ? hi : x;
}

double apply_function(Function f, double x) {
  switch (f) {
    case Function::exp:
      return vecmath::exp(x);  // the one exp of every path (docs/EQUATIONS.md)
    case Function::log:
      return std::log(x);
    case Function::log10:
      return std::log10(x);
    case Function::sqrt:
      return std::sqrt(x);
    case Function::sin:
      return std::sin(x);
    case Function::cos:
      return std::cos(x);
    case Function::tan:
      return std::tan(x);
    case Function::tanh:
      return std::tanh(x);
    case Function::abs:
      return std::fabs(x);
    case Function::trunc:
      return std::trunc(x);
    case Function::floor:
      return std::floor(x);
    case Function::ceil:
      return std::ceil(x);
    case Function::sign:
      return sign(x);
    case Function::clip:
    case Function::rand:
    case Function::randn:
      break;  // not functions of one argument
  }
  return std::nan("");
}

double apply_binary(NodeKind k, double a, double b) {
  switch (k) {
    case NodeKind::add:
      return a + b;
    case NodeKind::sub:
      return a - b;
    case NodeKind::mul:
      return a * b;
    case NodeKind::div:
      return a / b;
    case NodeKind::floordiv:
      return std::floor(a / b);
    case NodeKind::mod:
      return python_mod(a, b);
    case NodeKind::pow:
      return std::pow(a, b);
    case NodeKind::lt:
      return a < b ? 1.0 : 0.0;
    case NodeKind::le:
      return a <= b ? 1.0 : 0.0;
    case NodeKind::gt:
      return a > b ? 1.0 : 0.0;
    case NodeKind::ge:
      return a >= b ? 1.0 : 0.0;
    case NodeKind::eq:
      return a == b ? 1.0 : 0.0;
    case NodeKind::ne:
      return a != b ? 1.0 : 0.0;
    case NodeKind::logical_and:
      return (a != 0 && b != 0) ? 1.0 : 0.0;
    case NodeKind::logical_or:
      return (a != 0 || b != 0) ? 1.0 : 0.0;
    default:
      return std::nan("");
  }
}

}  // namespace soma::expr
