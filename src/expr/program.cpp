// The compiler from expression trees to block bytecode, and the virtual machine.
//
// Values at compile time are of three sorts: a constant (folded), a shared
// scalar (computed once per run by the scalar "prologue", e.g. dt*gl/c), or a
// vector register (one block of up to kBlock elements). Only vector work runs
// per block; each vector instruction is one tight loop over the block.
// Registers are pointers: loading an array in a contiguous run just points the
// register at the caller's memory (no copy); ops write into the register's own
// buffer.
#include "soma/expr/program.hpp"

// g++ contracts a*b + c into one fused multiply-add by default in C++; that would
// make compiled values differ (in the last bit) from constant folding and the
// reference evaluator. Every operation here rounds once, as written.
#pragma GCC optimize("fp-contract=off")

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <unordered_map>

#include "detail.hpp"
#include "soma/core/error.hpp"
#include "soma/expr/units.hpp"

namespace soma::expr {

// ---------------------------------------------------------------------------
// Bindings

Bindings& Bindings::constant(const std::string& name, double value) {
  entries_[name] = Entry{Kind::constant, value, nullptr, nullptr};
  return *this;
}
Bindings& Bindings::scalar(const std::string& name, double* value) {
  entries_[name] = Entry{Kind::scalar, 0.0, value, nullptr};
  return *this;
}
Bindings& Bindings::array(const std::string& name, double* data) {
  entries_[name] = Entry{Kind::array, 0.0, data, nullptr};
  return *this;
}
Bindings& Bindings::gather(const std::string& name, double* data, const int32_t* index) {
  entries_[name] = Entry{Kind::gather, 0.0, data, index};
  return *this;
}
Bindings& Bindings::element_index(const std::string& name) {
  entries_[name] = Entry{Kind::element_index, 0.0, nullptr, nullptr};
  return *this;
}
Bindings& Bindings::rng(Rng* generator) {
  rng_ = generator;
  return *this;
}
const Bindings::Entry* Bindings::find(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------------------
// Instructions

namespace {

enum class Op : uint8_t {
  load_array,
  load_gather,
  load_index,
  load_scalar_ptr,
  broadcast,
  rand,
  randn,
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
  nop,
};

const char* op_name(Op op) {
  static const char* names[] = {"load_array",   "load_gather",  "load_index", "load_scalar_ptr",
                                "broadcast",    "rand",         "randn",      "add",
                                "sub",          "mul",          "div",        "floordiv",
                                "mod",          "pow",          "lt",         "le",
                                "gt",           "ge",           "eq",         "ne",
                                "and",          "or",           "clip_lo",    "clip_hi",
                                "neg",          "not",          "exp",        "log",
                                "log10",        "sqrt",         "sin",        "cos",
                                "tan",          "tanh",         "abs",        "int",
                                "floor",        "ceil",         "sign",       "store_array",
                                "store_gather", "store_scalar", "store_temp", "fused",
                                "nop"};
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
  int32_t c = -1;      // fused: third register
  int32_t store = -1;  // compute ops: array slot the result is written to directly
  FusedLoop loop = nullptr;
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
// ivdep tells the vectoriser so (restrict would be a lie when it does).
template <int O1, int O2, bool Right>
void fused_loop(double* d, const double* a, const double* b, const double* c, size_t n) {
#pragma GCC ivdep
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

FusedLoop fused_for(int o1, int o2, bool right) {
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

int arith_index(Op op) {
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
  enum Kind : uint8_t { binary, function, neg, lnot, clip } kind;
  NodeKind bin = NodeKind::add;
  detail::Fn fn = detail::Fn::exp;
  int32_t dst, a, b = -1, c = -1;
};

struct ArraySlot {
  std::string name;
  Bindings::Kind kind;
  double* data;
  const int32_t* index;
};

struct ScalarRef {
  std::string name;
  double* ptr;
};

struct alignas(64) Block {
  double v[Program::kBlock];
};

}  // namespace

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
  Rng* rng = nullptr;
  bool uses_rng = false;
  std::vector<std::pair<int32_t, int32_t>> splats;  // (register, scalar slot) filled per run

  double* buf(int32_t r) { return regs[static_cast<size_t>(r)].v; }

  // Prepares a run over n elements: reads shared scalars, runs the scalar
  // prologue, fills the registers that hold a scalar for fused loops.
  void begin_run(size_t n) {
    if (regs.size() != static_cast<size_t>(nregs)) regs.resize(static_cast<size_t>(nregs));
    ptr.assign(static_cast<size_t>(nregs), nullptr);
    finish_begin_run(std::min(n, Program::kBlock));
  }

  void finish_begin_run(size_t fill) {
    for (const auto& [slot, ref] : scalar_inputs) scal[slot] = *scalar_refs[ref].ptr;
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
      }
    }
    for (const auto& [r, slot] : splats) {
      double* d = buf(r);
      std::fill(d, d + fill, scal[slot]);
      ptr[r] = d;
    }
  }

  // Where a compute op writes: straight into the target array in a contiguous
  // run, else its own register (scattered by done() for element lists).
  double* out(const Instr& in, size_t start, const int32_t* elems) {
    if (in.store >= 0 && !elems) return arrays[in.store].data + start;
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
  void binary(const Instr& in, size_t start, const int32_t* elems, size_t len, F f) {
    double* d = out(in, start, elems);
    switch (in.mode) {
      case Mode::vv: {
        const double* x = ptr[in.a];
        const double* y = ptr[in.b];
#pragma GCC ivdep
        for (size_t k = 0; k < len; ++k) d[k] = f(x[k], y[k]);
        break;
      }
      case Mode::vs: {
        const double* x = ptr[in.a];
        const double y = scal[in.b];
#pragma GCC ivdep
        for (size_t k = 0; k < len; ++k) d[k] = f(x[k], y);
        break;
      }
      case Mode::sv: {
        const double x = scal[in.a];
        const double* y = ptr[in.b];
#pragma GCC ivdep
        for (size_t k = 0; k < len; ++k) d[k] = f(x, y[k]);
        break;
      }
    }
    done(in, d, elems, len);
  }

  template <class F>
  void unary(const Instr& in, size_t start, const int32_t* elems, size_t len, F f) {
    double* d = out(in, start, elems);
    const double* x = ptr[in.a];
#pragma GCC ivdep
    for (size_t k = 0; k < len; ++k) d[k] = f(x[k]);
    done(in, d, elems, len);
  }

  template <class F>
  static void store(double* t, const double* v, size_t len, F f) {
#pragma GCC ivdep
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

  // One block: elements start..start+len-1, or elems[0..len-1] when elems is set.
  void exec_block(size_t start, const int32_t* elems, size_t len) {
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
        case Op::randn: {
          double* d = buf(in.dst);
          if (in.op == Op::rand)
            for (size_t k = 0; k < len; ++k) d[k] = rng->uniform();
          else
            for (size_t k = 0; k < len; ++k) d[k] = rng->normal();
          ptr[in.dst] = d;
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
          binary(in, start, elems, len, [](double x, double y) { return x / y; });
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
          unary(in, start, elems, len, [](double x) { return std::exp(x); });
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

// ---------------------------------------------------------------------------
// Compiler

namespace {

bool is_compute(Op op) {
  return op != Op::load_array && op != Op::load_gather && op != Op::load_index &&
         op != Op::load_scalar_ptr && op != Op::broadcast && op != Op::rand && op != Op::randn &&
         op != Op::store_array && op != Op::store_gather && op != Op::store_scalar &&
         op != Op::store_temp && op != Op::nop;
}

struct Val {
  enum Sort { constant, scalar, vector } sort = constant;
  double value = 0.0;  // constant
  int32_t id = -1;     // scalar slot or register
  bool owned = false;  // a register this compiler may free after use
};

class Compiler {
 public:
  Compiler(Program::Impl& p, const Bindings& b) : p_(p), b_(b) { p_.rng = b.generator(); }

  Val expression(const Expr& e, const std::string& context) {
    context_ = context;
    return node(*e);
  }

  void statements(const std::vector<Statement>& list) {
    for (const auto& s : list) {
      const Bindings::Entry* be = b_.find(s.target);
      if (be && be->kind == Bindings::Kind::scalar) assigned_scalars_.insert(s.target);
    }
    for (const auto& s : list) statement(s);
  }

  int32_t to_register(Val v) {
    if (v.sort == Val::vector) return v.id;
    const int32_t r = alloc();
    emit({Op::broadcast, Mode::vv, AssignOp::assign, r, slot_of(v), -1});
    return r;
  }

  void end_statement() {
    for (auto& [name, r] : cache_) free_reg(r);
    cache_.clear();
  }

 private:
  [[noreturn]] void fail(const Node& n, const std::string& what) const {
    throw error_at(where_, line_, n.column, "in \"" + context_ + "\": " + what);
  }

  void emit(Instr in) { p_.body.push_back(in); }

  int32_t alloc() {
    int32_t r;
    if (!free_.empty()) {
      r = free_.back();
      free_.pop_back();
    } else {
      r = p_.nregs++;
    }
    producer_.erase(r);
    return r;
  }

  // A register holding scalar slot `slot` in every element, for fused loops.
  int32_t splat(int32_t slot) {
    if (auto it = splat_regs_.find(slot); it != splat_regs_.end()) return it->second;
    // A fresh register, never on the free list: earlier instructions in the block
    // must not have written to it, later ones never will.
    const int32_t r = p_.nregs++;
    p_.splats.emplace_back(r, slot);
    splat_regs_[slot] = r;
    return r;
  }

  int32_t as_register_operand(const Val& v) {
    return v.sort == Val::vector ? v.id : splat(slot_of(v));
  }

  // The instruction that computed `v` with one plain arithmetic op, if it can be
  // folded into its consumer: v is used only there (owned), and nothing emitted
  // since has overwritten the registers it reads.
  int producer_of(const Val& v) {
    if (v.sort != Val::vector || !v.owned) return -1;
    auto it = producer_.find(v.id);
    if (it == producer_.end()) return -1;
    const Instr& p = p_.body[static_cast<size_t>(it->second)];
    if (arith_index(p.op) < 0 || p.store >= 0) return -1;
    const int32_t ra = p.mode == Mode::sv ? -1 : p.a;
    const int32_t rb = p.mode == Mode::vs ? -1 : p.b;
    for (size_t j = static_cast<size_t>(it->second) + 1; j < p_.body.size(); ++j) {
      const Instr& q = p_.body[j];
      const bool writes_register = q.op != Op::store_array && q.op != Op::store_gather &&
                                   q.op != Op::store_scalar && q.op != Op::nop;
      if (writes_register && (q.dst == ra || q.dst == rb)) return -1;
    }
    return it->second;
  }

  // Operands of a plain arithmetic instruction as registers (scalars splatted).
  std::pair<int32_t, int32_t> register_operands(const Instr& p) {
    const int32_t a = p.mode == Mode::sv ? splat(p.a) : p.a;
    const int32_t b = p.mode == Mode::vs ? splat(p.b) : p.b;
    return {a, b};
  }
  void free_reg(int32_t r) { free_.push_back(r); }
  void release(const Val& v) {
    if (v.sort == Val::vector && v.owned) free_reg(v.id);
  }

  int32_t slot_of(const Val& v) {
    if (v.sort == Val::scalar) return v.id;
    // Constants share slots by bit pattern.
    uint64_t bits;
    std::memcpy(&bits, &v.value, sizeof bits);
    if (auto it = const_slots_.find(bits); it != const_slots_.end()) return it->second;
    p_.scal.push_back(v.value);
    const auto s = static_cast<int32_t>(p_.scal.size() - 1);
    const_slots_[bits] = s;
    return s;
  }

  int32_t new_scalar_slot() {
    p_.scal.push_back(0.0);
    return static_cast<int32_t>(p_.scal.size() - 1);
  }

  int32_t array_slot(const std::string& name, const Bindings::Entry& e) {
    for (size_t i = 0; i < p_.arrays.size(); ++i)
      if (p_.arrays[i].name == name) return static_cast<int32_t>(i);
    p_.arrays.push_back({name, e.kind, e.data, e.index});
    return static_cast<int32_t>(p_.arrays.size() - 1);
  }

  int32_t scalar_ref(const std::string& name, double* ptr) {
    for (size_t i = 0; i < p_.scalar_refs.size(); ++i)
      if (p_.scalar_refs[i].name == name) return static_cast<int32_t>(i);
    p_.scalar_refs.push_back({name, ptr});
    return static_cast<int32_t>(p_.scalar_refs.size() - 1);
  }

  Val cached_load(const std::string& name, Op op, int32_t operand) {
    if (auto it = cache_.find(name); it != cache_.end()) return {Val::vector, 0, it->second, false};
    const int32_t r = alloc();
    emit({op, Mode::vv, AssignOp::assign, r, operand, -1});
    cache_[name] = r;
    return {Val::vector, 0, r, false};
  }

  Val symbol_value(const Node& n) {
    const std::string& name = n.name;
    if (const Bindings::Entry* e = b_.find(name)) {
      switch (e->kind) {
        case Bindings::Kind::constant:
          return {Val::constant, e->value};
        case Bindings::Kind::scalar: {
          if (!e->data) fail(n, "scalar '" + name + "' is bound to a null pointer");
          const int32_t ref = scalar_ref(name, e->data);
          if (assigned_scalars_.count(name)) return cached_load(name, Op::load_scalar_ptr, ref);
          if (auto it = scalar_input_slots_.find(name); it != scalar_input_slots_.end())
            return {Val::scalar, 0, it->second};
          const int32_t slot = new_scalar_slot();
          p_.scalar_inputs.emplace_back(slot, ref);
          scalar_input_slots_[name] = slot;
          return {Val::scalar, 0, slot};
        }
        case Bindings::Kind::array:
          if (!e->data) fail(n, "array '" + name + "' is bound to a null pointer");
          return cached_load(name, Op::load_array, array_slot(name, *e));
        case Bindings::Kind::gather:
          if (!e->data || !e->index) fail(n, "'" + name + "' is bound to a null pointer");
          return cached_load(name, Op::load_gather, array_slot(name, *e));
        case Bindings::Kind::element_index:
          return cached_load(name, Op::load_index, -1);
      }
    }
    if (auto it = temps_.find(name); it != temps_.end()) return it->second;
    if (name == "pi") return {Val::constant, std::numbers::pi};
    if (is_noise_symbol(name))
      fail(n, "white noise '" + name +
                  "' cannot be evaluated; split the equation with split_stochastic first");
    if (auto q = lookup_unit(name)) return {Val::constant, q->value};
    fail(n, "unknown name '" + name + "' (not bound, not a unit)");
  }

  Val unary_op(const Node& n, Val a, Op op, ScalarInstr si) {
    if (a.sort == Val::constant) {
      double v = a.value;
      switch (si.kind) {
        case ScalarInstr::function:
          v = detail::apply_function(si.fn, v);
          break;
        case ScalarInstr::neg:
          v = -v;
          break;
        case ScalarInstr::lnot:
          v = v == 0 ? 1.0 : 0.0;
          break;
        default:
          break;
      }
      return {Val::constant, v};
    }
    if (a.sort == Val::scalar) {
      si.a = a.id;
      si.dst = new_scalar_slot();
      p_.prologue.push_back(si);
      return {Val::scalar, 0, si.dst};
    }
    (void)n;
    const int32_t r = alloc();
    emit({op, Mode::vv, AssignOp::assign, r, a.id, -1});
    release(a);
    return {Val::vector, 0, r, true};
  }

  Val binary_op(Val a, Val b, Op op, NodeKind k) {
    if (a.sort == Val::constant && b.sort == Val::constant)
      return {Val::constant, detail::apply_binary(k, a.value, b.value)};
    if (a.sort != Val::vector && b.sort != Val::vector) {
      ScalarInstr si{ScalarInstr::binary, k,          detail::Fn::exp,
                     new_scalar_slot(),   slot_of(a), slot_of(b)};
      if (op == Op::clip_lo || op == Op::clip_hi) {
        // clip halves have no NodeKind; run them as a scalar clip with an open bound.
        si.kind = ScalarInstr::clip;
        const int32_t inf = slot_of({Val::constant, HUGE_VAL});
        const int32_t minf = slot_of({Val::constant, -HUGE_VAL});
        si.b = op == Op::clip_lo ? slot_of(b) : minf;
        si.c = op == Op::clip_lo ? inf : slot_of(b);
      }
      p_.prologue.push_back(si);
      return {Val::scalar, 0, si.dst};
    }
    const int o2 = arith_index(op);
    if (o2 >= 0) {
      // Fold the producer of one operand into this op: one pass instead of two.
      for (const bool right : {true, false}) {
        const Val& inner = right ? b : a;
        const Val& other = right ? a : b;
        const int idx = producer_of(inner);
        if (idx < 0) continue;
        Instr& p = p_.body[static_cast<size_t>(idx)];
        const int o1 = arith_index(p.op);
        const auto [pa, pb] = register_operands(p);
        const int32_t ro = as_register_operand(other);
        const int32_t r = alloc();
        Instr f{Op::fused, Mode::vv, AssignOp::assign, r, -1, -1};
        if (right) {
          f.a = ro, f.b = pa, f.c = pb;
        } else {
          f.a = pa, f.b = pb, f.c = ro;
        }
        f.loop = fused_for(o1, o2, right);
        p.op = Op::nop;
        producer_.erase(inner.id);
        emit(f);
        release(inner);
        if (!(other.sort == Val::vector && other.id == inner.id)) release(other);
        return {Val::vector, 0, r, true};
      }
    }
    const int32_t r = alloc();
    Instr in{op, Mode::vv, AssignOp::assign, r, -1, -1};
    if (a.sort == Val::vector && b.sort == Val::vector) {
      in.a = a.id;
      in.b = b.id;
    } else if (a.sort == Val::vector) {
      in.mode = Mode::vs;
      in.a = a.id;
      in.b = slot_of(b);
    } else {
      in.mode = Mode::sv;
      in.a = slot_of(a);
      in.b = b.id;
    }
    emit(in);
    if (o2 >= 0) producer_[r] = static_cast<int>(p_.body.size() - 1);
    release(a);
    if (!(b.sort == Val::vector && a.sort == Val::vector && a.id == b.id)) release(b);
    return {Val::vector, 0, r, true};
  }

  Val node(const Node& n) {
    switch (n.kind) {
      case NodeKind::number:
        return {Val::constant, n.value};
      case NodeKind::symbol:
        return symbol_value(n);
      case NodeKind::neg:
        return unary_op(n, node(*n.args[0]), Op::neg, {ScalarInstr::neg, {}, {}, -1, -1});
      case NodeKind::logical_not:
        return unary_op(n, node(*n.args[0]), Op::lnot, {ScalarInstr::lnot, {}, {}, -1, -1});
      case NodeKind::call:
        return call_node(n);
      case NodeKind::div:
      case NodeKind::mul: {
        // -x/s == x/(-s) and (-x)*s == x*(-s) exactly (IEEE rounding is symmetric):
        // moving the sign onto a shared scalar saves a pass over the elements.
        const bool left_neg = n.args[0]->kind == NodeKind::neg;
        const bool right_neg = n.kind == NodeKind::mul && n.args[1]->kind == NodeKind::neg;
        if (left_neg || right_neg) {
          const Op op = n.kind == NodeKind::div ? Op::div : Op::mul;
          const Node& neg_side = left_neg ? *n.args[0] : *n.args[1];
          Val x = left_neg ? node(*neg_side.args[0]) : node(*n.args[0]);
          Val y = left_neg ? node(*n.args[1]) : node(*neg_side.args[0]);
          Val& plain = left_neg ? y : x;  // the side without the sign
          Val& inner = left_neg ? x : y;
          if (plain.sort != Val::vector) {
            plain = unary_op(n, plain, Op::neg, {ScalarInstr::neg, {}, {}, -1, -1});
          } else {
            inner = unary_op(n, inner, Op::neg, {ScalarInstr::neg, {}, {}, -1, -1});
          }
          return binary_op(x, y, op, n.kind);
        }
        break;
      }
      case NodeKind::pow:
        // x**2 is x*x exactly (both are one correctly rounded product), and cheaper.
        if (n.args[1]->kind == NodeKind::number && n.args[1]->value == 2.0) {
          const Val a = node(*n.args[0]);
          return binary_op(a, a, Op::mul, NodeKind::mul);
        }
        break;
      default:
        break;
    }
    static const std::pair<NodeKind, Op> table[] = {{NodeKind::add, Op::add},
                                                    {NodeKind::sub, Op::sub},
                                                    {NodeKind::mul, Op::mul},
                                                    {NodeKind::div, Op::div},
                                                    {NodeKind::floordiv, Op::floordiv},
                                                    {NodeKind::mod, Op::mod},
                                                    {NodeKind::pow, Op::pow},
                                                    {NodeKind::lt, Op::lt},
                                                    {NodeKind::le, Op::le},
                                                    {NodeKind::gt, Op::gt},
                                                    {NodeKind::ge, Op::ge},
                                                    {NodeKind::eq, Op::eq},
                                                    {NodeKind::ne, Op::ne},
                                                    {NodeKind::logical_and, Op::land},
                                                    {NodeKind::logical_or, Op::lor}};
    for (const auto& [k, op] : table)
      if (k == n.kind) {
        const Val a = node(*n.args[0]);
        const Val b = node(*n.args[1]);
        return binary_op(a, b, op, k);
      }
    fail(n, "unsupported expression node");
  }

  Val call_node(const Node& n) {
    int count = 0;
    if (!is_function(n.name, &count)) fail(n, "unknown function '" + n.name + "'");
    if (static_cast<int>(n.args.size()) != count)
      fail(n, n.name + "() takes " + std::to_string(count) + " argument" + (count == 1 ? "" : "s") +
                  ", got " + std::to_string(n.args.size()));
    if (n.name == "rand" || n.name == "randn") {
      if (!p_.rng) fail(n, n.name + "() needs a random generator: call Bindings::rng(&generator)");
      p_.uses_rng = true;
      const int32_t r = alloc();
      emit({n.name == "rand" ? Op::rand : Op::randn, Mode::vv, AssignOp::assign, r, -1, -1});
      return {Val::vector, 0, r, true};
    }
    if (n.name == "clip") {
      const Val x = node(*n.args[0]);
      const Val lo = node(*n.args[1]);
      const Val lower = binary_op(x, lo, Op::clip_lo, NodeKind::add);
      const Val hi = node(*n.args[2]);
      return binary_op(lower, hi, Op::clip_hi, NodeKind::add);
    }
    detail::Fn f{};
    detail::function_id(n.name, &f);
    static const std::pair<detail::Fn, Op> ops[] = {
        {detail::Fn::exp, Op::exp},     {detail::Fn::log, Op::log},
        {detail::Fn::log10, Op::log10}, {detail::Fn::sqrt, Op::sqrt},
        {detail::Fn::sin, Op::sin},     {detail::Fn::cos, Op::cos},
        {detail::Fn::tan, Op::tan},     {detail::Fn::tanh, Op::tanh},
        {detail::Fn::abs, Op::abs},     {detail::Fn::trunc, Op::trunc},
        {detail::Fn::floor, Op::floor}, {detail::Fn::ceil, Op::ceil},
        {detail::Fn::sign, Op::sign}};
    Op op = Op::exp;
    for (const auto& [fn, o] : ops)
      if (fn == f) op = o;
    ScalarInstr si{ScalarInstr::function, NodeKind::add, f, -1, -1};
    return unary_op(n, node(*n.args[0]), op, si);
  }

  void statement(const Statement& s) {
    context_ = s.text.empty() ? s.target + " = " + to_string(s.value) : s.text;
    where_ = "statements";
    line_ = s.line > 0 ? s.line : 1;
    auto fail_here = [&](const std::string& what) {
      throw error_at("statements", s.line, s.column, "in \"" + context_ + "\": " + what);
    };
    const Bindings::Entry* e = b_.find(s.target);
    if (e && (e->kind == Bindings::Kind::constant || e->kind == Bindings::Kind::element_index))
      fail_here("cannot assign to '" + s.target + "', which is bound as a constant");
    if (e && !e->data) fail_here("'" + s.target + "' is bound to a null pointer");
    if (e && e->kind == Bindings::Kind::gather && !e->index)
      fail_here("'" + s.target + "' is bound to a null index");
    if (!e) {
      // A temporary local to the program.
      auto it = temps_.find(s.target);
      Expr value = s.value;
      if (s.op != AssignOp::assign) {
        if (it == temps_.end())
          fail_here("'" + s.target + "' is used before it is assigned (it is not bound)");
        static const NodeKind kinds[] = {NodeKind::add, NodeKind::add, NodeKind::sub, NodeKind::mul,
                                         NodeKind::div};
        value = binary(kinds[static_cast<int>(s.op)], symbol(s.target), s.value);
      }
      // Temporaries are values, not storage: a shared scalar stays a scalar (so
      // exp(-dt/tau) is computed once per run), a freshly computed register is
      // kept as is, and only a view of caller memory is copied.
      const Val v = node(*value);
      Val bound = v;
      if (v.sort == Val::vector) {
        if (v.owned) {
          producer_.erase(v.id);
        } else {
          bound.id = alloc();
          emit({Op::store_temp, Mode::vv, AssignOp::assign, bound.id, v.id, -1});
        }
        bound.owned = false;
      }
      if (it != temps_.end() && it->second.sort == Val::vector) free_reg(it->second.id);
      temps_[s.target] = bound;
      end_statement();
      return;
    }
    if (e->kind == Bindings::Kind::array) {
      // t op= x becomes t = t op x, and the last op writes into t directly.
      static const NodeKind kinds[] = {NodeKind::add, NodeKind::add, NodeKind::sub, NodeKind::mul,
                                       NodeKind::div};
      const Expr value = s.op == AssignOp::assign
                             ? s.value
                             : binary(kinds[static_cast<int>(s.op)], symbol(s.target), s.value);
      const Val v = node(*value);
      const int32_t slot = array_slot(s.target, *e);
      if (v.sort == Val::vector && v.owned && !p_.body.empty() && p_.body.back().dst == v.id &&
          is_compute(p_.body.back().op)) {
        p_.body.back().store = slot;
        producer_.erase(v.id);
        free_reg(v.id);
      } else {
        const int32_t src = to_register(v);
        emit({Op::store_array, Mode::vv, AssignOp::assign, slot, src, -1});
        if (v.sort != Val::vector || v.owned) free_reg(src);
      }
      end_statement();
      return;
    }
    const Val v = node(*s.value);
    const int32_t src = to_register(v);
    Instr in{Op::store_array, Mode::vv, s.op, -1, src, -1};
    if (e->kind == Bindings::Kind::array) {
      in.dst = array_slot(s.target, *e);
    } else if (e->kind == Bindings::Kind::gather) {
      in.op = Op::store_gather;
      in.dst = array_slot(s.target, *e);
    } else {
      in.op = Op::store_scalar;
      in.dst = scalar_ref(s.target, e->data);
    }
    emit(in);
    if (v.sort != Val::vector || v.owned) free_reg(src);
    end_statement();
  }

  Program::Impl& p_;
  const Bindings& b_;
  std::string context_;
  std::vector<int32_t> free_;
  std::map<std::string, int32_t> cache_;  // loads reused within one statement
  std::map<std::string, Val> temps_;
  std::map<std::string, int32_t> scalar_input_slots_;
  std::unordered_map<uint64_t, int32_t> const_slots_;
  std::set<std::string> assigned_scalars_;
  std::map<int32_t, int> producer_;  // register -> plain arithmetic instruction that wrote it
  std::map<int32_t, int32_t> splat_regs_;
  std::string where_ = "expression";
  int line_ = 1;
};

}  // namespace

// ---------------------------------------------------------------------------
// Program

Program::Program() : impl_(std::make_unique<Impl>()) {}
Program::~Program() = default;
Program::Program(const Program& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
Program& Program::operator=(const Program& o) {
  if (this != &o) impl_ = std::make_unique<Impl>(*o.impl_);
  return *this;
}
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;

Program compile(const Expr& e, const Bindings& bindings) {
  if (!e) throw Error("compile: empty expression");
  Program p;
  Compiler c(*p.impl_, bindings);
  const Val v = c.expression(e, to_string(e));
  p.impl_->result = c.to_register(v);
  return p;
}

Program compile(const std::vector<Statement>& statements, const Bindings& bindings) {
  Program p;
  Compiler c(*p.impl_, bindings);
  for (const auto& s : statements)
    if (!s.value) throw Error("compile: statement for '" + s.target + "' has no value");
  c.statements(statements);
  return p;
}

namespace {
void require(bool ok, const char* what) {
  if (!ok) throw Error(what);
}
}  // namespace

void Program::run(size_t n) {
  Impl& p = *impl_;
  p.begin_run(n);
  for (size_t start = 0; start < n; start += kBlock)
    p.exec_block(start, nullptr, std::min(kBlock, n - start));
}

void Program::run(std::span<const int32_t> elements) {
  Impl& p = *impl_;
  p.begin_run(elements.size());
  for (size_t off = 0; off < elements.size(); off += kBlock)
    p.exec_block(0, elements.data() + off, std::min(kBlock, elements.size() - off));
}

void Program::evaluate(size_t n, double* out) {
  Impl& p = *impl_;
  require(p.result >= 0, "Program::evaluate: this program was compiled from statements");
  p.begin_run(n);
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t len = std::min(kBlock, n - start);
    p.exec_block(start, nullptr, len);
    std::memcpy(out + start, p.ptr[p.result], len * sizeof(double));
  }
}

void Program::evaluate(std::span<const int32_t> elements, double* out) {
  Impl& p = *impl_;
  require(p.result >= 0, "Program::evaluate: this program was compiled from statements");
  p.begin_run(elements.size());
  for (size_t off = 0; off < elements.size(); off += kBlock) {
    const size_t len = std::min(kBlock, elements.size() - off);
    p.exec_block(0, elements.data() + off, len);
    std::memcpy(out + off, p.ptr[p.result], len * sizeof(double));
  }
}

void Program::where(size_t n, std::vector<int32_t>& out) {
  Impl& p = *impl_;
  require(p.result >= 0, "Program::where: this program was compiled from statements");
  out.clear();
  p.begin_run(n);
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t len = std::min(kBlock, n - start);
    p.exec_block(start, nullptr, len);
    const double* v = p.ptr[p.result];
    for (size_t k = 0; k < len; ++k)
      if (v[k] != 0) out.push_back(static_cast<int32_t>(start + k));
  }
}

void Program::where(std::span<const int32_t> elements, std::vector<int32_t>& out) {
  Impl& p = *impl_;
  require(p.result >= 0, "Program::where: this program was compiled from statements");
  out.clear();
  p.begin_run(elements.size());
  for (size_t off = 0; off < elements.size(); off += kBlock) {
    const size_t len = std::min(kBlock, elements.size() - off);
    p.exec_block(0, elements.data() + off, len);
    const double* v = p.ptr[p.result];
    for (size_t k = 0; k < len; ++k)
      if (v[k] != 0) out.push_back(elements[off + k]);
  }
}

void Program::rebind_array(const std::string& name, double* data) {
  for (auto& a : impl_->arrays)
    if (a.name == name) {
      if (a.kind != Bindings::Kind::array)
        throw Error("Program::rebind_array: '" + name + "' was not bound as an array");
      a.data = data;
      return;
    }
  throw Error("Program::rebind_array: the program does not use an array '" + name + "'");
}

void Program::rebind_gather(const std::string& name, double* data, const int32_t* index) {
  for (auto& a : impl_->arrays)
    if (a.name == name) {
      if (a.kind != Bindings::Kind::gather)
        throw Error("Program::rebind_gather: '" + name + "' was not bound with gather()");
      a.data = data;
      a.index = index;
      return;
    }
  throw Error("Program::rebind_gather: the program does not use '" + name + "'");
}

void Program::rebind_scalar(const std::string& name, double* value) {
  for (auto& s : impl_->scalar_refs)
    if (s.name == name) {
      s.ptr = value;
      return;
    }
  throw Error("Program::rebind_scalar: the program does not use a scalar '" + name + "'");
}

void Program::rebind_rng(Rng* generator) {
  if (impl_->uses_rng && !generator) throw Error("Program::rebind_rng: the program needs an Rng");
  impl_->rng = generator;
}

bool Program::has_result() const { return impl_->result >= 0; }
size_t Program::instruction_count() const { return impl_->prologue.size() + impl_->body.size(); }

std::string Program::disassemble() const {
  std::string out;
  const Impl& p = *impl_;
  for (const auto& s : p.prologue)
    out += "scalar s" + std::to_string(s.dst) + " <- s" + std::to_string(s.a) +
           (s.b >= 0 ? ", s" + std::to_string(s.b) : "") + "\n";
  for (const auto& in : p.body) {
    out += std::string(op_name(in.op)) + " " + std::to_string(in.dst);
    const char* ma = in.mode == Mode::sv ? " s" : " r";
    const char* mb = in.mode == Mode::vs ? " s" : " r";
    if (in.a >= 0) out += std::string(ma) + std::to_string(in.a);
    if (in.b >= 0) out += std::string(mb) + std::to_string(in.b);
    if (in.c >= 0) out += " r" + std::to_string(in.c);
    if (in.store >= 0) out += " -> array " + std::to_string(in.store);
    out += "\n";
  }
  return out;
}

}  // namespace soma::expr
