#pragma once
// Model strings, Brian2 style: one equation per line (or separated by ';').
//
//   dv/dt = -(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c : volt (unless refractory)
//   dge/dt = -ge/ge_tau : siemens      differential equation, unit of v
//   I = I0*sin(2*pi*f*t) : amp          subexpression (substituted where used)
//   I0 : amp                            parameter (a per-element or shared value)
//   c = 100*pF                          constant: no unit, only numbers/units/constants
//
// Declared units are SI base units ("volt", not "mV"; values are stored in SI).
// With ParseOptions{.units = UnitMode::optional} a line may omit ": unit" and is
// then dimensionless; a model that declares no unit at all also has dimensionless
// time (t, dt), so "dx/dt = sigma*(y-x); dy/dt = x*(rho-z)-y; dz/dt = x*y-beta*z"
// checks as plain numbers.
//
// check_units verifies every equation: dx/dt must have the units of x per unit of
// time, sums and comparisons must add like units, exp/log/sin... take dimensionless
// arguments. Errors name the equation, the column and both units:
//   model:1:11: in "dv/dt = v + I : volt": cannot add V and A (units differ)
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "soma/expr/ast.hpp"
#include "soma/expr/parser.hpp"
#include "soma/expr/units.hpp"

namespace soma::expr {

enum class EquationKind { differential, subexpression, parameter, constant };

struct Equation {
  EquationKind kind = EquationKind::parameter;
  std::string name{};                // the variable (v for dv/dt)
  Expr expr{};                       // right-hand side; empty for parameters
  Dimension unit{};                  // declared (or, for constants, inferred) dimension
  std::string unit_text{};           // as written ("volt", "1", "" when omitted)
  std::vector<std::string> flags{};  // "(unless refractory)" -> {"unless refractory"}
  double value = 0.0;                // constants only: the value in SI units
  std::string text{};                // the line as written
  int line = 1;                      // 1-based line (statement index when ';'-separated)
  int expr_column = 0;               // column of the expression start within `text`

  bool has_flag(std::string_view flag) const;
};

enum class UnitMode {
  required,  // every differential/subexpression/parameter line needs ": unit" (Brian2)
  optional,  // a missing unit means dimensionless (the ode CLI's plain models)
};

struct ParseOptions {
  UnitMode units = UnitMode::required;
  std::string source = "model";  // shown in error messages
};

// Names always known to a model: t and dt (time), xi / xi_* (white noise, second**-0.5).
class Equations {
 public:
  Equations() = default;
  std::vector<Equation> list;  // in source order
  std::string source = "model";
  Dimension time = dim::second();  // dimensionless when no unit was declared (optional mode)

  const Equation* find(std::string_view name) const;  // nullptr when absent
  // Names by kind, in source order.
  std::vector<std::string> names(EquationKind kind) const;
  std::vector<std::string> differential_names() const { return names(EquationKind::differential); }
  // The right-hand side with every subexpression and constant substituted
  // (recursively), so it mentions only state variables, parameters, external
  // names, units, t, dt and xi. Throws soma::Error on cyclic subexpressions.
  Expr substituted(const Expr& e) const;
  // substituted() of the right-hand side of `name`; throws soma::Error when the
  // model has no differential equation or subexpression of that name.
  Expr substituted_rhs(std::string_view name) const;
  // Constants defined in the model (kind constant), name -> value.
  std::map<std::string, double> constant_values() const;
};

Equations parse_equations(std::string_view text, const ParseOptions& options = {});

// Named constants supplied by the caller (Brian2's namespace): name -> value+unit.
using Constants = std::map<std::string, Quantity>;
// Extra symbols with a dimension only (e.g. snn's lastspike : second, N : 1).
using SymbolUnits = std::map<std::string, Dimension>;

// Checks every equation's dimensions. Names resolve, in order: model variables,
// model constants, `extra`, `constants`, t/dt, xi, unit names (mV, ms...).
// Unknown names throw soma::Error naming the equation and column.
void check_units(const Equations& eqs, const Constants& constants = {},
                 const SymbolUnits& extra = {});

// Dimension of `e` with symbols looked up in `units` (falling back to unit names
// and xi). `text`/`where` only shape the error message.
Dimension infer_dimension(const Expr& e, const SymbolUnits& units, std::string_view text = "",
                          std::string_view where = "expression", int line = 0);

// Every symbol dimension a model defines (variables, subexpressions, parameters,
// constants, t, dt), for infer_dimension on conditions and statements.
SymbolUnits model_units(const Equations& eqs, const Constants& constants = {},
                        const SymbolUnits& extra = {});

// Checks a condition (must be a comparison/logical of like units) and statements
// (value must have the target's unit) against `units`; errors as check_units.
void check_condition(const Expr& condition, const SymbolUnits& units, std::string_view text);
void check_statements(const std::vector<Statement>& statements, const SymbolUnits& units,
                      std::string_view source = "statements");

// Evaluates an expression made of numbers, unit names and `constants` only
// (e.g. "100*pF"); throws soma::Error if it mentions anything else.
Quantity evaluate_constant(const Expr& e, const Constants& constants = {},
                           std::string_view text = "");

}  // namespace soma::expr
