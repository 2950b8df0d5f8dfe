// ODE right-hand sides from the equation language: parsed and unit-checked by soma::expr,
// then compiled once into a Program that evaluates all derivatives; each call copies y in
// and dy/dt out of buffers the program is bound to (one element, no allocation).
#include "soma/ode/equations.hpp"

#include <algorithm>
#include <memory>

#include "soma/core/error.hpp"
#include "soma/expr/expr.hpp"

namespace soma::ode {
namespace {

expr::Quantity constant_value(const std::string& name, const std::string& text, const char* what) {
  if (text.empty()) throw Error(std::string(what) + " '" + name + "': the value is empty");
  return expr::evaluate_constant(expr::parse_expression(text, {std::string(what) + " " + name}), {},
                                 text);
}

struct Compiled {
  std::vector<double> y, dy;
  double t = 0;
  expr::Program program;
};

}  // namespace

std::vector<double> EquationSystem::initial_state(const StringMap<std::string>& values) const {
  std::vector<double> y0(variables.size());
  for (const auto& [name, text] : values) {
    auto it = std::find(variables.begin(), variables.end(), name);
    if (it == variables.end()) {
      std::string known;
      for (const auto& v : variables) known += (known.empty() ? "" : ", ") + v;
      throw Error("initial value for '" + name + "': not a state variable (expected one of " +
                  known + ")");
    }
    const auto k = static_cast<std::size_t>(it - variables.begin());
    const expr::Quantity q = constant_value(name, text, "initial value");
    if (!(q.dimension == units[k]))
      throw Error("initial value for '" + name + "': \"" + text + "\" has units " +
                  q.dimension.str() + ", expected " + units[k].str() + " (the unit of '" + name +
                  "')");
    y0[k] = q.value;
  }
  for (std::size_t i = 0; i < variables.size(); ++i)
    if (!values.count(variables[i]))
      throw Error("no initial value for state variable '" + variables[i] + "'");
  return y0;
}

EquationSystem compile_equations(const std::string& equations,
                                 const StringMap<std::string>& parameters) {
  expr::Equations eqs =
      expr::parse_equations(equations, {.units = expr::UnitMode::optional, .source = "equations"});
  EquationSystem sys;
  sys.variables = eqs.differential_names();
  for (const auto& v : sys.variables) sys.units.push_back(eqs.find(v)->unit);
  if (sys.variables.empty())
    throw Error("equations: no differential equation (expected lines like 'dx/dt = -x')");
  expr::Constants constants;
  for (const auto& [name, text] : parameters) {
    if (eqs.find(name) && eqs.find(name)->kind != expr::EquationKind::parameter)
      throw Error("parameter '" + name + "': already defined by the equations");
    constants[name] = constant_value(name, text, "parameter");
  }
  for (const auto& name : eqs.names(expr::EquationKind::parameter))
    if (!constants.count(name))
      throw Error("equations: parameter '" + name + "' is declared but has no value (give it)");
  expr::check_units(eqs, constants);

  auto c = std::make_shared<Compiled>();
  const std::size_t n = sys.variables.size();
  c->y.assign(n, 0.0);
  c->dy.assign(n, 0.0);
  expr::Bindings b;
  std::vector<expr::Statement> statements;
  for (std::size_t i = 0; i < n; ++i) {
    b.array(sys.variables[i], &c->y[i]);
    // The derivatives go to reserved names (no user variable starts with "__d_" in practice).
    const std::string target = "__d_" + sys.variables[i];
    b.array(target, &c->dy[i]);
    const expr::Equation* eq = eqs.find(sys.variables[i]);
    statements.emplace_back(target, expr::AssignOp::assign, eqs.substituted_rhs(sys.variables[i]),
                            eq->text, eq->line, 1);
  }
  b.scalar("t", &c->t);
  for (const auto& [name, q] : constants) b.constant(name, q.value);
  c->program = expr::compile(statements, b);
  sys.rhs = [c](double t, std::span<const double> y, std::span<double> dy) {
    c->t = t;
    std::copy(y.begin(), y.end(), c->y.begin());
    c->program.run(1);
    std::copy(c->dy.begin(), c->dy.end(), dy.begin());
  };
  return sys;
}

}  // namespace soma::ode
