// Symbolic differentiation, simplification and the linearity / noise analyses.
// Trees are shared DAGs (a derivative reuses its operand many times), so the
// walks memoise by node: their cost grows with the number of distinct nodes,
// not with the size of the tree written out.
#include "soma/expr/symbolic.hpp"

#include <cmath>
#include <unordered_map>

#include "detail.hpp"
#include "soma/core/error.hpp"

namespace soma::expr {

namespace {

bool is_num(const Expr& e, double v) { return e->kind == NodeKind::number && e->value == v; }
bool is_num(const Expr& e) { return e->kind == NodeKind::number; }

Expr rebuild(const Expr& e, std::vector<Expr> args) {
  auto n = std::make_shared<Node>(*e);
  n->args = std::move(args);
  return Expr(std::move(n));
}

bool foldable_call(const Node& n) {
  if (n.name == "rand" || n.name == "randn" || !is_function(n.name)) return false;
  int count = 0;
  is_function(n.name, &count);
  return static_cast<int>(n.args.size()) == count;
}

Expr simplify_node(const Expr& e, const std::vector<Expr>& a) {
  const NodeKind k = e->kind;
  switch (k) {
    case NodeKind::number:
    case NodeKind::symbol:
      return e;
    case NodeKind::neg:
      if (is_num(a[0])) return number(-a[0]->value);
      if (a[0]->kind == NodeKind::neg) return a[0]->args[0];
      // -(2*x) -> -2*x and -(1/x) -> -1/x: the sign joins the leading number.
      if ((a[0]->kind == NodeKind::mul || a[0]->kind == NodeKind::div) && is_num(a[0]->args[0]))
        return binary(a[0]->kind, number(-a[0]->args[0]->value), a[0]->args[1]);
      return rebuild(e, a);
    case NodeKind::logical_not:
      if (is_num(a[0])) return number(a[0]->value == 0 ? 1.0 : 0.0);
      return rebuild(e, a);
    case NodeKind::call: {
      bool all_num = true;
      for (const auto& x : a) all_num = all_num && is_num(x);
      if (all_num && foldable_call(*e)) {
        if (e->name == "clip") return number(detail::clip(a[0]->value, a[1]->value, a[2]->value));
        detail::Fn f{};
        detail::function_id(e->name, &f);
        return number(detail::apply_function(f, a[0]->value));
      }
      return rebuild(e, a);
    }
    default:
      break;
  }
  const Expr& x = a[0];
  const Expr& y = a[1];
  if (is_num(x) && is_num(y)) return number(detail::apply_binary(k, x->value, y->value));
  switch (k) {
    case NodeKind::add:
      if (is_num(x, 0)) return y;
      if (is_num(y, 0)) return x;
      if (y->kind == NodeKind::neg) return x - y->args[0];
      break;
    case NodeKind::sub:
      if (is_num(y, 0)) return x;
      if (is_num(x, 0)) return y->kind == NodeKind::neg ? y->args[0] : -y;
      if (y->kind == NodeKind::neg) return x + y->args[0];
      break;
    case NodeKind::mul:
      if (is_num(x, 0) || is_num(y, 0)) return number(0);
      if (is_num(x, 1)) return y;
      if (is_num(y, 1)) return x;
      if (is_num(x, -1)) return y->kind == NodeKind::neg ? y->args[0] : -y;
      if (is_num(y, -1)) return x->kind == NodeKind::neg ? x->args[0] : -x;
      if (x->kind == NodeKind::neg && y->kind == NodeKind::neg) return x->args[0] * y->args[0];
      break;
    case NodeKind::div:
      if (is_num(x, 0)) return number(0);
      if (is_num(y, 1)) return x;
      if (x->kind == NodeKind::neg && y->kind == NodeKind::neg) return x->args[0] / y->args[0];
      break;
    case NodeKind::pow:
      if (is_num(y, 0)) return number(1);
      if (is_num(y, 1)) return x;
      if (is_num(x, 1)) return number(1);
      break;
    default:
      break;
  }
  return rebuild(e, a);
}

class Simplifier {
 public:
  Expr run(const Expr& e) {
    if (auto it = memo_.find(e.get()); it != memo_.end()) return it->second;
    std::vector<Expr> args;
    args.reserve(e->args.size());
    for (const auto& a : e->args) args.push_back(run(a));
    Expr r = simplify_node(e, args);
    memo_.emplace(e.get(), r);
    keep_.push_back(e);  // keeps the key alive so its address is not reused
    return r;
  }

 private:
  std::unordered_map<const Node*, Expr> memo_;
  std::vector<Expr> keep_;
};

class Differentiator {
 public:
  explicit Differentiator(const std::string& v) : var_(v) {}

  Expr run(const Expr& e) {
    if (auto it = memo_.find(e.get()); it != memo_.end()) return it->second;
    Expr r = simp_.run(derive(e));
    memo_.emplace(e.get(), r);
    keep_.push_back(e);
    return r;
  }

 private:
  Expr s(const Expr& e) { return simp_.run(e); }

  Expr derive(const Expr& e) {
    const Node& n = *e;
    switch (n.kind) {
      case NodeKind::number:
        return number(0);
      case NodeKind::symbol:
        return number(n.name == var_ ? 1 : 0);
      case NodeKind::neg:
        return -run(n.args[0]);
      case NodeKind::add:
        return run(n.args[0]) + run(n.args[1]);
      case NodeKind::sub:
        return run(n.args[0]) - run(n.args[1]);
      case NodeKind::mul: {
        const Expr& a = n.args[0];
        const Expr& b = n.args[1];
        return s(run(a) * b) + s(a * run(b));
      }
      case NodeKind::div: {
        const Expr& a = n.args[0];
        const Expr& b = n.args[1];
        const Expr db = run(b);
        if (is_num(db, 0)) return run(a) / b;
        // (a/b)' = a'/b - a*b'/b**2
        return s(run(a) / b) - s(s(a * db) / pow(b, number(2)));
      }
      case NodeKind::floordiv:
        return number(0);  // piecewise constant
      case NodeKind::mod: {
        // a % b = a - b*floor(a/b); floor is piecewise constant
        const Expr& a = n.args[0];
        const Expr& b = n.args[1];
        return run(a) - s(run(b) * call("floor", {a / b}));
      }
      case NodeKind::pow: {
        const Expr& a = n.args[0];
        const Expr& b = n.args[1];
        const Expr da = run(a), db = run(b);
        if (is_num(db, 0)) {
          // b*a**(b-1)*a'
          return s(s(b * s(pow(a, s(b - number(1))))) * da);
        }
        if (is_num(da, 0)) return s(s(e * call("log", {a})) * db);
        return s(e * s(s(db * call("log", {a})) + s(s(b * da) / a)));
      }
      case NodeKind::lt:
      case NodeKind::le:
      case NodeKind::gt:
      case NodeKind::ge:
      case NodeKind::eq:
      case NodeKind::ne:
      case NodeKind::logical_and:
      case NodeKind::logical_or:
      case NodeKind::logical_not:
        return number(0);
      case NodeKind::call:
        return derive_call(n);
    }
    return number(0);
  }

  Expr derive_call(const Node& n) {
    const std::string& f = n.name;
    const FunctionInfo* info = find_function(f);
    if (!info) {
      // Not one of the language's functions (a TimedArray, drive(t)): constant in the
      // variable where its arguments are, unknown otherwise.
      for (const Expr& a : n.args)
        if (!is_num(run(a), 0)) throw Error("differentiate: unknown function '" + f + "'");
      return number(0);
    }
    const Function id = info->id;
    if (id == Function::rand || id == Function::randn || id == Function::trunc ||
        id == Function::floor || id == Function::ceil || id == Function::sign || n.args.empty())
      return number(0);
    if (id == Function::clip && n.args.size() == 3) {
      const Expr& x = n.args[0];
      const Expr& lo = n.args[1];
      const Expr& hi = n.args[2];
      // Inside the bounds the value is x; below lo it is lo, above hi it is hi.
      const Expr inside =
          binary(NodeKind::logical_and, binary(NodeKind::ge, x, lo), binary(NodeKind::le, x, hi));
      return s(s(s(inside * run(x)) + s(binary(NodeKind::lt, x, lo) * run(lo))) +
               s(binary(NodeKind::gt, x, hi) * run(hi)));
    }
    if (n.args.size() != 1)
      throw Error("differentiate: " + f + "() with " + std::to_string(n.args.size()) +
                  " arguments cannot be differentiated");
    const Expr& a = n.args[0];
    const Expr da = run(a);
    if (is_num(da, 0)) return number(0);
    Expr outer;
    switch (id) {
      case Function::exp:
        outer = call("exp", {a});
        break;
      case Function::log:
        outer = number(1) / a;
        break;
      case Function::log10:
        outer = number(1) / (a * number(std::log(10.0)));
        break;
      case Function::sqrt:
        outer = number(0.5) / call("sqrt", {a});
        break;
      case Function::sin:
        outer = call("cos", {a});
        break;
      case Function::cos:
        outer = -call("sin", {a});
        break;
      case Function::tan:
        outer = number(1) / pow(call("cos", {a}), number(2));
        break;
      case Function::tanh:
        outer = number(1) - pow(call("tanh", {a}), number(2));
        break;
      case Function::abs:
        outer = call("sign", {a});
        break;
      default:
        throw Error("differentiate: " + f + "() cannot be differentiated");
    }
    return s(s(outer) * da);
  }

  std::string var_;
  Simplifier simp_;
  std::unordered_map<const Node*, Expr> memo_;
  std::vector<Expr> keep_;
};

class Substituter {
 public:
  explicit Substituter(const std::map<std::string, Expr>& r) : r_(r) {}
  Expr run(const Expr& e) {
    if (e->kind == NodeKind::symbol) {
      auto it = r_.find(e->name);
      return it == r_.end() ? e : it->second;
    }
    if (e->args.empty()) return e;
    if (auto it = memo_.find(e.get()); it != memo_.end()) return it->second;
    std::vector<Expr> args;
    bool changed = false;
    for (const auto& a : e->args) {
      args.push_back(run(a));
      changed = changed || args.back().get() != a.get();
    }
    Expr r = changed ? rebuild(e, std::move(args)) : e;
    memo_.emplace(e.get(), r);
    keep_.push_back(e);
    return r;
  }

 private:
  const std::map<std::string, Expr>& r_;
  std::unordered_map<const Node*, Expr> memo_;
  std::vector<Expr> keep_;
};

// How an expression depends on one symbol: not at all, linearly, or otherwise.
enum class Dep { none, linear, nonlinear };

class LinearityTest {
 public:
  LinearityTest(const std::string& v) : var_(v) {}
  Dep run(const Expr& e) {
    if (auto it = memo_.find(e.get()); it != memo_.end()) return it->second;
    const Dep d = classify(*e);
    memo_.emplace(e.get(), d);
    keep_.push_back(e);
    return d;
  }

 private:
  Dep classify(const Node& n) {
    switch (n.kind) {
      case NodeKind::number:
        return Dep::none;
      case NodeKind::symbol:
        return n.name == var_ ? Dep::linear : Dep::none;
      case NodeKind::neg:
        return run(n.args[0]);
      case NodeKind::add:
      case NodeKind::sub:
        return std::max(run(n.args[0]), run(n.args[1]));
      case NodeKind::mul: {
        const Dep a = run(n.args[0]), b = run(n.args[1]);
        if (a == Dep::none) return b;
        if (b == Dep::none) return a;
        return Dep::nonlinear;
      }
      case NodeKind::div: {
        const Dep a = run(n.args[0]), b = run(n.args[1]);
        return b == Dep::none ? a : Dep::nonlinear;
      }
      case NodeKind::pow: {
        const Dep a = run(n.args[0]), b = run(n.args[1]);
        if (a == Dep::none && b == Dep::none) return Dep::none;
        if (b == Dep::none && n.args[1]->kind == NodeKind::number && n.args[1]->value == 1)
          return a;
        return Dep::nonlinear;
      }
      default: {
        for (const auto& a : n.args)
          if (run(a) != Dep::none) return Dep::nonlinear;
        return Dep::none;
      }
    }
  }

  std::string var_;
  std::unordered_map<const Node*, Dep> memo_;
  std::vector<Expr> keep_;
};

}  // namespace

Expr simplify(const Expr& e) { return Simplifier().run(e); }

Expr differentiate(const Expr& e, const std::string& variable) {
  return Differentiator(variable).run(e);
}

Expr substitute(const Expr& e, const std::map<std::string, Expr>& replacements) {
  return Substituter(replacements).run(e);
}

bool is_linear_in(const Expr& e, const std::string& variable) {
  return LinearityTest(variable).run(e) != Dep::nonlinear;
}

LinearCoefficients linear_coefficients(const Expr& e, const std::string& variable) {
  if (!is_linear_in(e, variable))
    throw Error("linear_coefficients: \"" + to_string(e) + "\" is not linear in '" + variable +
                "' (it cannot be written as a*" + variable + " + b with a and b free of " +
                variable + ")");
  LinearCoefficients out;
  out.a = differentiate(e, variable);
  out.b = simplify(substitute(e, {{variable, number(0)}}));
  return out;
}

StochasticSplit split_stochastic(const Expr& e) {
  StochasticSplit out;
  std::map<std::string, Expr> zero;
  for (const auto& name : symbols(e))
    if (is_noise_symbol(name)) zero[name] = number(0);
  for (const auto& [name, z] : zero) {
    (void)z;
    Expr g = differentiate(e, name);
    bool ok = is_linear_in(e, name);
    for (const auto& [other, z2] : zero) {
      (void)z2;
      ok = ok && !depends_on(g, other);
    }
    if (!ok)
      throw Error("split_stochastic: \"" + to_string(e) + "\" must be linear in the noise '" +
                  name + "' (of the form f + g*" + name + " with f and g free of noise)");
    out.noise.emplace_back(name, g);
  }
  out.drift = simplify(substitute(e, zero));
  return out;
}

}  // namespace soma::expr
