// Checking a spec before any code is generated: generated code does no checks of
// its own, so an operand pointing forward or an array number out of range must
// be refused here rather than become a wild load at run time.
#include <iterator>
#include <string>

#include "expr/jit/compile_steps.hpp"
#include "soma/core/error.hpp"

namespace soma::expr::jit {

int operand_count(Op op) {
  switch (op) {
    case Op::load:
    case Op::scalar:
    case Op::constant:
      return 0;
    case Op::neg:
    case Op::abs:
    case Op::sqrt:
    case Op::exp:
    case Op::store:
      return 1;
    case Op::fma:
    case Op::select:
      return 3;
    default:
      return 2;
  }
}

const char* op_name(Op op) {
  static const char* names[] = {"load", "scalar", "constant", "add", "sub",    "mul",  "div", "neg",
                                "abs",  "sqrt",   "min",      "max", "fma",    "exp",  "lt",  "le",
                                "gt",   "ge",     "eq",       "ne",  "select", "store"};
  const auto i = static_cast<size_t>(op);
  return i < std::size(names) ? names[i] : "?";
}

void validate(const Spec& spec) {
  const std::string where = "jit::Kernel::compile: ";
  if (spec.arrays < 0 || spec.scalars < 0) {
    throw Error(where + "arrays (" + std::to_string(spec.arrays) + ") and scalars (" +
                std::to_string(spec.scalars) + ") must be >= 0");
  }
  for (size_t i = 0; i < spec.nodes.size(); ++i) {
    const Node& node = spec.nodes[i];
    const std::string at = where + "node " + std::to_string(i) + " (" + op_name(node.op) + "): ";
    if (static_cast<size_t>(node.op) > static_cast<size_t>(Op::store)) {
      throw Error(at + "unknown op " + std::to_string(static_cast<int>(node.op)));
    }
    const int32_t operands[3] = {node.a, node.b, node.c};
    for (int k = 0; k < operand_count(node.op); ++k) {
      const int32_t o = operands[k];
      const std::string name(1, static_cast<char>('a' + k));
      if (o < 0 || static_cast<size_t>(o) >= i) {
        throw Error(at + "operand " + name + " = " + std::to_string(o) +
                    " is not an earlier node (expected 0.." + std::to_string(i) + ")");
      }
      if (spec.nodes[o].op == Op::store) {
        throw Error(at + "operand " + name + " = " + std::to_string(o) +
                    " is a store, which has no value");
      }
    }
    if (node.op == Op::load || node.op == Op::store) {
      if (node.index < 0 || node.index >= spec.arrays) {
        throw Error(at + "array " + std::to_string(node.index) + " out of range (the spec has " +
                    std::to_string(spec.arrays) + ")");
      }
    } else if (node.op == Op::scalar) {
      if (node.index < 0 || node.index >= spec.scalars) {
        throw Error(at + "scalar " + std::to_string(node.index) + " out of range (the spec has " +
                    std::to_string(spec.scalars) + ")");
      }
    }
  }
}

std::vector<bool> live_nodes(const Spec& spec) {
  std::vector<bool> live(spec.nodes.size(), false);
  for (size_t i = spec.nodes.size(); i-- > 0;) {
    const Node& node = spec.nodes[i];
    if (node.op == Op::store) live[i] = true;
    if (!live[i]) continue;
    const int32_t operands[3] = {node.a, node.b, node.c};
    for (int k = 0; k < operand_count(node.op); ++k) live[operands[k]] = true;
  }
  return live;
}

}  // namespace soma::expr::jit
