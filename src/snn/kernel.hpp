#pragma once
// A compiled array program: the form every equation, condition and statement of a
// network takes at run time. A list of assignments (`_A_v = ...; _v = ...`) is
// lowered once to register operations; evaluation then walks the elements in
// blocks of kBlock, each operation a tight loop the compiler vectorises.
// Sub-expressions that touch no per-element value (constants, t, dt, exp(-dt/tau))
// are computed once per evaluation, not once per element.
//
// Elements are picked either contiguously (a neuron group's state update) or through
// index lists (a reset over the spiking neurons, on_pre over the synapses whose
// spikes arrive: an element k is synapse s[k], its presynaptic neuron pre[k] and its
// postsynaptic neuron post[k]).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "soma/core/philox.hpp"
#include "soma/core/random.hpp"
#include "soma/expr/ast.hpp"
#include "soma/expr/jit.hpp"

namespace soma::snn {

// Which index list chooses an array's element for evaluation element k.
enum class IndexRole : uint8_t { self, pre, post };

// A TimedArray (Brian2): a table of values, one row per `dt` of time, called in
// expressions as name(t) (one column) or name(t, i) (a column per element).
struct TimedTable {
  std::vector<double> values;  // [row * cols + column]
  int64_t rows = 0, cols = 1;
  bool two_d = false;
  double dt = 0.0;
  // Brian2's look-up: step = int((t/epsilon + 0.5)/K) with epsilon = dt/K, K an
  // upsampling factor from the group's dt, so that a time a rounding error below a
  // row's start still finds that row; the step is clipped to the table and a column
  // outside it gives NaN.
  double epsilon = 0.0, upsample = 1.0;
  TimedTable(std::vector<double> v, int64_t rows_, int64_t cols_, bool two_d_, double dt_,
             double group_dt);
  double at(double t, double column) const;
};

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

// The index lists of an indexed evaluation (unused roles may be empty).
struct Indices {
  const int32_t* self = nullptr;
  const int32_t* pre = nullptr;
  const int32_t* post = nullptr;
};

// Counter-based draws (soma/core/philox.hpp) for what a network draws while it is
// built (initial values, connectivity): rand() and randn() of evaluation element e come
// from Philox(key, {site, a[e], b[e], c[e]}), site the draw's place in the program, the
// words naming the element (a neuron, a synapse's source, target and duplicate number).
// An element's numbers are then the same whoever evaluates it, with whichever others:
// a rank evaluates its own elements only (ranks.hpp). A null word array reads as 0.
struct ElementStreams {
  PhiloxKey key{};
  const int32_t* a = nullptr;
  const int32_t* b = nullptr;
  const int32_t* c = nullptr;
};

class Program {
 public:
  static constexpr int kBlock = 256;

  // `where` names the source in error messages ("group P: state update").
  Program(const std::vector<Assignment>& code, const Resolver& resolve, std::string where);
  Program() = default;

  // One result of the last block evaluated: a vector or a value shared by all elements.
  struct Value {
    const double* ptr = nullptr;  // nullptr: use `scalar`
    double scalar = 0.0;
    double operator[](int k) const { return ptr ? ptr[k] : scalar; }
  };

  // Evaluates over elements [0, n) (contiguous, self index = element) or over index
  // lists, calling sink(first, count) after each block; inside, result(i) is assignment
  // i's value for the block's elements.
  void run(int64_t n, const Indices* indices, Rng& rng,
           const std::function<void(int64_t first, int count)>& sink) {
    run(0, n, indices, rng, sink);
  }
  // The same over elements [begin, end) only: a rank's share of a group (ranks.hpp).
  // Blocks start at `begin`, which the split keeps a multiple of kBlock.
  void run(int64_t begin, int64_t end, const Indices* indices, Rng& rng,
           const std::function<void(int64_t first, int count)>& sink);
  // The same with rand() and randn() drawn per element from counter-based streams.
  void run(int64_t n, const Indices* indices, const ElementStreams& streams,
           const std::function<void(int64_t first, int count)>& sink);
  Value result(size_t assignment) const;
  // Makes assignment `i` write its values straight into array[element] in contiguous
  // runs (result(i) then points into the array), saving a copy pass. Refused (false)
  // where a later operation still reads `array` or the value is not per element.
  bool write_to(size_t assignment, double* array);
  bool empty() const { return ops_.empty() && outputs_.empty(); }
  size_t vector_ops() const { return ops_.size(); }
  int vector_registers() const { return vector_slots_; }
  // True when assignment `i` is the same for every element (no per-element input).
  bool is_scalar(size_t assignment) const { return !outputs_[assignment].vector; }

  // The per-element operations as nodes of a machine-code kernel (expr/jit), for
  // contiguous evaluation, appended to `spec`: array inputs become loads of the array
  // numbered `array_number(array)`, values shared by all elements the scalars from
  // `scalar_base` on (run() passes scalar_values() there, after update_scalars()).
  // `known` lists arrays whose current values are nodes already (an earlier load, or
  // the value just stored): they are used instead of new loads, and this call's
  // loads are added. Returns each assignment's node, or nullopt where an operation or
  // input has no node form (pow, log, rand, the index i...): the caller keeps run().
  using KnownArrays = std::vector<std::pair<const double*, int32_t>>;
  std::optional<std::vector<int32_t>> lower(
      expr::jit::Spec& spec, const std::function<int32_t(const double*)>& array_number,
      int32_t scalar_base, KnownArrays& known) const;
  // Computes the values shared by all elements (t, dt, exp(-dt/tau)...) for an
  // evaluation now: what run() does first.
  void update_scalars();
  const std::vector<double>& scalar_values() const { return scalars_; }

 private:
  struct Operand {
    int slot = 0;
    bool vector = false;
  };
  struct Op {
    uint8_t code = 0;
    Operand dst, a, b, c;
    double* direct = nullptr;           // write_to: the array written in contiguous runs
    const TimedTable* table = nullptr;  // kTable: the TimedArray read
  };
  struct Input {
    int slot;
    Binding binding;
  };
  Operand compile(const expr::Expr& e);
  Operand emit(uint8_t code, Operand a, Operand b, Operand c);
  Operand constant(double v);
  void reuse_registers();
  void exec(const Op& op, int64_t first, bool contiguous, int count, Rng& rng);
  // kRand...kRandLtMul's numbers under `streams_`: 53-bit integers (u >> 11) of element
  // first + k, site `site`; randn's a Box-Muller normal of the block's two words.
  void counter_bits(uint32_t site, int64_t first, int count, uint64_t* bits) const;
  void counter_normals(uint32_t site, int64_t first, int count, double* out) const;

  Resolver resolve_;
  std::string where_;
  std::vector<std::pair<std::string, Operand>> names_;
  std::vector<double> scalars_;  // scalar slots
  std::vector<Input> scalar_inputs_, vector_inputs_;
  std::vector<Op> scalar_ops_, ops_;
  std::vector<Operand> outputs_;
  int vector_slots_ = 0;
  std::vector<double> buffers_;  // kBlock per vector slot
  std::vector<const double*> reg_;
  const ElementStreams* streams_ = nullptr;  // set while run(..., streams, ...) runs
};

}  // namespace soma::snn
