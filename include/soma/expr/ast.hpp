#pragma once
// The expression tree every part of soma::expr shares: the parser builds it,
// the unit checker and the symbolic code walk it, the compiler lowers it.
// Nodes are immutable and shared; an Expr is a cheap handle (shared_ptr).
// Build trees by parsing (parser.hpp) or with the helpers below, e.g. the
// exponential-Euler update of an integrator:
//
//   using namespace soma::expr;
//   Expr x = symbol("v"), a = ..., b = ...;
//   Expr update = (x + b / a) * call("exp", {a * symbol("dt")}) - b / a;
//   std::string text = to_string(update);   // re-parseable Python-style text
#include <map>
#include <set>
#include <string>
#include <vector>

#include "soma/core/std_memory.hpp"

namespace soma::expr {

enum class NodeKind {
  number,    // value
  symbol,    // name: a variable, constant, unit name (mV) or xi
  neg,       // -a
  add,       // a + b
  sub,       // a - b
  mul,       // a * b
  div,       // a / b
  floordiv,  // a // b  (Python: floor of the quotient)
  mod,       // a % b   (Python: result has the sign of b)
  pow,       // a ** b
  lt,
  le,
  gt,
  ge,
  eq,
  ne,  // comparisons: 1.0 when true, 0.0 when false
  logical_and,
  logical_or,
  logical_not,  // and, or, not (operands: non-zero is true)
  call,         // name(args...): exp log log10 sqrt sin cos tan tanh abs clip rand randn
                // int floor ceil sign
};

struct Node;
class Expr {
 public:
  Expr() = default;
  explicit Expr(std::shared_ptr<const Node> n) : node_(std::move(n)) {}
  const Node& operator*() const { return *node_; }
  const Node* operator->() const { return node_.get(); }
  const Node* get() const { return node_.get(); }
  explicit operator bool() const { return node_ != nullptr; }

 private:
  std::shared_ptr<const Node> node_;
};

struct Node {
  NodeKind kind = NodeKind::number;
  double value = 0.0;        // number
  std::string name{};        // symbol or function name
  std::vector<Expr> args{};  // operands in order
  int column = 0;            // 1-based column in the source text, 0 when built in code
};

// Builders (column 0). Function names are checked at compile/unit-check time.
Expr number(double v);
Expr symbol(std::string name);
Expr unary(NodeKind kind, Expr a);
Expr binary(NodeKind kind, Expr a, Expr b);
Expr call(std::string function, std::vector<Expr> args);
Expr operator+(Expr a, Expr b);
Expr operator-(Expr a, Expr b);
Expr operator*(Expr a, Expr b);
Expr operator/(Expr a, Expr b);
Expr operator-(Expr a);
Expr pow(Expr a, Expr b);

// Python-syntax text that parse_expression reads back to an equal tree.
std::string to_string(const Expr& e);

// Every symbol name used (unit names and xi included), and whether `name` occurs.
std::set<std::string> symbols(const Expr& e);
bool depends_on(const Expr& e, const std::string& name);

// Structural equality (numbers compared exactly, columns ignored).
bool equal(const Expr& a, const Expr& b);

// True for the white-noise symbols: "xi" and "xi_<anything>" (Brian2's xi_1, xi_e...).
bool is_noise_symbol(const std::string& name);

// Functions known to the language, with their argument counts.
bool is_function(const std::string& name, int* arg_count = nullptr);

}  // namespace soma::expr
