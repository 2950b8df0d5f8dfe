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
// compiled value equals evaluate()'s and constant folding's bit for bit, unless
// CompileOptions::fused_multiply_add asks for one rounding per a*b + c.
// A Program is not thread-safe (it owns scratch registers); copy it per thread.
//
// Value programs (compile_values) are the form spiking networks use: a list of
// assignments to temporaries ("_v = ...; _ge = ..."), each a result the caller reads
// block by block (run_blocks, result) and writes where it wants (a neuron's new state
// only where it is not refractory, say). Their per-element inputs are read through index
// lists given per run (Bindings::indexed: element k of a synapse update reads a
// presynaptic variable at pre[k]), their random numbers may come from counter-based
// streams (ElementStreams), and they lower into a larger machine-code kernel (lower).
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "soma/core/philox.hpp"
#include "soma/core/random.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/expr/ast.hpp"
#include "soma/expr/parser.hpp"

namespace soma::expr {

struct TimedTable;  // soma/expr/timed_table.hpp
namespace jit {
struct Spec;  // soma/expr/jit.hpp
}

// Which index list of a run picks an indexed binding's element (run_blocks): the
// element's own (a synapse, a neuron of a reset) or one of two related ones (a
// synapse's presynaptic and postsynaptic neurons).
enum class IndexRole : uint8_t { self, pre, post };

// The index lists of one run over positions [begin, end): position k reads a `role`
// binding at list[k]. A null list (and no lists at all) reads at k itself.
struct IndexLists {
  const int32_t* self = nullptr;
  const int32_t* pre = nullptr;
  const int32_t* post = nullptr;
  const int32_t* of(IndexRole r) const {
    return r == IndexRole::self ? self : r == IndexRole::pre ? pre : post;
  }
};

// Counter-based draws (soma/core/philox.hpp), for what a network draws while it is
// built (initial values, connectivity): rand() and randn() at position e come from
// Philox(key, {site, a[e], b[e], c[e]}), site the draw's number in the program (0 for its
// first rand() or randn(), then 1...), the words naming the element (a neuron, a
// synapse's source, target and duplicate number). An element's numbers are then the
// same whoever evaluates it, with whichever others. A null word array reads as 0.
struct ElementStreams {
  PhiloxKey key{};
  const int32_t* a = nullptr;
  const int32_t* b = nullptr;
  const int32_t* c = nullptr;
};

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
  // Value programs (run_blocks): position k reads data[lists.of(role)[k]] (read only).
  Bindings& indexed(const std::string& name, const double* data, IndexRole role);
  // Value programs: the index itself, lists.of(role)[k] (or k), plus `offset`.
  Bindings& indexed_position(const std::string& name, IndexRole role, double offset = 0.0);
  // A function name(t) or name(t, i): the table's value (Brian2's TimedArray).
  Bindings& table(const std::string& name, const TimedTable* table);
  // The generator rand() and randn() draw from, in element order. Required
  // when the program uses them (value programs may instead get one per run);
  // must outlive the Program.
  Bindings& rng(Rng* generator);

  enum class Kind {
    constant,
    scalar,
    array,
    gather,
    element_index,
    indexed,
    indexed_position,
    table
  };
  struct Entry {
    Kind kind = Kind::constant;
    double value = 0.0;  // constant; indexed_position: the offset
    double* data = nullptr;
    const int32_t* index = nullptr;
    IndexRole role = IndexRole::self;  // indexed, indexed_position
    const TimedTable* table = nullptr;
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
  // a*b + c, a*b - c and c - a*b with one rounding (std::fma), one pass over a block
  // instead of two: what spiking networks' state updates ask for (Brian2's generated C++
  // is compiled with contraction on). The machine code fuses the same operations.
  bool fused_multiply_add = false;
  // The program's name in error messages ("group P: state update"); read while
  // compile() runs only.
  const char* source = nullptr;
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

  // ---- Value programs (compile_values)
  // One result of the block last run: per element, or one value shared by all.
  struct Value {
    const double* ptr = nullptr;  // nullptr: every element's value is `scalar`
    double scalar = 0.0;
    template <class Index>
    double operator[](Index k) const {
      return ptr ? ptr[k] : scalar;
    }
  };
  // What one run reads besides the bindings: index lists for indexed bindings, the
  // generator rand() and randn() draw from (else the one bound), or counter-based streams.
  struct Source {
    const IndexLists* lists = nullptr;
    Rng* rng = nullptr;
    const ElementStreams* streams = nullptr;
  };
  // Evaluates positions [begin, end) in blocks of kBlock (starting at `begin`), calling
  // sink(first, count) after each; inside, result(i) is assignment i's value there.
  template <class Sink>
  void run_blocks(int64_t begin, int64_t end, const Source& source, Sink&& sink) {
    start_blocks(source, end - begin);
    struct EndBlocks {  // the run's lists, streams and generator are forgotten on any exit
      Program* p;
      ~EndBlocks() { p->end_blocks(); }
    } end_guard{this};
    for (int64_t first = begin; first < end; first += static_cast<int64_t>(kBlock)) {
      const int64_t left = end - first;
      const int count = static_cast<int>(left < static_cast<int64_t>(kBlock) ? left : kBlock);
      run_block(first, count);
      sink(first, count);
    }
  }
  Value result(size_t assignment) const;
  // True when assignment i is the same for every element (no per-element input).
  bool is_scalar(size_t assignment) const;
  // Makes assignment i write its values straight into array[position] in runs without
  // index lists (result(i) then points into the array), saving the caller a copy pass.
  // Refused (false) where a later operation still reads `array` or the value is not
  // computed per element by an operation of its own.
  bool write_to(size_t assignment, double* array);
  // The values shared by all elements (t, dt, exp(-dt/tau)...) for a run now: what
  // run_blocks does first; lower()'s shared-value nodes read them from scalar_values().
  void update_scalars();
  const std::vector<double>& scalar_values() const;
  // The per-element operations as nodes of a machine-code kernel (expr/jit.hpp), for a
  // run without index lists, appended to `spec`: an array input becomes a load of its
  // number in `arrays` (appended there if it is not yet), shared values the scalars from
  // `scalar_base` on
  // (pass scalar_values() there, after update_scalars()). `known` lists arrays whose
  // current values are nodes already (an earlier load, a value just stored): they are
  // used instead of new loads, and this call's loads are added. Returns each assignment's
  // node, or nullopt where an operation or input has no node form (pow, log, rand, an
  // index...): the caller keeps run_blocks().
  using KnownArrays = std::vector<std::pair<const double*, int32_t>>;
  std::optional<std::vector<int32_t>> lower(jit::Spec& spec, std::vector<double*>& arrays,
                                            int32_t scalar_base, KnownArrays& known) const;

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
  friend Program compile_values(const std::vector<Statement>&, const Bindings&,
                                const CompileOptions&);
  void start_blocks(const Source& source, int64_t positions);
  void run_block(int64_t first, int count);
  void end_blocks();
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
// A value program: each statement `name = value` (plain assignments) is result i of
// run_blocks, and `name` a temporary that later statements read (it shadows a binding
// of that name from there on).
Program compile_values(const std::vector<Statement>& assignments, const Bindings& bindings,
                       const CompileOptions& options = {});

// Reference tree-walking evaluation of one value (slow; for tests, constants
// and one-off values). Unit names and pi resolve as in compile.
double evaluate(const Expr& e, const std::map<std::string, double>& values, Rng* rng = nullptr);

}  // namespace soma::expr
