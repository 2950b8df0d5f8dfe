#pragma once
// The bytecode of expr::Program and the virtual machine that runs it, shared by
// the files that build programs (program_compiler.cpp), translate them to
// machine code (program_machine_code.cpp) and run them (program.cpp).
//
// Values at compile time are of three sorts: a constant (folded), a shared
// scalar (computed once per run by the scalar "prologue", e.g. dt*gl/c), or a
// vector register (one block of up to kBlock elements). Only vector work runs
// per block; each vector instruction is one tight loop over the block.
// Registers are pointers: loading an array in a contiguous run just points the
// register at the caller's memory (no copy); ops write into the register's own
// buffer.
#include "soma/expr/program.hpp"

// g++ contracts a*b + c into one fused multiply-add by default in C++ (clang within
// an expression); that would make compiled values differ (in the last bit) from
// constant folding and the reference evaluator. Every operation here rounds once, as
// written. Each compiler takes only its own spelling of both pragmas.
#if defined(__clang__)
#pragma clang fp contract(off)
#define SOMA_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#else
#pragma GCC optimize("fp-contract=off")
#define SOMA_IVDEP _Pragma("GCC ivdep")
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <mutex>
#include <numbers>
#include <unordered_map>

#include "detail.hpp"
#include "soma/core/cpu.hpp"
#include "soma/core/error.hpp"
#include "soma/core/vecmath.hpp"
#include "soma/expr/jit.hpp"
#include "soma/expr/timed_table.hpp"
#include "soma/expr/units.hpp"

namespace soma::expr {

// ---------------------------------------------------------------------------
// Instructions

namespace vm {

enum class Op : uint8_t {
  load_array,
  load_gather,
  load_index,
  load_scalar_ptr,
  load_indexed,   // value programs: the array at the run's index list (IndexLists)
  load_position,  // value programs: the index list's entry itself, plus an offset
  broadcast,
  rand,
  randn,
  rand_lt,      // rand() < a in one pass (the same draws as rand())
  rand_lt_mul,  // rand() < a*b, the product rounded as its own pass would round it
  // binary (mode VV / VS / SV)
  add,
  sub,
  mul,
  div,
  floordiv,
  mod,
  pow,
  lt,
  le,
  gt,
  ge,
  eq,
  ne,
  land,
  lor,
  clip_lo,
  clip_hi,
  table,  // a TimedTable at time a, column b
  // unary
  neg,
  lnot,
  exp,
  log,
  log10,
  sqrt,
  sin,
  cos,
  tan,
  tanh,
  abs,
  trunc,
  floor,
  ceil,
  sign,
  // stores
  store_array,
  store_gather,
  store_scalar,
  store_temp,
  // two arithmetic operations in one pass: (a o1 b) o2 c or a o2 (b o1 c)
  fused,
  fma,      // fma(+-a, b, +-c): o1 negates the product, o2 c (fused_multiply_add)
  exp_mul,  // exp(a*b) in one pass (exponential Euler's growth factors)
  nop,
};

inline const char* op_name(Op op) {
  static const char* names[] = {"load_array",   "load_gather",
                                "load_index",   "load_scalar_ptr",
                                "load_indexed", "load_position",
                                "broadcast",    "rand",
                                "randn",        "rand_lt",
                                "rand_lt_mul",  "add",
                                "sub",          "mul",
                                "div",          "floordiv",
                                "mod",          "pow",
                                "lt",           "le",
                                "gt",           "ge",
                                "eq",           "ne",
                                "and",          "or",
                                "clip_lo",      "clip_hi",
                                "table",        "neg",
                                "not",          "exp",
                                "log",          "log10",
                                "sqrt",         "sin",
                                "cos",          "tan",
                                "tanh",         "abs",
                                "int",          "floor",
                                "ceil",         "sign",
                                "store_array",  "store_gather",
                                "store_scalar", "store_temp",
                                "fused",        "fma",
                                "exp_mul",      "nop"};
  static_assert(sizeof(names) / sizeof(names[0]) == static_cast<size_t>(Op::nop) + 1);
  return names[static_cast<int>(op)];
}

enum class Mode : uint8_t { vv, vs, sv };

using FusedLoop = void (*)(double* d, const double* a, const double* b, const double* c, size_t n);

struct Instr {
  Op op;
  Mode mode = Mode::vv;
  AssignOp aop = AssignOp::assign;
  int32_t dst = -1;  // register (or array / scalar-ref slot for stores)
  int32_t a = -1;    // register or scalar slot
  int32_t b = -1;
  // fused, fma: third register; div (fast_arithmetic): slot of 1/b; rand, randn,
  // rand_lt(_mul): the draw's site (its number among the program's draws)
  int32_t c = -1;
  int32_t store = -1;  // compute ops: array slot the result is written to directly
  FusedLoop loop = nullptr;
  int8_t o1 = -1, o2 = -1;   // fused: the two arith_index operators, for the JIT; fma: flags
  bool right = false;        // fused: a o2 (b o1 c) rather than (a o1 b) o2 c
  double* direct = nullptr;  // value programs (write_to): the array written in place
  const TimedTable* table = nullptr;  // table
};

// The four arithmetic operators by index (add, sub, mul, div) for fused loops.
template <int O>
inline double arith(double x, double y) {
  if constexpr (O == 0) return x + y;
  if constexpr (O == 1) return x - y;
  if constexpr (O == 2) return x * y;
  return x / y;
}

// Loops write d[k] after reading every operand at k, so d may equal an operand:
// SOMA_IVDEP tells the vectoriser so (restrict would be a lie when it does).
template <int O1, int O2, bool Right>
void fused_loop(double* d, const double* a, const double* b, const double* c, size_t n) {
  SOMA_IVDEP
  for (size_t k = 0; k < n; ++k)
    d[k] = Right ? arith<O2>(a[k], arith<O1>(b[k], c[k])) : arith<O2>(arith<O1>(a[k], b[k]), c[k]);
}

template <int O1, int O2>
FusedLoop pick(bool right) {
  return right ? &fused_loop<O1, O2, true> : &fused_loop<O1, O2, false>;
}

template <int O1>
FusedLoop pick(int o2, bool right) {
  switch (o2) {
    case 0:
      return pick<O1, 0>(right);
    case 1:
      return pick<O1, 1>(right);
    case 2:
      return pick<O1, 2>(right);
    default:
      return pick<O1, 3>(right);
  }
}

inline FusedLoop fused_for(int o1, int o2, bool right) {
  switch (o1) {
    case 0:
      return pick<0>(o2, right);
    case 1:
      return pick<1>(o2, right);
    case 2:
      return pick<2>(o2, right);
    default:
      return pick<3>(o2, right);
  }
}

// Loads and plain draws: instructions that read no register (their `a` is an array or
// scalar number, if anything).
inline bool is_source_op(Op op) {
  switch (op) {
    case Op::load_array:
    case Op::load_gather:
    case Op::load_index:
    case Op::load_scalar_ptr:
    case Op::load_indexed:
    case Op::load_position:
    case Op::broadcast:
    case Op::rand:
    case Op::randn:
      return true;
    default:
      return false;
  }
}

inline bool is_store_op(Op op) {
  return op == Op::store_array || op == Op::store_gather || op == Op::store_scalar;
}

// Whether an instruction computes into the register out() picks (so that it can write
// to an array directly): not loads, draws, stores or copies.
inline bool is_compute_op(Op op) {
  return !is_source_op(op) && !is_store_op(op) && op != Op::rand_lt && op != Op::rand_lt_mul &&
         op != Op::store_temp && op != Op::nop;
}

inline int arith_index(Op op) {
  switch (op) {
    case Op::add:
      return 0;
    case Op::sub:
      return 1;
    case Op::mul:
      return 2;
    case Op::div:
      return 3;
    default:
      return -1;
  }
}

// Scalar prologue instruction: slot dst = f(slot a, slot b, slot c).
struct ScalarInstr {
  enum Kind : uint8_t { binary, function, neg, lnot, clip, reciprocal, lookup } kind;
  NodeKind bin = NodeKind::add;
  detail::Fn fn = detail::Fn::exp;
  int32_t dst, a, b = -1, c = -1;
  const TimedTable* table = nullptr;
};

struct ArraySlot {
  std::string name;
  Bindings::Kind kind;
  double* data;
  const int32_t* index;
  IndexRole role = IndexRole::self;  // indexed, indexed_position
  double offset = 0.0;               // indexed_position
};

// A value program's result: a register, or a scalar slot (shared by all elements).
struct Output {
  bool vector = false;
  int32_t id = -1;
};

struct ScalarRef {
  std::string name;
  double* ptr;
};

struct alignas(64) Block {
  double v[Program::kBlock];
};

}  // namespace vm

// Internal to the program*.cpp files, which all speak the bytecode.
using namespace vm;

struct Program::Impl {
  std::vector<double> scal;  // scalar table: constants, inputs, prologue results
  std::vector<std::pair<int32_t, int32_t>> scalar_inputs;  // (slot, scalar ref) read per run
  std::vector<ScalarRef> scalar_refs;
  std::vector<ScalarInstr> prologue;
  std::vector<Instr> body;
  std::vector<ArraySlot> arrays;
  int32_t nregs = 0;
  std::vector<Block> regs;
  std::vector<const double*> ptr;
  int32_t result = -1;
  std::vector<Output> outputs;  // value programs
  Rng* rng = nullptr;
  bool uses_rng = false;
  // Set for the duration of a value program's run (run_blocks).
  const IndexLists* lists = nullptr;
  const ElementStreams* streams = nullptr;
  Rng* run_rng = nullptr;  // the bound generator while a run's own one is in `rng`
  std::vector<std::pair<int32_t, int32_t>> splats;  // (register, scalar slot) filled per run
  // Whether this run's divisions by shared values may multiply by the reciprocal
  // (CompileOptions::fast_arithmetic): set by read_scalars().
  bool reciprocals_ok = true;
  // The body as machine code for contiguous runs (run(n), evaluate(n, out),
  // where(n, out)) where every instruction has a bit-exact JIT equivalent. The
  // spec is made at compile time; the machine code at the first contiguous run
  // (making it maps pages, which programs only ever run on element lists, such
  // as synapse updates on spikes, need not pay). Copies share it.
  struct LazyKernel {
    jit::Spec spec;
    std::once_flag once;
    std::unique_ptr<jit::Kernel> kernel;
    const jit::Kernel* get() {
      std::call_once(once, [this] {
        kernel = jit::Kernel::compile(spec);
        spec = {};
      });
      return kernel.get();
    }
  };
  std::shared_ptr<LazyKernel> machine_code;  // null where the VM must run
  std::vector<double*> kernel_arrays;        // per call: arrays[].data, then `out`
  std::vector<double> kernel_values;         // where(n): the condition's values

  void build_kernel();
  // The body as nodes of `spec`: load(array slot) gives an array's node (-1: none),
  // scalar(slot) a shared value's; node_of[register] the value each register holds at
  // the end. False where an instruction has no bit-exact node form.
  bool translate(jit::Spec& spec, const std::function<int32_t(int32_t)>& load,
                 const std::function<int32_t(int32_t)>& scalar,
                 std::vector<int32_t>& node_of) const;
  const jit::Kernel* kernel() const { return machine_code ? machine_code->get() : nullptr; }
  // The machine code for this run, scalars read, or null where the VM must run: the
  // machine code multiplies by reciprocals, so a run where one is not exact in class
  // divides on the VM.
  const jit::Kernel* kernel_for_run() {
    const jit::Kernel* k = kernel();
    if (!k) return nullptr;
    read_scalars();
    return reciprocals_ok ? k : nullptr;
  }
  // Runs the machine code; kernel_for_run() has read the scalars.
  void run_kernel(const jit::Kernel& k, size_t n, double* out) {
    kernel_arrays.clear();
    for (const ArraySlot& a : arrays) kernel_arrays.push_back(a.data);
    kernel_arrays.push_back(out);
    k.run(kernel_arrays.data(), scal.data(), static_cast<int64_t>(n));
  }

  double* buf(int32_t r) { return regs[static_cast<size_t>(r)].v; }

  // Prepares a run over n elements: reads shared scalars, runs the scalar
  // prologue, fills the registers that hold a scalar for fused loops.
  void begin_run(size_t n) {
    if (regs.size() != static_cast<size_t>(nregs)) regs.resize(static_cast<size_t>(nregs));
    ptr.assign(static_cast<size_t>(nregs), nullptr);
    finish_begin_run(std::min(n, Program::kBlock));
  }

  void finish_begin_run(size_t fill) {
    read_scalars();
    for (const auto& [r, slot] : splats) {
      double* d = buf(r);
      std::fill(d, d + fill, scal[slot]);
      ptr[r] = d;
    }
  }

  // Shared scalars and the values computed from them once per run.
  void read_scalars() {
    for (const auto& [slot, ref] : scalar_inputs) scal[slot] = *scalar_refs[ref].ptr;
    reciprocals_ok = true;
    for (const auto& s : prologue) {
      double& d = scal[s.dst];
      switch (s.kind) {
        case ScalarInstr::binary:
          d = detail::apply_binary(s.bin, scal[s.a], scal[s.b]);
          break;
        case ScalarInstr::function:
          d = detail::apply_function(s.fn, scal[s.a]);
          break;
        case ScalarInstr::neg:
          d = -scal[s.a];
          break;
        case ScalarInstr::lnot:
          d = scal[s.a] == 0 ? 1.0 : 0.0;
          break;
        case ScalarInstr::clip:
          d = detail::clip(scal[s.a], scal[s.b], scal[s.c]);
          break;
        case ScalarInstr::lookup:
          d = s.table->at(scal[s.a], scal[s.b]);
          break;
        case ScalarInstr::reciprocal: {
          // Exact in class where 1/s is normal or s is 0, +-inf or NaN (see
          // program_compiler.cpp, reciprocal_exact_in_class).
          const double v = scal[s.a];
          d = 1.0 / v;
          reciprocals_ok = reciprocals_ok && (!std::isfinite(v) || v == 0 || std::isnormal(d));
          break;
        }
      }
    }
  }

  // Where a compute op writes: straight into the target array in a contiguous
  // run (or a value program's write_to array in a run without index lists), else its
  // own register (scattered by done() for element lists).
  double* out(const Instr& in, size_t start, const int32_t* elems) {
    if (in.store >= 0 && !elems) return arrays[in.store].data + start;
    if (in.direct && !lists) return in.direct + start;
    return buf(in.dst);
  }
  void done(const Instr& in, double* d, const int32_t* elems, size_t len) {
    ptr[in.dst] = d;
    if (in.store >= 0 && elems) {
      double* t = arrays[in.store].data;
      for (size_t k = 0; k < len; ++k) t[elems[k]] = d[k];
    }
  }

  template <class F>
  [[gnu::always_inline]] void binary(const Instr& in, size_t start, const int32_t* elems,
                                     size_t len, F f) {
    double* d = out(in, start, elems);
    switch (in.mode) {
      case Mode::vv: {
        const double* x = ptr[in.a];
        const double* y = ptr[in.b];
        SOMA_IVDEP
        for (size_t k = 0; k < len; ++k) d[k] = f(x[k], y[k]);
        break;
      }
      case Mode::vs: {
        const double* x = ptr[in.a];
        const double y = scal[in.b];
        SOMA_IVDEP
        for (size_t k = 0; k < len; ++k) d[k] = f(x[k], y);
        break;
      }
      case Mode::sv: {
        const double x = scal[in.a];
        const double* y = ptr[in.b];
        SOMA_IVDEP
        for (size_t k = 0; k < len; ++k) d[k] = f(x, y[k]);
        break;
      }
    }
    done(in, d, elems, len);
  }

  template <class F>
  [[gnu::always_inline]] void unary(const Instr& in, size_t start, const int32_t* elems, size_t len,
                                    F f) {
    double* d = out(in, start, elems);
    const double* x = ptr[in.a];
    SOMA_IVDEP
    for (size_t k = 0; k < len; ++k) d[k] = f(x[k]);
    done(in, d, elems, len);
  }

  template <class F>
  static void store(double* t, const double* v, size_t len, F f) {
    SOMA_IVDEP
    for (size_t k = 0; k < len; ++k) t[k] = f(t[k], v[k]);
  }

  static double combine(AssignOp op, double t, double v) {
    switch (op) {
      case AssignOp::assign:
        return v;
      case AssignOp::add:
        return t + v;
      case AssignOp::sub:
        return t - v;
      case AssignOp::mul:
        return t * v;
      case AssignOp::div:
        return t / v;
    }
    return v;
  }

  // Position e's two 64-bit words in draw site `site`'s counter-based stream.
  std::array<uint64_t, 2> element_draw(uint32_t site, size_t e) const {
    const ElementStreams& s = *streams;
    const PhiloxCounter ctr{site, static_cast<uint32_t>(s.a ? s.a[e] : 0),
                            static_cast<uint32_t>(s.b ? s.b[e] : 0),
                            static_cast<uint32_t>(s.c ? s.c[e] : 0)};
    return philox_u64x2(ctr, s.key);
  }

  // rand(), randn() and the fused rand() < x: 53-bit integers u (Rng::uniform() is
  // u * 2^-53), from the generator in element order or from the element's own stream.
  // rand() < x is u * 2^-53 < x, that is u < x * 2^53: scaling by a power of two is
  // exact, so the comparison is the same without the multiply.
  void draw(const Instr& in, size_t start, size_t len) {
    double* d = buf(in.dst);
    ptr[in.dst] = d;
    if (streams) return draw_counter(in, start, len, d);
    Rng g = *rng;  // the generator's state in registers for the loop
    // Operands (rand_lt and rand_lt_mul only): a register, or a scalar slot by mode.
    const bool has_a = in.a >= 0, has_b = in.b >= 0;
    const double* x = has_a && in.mode != Mode::sv ? ptr[in.a] : nullptr;
    const double* y = has_b && in.mode != Mode::vs ? ptr[in.b] : nullptr;
    const double sx = has_a && !x ? scal[in.a] : 0.0, sy = has_b && !y ? scal[in.b] : 0.0;
    auto u = [&g] { return static_cast<double>(g.next_u64() >> 11); };
    switch (in.op) {
      case Op::rand:
        for (size_t k = 0; k < len; ++k) d[k] = u() * 0x1.0p-53;
        break;
      case Op::randn:
        for (size_t k = 0; k < len; ++k) d[k] = g.normal();
        break;
      case Op::rand_lt:  // one loop per operand shape (a draw per element stays serial)
        if (x)
          for (size_t k = 0; k < len; ++k) d[k] = u() < x[k] * 0x1.0p53 ? 1.0 : 0.0;
        else
          for (size_t k = 0; k < len; ++k) d[k] = u() < sx * 0x1.0p53 ? 1.0 : 0.0;
        break;
      default:  // rand_lt_mul: the product rounded first, as its own pass would round it
        if (x && !y)
          for (size_t k = 0; k < len; ++k) d[k] = u() < (x[k] * sy) * 0x1.0p53 ? 1.0 : 0.0;
        else if (!x && y)
          for (size_t k = 0; k < len; ++k) d[k] = u() < (sx * y[k]) * 0x1.0p53 ? 1.0 : 0.0;
        else
          for (size_t k = 0; k < len; ++k) d[k] = u() < (x[k] * y[k]) * 0x1.0p53 ? 1.0 : 0.0;
        break;
    }
    *rng = g;
  }

  // draw() from counter-based streams: position e's numbers in site in.c.
  void draw_counter(const Instr& in, size_t start, size_t len, double* d) const {
    const auto site = static_cast<uint32_t>(in.c);
    if (in.op == Op::randn) {
      for (size_t k = 0; k < len; ++k) {
        const auto w = element_draw(site, start + k);
        // Box-Muller: u1 in (0, 1] keeps the logarithm finite.
        const double u1 = static_cast<double>((w[0] >> 11) + 1) * 0x1.0p-53;
        const double u2 = static_cast<double>(w[1] >> 11) * 0x1.0p-53;
        d[k] = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
      }
      return;
    }
    const bool va = in.mode != Mode::sv, vb = in.mode != Mode::vs;
    for (size_t k = 0; k < len; ++k) {
      const auto u = static_cast<double>(element_draw(site, start + k)[0] >> 11);
      if (in.op == Op::rand) {
        d[k] = u * 0x1.0p-53;
        continue;
      }
      double x = va ? ptr[in.a][k] : scal[in.a];
      if (in.op == Op::rand_lt_mul) x *= vb ? ptr[in.b][k] : scal[in.b];
      d[k] = u < x * 0x1.0p53 ? 1.0 : 0.0;
    }
  }

  // One block: elements start..start+len-1, or elems[0..len-1] when elems is set.
  //
  // The VM is library code compiled for the x86-64 baseline; its block loops are compiled
  // twice more here with GCC's target attribute (ISA flags only, so the loop helpers still
  // inline) and the copy for soma's CPU level (soma::cpu::active()) runs. Multiply-adds
  // stay unfused (fp-contract=off above): every level gives evaluate()'s bits.
  void exec_block(size_t start, const int32_t* elems, size_t len) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__AVX2__)
    static const cpu::Isa level = cpu::active();
    if (level == cpu::Isa::avx512) return exec_block_avx512(start, elems, len);
    if (level == cpu::Isa::avx2) return exec_block_avx2(start, elems, len);
#endif
    exec_block_body(start, elems, len);
  }
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__AVX2__)
  [[gnu::noinline, gnu::target("avx2,fma,bmi,bmi2,lzcnt,movbe,f16c")]] void exec_block_avx2(
      size_t start, const int32_t* elems, size_t len) {
    exec_block_body(start, elems, len);
  }
  [[gnu::noinline, gnu::target("avx512f,avx512bw,avx512cd,avx512dq,avx512vl,avx2,fma,bmi,bmi2,"
                               "lzcnt,movbe,f16c")]] void
  exec_block_avx512(size_t start, const int32_t* elems, size_t len) {
    exec_block_body(start, elems, len);
  }
#endif
  [[gnu::always_inline]] inline void exec_block_body(size_t start, const int32_t* elems,
                                                     size_t len) {
    auto element = [&](size_t k) -> size_t {
      return elems ? static_cast<size_t>(elems[k]) : start + k;
    };
    for (const Instr& in : body) {
      switch (in.op) {
        case Op::load_array: {
          const ArraySlot& s = arrays[in.a];
          if (!elems) {
            ptr[in.dst] = s.data + start;
          } else {
            double* d = buf(in.dst);
            for (size_t k = 0; k < len; ++k) d[k] = s.data[elems[k]];
            ptr[in.dst] = d;
          }
          break;
        }
        case Op::load_gather: {
          const ArraySlot& s = arrays[in.a];
          double* d = buf(in.dst);
          for (size_t k = 0; k < len; ++k) d[k] = s.data[s.index[element(k)]];
          ptr[in.dst] = d;
          break;
        }
        case Op::load_index: {
          double* d = buf(in.dst);
          for (size_t k = 0; k < len; ++k) d[k] = static_cast<double>(element(k));
          ptr[in.dst] = d;
          break;
        }
        case Op::load_indexed: {
          const ArraySlot& s = arrays[in.a];
          const int32_t* list = lists ? lists->of(s.role) : nullptr;
          if (!list && !elems) {
            ptr[in.dst] = s.data + start;  // read in place
          } else {
            double* d = buf(in.dst);
            if (list)
              for (size_t k = 0; k < len; ++k) d[k] = s.data[list[start + k]];
            else
              for (size_t k = 0; k < len; ++k) d[k] = s.data[elems[k]];
            ptr[in.dst] = d;
          }
          break;
        }
        case Op::load_position: {
          const ArraySlot& s = arrays[in.a];
          const int32_t* list = lists ? lists->of(s.role) : nullptr;
          double* d = buf(in.dst);
          if (list)
            for (size_t k = 0; k < len; ++k) d[k] = static_cast<double>(list[start + k]) + s.offset;
          else
            for (size_t k = 0; k < len; ++k) d[k] = static_cast<double>(element(k)) + s.offset;
          ptr[in.dst] = d;
          break;
        }
        case Op::load_scalar_ptr: {
          double* d = buf(in.dst);
          const double v = *scalar_refs[in.a].ptr;
          for (size_t k = 0; k < len; ++k) d[k] = v;
          ptr[in.dst] = d;
          break;
        }
        case Op::broadcast: {
          double* d = buf(in.dst);
          const double v = scal[in.a];
          for (size_t k = 0; k < len; ++k) d[k] = v;
          ptr[in.dst] = d;
          break;
        }
        case Op::rand:
        case Op::randn:
        case Op::rand_lt:
        case Op::rand_lt_mul:
          draw(in, start, len);
          break;
        case Op::table: {
          const TimedTable* t = in.table;
          binary(in, start, elems, len, [t](double x, double y) { return t->at(x, y); });
          break;
        }
        case Op::fma: {
          double* d = out(in, start, elems);
          const double* x = ptr[in.a];
          const double* y = ptr[in.b];
          const double* z = ptr[in.c];
          if (in.o1 == 0 && in.o2 == 0) {
            SOMA_IVDEP
            for (size_t k = 0; k < len; ++k) d[k] = std::fma(x[k], y[k], z[k]);
          } else if (in.o1 == 0) {
            SOMA_IVDEP
            for (size_t k = 0; k < len; ++k) d[k] = std::fma(x[k], y[k], -z[k]);
          } else {
            SOMA_IVDEP
            for (size_t k = 0; k < len; ++k) d[k] = std::fma(-x[k], y[k], z[k]);
          }
          done(in, d, elems, len);
          break;
        }
        case Op::exp_mul: {
          double* d = out(in, start, elems);
          const double* x = ptr[in.a];
          const double* y = ptr[in.b];
          SOMA_IVDEP
          for (size_t k = 0; k < len; ++k) d[k] = vecmath::exp(x[k] * y[k]);
          done(in, d, elems, len);
          break;
        }
        case Op::add:
          binary(in, start, elems, len, [](double x, double y) { return x + y; });
          break;
        case Op::sub:
          binary(in, start, elems, len, [](double x, double y) { return x - y; });
          break;
        case Op::mul:
          binary(in, start, elems, len, [](double x, double y) { return x * y; });
          break;
        case Op::div:
          if (in.c >= 0 && reciprocals_ok) {
            Instr times = in;  // x * (1/s), 1/s in slot c (fast_arithmetic)
            times.b = in.c;
            binary(times, start, elems, len, [](double x, double y) { return x * y; });
          } else {
            binary(in, start, elems, len, [](double x, double y) { return x / y; });
          }
          break;
        case Op::floordiv:
          binary(in, start, elems, len, [](double x, double y) { return std::floor(x / y); });
          break;
        case Op::mod:
          binary(in, start, elems, len,
                 [](double x, double y) { return detail::python_mod(x, y); });
          break;
        case Op::pow:
          binary(in, start, elems, len, [](double x, double y) { return std::pow(x, y); });
          break;
        case Op::lt:
          binary(in, start, elems, len, [](double x, double y) { return x < y ? 1.0 : 0.0; });
          break;
        case Op::le:
          binary(in, start, elems, len, [](double x, double y) { return x <= y ? 1.0 : 0.0; });
          break;
        case Op::gt:
          binary(in, start, elems, len, [](double x, double y) { return x > y ? 1.0 : 0.0; });
          break;
        case Op::ge:
          binary(in, start, elems, len, [](double x, double y) { return x >= y ? 1.0 : 0.0; });
          break;
        case Op::eq:
          binary(in, start, elems, len, [](double x, double y) { return x == y ? 1.0 : 0.0; });
          break;
        case Op::ne:
          binary(in, start, elems, len, [](double x, double y) { return x != y ? 1.0 : 0.0; });
          break;
        case Op::land:
          binary(in, start, elems, len,
                 [](double x, double y) { return (x != 0 && y != 0) ? 1.0 : 0.0; });
          break;
        case Op::lor:
          binary(in, start, elems, len,
                 [](double x, double y) { return (x != 0 || y != 0) ? 1.0 : 0.0; });
          break;
        case Op::clip_lo:
          binary(in, start, elems, len, [](double x, double lo) { return x < lo ? lo : x; });
          break;
        case Op::clip_hi:
          binary(in, start, elems, len, [](double x, double hi) { return x > hi ? hi : x; });
          break;
        case Op::neg:
          unary(in, start, elems, len, [](double x) { return -x; });
          break;
        case Op::lnot:
          unary(in, start, elems, len, [](double x) { return x == 0 ? 1.0 : 0.0; });
          break;
        case Op::exp:
          unary(in, start, elems, len, [](double x) { return vecmath::exp(x); });
          break;
        case Op::log:
          unary(in, start, elems, len, [](double x) { return std::log(x); });
          break;
        case Op::log10:
          unary(in, start, elems, len, [](double x) { return std::log10(x); });
          break;
        case Op::sqrt:
          unary(in, start, elems, len, [](double x) { return std::sqrt(x); });
          break;
        case Op::sin:
          unary(in, start, elems, len, [](double x) { return std::sin(x); });
          break;
        case Op::cos:
          unary(in, start, elems, len, [](double x) { return std::cos(x); });
          break;
        case Op::tan:
          unary(in, start, elems, len, [](double x) { return std::tan(x); });
          break;
        case Op::tanh:
          unary(in, start, elems, len, [](double x) { return std::tanh(x); });
          break;
        case Op::abs:
          unary(in, start, elems, len, [](double x) { return std::fabs(x); });
          break;
        case Op::trunc:
          unary(in, start, elems, len, [](double x) { return std::trunc(x); });
          break;
        case Op::floor:
          unary(in, start, elems, len, [](double x) { return std::floor(x); });
          break;
        case Op::ceil:
          unary(in, start, elems, len, [](double x) { return std::ceil(x); });
          break;
        case Op::sign:
          unary(in, start, elems, len, [](double x) { return detail::sign_of(x); });
          break;
        case Op::store_array: {
          const ArraySlot& s = arrays[in.dst];
          const double* v = ptr[in.a];
          if (!elems) {
            double* t = s.data + start;
            switch (in.aop) {
              case AssignOp::assign:
                if (t != v) std::memmove(t, v, len * sizeof(double));
                break;
              case AssignOp::add:
                store(t, v, len, [](double a, double b) { return a + b; });
                break;
              case AssignOp::sub:
                store(t, v, len, [](double a, double b) { return a - b; });
                break;
              case AssignOp::mul:
                store(t, v, len, [](double a, double b) { return a * b; });
                break;
              case AssignOp::div:
                store(t, v, len, [](double a, double b) { return a / b; });
                break;
            }
          } else {
            for (size_t k = 0; k < len; ++k) {
              double& t = s.data[elems[k]];
              t = combine(in.aop, t, v[k]);
            }
          }
          break;
        }
        case Op::store_gather: {
          // One element at a time, in order: synapses sharing a target accumulate.
          const ArraySlot& s = arrays[in.dst];
          const double* v = ptr[in.a];
          for (size_t k = 0; k < len; ++k) {
            double& t = s.data[s.index[element(k)]];
            t = combine(in.aop, t, v[k]);
          }
          break;
        }
        case Op::store_scalar: {
          double* t = scalar_refs[in.dst].ptr;
          const double* v = ptr[in.a];
          for (size_t k = 0; k < len; ++k) *t = combine(in.aop, *t, v[k]);
          break;
        }
        case Op::fused: {
          double* d = out(in, start, elems);
          in.loop(d, ptr[in.a], ptr[in.b], ptr[in.c], len);
          done(in, d, elems, len);
          break;
        }
        case Op::nop:
          break;
        case Op::store_temp: {
          double* d = buf(in.dst);
          if (d != ptr[in.a]) std::memmove(d, ptr[in.a], len * sizeof(double));
          ptr[in.dst] = d;
          break;
        }
      }
    }
  }
};

}  // namespace soma::expr
