#pragma once
// Compiled programs: an expression or a list of statements lowered once to a
// register bytecode whose every instruction runs over a block of up to 256
// elements with a tight loop the compiler vectorises. Constants fold at compile
// time; array operands are read in place (no copy); the per-instruction dispatch
// is paid once per block, not per element.
//
// Names are bound by the caller (Bindings); unit names (mV, ms...) and `pi`
// resolve to their SI values unless bound. Example, a COBA neuron state update:
//
//   std::vector<double> v(n), ge(n);  double dt = 1e-4;
//   Bindings b;
//   b.array("v", v.data()).array("ge", ge.data()).scalar("dt", &dt)
//    .constant("ve", 0.0).constant("taue", 5e-3).constant("c", 200e-12);
//   Program p = compile(parse_statements("v += dt*ge*(ve - v)/c; ge += -dt*ge/taue"), b);
//   p.run(n);                       // every element
//   p.run(spiking);                 // only elements listed (std::span<const int32_t>)
//
// Synapses: bind per-synapse arrays with array(), and pre/post neuron variables
// with gather(name, neuron_data, synapse_to_neuron_index): "ge_post += w" then
// scatters into ge[post[s]] for each listed synapse s, accumulating correctly
// when two synapses share a target.
//
// Statements run in order, each over the whole block before the next. A name
// that is assigned but not bound is a temporary local to the program (so an
// integrator can write "_v = ...; _ge = ...; v = _v; ge = _ge"); a temporary
// given a shared value ("_decay = exp(-dt/tau)") stays shared and is computed
// once per run, not per element. So is every subexpression without per-element input
// (dt/tau, 1/tau**2 in v*dt/tau**2): the scalar prologue computes it once per run.
// Element lists passed to run() should not repeat an element for statements that
// update arrays (the last write wins there); gather targets (`ge_post += w`)
// accumulate correctly over repeats, and scalar targets apply `+=` once per element.
//
// Contiguous runs of programs made only of arithmetic, comparisons, abs, sqrt, exp,
// sign, min/max (clip) and logic over arrays, scalars and constants run as one loop
// of machine code per program (expr/jit.hpp) instead of one pass per instruction.
//
// Arithmetic rounds exactly as written (no fused multiply-add contraction), so a
// compiled value equals evaluate()'s and constant folding's bit for bit.
// A Program is not thread-safe (it owns scratch registers); copy it per thread.
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "soma/core/random.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/expr/ast.hpp"
#include "soma/expr/parser.hpp"

namespace soma::expr {

class Bindings {
 public:
  // A value fixed now and folded into the program (model constants).
  Bindings& constant(const std::string& name, double value);
  // One shared value read at every run through the pointer (t, dt, a fitted
  // parameter); statements may assign to it (the last element's value wins).
  Bindings& scalar(const std::string& name, double* value);
  // Per-element values: element e reads and writes data[e].
  Bindings& array(const std::string& name, double* data);
  // Element e reads data[index[e]]; assignments scatter to data[index[e]].
  Bindings& gather(const std::string& name, double* data, const int32_t* index);
  // The element number e itself as a double (Brian2's i).
  Bindings& element_index(const std::string& name);
  // The generator rand() and randn() draw from, in element order. Required
  // when the program uses them; must outlive the Program.
  Bindings& rng(Rng* generator);

  enum class Kind { constant, scalar, array, gather, element_index };
  struct Entry {
    Kind kind = Kind::constant;
    double value = 0.0;
    double* data = nullptr;
    const int32_t* index = nullptr;
  };
  const Entry* find(const std::string& name) const;
  Rng* generator() const { return rng_; }
  const std::map<std::string, Entry>& entries() const { return entries_; }

 private:
  std::map<std::string, Entry> entries_{};
  Rng* rng_ = nullptr;
};

// How compile() lowers a program. The defaults round exactly as written (every
// value equals evaluate()'s bits); fit's models (src/fit/expression_model.cpp) ask
// for all three.
struct CompileOptions {
  // Common-subexpression elimination across the whole program: a pure subexpression
  // that occurs more than once (same operations on the same values: a name assigned
  // between two occurrences makes them different) is computed once and its register
  // kept until its last use. rand() and randn() are never merged. Exact: the same
  // operations on the same operands give the same bits.
  bool share_subexpressions = false;
  // Two rewrites that are not bit-exact (within 2 ulp, same sign and class):
  // - a**k for a constant integer 0 < |k| <= 8 as repeated products, left to right
  //   (then 1/product for k < 0), instead of pow (a**2 is a*a in every mode: exact);
  // - x / s, for per-element x and a shared value s (parameters, constants), as x * (1/s),
  //   1/s computed once per run. Where 1/s is not a normal number and s is finite and
  //   non-zero (|s| > 2**1022 or subnormal s, where the product would lose precision or
  //   overflow) the run divides instead: every such division of that run does.
  bool fast_arithmetic = false;
};

class Program {
 public:
  static constexpr size_t kBlock = 256;

  Program();
  ~Program();
  Program(const Program&);
  Program& operator=(const Program&);
  Program(Program&&) noexcept;
  Program& operator=(Program&&) noexcept;

  // Statements: runs every statement for elements 0..n-1, or only the listed ones.
  void run(size_t n);
  void run(std::span<const int32_t> elements);

  // Expression programs: out[k] = value for element k (or for elements[k]).
  void evaluate(size_t n, double* out);
  void evaluate(std::span<const int32_t> elements, double* out);

  // Conditions: `out` is replaced by the elements (ascending within the given
  // order) where the value is non-zero. Thresholds: where(n, spikes).
  void where(size_t n, std::vector<int32_t>& out);
  void where(std::span<const int32_t> elements, std::vector<int32_t>& out);

  // Re-points a binding made at compile time (after a vector grew, say).
  // The kind must match the original binding; throws soma::Error otherwise.
  void rebind_array(const std::string& name, double* data);
  void rebind_gather(const std::string& name, double* data, const int32_t* index);
  void rebind_scalar(const std::string& name, double* value);
  void rebind_rng(Rng* generator);

  bool has_result() const;  // compiled from an expression
  // Whether run(n) (statements) or evaluate(n, out) and where(n, out) (an expression) run as
  // machine code (expr/jit.hpp): all operations element-wise with an exact
  // equivalent, on a machine that can run it. The values are the same either way.
  bool uses_machine_code() const;
  size_t instruction_count() const;
  std::string disassemble() const;  // one instruction per line, for debugging

  struct Impl;

 private:
  friend Program compile(const Expr&, const Bindings&, const CompileOptions&);
  friend Program compile(const std::vector<Statement>&, const Bindings&, const CompileOptions&);
  std::unique_ptr<Impl> impl_;
};

// Compiles an expression (its value is the program's result) or statements.
// Throws soma::Error naming unknown symbols or functions, wrong argument counts,
// assignments to constants, and rand()/randn() without an Rng.
// Statements writing several output arrays make one program with several outputs (fit
// computes a model and its derivatives as one).
Program compile(const Expr& e, const Bindings& bindings, const CompileOptions& options = {});
Program compile(const std::vector<Statement>& statements, const Bindings& bindings,
                const CompileOptions& options = {});

// Reference tree-walking evaluation of one value (slow; for tests, constants
// and one-off values). Unit names and pi resolve as in compile.
double evaluate(const Expr& e, const std::map<std::string, double>& values, Rng* rng = nullptr);

}  // namespace soma::expr
