#pragma once
// How a network's equations, conditions and statements become programs: each is a
// list of assignments (`_A_v = ...; _v = ...`) compiled by the equation language's one
// compiler (expr::compile_values) with fused multiply-adds, its names resolved by the
// group that owns it. Evaluation walks the elements in blocks (Program::run_blocks);
// sub-expressions that touch no per-element value (t, dt, exp(-dt/tau)) are computed
// once per run, not once per element.
//
// Elements are picked either contiguously (a neuron group's state update) or through
// index lists (a reset over the spiking neurons, on_pre over the synapses whose
// spikes arrive: an element k is synapse self[k], its presynaptic neuron pre[k] and
// its postsynaptic neuron post[k]).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "soma/expr/ast.hpp"
#include "soma/expr/program.hpp"
#include "soma/expr/timed_table.hpp"

namespace soma::snn {

using expr::ElementStreams;
using expr::IndexRole;
using expr::TimedTable;
using Indices = expr::IndexLists;
using Program = expr::Program;

// What a name of a network's equations stands for.
struct Binding {
  enum class Kind : uint8_t { scalar, array, index, table };
  Kind kind = Kind::scalar;
  const double* scalar = nullptr;     // scalar: read at every evaluation (t, a constant...)
  const double* array = nullptr;      // array: element idx[role][k]
  IndexRole role = IndexRole::self;   // array and index (the value is the index itself: i, j)
  double index_offset = 0.0;          // index: added to the index (subgroup-relative i)
  const TimedTable* table = nullptr;  // table: a function, resolved as "name()"
};
// Resolves a name to its storage; nullopt when unknown.
using Resolver = std::function<std::optional<Binding>(const std::string& name)>;

struct Assignment {
  std::string name;  // later assignments may use it as a symbol
  expr::Expr value;
};

// The assignments as a value program: result(i) is assignment i's value. `where` names
// the source in error messages ("group P: state update").
Program compile_program(const std::vector<Assignment>& code, const Resolver& resolve,
                        const std::string& where);

}  // namespace soma::snn
