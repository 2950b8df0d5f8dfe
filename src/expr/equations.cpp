// Model strings (Brian2's equation syntax) into a list of Equation records.
#include "soma/expr/equations.hpp"

#include <cctype>
#include <functional>
#include <set>

#include "detail.hpp"
#include "soma/core/error.hpp"
#include "soma/expr/program.hpp"

namespace soma::expr {

bool Equation::has_flag(std::string_view flag) const {
  for (const auto& f : flags)
    if (f == flag) return true;
  return false;
}

const Equation* Equations::find(std::string_view name) const {
  for (const auto& e : list)
    if (e.name == name) return &e;
  return nullptr;
}

std::vector<std::string> Equations::names(EquationKind kind) const {
  std::vector<std::string> out;
  for (const auto& e : list)
    if (e.kind == kind) out.push_back(e.name);
  return out;
}

Expr Equations::substituted_rhs(std::string_view name) const {
  const Equation* e = find(name);
  if (!e || !e->expr)
    throw Error(source + ": '" + std::string(name) +
                "' has no equation with a right-hand side (expected a differential equation or "
                "a subexpression)");
  return substituted(e->expr);
}

std::map<std::string, double> Equations::constant_values() const {
  std::map<std::string, double> out;
  for (const auto& e : list)
    if (e.kind == EquationKind::constant) out[e.name] = e.value;
  return out;
}

Expr Equations::substituted(const Expr& e) const {
  std::map<std::string, Expr> direct;
  for (const auto& eq : list) {
    if (eq.kind == EquationKind::subexpression) direct[eq.name] = eq.expr;
    if (eq.kind == EquationKind::constant) direct[eq.name] = number(eq.value);
  }
  // Depth-first with a stack of names being expanded, so a cycle is reported
  // instead of recursing forever.
  std::map<std::string, Expr> done;
  std::vector<std::string> active;
  std::function<Expr(const Expr&)> expand = [&](const Expr& x) -> Expr {
    if (x->kind == NodeKind::symbol) {
      auto it = direct.find(x->name);
      if (it == direct.end()) return x;
      if (auto d = done.find(x->name); d != done.end()) return d->second;
      for (const auto& a : active)
        if (a == x->name)
          throw Error(source + ": subexpression '" + x->name + "' refers to itself (through " +
                      active.front() + ")");
      active.push_back(x->name);
      Expr r = expand(it->second);
      active.pop_back();
      done[x->name] = r;
      return r;
    }
    if (x->args.empty()) return x;
    std::vector<Expr> args;
    bool changed = false;
    for (const auto& a : x->args) {
      args.push_back(expand(a));
      changed = changed || args.back().get() != a.get();
    }
    if (!changed) return x;
    auto n = std::make_shared<Node>(*x);
    n->args = std::move(args);
    return Expr(std::move(n));
  };
  return expand(e);
}

namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

size_t skip_space(std::string_view s, size_t i) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

bool only_constants(const Expr& e, const std::map<std::string, double>& constants) {
  if (e->kind == NodeKind::symbol)
    return constants.count(e->name) || e->name == "pi" ||
           (!is_noise_symbol(e->name) && lookup_unit(e->name).has_value());
  if (e->kind == NodeKind::call && (e->name == "rand" || e->name == "randn")) return false;
  for (const auto& a : e->args)
    if (!only_constants(a, constants)) return false;
  return true;
}

}  // namespace

Equations parse_equations(std::string_view text, const ParseOptions& options) {
  Equations eqs;
  eqs.source = options.source;
  std::map<std::string, double> constant_values;
  Constants constant_quantities;
  bool any_unit = false;
  for (const auto& piece : detail::split_pieces(text)) {
    const std::string& s = piece.text;
    auto fail = [&](size_t offset, const std::string& what) -> Error {
      return error_at(options.source, piece.line, piece.column + static_cast<int64_t>(offset),
                      "in \"" + excerpt(s, static_cast<int64_t>(offset) + 1) + "\": " + what);
    };
    Equation eq;
    eq.text = s;
    eq.line = piece.line;
    // The name and the form: "dNAME/dt =", "NAME =" or "NAME :".
    size_t i = 0;
    if (!is_name_start(s[0]))
      throw fail(0, "expected 'dx/dt = expression : unit', 'x = expression : unit' or 'x : unit'");
    while (i < s.size() && is_name_char(s[i])) ++i;
    std::string first = s.substr(0, i);
    size_t j = skip_space(s, i);
    size_t expr_start = std::string::npos;
    if (j < s.size() && s[j] == '/' && first.size() > 1 && first[0] == 'd') {
      size_t k = skip_space(s, j + 1);
      if (s.compare(k, 2, "dt") != 0 || (k + 2 < s.size() && is_name_char(s[k + 2])))
        throw fail(k, "expected 'dt' in the derivative d" + first.substr(1) + "/dt");
      k = skip_space(s, k + 2);
      if (k >= s.size() || s[k] != '=' || (k + 1 < s.size() && s[k + 1] == '='))
        throw fail(k, "expected '=' after d" + first.substr(1) + "/dt");
      eq.kind = EquationKind::differential;
      eq.name = first.substr(1);
      expr_start = k + 1;
    } else if (j < s.size() && s[j] == '=' && !(j + 1 < s.size() && s[j + 1] == '=')) {
      eq.kind = EquationKind::subexpression;
      eq.name = first;
      expr_start = j + 1;
    } else if (j >= s.size() || s[j] == ':') {
      eq.kind = EquationKind::parameter;
      eq.name = first;
    } else {
      throw fail(j, "expected '=' or ':' after '" + first +
                        "' (an equation is 'dx/dt = expression : unit', 'x = expression : "
                        "unit' or 'x : unit')");
    }
    if (eq.name == "t" || eq.name == "dt" || is_noise_symbol(eq.name) || eq.name == "pi")
      throw fail(0, "'" + eq.name + "' is a reserved name (time, time step, noise or pi)");
    if (eqs.find(eq.name) != nullptr)
      throw fail(0, "'" + eq.name + "' is defined twice (line " +
                        std::to_string(eqs.find(eq.name)->line) + " defines it already)");
    // The unit part starts at the first ':' after the expression.
    const size_t colon = s.find(':', expr_start == std::string::npos ? 0 : expr_start);
    if (expr_start != std::string::npos) {
      const size_t expr_end = colon == std::string::npos ? s.size() : colon;
      const std::string expr_text = s.substr(expr_start, expr_end - expr_start);
      if (trim(expr_text).empty()) throw fail(expr_start, "expected an expression after '='");
      SourceInfo at{options.source, piece.line, piece.column - 1 + static_cast<int>(expr_start), s};
      eq.expr = parse_expression(expr_text, at);
      eq.expr_column = piece.column + static_cast<int>(skip_space(s, expr_start));
    }
    if (colon != std::string::npos) {
      std::string unit_part = s.substr(colon + 1);
      size_t unit_end = unit_part.find('(');
      if (unit_end != std::string::npos) {
        const size_t close = unit_part.rfind(')');
        if (close == std::string::npos || close < unit_end)
          throw fail(colon + 1 + unit_end, "expected ')' to close the flags");
        if (!trim(unit_part.substr(close + 1)).empty())
          throw fail(colon + 2 + close, "expected nothing after the flags");
        const std::string inside = unit_part.substr(unit_end + 1, close - unit_end - 1);
        size_t from = 0;
        while (from <= inside.size()) {
          size_t comma = inside.find(',', from);
          if (comma == std::string::npos) comma = inside.size();
          std::string flag = trim(inside.substr(from, comma - from));
          // Brian2 writes "unless refractory" with one blank; normalise runs of blanks.
          std::string norm;
          for (char c : flag) {
            if (std::isspace(static_cast<unsigned char>(c))) {
              if (!norm.empty() && norm.back() != ' ') norm += ' ';
            } else {
              norm += c;
            }
          }
          if (norm.empty()) throw fail(colon + 2 + unit_end + from, "expected a flag name");
          eq.flags.push_back(norm);
          from = comma + 1;
        }
      } else {
        unit_end = unit_part.size();
      }
      const std::string unit_raw = unit_part.substr(0, unit_end);
      eq.unit_text = trim(unit_raw);
      if (eq.unit_text.empty())
        throw fail(colon + 1, "expected a unit after ':' (such as volt, siemens, amp, 1)");
      const size_t unit_offset = colon + 1 + unit_raw.find_first_not_of(" \t\r\v\f");
      SourceInfo at{options.source, piece.line, piece.column - 1 + static_cast<int>(unit_offset),
                    s};
      const Quantity q = detail::parse_unit_at(eq.unit_text, at);
      if (q.value != 1.0)
        throw fail(unit_offset, "declare units in SI base units ('" + eq.unit_text + "' is " +
                                    std::to_string(q.value) + " " + q.dimension.str() + "; write " +
                                    q.dimension.str() + " and give values in it)");
      eq.unit = q.dimension;
      any_unit = true;
    } else if (eq.kind == EquationKind::subexpression && only_constants(eq.expr, constant_values)) {
      eq.kind = EquationKind::constant;
      const Quantity q = evaluate_constant(eq.expr, constant_quantities, s);
      eq.value = q.value;
      eq.unit = q.dimension;
      constant_values[eq.name] = q.value;
      constant_quantities[eq.name] = q;
    } else if (options.units == UnitMode::required) {
      throw fail(s.size(), "expected ': unit' after " +
                               std::string(eq.kind == EquationKind::parameter ? "the parameter"
                                                                              : "the expression") +
                               " (such as ': volt' or ': 1')");
    }
    eqs.list.push_back(std::move(eq));
  }
  if (options.units == UnitMode::optional && !any_unit) eqs.time = dim::one();
  return eqs;
}

// ----------------------------------------------------------------------------
// Dimension checking

namespace {

struct Checker {
  const SymbolUnits& units;
  std::string_view text;
  std::string_view where;
  int line;

  [[noreturn]] void fail(const Node& n, const std::string& what) const {
    throw error_at(std::string(where), line, n.column,
                   "in \"" + excerpt(text, n.column) + "\": " + what);
  }

  Dimension noise_dimension() const {
    auto it = units.find("dt");
    const Dimension t = it != units.end() ? it->second : dim::second();
    return *t.pow(-0.5);
  }

  Dimension infer(const Node& n) const {
    switch (n.kind) {
      case NodeKind::number:
        return dim::one();
      case NodeKind::symbol: {
        if (auto it = units.find(n.name); it != units.end()) return it->second;
        if (is_noise_symbol(n.name)) return noise_dimension();
        if (n.name == "pi") return dim::one();
        if (auto q = lookup_unit(n.name)) return q->dimension;
        fail(n, "unknown name '" + n.name + "' (not a variable, constant or unit)");
      }
      case NodeKind::neg:
        return infer(*n.args[0]);
      case NodeKind::logical_not:
        infer(*n.args[0]);
        return dim::one();
      case NodeKind::add:
      case NodeKind::sub:
      case NodeKind::mod:
      case NodeKind::lt:
      case NodeKind::le:
      case NodeKind::gt:
      case NodeKind::ge:
      case NodeKind::eq:
      case NodeKind::ne: {
        const Dimension a = infer(*n.args[0]), b = infer(*n.args[1]);
        if (!(a == b)) {
          std::string what =
              n.kind == NodeKind::add   ? "cannot add " + a.str() + " and " + b.str()
              : n.kind == NodeKind::sub ? "cannot subtract " + b.str() + " from " + a.str()
              : n.kind == NodeKind::mod ? "cannot take " + a.str() + " modulo " + b.str()
                                        : "cannot compare " + a.str() + " with " + b.str();
          fail(n, what + " (units differ)");
        }
        return n.kind == NodeKind::add || n.kind == NodeKind::sub || n.kind == NodeKind::mod
                   ? a
                   : dim::one();
      }
      case NodeKind::logical_and:
      case NodeKind::logical_or:
        infer(*n.args[0]);
        infer(*n.args[1]);
        return dim::one();
      case NodeKind::mul:
        return infer(*n.args[0]) * infer(*n.args[1]);
      case NodeKind::div:
      case NodeKind::floordiv:
        return infer(*n.args[0]) / infer(*n.args[1]);
      case NodeKind::pow: {
        const Dimension a = infer(*n.args[0]), b = infer(*n.args[1]);
        if (!b.dimensionless())
          fail(*n.args[1], "the exponent has units " + b.str() + ", expected 1");
        if (a.dimensionless()) return a;
        double p = 0;
        try {
          p = evaluate(n.args[1], {});
        } catch (const Error&) {
          fail(*n.args[1],
               "the exponent of a quantity with units (" + a.str() + ") must be a number");
        }
        auto d = a.pow(p);
        if (!d) fail(n, "cannot raise " + a.str() + " to the power " + std::to_string(p));
        return *d;
      }
      case NodeKind::call: {
        // A table function (the snn engine's TimedArray): `units` holds "name()" with the
        // dimension of its values; called as name(t) or name(t, i), which argument count
        // fits the table is the engine's to check.
        if (auto it = units.find(n.name + "()"); it != units.end() && !is_function(n.name)) {
          if (n.args.empty() || n.args.size() > 2)
            fail(n, n.name + "() takes 1 or 2 arguments (t, or t and i), got " +
                        std::to_string(n.args.size()));
          const Dimension time = infer(*n.args[0]);
          if (!(time == dim::second()))
            fail(*n.args[0], n.name + "() needs a time, got units " + time.str());
          if (n.args.size() == 2 && !infer(*n.args[1]).dimensionless())
            fail(*n.args[1], n.name + "()'s index must be dimensionless");
          return it->second;
        }
        int count = 0;
        if (!is_function(n.name, &count))
          fail(n, "unknown function '" + n.name +
                      "' (known: exp log log10 sqrt sin cos tan tanh abs clip rand randn int "
                      "floor ceil sign)");
        if (static_cast<int>(n.args.size()) != count)
          fail(n, n.name + "() takes " + std::to_string(count) + " argument" +
                      (count == 1 ? "" : "s") + ", got " + std::to_string(n.args.size()));
        if (count == 0) return dim::one();
        const Dimension a = infer(*n.args[0]);
        const std::string& f = n.name;
        if (f == "sqrt") {
          auto d = a.pow(0.5);
          if (!d) fail(n, "cannot take the square root of " + a.str());
          return *d;
        }
        if (f == "abs" || f == "floor" || f == "ceil") return a;
        if (f == "sign") return dim::one();
        if (f == "clip") {
          const Dimension lo = infer(*n.args[1]), hi = infer(*n.args[2]);
          if (!(lo == a))
            fail(*n.args[1],
                 "clip bounds must have the units of the value: " + a.str() + " vs " + lo.str());
          if (!(hi == a))
            fail(*n.args[2],
                 "clip bounds must have the units of the value: " + a.str() + " vs " + hi.str());
          return a;
        }
        if (!a.dimensionless())
          fail(*n.args[0], f + "() needs a dimensionless argument, got units " + a.str());
        return dim::one();
      }
    }
    fail(n, "unexpected node");
  }
};

}  // namespace

Dimension infer_dimension(const Expr& e, const SymbolUnits& units, std::string_view text,
                          std::string_view where, int line) {
  const std::string shown = text.empty() ? to_string(e) : std::string(text);
  return Checker{units, shown, where, line}.infer(*e);
}

SymbolUnits model_units(const Equations& eqs, const Constants& constants,
                        const SymbolUnits& extra) {
  SymbolUnits u;
  for (const auto& [name, q] : constants) u[name] = q.dimension;
  for (const auto& [name, d] : extra) u[name] = d;
  u["t"] = eqs.time;
  u["dt"] = eqs.time;
  for (const auto& e : eqs.list) u[e.name] = e.unit;
  return u;
}

void check_units(const Equations& eqs, const Constants& constants, const SymbolUnits& extra) {
  const SymbolUnits u = model_units(eqs, constants, extra);
  for (const auto& e : eqs.list) {
    if (e.kind != EquationKind::differential && e.kind != EquationKind::subexpression) continue;
    const Dimension got = infer_dimension(e.expr, u, e.text, eqs.source, e.line);
    const Dimension want = e.kind == EquationKind::differential ? e.unit / eqs.time : e.unit;
    if (!(got == want)) {
      const std::string lhs = e.kind == EquationKind::differential ? "d" + e.name + "/dt" : e.name;
      std::string expected = want.str();
      if (e.kind == EquationKind::differential)
        expected += " (" + e.unit.str() + " per " + eqs.time.str() + ")";
      throw error_at(eqs.source, e.line, e.expr_column,
                     "in \"" + excerpt(e.text, e.expr_column) + "\": " + lhs +
                         " should have units " + expected + ", but the expression has units " +
                         got.str());
    }
  }
}

void check_condition(const Expr& condition, const SymbolUnits& units, std::string_view text) {
  infer_dimension(condition, units, text, "condition", 0);
}

void check_statements(const std::vector<Statement>& statements, const SymbolUnits& units,
                      std::string_view source) {
  for (const auto& s : statements) {
    auto it = units.find(s.target);
    if (it == units.end())
      throw error_at(std::string(source), s.line, s.column,
                     "in \"" + excerpt(s.text, 1) + "\": unknown variable '" + s.target + "'");
    const Dimension got = infer_dimension(s.value, units, s.text, source, s.line);
    const bool scaling = s.op == AssignOp::mul || s.op == AssignOp::div;
    const Dimension want = scaling ? dim::one() : it->second;
    if (!(got == want))
      throw error_at(std::string(source), s.line, s.column,
                     "in \"" + excerpt(s.text, 1) + "\": " +
                         (scaling ? "a scaling factor must be dimensionless"
                                  : "'" + s.target + "' has units " + want.str()) +
                         ", but the value has units " + got.str());
  }
}

Quantity evaluate_constant(const Expr& e, const Constants& constants, std::string_view text) {
  std::map<std::string, double> values;
  SymbolUnits units;
  for (const auto& [name, q] : constants) {
    values[name] = q.value;
    units[name] = q.dimension;
  }
  const std::string shown = text.empty() ? to_string(e) : std::string(text);
  std::function<void(const Node&)> check = [&](const Node& n) {
    if (n.kind == NodeKind::symbol && !values.count(n.name) && n.name != "pi" &&
        (is_noise_symbol(n.name) || !lookup_unit(n.name)))
      throw error_at(
          "constant", 0, n.column,
          "in \"" + excerpt(shown, n.column) + "\": '" + n.name + "' is not a constant or a unit");
    if (n.kind == NodeKind::call && (n.name == "rand" || n.name == "randn"))
      throw error_at(
          "constant", 0, n.column,
          "in \"" + excerpt(shown, n.column) + "\": a constant cannot use " + n.name + "()");
    for (const auto& a : n.args) check(*a);
  };
  check(*e);
  const Dimension d = infer_dimension(e, units, shown, "constant", 0);
  return {evaluate(e, values), d};
}

}  // namespace soma::expr
