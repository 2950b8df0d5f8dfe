#pragma once
// Machine code for element-wise array kernels. A block VM pays one pass over
// memory per operation; a statement such as a forward-Euler update has a dozen,
// where the loop a C++ programmer writes has one. This emits that one loop at run
// time (x86-64, AVX2 + FMA), so a compiled model needs no C++ compiler and still
// runs like hand-written code. Where the machine cannot run it (another
// architecture, no AVX2, SOMA_JIT=0 in the environment, executable memory
// refused), compile() returns nullptr and the caller keeps its interpreter.
//
// A kernel is a list of nodes in SSA order evaluated for every element e of
// [0, n), as if element by element in node order: a load after a store to the
// same array sees the stored value. Elements must be independent (no node reads
// another element), which is what makes evaluating several at once exact.
//
//   Spec s{.arrays = 2, .scalars = 1};                     // v += dt*ge
//   const int v = s.add({.op = Op::load, .index = 0});
//   const int ge = s.add({.op = Op::load, .index = 1});
//   const int dt = s.add({.op = Op::scalar, .index = 0});
//   const int dv = s.add({.op = Op::mul, .a = dt, .b = ge});
//   s.add({.op = Op::store, .a = s.add({.op = Op::add, .a = v, .b = dv}), .index = 0});
//   if (auto k = Kernel::compile(s)) k->run(arrays, scalars, n);   // arrays = {v, ge}
//
// Where the CPU has AVX-512F the kernel works on eight elements per instruction
// (zmm registers) instead of four; the values are the same bits either way.
// SOMA_JIT=avx2 keeps the four-wide code (to compare the two, or for machines
// where 512-bit instructions lower the clock). Results are bit-identical to a
// scalar C++ evaluation of the nodes compiled without FMA contraction: note that
// g++ contracts a*b + c into an FMA by default in C++ (even with -std=c++20),
// so a reference loop must use #pragma GCC optimize("fp-contract=off") or
// -ffp-contract=off to agree to the bit. Op::exp is vecmath::exp, the equation
// language's exp, bit for bit under any flags (its multiply-adds are explicit).
#include <cstdint>
#include <string>
#include <vector>

#include "soma/core/std_memory.hpp"

namespace soma::expr::jit {

enum class Op : uint8_t {
  load,      // arrays[index][e]
  scalar,    // scalars[index]: one value for all elements, read at each run
  constant,  // value
  add,       // a + b (rounded as C++ rounds it: no contraction into FMA)
  sub,       // a - b
  mul,       // a * b
  div,       // a / b
  neg,       // -a
  abs,       // |a|
  sqrt,      // sqrt(a), correctly rounded
  min,       // a < b ? a : b
  max,       // a > b ? a : b
  fma,       // a*b + c with one rounding (std::fma)
  exp,       // soma's vectorisable exp (soma/core/vecmath.hpp's algorithm, same bits)
  lt,        // a < b: 1.0 or 0.0 (comparisons with NaN are false, as in C++)
  le,        // a <= b
  gt,        // a > b
  ge,        // a >= b
  eq,        // a == b
  ne,        // a != b
  select,    // a != 0 ? b : c
  store,     // arrays[index][e] = a
};

struct Node {
  Op op = Op::constant;
  int32_t a = -1, b = -1, c = -1;  // operands: indices of earlier nodes
  int32_t index = 0;               // load/store: array number; scalar: scalar number
  double value = 0.0;              // constant
};

struct Spec {
  int32_t arrays = 0;   // how many array pointers run() receives
  int32_t scalars = 0;  // how many scalars run() receives
  std::vector<Node> nodes{};
  // Appends a node and returns its index, for building specs readably.
  int32_t add(const Node& node) {
    nodes.push_back(node);
    return static_cast<int32_t>(nodes.size()) - 1;
  }
};

class Kernel {
 public:
  // nullptr where machine code cannot run here (see above). Throws soma::Error
  // for a malformed spec (an operand that is not an earlier node, an array or
  // scalar number out of range) — a caller bug, not a machine limitation.
  static std::unique_ptr<Kernel> compile(const Spec& spec);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // Evaluates every element of [0, n); any n >= 0 (the tail is handled inside).
  // Thread-safe: the code is read-only and keeps no state between calls.
  void run(double* const* arrays, const double* scalars, int64_t n) const;

  size_t code_bytes() const;

  struct Impl;

 private:
  explicit Kernel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True when compile() can return kernels on this machine.
bool available();
// What compile() produces here, for `soma info`: "avx512 (8 doubles per instruction)",
// "avx2 (4 doubles per instruction)", or "off: ..." with the reason.
std::string status();

}  // namespace soma::expr::jit
