// The unit table and dimension arithmetic. Scales are in SI base units, so a
// Quantity's value is what a simulation stores (mV -> 1e-3).
#include "soma/expr/units.hpp"

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "detail.hpp"
#include "soma/core/error.hpp"
#include "soma/expr/parser.hpp"

namespace soma::expr {

Dimension Dimension::from_exponents(std::array<int, kBase> whole) {
  Dimension d;
  for (size_t i = 0; i < kBase; ++i) d.twice_[i] = 2 * whole[i];
  return d;
}

bool Dimension::dimensionless() const {
  for (auto t : twice_)
    if (t != 0) return false;
  return true;
}

Dimension Dimension::operator*(const Dimension& o) const {
  Dimension d;
  for (size_t i = 0; i < kBase; ++i) d.twice_[i] = twice_[i] + o.twice_[i];
  return d;
}

Dimension Dimension::operator/(const Dimension& o) const {
  Dimension d;
  for (size_t i = 0; i < kBase; ++i) d.twice_[i] = twice_[i] - o.twice_[i];
  return d;
}

std::optional<Dimension> Dimension::pow(double p) const {
  Dimension d;
  for (size_t i = 0; i < kBase; ++i) {
    const double t = twice_[i] * p;
    // Exponents beyond +-4096 are no physics anyone writes; refusing them keeps
    // the integer arithmetic far from overflow whatever the input.
    if (!std::isfinite(t) || std::fabs(t) > 8192.0 || t != std::round(t)) return std::nullopt;
    d.twice_[i] = static_cast<int32_t>(t);
  }
  return d;
}

namespace {

struct Named {
  const char* symbol;
  Dimension d;
};

const std::vector<Named>& named_dimensions() {
  static const std::vector<Named> table = {
      {"V", dim::volt()},
      {"A", dim::amp()},
      {"S", dim::siemens()},
      {"F", dim::farad()},
      {"Ohm", dim::ohm()},
      {"s", dim::second()},
      {"m", dim::metre()},
      {"kg", dim::kilogram()},
      {"mol", dim::mole()},
      {"K", dim::kelvin()},
      {"cd", dim::candela()},
      {"C", Dimension::from_exponents({0, 0, 1, 1, 0, 0, 0})},
      {"W", Dimension::from_exponents({2, 1, -3, 0, 0, 0, 0})},
      {"J", Dimension::from_exponents({2, 1, -2, 0, 0, 0, 0})},
      {"N", Dimension::from_exponents({1, 1, -2, 0, 0, 0, 0})},
      {"mol/m^3", dim::molar()},
  };
  return table;
}

std::string format_exponent(double e) {
  if (e == std::round(e)) return std::to_string(static_cast<long long>(e));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", e);
  return buf;
}

}  // namespace

std::string Dimension::str() const {
  if (dimensionless()) return "1";
  for (const auto& n : named_dimensions())
    if (n.d == *this) return n.symbol;
  if (*this == dim::hertz()) return "Hz";
  // "X/s" for a named X reads better than base exponents (V/s, S/s, A/s).
  const Dimension per_second = *this * dim::second();
  for (const auto& n : named_dimensions())
    if (n.d == per_second && !per_second.dimensionless()) return std::string(n.symbol) + "/s";
  static const char* base[kBase] = {"m", "kg", "s", "A", "K", "mol", "cd"};
  std::string out;
  for (int i = 0; i < kBase; ++i) {
    const double e = exponent(i);
    if (e == 0) continue;
    if (!out.empty()) out += ' ';
    out += base[i];
    if (e != 1) out += "^" + format_exponent(e);
  }
  return out;
}

namespace dim {
Dimension one() { return {}; }
Dimension metre() { return Dimension::from_exponents({1, 0, 0, 0, 0, 0, 0}); }
Dimension kilogram() { return Dimension::from_exponents({0, 1, 0, 0, 0, 0, 0}); }
Dimension second() { return Dimension::from_exponents({0, 0, 1, 0, 0, 0, 0}); }
Dimension amp() { return Dimension::from_exponents({0, 0, 0, 1, 0, 0, 0}); }
Dimension kelvin() { return Dimension::from_exponents({0, 0, 0, 0, 1, 0, 0}); }
Dimension mole() { return Dimension::from_exponents({0, 0, 0, 0, 0, 1, 0}); }
Dimension candela() { return Dimension::from_exponents({0, 0, 0, 0, 0, 0, 1}); }
Dimension volt() { return Dimension::from_exponents({2, 1, -3, -1, 0, 0, 0}); }
Dimension siemens() { return Dimension::from_exponents({-2, -1, 3, 2, 0, 0, 0}); }
Dimension farad() { return Dimension::from_exponents({-2, -1, 4, 2, 0, 0, 0}); }
Dimension ohm() { return Dimension::from_exponents({2, 1, -3, -2, 0, 0, 0}); }
Dimension hertz() { return Dimension::from_exponents({0, 0, -1, 0, 0, 0, 0}); }
Dimension molar() { return Dimension::from_exponents({-3, 0, 0, 0, 0, 1, 0}); }
}  // namespace dim

namespace {

struct BaseUnit {
  const char* name;
  double scale;
  Dimension d;
};

const std::vector<BaseUnit>& base_units() {
  using D = Dimension;
  static const std::vector<BaseUnit> table = {
      {"metre", 1, dim::metre()},
      {"meter", 1, dim::metre()},
      {"m", 1, dim::metre()},
      {"gram", 1e-3, dim::kilogram()},
      {"gramme", 1e-3, dim::kilogram()},
      {"g", 1e-3, dim::kilogram()},
      {"second", 1, dim::second()},
      {"s", 1, dim::second()},
      {"amp", 1, dim::amp()},
      {"ampere", 1, dim::amp()},
      {"A", 1, dim::amp()},
      {"kelvin", 1, dim::kelvin()},
      {"K", 1, dim::kelvin()},
      {"mole", 1, dim::mole()},
      {"mol", 1, dim::mole()},
      {"candela", 1, dim::candela()},
      {"cd", 1, dim::candela()},
      {"volt", 1, dim::volt()},
      {"V", 1, dim::volt()},
      {"siemens", 1, dim::siemens()},
      {"S", 1, dim::siemens()},
      {"farad", 1, dim::farad()},
      {"F", 1, dim::farad()},
      {"ohm", 1, dim::ohm()},
      {"Ohm", 1, dim::ohm()},
      {"hertz", 1, dim::hertz()},
      {"Hz", 1, dim::hertz()},
      {"molar", 1e3, dim::molar()},
      {"M", 1e3, dim::molar()},
      {"liter", 1e-3, D::from_exponents({3, 0, 0, 0, 0, 0, 0})},
      {"litre", 1e-3, D::from_exponents({3, 0, 0, 0, 0, 0, 0})},
      {"l", 1e-3, D::from_exponents({3, 0, 0, 0, 0, 0, 0})},
      {"coulomb", 1, D::from_exponents({0, 0, 1, 1, 0, 0, 0})},
      {"C", 1, D::from_exponents({0, 0, 1, 1, 0, 0, 0})},
      {"newton", 1, D::from_exponents({1, 1, -2, 0, 0, 0, 0})},
      {"N", 1, D::from_exponents({1, 1, -2, 0, 0, 0, 0})},
      {"joule", 1, D::from_exponents({2, 1, -2, 0, 0, 0, 0})},
      {"J", 1, D::from_exponents({2, 1, -2, 0, 0, 0, 0})},
      {"watt", 1, D::from_exponents({2, 1, -3, 0, 0, 0, 0})},
      {"W", 1, D::from_exponents({2, 1, -3, 0, 0, 0, 0})},
      {"pascal", 1, D::from_exponents({-1, 1, -2, 0, 0, 0, 0})},
      {"Pa", 1, D::from_exponents({-1, 1, -2, 0, 0, 0, 0})},
      {"tesla", 1, D::from_exponents({0, 1, -2, -1, 0, 0, 0})},
      {"T", 1, D::from_exponents({0, 1, -2, -1, 0, 0, 0})},
      {"weber", 1, D::from_exponents({2, 1, -2, -1, 0, 0, 0})},
      {"Wb", 1, D::from_exponents({2, 1, -2, -1, 0, 0, 0})},
      {"henry", 1, D::from_exponents({2, 1, -2, -2, 0, 0, 0})},
      {"H", 1, D::from_exponents({2, 1, -2, -2, 0, 0, 0})},
  };
  return table;
}

const BaseUnit* find_base(std::string_view name) {
  for (const auto& u : base_units())
    if (name == u.name) return &u;
  return nullptr;
}

struct Prefix {
  const char* text;
  double scale;
};

// "µ" (U+00B5) and "μ" (U+03BC) are both seen in the wild; "u" is Brian2's spelling.
const Prefix kPrefixes[] = {{"y", 1e-24},       {"z", 1e-21}, {"a", 1e-18}, {"f", 1e-15},
                            {"p", 1e-12},       {"n", 1e-9},  {"u", 1e-6},  {"\xC2\xB5", 1e-6},
                            {"\xCE\xBC", 1e-6}, {"m", 1e-3},  {"c", 1e-2},  {"d", 1e-1},
                            {"k", 1e3},         {"M", 1e6},   {"G", 1e9},   {"T", 1e12}};

}  // namespace

std::optional<Quantity> lookup_unit(std::string_view name) {
  if (const BaseUnit* u = find_base(name)) return Quantity{u->scale, u->d};
  for (const auto& p : kPrefixes) {
    const std::string_view pre(p.text);
    if (name.size() > pre.size() && name.substr(0, pre.size()) == pre) {
      if (const BaseUnit* u = find_base(name.substr(pre.size())))
        return Quantity{p.scale * u->scale, u->d};
    }
  }
  return std::nullopt;
}

namespace {

// A unit declaration is an expression of unit names, numbers, * / and **.
Quantity unit_value(const Expr& e, const SourceInfo& where, std::string_view text) {
  const Node& n = *e;
  auto fail = [&](const std::string& what) -> Quantity {
    const std::string shown = where.context.empty() ? std::string(text) : where.context;
    throw error_at(where.source, where.line, n.column,
                   "in \"" +
                       excerpt(shown, n.column - (where.context.empty() ? where.column_base : 0)) +
                       "\": " + what);
  };
  switch (n.kind) {
    case NodeKind::number:
      return {n.value, dim::one()};
    case NodeKind::symbol: {
      auto q = lookup_unit(n.name);
      if (!q)
        return fail("'" + n.name +
                    "' is not a unit (expected a name such as volt, amp, "
                    "siemens, farad, second, hertz, 1)");
      return *q;
    }
    case NodeKind::neg: {
      auto a = unit_value(n.args[0], where, text);
      if (!a.dimension.dimensionless()) return fail("a unit cannot be negative");
      return {-a.value, a.dimension};
    }
    case NodeKind::mul: {
      auto a = unit_value(n.args[0], where, text), b = unit_value(n.args[1], where, text);
      return {a.value * b.value, a.dimension * b.dimension};
    }
    case NodeKind::div: {
      auto a = unit_value(n.args[0], where, text), b = unit_value(n.args[1], where, text);
      return {a.value / b.value, a.dimension / b.dimension};
    }
    case NodeKind::pow: {
      auto a = unit_value(n.args[0], where, text), b = unit_value(n.args[1], where, text);
      if (!b.dimension.dimensionless()) return fail("the exponent of a unit must be a number");
      auto d = a.dimension.pow(b.value);
      if (!d) return fail("unit exponent " + std::to_string(b.value) + " is not a multiple of 1/2");
      return {std::pow(a.value, b.value), *d};
    }
    default:
      return fail("expected a unit made of unit names, numbers, '*', '/' and '**'");
  }
}

}  // namespace

Quantity detail::parse_unit_at(std::string_view text, const SourceInfo& where) {
  const Expr e = parse_expression(text, where);
  return unit_value(e, where, text);
}

Quantity parse_unit(std::string_view text) {
  return detail::parse_unit_at(text, SourceInfo("unit"));
}

}  // namespace soma::expr
