#pragma once
// soma::expr — one equation language with physical units, shared by ode, snn and fit.
//
// A worked example (tests/expr/example_test.cpp runs it): parse a conductance-
// based neuron model, check its units, compile its Euler update, run it over
// 4000 neurons, then threshold and reset.
//
//   #include <soma/expr/expr.hpp>
//   using namespace soma::expr;
//
//   Equations eqs = parse_equations(R"(
//     dv/dt = -(gl*(v - vl) + ge*(v - ve) + gi*(v - vi) - I)/c : volt (unless refractory)
//     dge/dt = -ge/ge_tau : siemens
//     dgi/dt = -gi/gi_tau : siemens
//     I : amp
//   )");
//   Constants ns = {{"gl", {10e-9, dim::siemens()}}, {"vl", {-60e-3, dim::volt()}},
//                   {"ve", {0.0, dim::volt()}},      {"vi", {-80e-3, dim::volt()}},
//                   {"c", {200e-12, dim::farad()}},  {"ge_tau", {5e-3, dim::second()}},
//                   {"gi_tau", {10e-3, dim::second()}}};
//   check_units(eqs, ns);  // a bad model throws soma::Error:
//                          // 'model:2:12: in "dv/dt = (v + I)/ms : volt": cannot add V and A'
//
//   // Integrators build update statements from the right-hand sides:
//   std::vector<Statement> euler;
//   for (const auto& x : eqs.differential_names())
//     euler.emplace_back(x, AssignOp::add, symbol("dt") * eqs.substituted_rhs(x));
//   auto [a, b] = linear_coefficients(eqs.substituted_rhs("v"), "v");  // dv/dt = a*v + b
//
//   std::vector<double> v(4000, -0.06), ge(4000), gi(4000), I(4000);
//   double dt = 1e-4;
//   Bindings bind;  // the arrays stay the caller's; the program points at them
//   bind.array("v", v.data()).array("ge", ge.data()).array("gi", gi.data())
//       .array("I", I.data()).scalar("dt", &dt);
//   for (const auto& [name, q] : ns) bind.constant(name, q.value);
//   Program step = compile(euler, bind);
//   step.run(v.size());  // whole arrays, in blocks of 256
//
//   Program threshold = compile(parse_expression("v > -50*mV"), bind);
//   std::vector<int32_t> spikes;
//   threshold.where(v.size(), spikes);
//   compile(parse_statements("v = vl"), bind).run(spikes);  // reset only those
//
// Headers: units.hpp (Dimension, Quantity, unit table), ast.hpp (Expr),
// parser.hpp (expressions, statements), equations.hpp (model strings, unit
// checks), symbolic.hpp (derivatives, linearity, noise split), program.hpp
// (compiled programs over arrays).
#include "soma/expr/ast.hpp"
#include "soma/expr/equations.hpp"
#include "soma/expr/parser.hpp"
#include "soma/expr/program.hpp"
#include "soma/expr/symbolic.hpp"
#include "soma/expr/units.hpp"
