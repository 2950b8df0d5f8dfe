// Builders, printing and small queries on expression trees.
#include "soma/expr/ast.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "soma/expr/functions.hpp"

namespace soma::expr {

namespace {
Expr make(NodeKind kind, std::vector<Expr> args, double value = 0.0, std::string name = {}) {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  n->args = std::move(args);
  n->value = value;
  n->name = std::move(name);
  return Expr(std::move(n));
}
}  // namespace

Expr number(double v) { return make(NodeKind::number, {}, v); }
Expr symbol(std::string name) { return make(NodeKind::symbol, {}, 0.0, std::move(name)); }
Expr unary(NodeKind kind, Expr a) { return make(kind, {std::move(a)}); }
Expr binary(NodeKind kind, Expr a, Expr b) { return make(kind, {std::move(a), std::move(b)}); }
Expr call(std::string function, std::vector<Expr> args) {
  return make(NodeKind::call, std::move(args), 0.0, std::move(function));
}
Expr operator+(Expr a, Expr b) { return binary(NodeKind::add, std::move(a), std::move(b)); }
Expr operator-(Expr a, Expr b) { return binary(NodeKind::sub, std::move(a), std::move(b)); }
Expr operator*(Expr a, Expr b) { return binary(NodeKind::mul, std::move(a), std::move(b)); }
Expr operator/(Expr a, Expr b) { return binary(NodeKind::div, std::move(a), std::move(b)); }
Expr operator-(Expr a) { return unary(NodeKind::neg, std::move(a)); }
Expr pow(Expr a, Expr b) { return binary(NodeKind::pow, std::move(a), std::move(b)); }

namespace {

// Python precedence levels, higher binds tighter.
int level(const Node& n) {
  switch (n.kind) {
    case NodeKind::logical_or:
      return 1;
    case NodeKind::logical_and:
      return 2;
    case NodeKind::logical_not:
      return 3;
    case NodeKind::lt:
    case NodeKind::le:
    case NodeKind::gt:
    case NodeKind::ge:
    case NodeKind::eq:
    case NodeKind::ne:
      return 4;
    case NodeKind::add:
    case NodeKind::sub:
      return 5;
    case NodeKind::mul:
    case NodeKind::div:
    case NodeKind::floordiv:
    case NodeKind::mod:
      return 6;
    case NodeKind::neg:
      return 7;
    case NodeKind::pow:
      return 8;
    case NodeKind::number:
      return n.value < 0 || std::signbit(n.value) ? 7 : 9;
    default:
      return 9;
  }
}

const char* op_text(NodeKind k) {
  switch (k) {
    case NodeKind::add:
      return " + ";
    case NodeKind::sub:
      return " - ";
    case NodeKind::mul:
      return "*";
    case NodeKind::div:
      return "/";
    case NodeKind::floordiv:
      return "//";
    case NodeKind::mod:
      return "%";
    case NodeKind::pow:
      return "**";
    case NodeKind::lt:
      return " < ";
    case NodeKind::le:
      return " <= ";
    case NodeKind::gt:
      return " > ";
    case NodeKind::ge:
      return " >= ";
    case NodeKind::eq:
      return " == ";
    case NodeKind::ne:
      return " != ";
    case NodeKind::logical_and:
      return " and ";
    case NodeKind::logical_or:
      return " or ";
    default:
      return "?";
  }
}

std::string number_text(double v) {
  if (std::isnan(v)) return "(0.0/0.0)";
  if (std::isinf(v)) return v > 0 ? "1e999" : "-1e999";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // Prefer the shortest text that reads back exactly (0.1, not 0.10000000000000001).
  for (int p = 1; p <= 17; ++p) {
    char shorter[40];
    std::snprintf(shorter, sizeof shorter, "%.*g", p, v);
    if (std::strtod(shorter, nullptr) == v) return shorter;
  }
  return buf;
}

void print(const Node& n, std::string& out) {
  auto child = [&](const Expr& c, bool parens) {
    if (parens) out += '(';
    print(*c, out);
    if (parens) out += ')';
  };
  const int my = level(n);
  switch (n.kind) {
    case NodeKind::number:
      out += number_text(n.value);
      return;
    case NodeKind::symbol:
      out += n.name;
      return;
    case NodeKind::neg:
      out += '-';
      child(n.args[0], level(*n.args[0]) < 7);
      return;
    case NodeKind::logical_not:
      out += "not ";
      child(n.args[0], level(*n.args[0]) < 3);
      return;
    case NodeKind::call:
      out += n.name + "(";
      for (size_t i = 0; i < n.args.size(); ++i) {
        if (i) out += ", ";
        print(*n.args[i], out);
      }
      out += ')';
      return;
    case NodeKind::pow:
      child(n.args[0], level(*n.args[0]) <= 8);
      out += "**";
      child(n.args[1], level(*n.args[1]) < 7);
      return;
    default: {
      const bool comparison = my == 4;
      child(n.args[0], comparison ? level(*n.args[0]) <= my : level(*n.args[0]) < my);
      out += op_text(n.kind);
      child(n.args[1], level(*n.args[1]) <= my);
      return;
    }
  }
}

}  // namespace

std::string to_string(const Expr& e) {
  std::string out;
  if (e) print(*e, out);
  return out;
}

std::set<std::string> symbols(const Expr& e) {
  std::set<std::string> out;
  std::function<void(const Node&)> walk = [&](const Node& n) {
    if (n.kind == NodeKind::symbol) out.insert(n.name);
    for (const auto& a : n.args) walk(*a);
  };
  if (e) walk(*e);
  return out;
}

bool depends_on(const Expr& e, const std::string& name) {
  if (!e) return false;
  if (e->kind == NodeKind::symbol) return e->name == name;
  for (const auto& a : e->args)
    if (depends_on(a, name)) return true;
  return false;
}

bool equal(const Expr& a, const Expr& b) {
  if (a.get() == b.get()) return true;
  if (!a || !b) return false;
  if (a->kind != b->kind || a->args.size() != b->args.size()) return false;
  if (a->kind == NodeKind::number && !(a->value == b->value)) return false;
  if ((a->kind == NodeKind::symbol || a->kind == NodeKind::call) && a->name != b->name)
    return false;
  for (size_t i = 0; i < a->args.size(); ++i)
    if (!equal(a->args[i], b->args[i])) return false;
  return true;
}

bool is_noise_symbol(const std::string& name) {
  return name == "xi" || (name.size() > 3 && name.compare(0, 3, "xi_") == 0);
}

bool is_function(const std::string& name, int* arg_count) {
  const FunctionInfo* f = find_function(name);
  if (f && arg_count) *arg_count = f->arity;
  return f != nullptr;
}

}  // namespace soma::expr
