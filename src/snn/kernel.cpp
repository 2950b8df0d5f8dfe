#include "snn/kernel.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "snn/fma_passes.hpp"
#include "soma/core/error.hpp"
#include "soma/core/vecmath.hpp"
#include "soma/expr/functions.hpp"
#include "soma/expr/units.hpp"

namespace soma::snn {
namespace {

enum Code : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPow,
  kFloorDiv,
  kMod,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kAnd,
  kOr,
  kNot,
  kNeg,
  kExp,
  kLog,
  kLog10,
  kSqrt,
  kSin,
  kCos,
  kTan,
  kTanh,
  kAbs,
  kFloor,
  kCeil,
  kSign,
  kInt,
  kClip,
  kRand,
  kRandn,
  kFma,        // a*b + c
  kFms,        // a*b - c
  kFnms,       // c - a*b
  kExpMul,     // exp(a*b): the growth factor exp(A*dt) of exponential Euler in one pass
  kTable,      // a TimedArray at time a, column b
  kRandLt,     // rand() < a: PoissonGroup's threshold in one pass, the same draws as rand()
  kRandLtMul,  // rand() < a*b: the same with its rates*dt product in that pass
};

double floordiv(double a, double b) { return std::floor(a / b); }

double apply3(uint8_t code, double a, double b, double c) {
  switch (code) {
    case kFma:
      return std::fma(a, b, c);
    case kFms:
      return std::fma(a, b, -c);
    case kFnms:
      return std::fma(-a, b, c);
    case kExpMul:
      return vecmath::exp(a * b);
    default:
      return std::min(std::max(a, b), c);  // clip
  }
}

// The kernel's operation for a one-argument function of the language's table.
uint8_t unary_code(expr::Function f) {
  switch (f) {
    case expr::Function::exp:
      return kExp;
    case expr::Function::log:
      return kLog;
    case expr::Function::log10:
      return kLog10;
    case expr::Function::sqrt:
      return kSqrt;
    case expr::Function::sin:
      return kSin;
    case expr::Function::cos:
      return kCos;
    case expr::Function::tan:
      return kTan;
    case expr::Function::tanh:
      return kTanh;
    case expr::Function::abs:
      return kAbs;
    case expr::Function::trunc:
      return kInt;
    case expr::Function::floor:
      return kFloor;
    case expr::Function::ceil:
      return kCeil;
    case expr::Function::sign:
      return kSign;
    default:
      break;
  }
  return kNeg;  // unreachable: clip, rand and randn are handled before
}

double apply1(uint8_t code, double x) {
  switch (code) {
    case kNot:
      return x == 0.0 ? 1.0 : 0.0;
    case kNeg:
      return -x;
    case kExp:
      return vecmath::exp(x);
    case kLog:
      return std::log(x);
    case kLog10:
      return std::log10(x);
    case kSqrt:
      return std::sqrt(x);
    case kSin:
      return std::sin(x);
    case kCos:
      return std::cos(x);
    case kTan:
      return std::tan(x);
    case kTanh:
      return std::tanh(x);
    case kAbs:
      return std::fabs(x);
    case kFloor:
      return std::floor(x);
    case kCeil:
      return std::ceil(x);
    case kSign:
      return expr::sign(x);  // the language's: sign(NaN) = NaN
    case kInt:
      return std::trunc(x);
    default:
      return 0.0;
  }
}
double apply2(uint8_t code, double a, double b) {
  switch (code) {
    case kAdd:
      return a + b;
    case kSub:
      return a - b;
    case kMul:
      return a * b;
    case kDiv:
      return a / b;
    case kPow:
      return std::pow(a, b);
    case kFloorDiv:
      return floordiv(a, b);
    case kMod:
      return expr::python_mod(a, b);
    case kLt:
      return a < b;
    case kLe:
      return a <= b;
    case kGt:
      return a > b;
    case kGe:
      return a >= b;
    case kEq:
      return a == b;
    case kNe:
      return a != b;
    case kAnd:
      return (a != 0.0) && (b != 0.0);
    case kOr:
      return (a != 0.0) || (b != 0.0);
    default:
      return 0.0;
  }
}

// out[k] = f(a[k], b[k]) with either side possibly one shared value; the three loops
// are separate so that each one vectorises.
template <class F>
void binary_loop(double* out, const double* a, double sa, const double* b, double sb, int n, F f) {
  if (a && b) {
    for (int k = 0; k < n; ++k) out[k] = f(a[k], b[k]);
  } else if (a) {
    for (int k = 0; k < n; ++k) out[k] = f(a[k], sb);
  } else {
    for (int k = 0; k < n; ++k) out[k] = f(sa, b[k]);
  }
}
// The same for three operands: the common combinations get loops that vectorise.
template <class F>
void ternary_loop(double* out, const double* a, double sa, const double* b, double sb,
                  const double* c, double sc, int n, F f) {
  if (a && b && c) {
    for (int k = 0; k < n; ++k) out[k] = f(a[k], b[k], c[k]);
  } else if (a && !b && c) {
    for (int k = 0; k < n; ++k) out[k] = f(a[k], sb, c[k]);
  } else if (a && !b && !c) {
    for (int k = 0; k < n; ++k) out[k] = f(a[k], sb, sc);
  } else if (!a && b && c) {
    for (int k = 0; k < n; ++k) out[k] = f(sa, b[k], c[k]);
  } else if (a && b && !c) {
    for (int k = 0; k < n; ++k) out[k] = f(a[k], b[k], sc);
  } else {
    for (int k = 0; k < n; ++k) out[k] = f(a ? a[k] : sa, b ? b[k] : sb, c ? c[k] : sc);
  }
}
template <class F>
void unary_loop(double* out, const double* a, int n, F f) {
  for (int k = 0; k < n; ++k) out[k] = f(a[k]);
}

}  // namespace

TimedTable::TimedTable(std::vector<double> v, int64_t rows_, int64_t cols_, bool two_d_, double dt_,
                       double group_dt)
    : values(std::move(v)), rows(rows_), cols(cols_), two_d(two_d_), dt(dt_) {
  // K = max(2^ceil(log2(8*dt/group_dt)), 1), as brian2/input/timedarray.py's _find_K.
  upsample = std::max(std::exp2(std::ceil(std::log2(8.0 / group_dt * dt))), 1.0);
  epsilon = dt / upsample;
}

double TimedTable::at(double t, double column) const {
  if (!(column >= 0.0 && column < static_cast<double>(cols))) return std::nan("");
  const double x = (t / epsilon + 0.5) / upsample;
  // C's (int) truncation, then the clip to the table's rows (NaN: the first row).
  int64_t step = 0;
  if (x >= static_cast<double>(rows))
    step = rows - 1;
  else if (x > 0.0)
    step = static_cast<int64_t>(x);
  return values[static_cast<size_t>(step * cols + static_cast<int64_t>(column))];
}

Program::Program(const std::vector<Assignment>& code, const Resolver& resolve, std::string where)
    : resolve_(resolve), where_(std::move(where)) {
  for (const auto& a : code) {
    const Operand r = compile(a.value);
    names_.emplace_back(a.name, r);
    outputs_.push_back(r);
  }
  reuse_registers();
  // Unused operands of unary operations and rand() name scalar slot 0: make sure it exists.
  if (scalars_.empty()) scalars_.push_back(0.0);
  buffers_.assign(static_cast<size_t>(vector_slots_) * kBlock, 0.0);
  reg_.assign(static_cast<size_t>(vector_slots_), nullptr);
  resolve_ = nullptr;  // bindings are copied; the resolver may refer to a temporary
}

// Gives each intermediate vector a register that is free again after its last
// use, so that the live set of a long update (rk4, exponential Euler) stays within
// a few blocks, in L1 cache, instead of one buffer per operation.
void Program::reuse_registers() {
  const int end = static_cast<int>(ops_.size());
  std::vector<int> last_use(static_cast<size_t>(vector_slots_), -1);
  for (int k = 0; k < end; ++k)
    for (const Operand* o : {&ops_[k].a, &ops_[k].b, &ops_[k].c})
      if (o->vector) last_use[static_cast<size_t>(o->slot)] = k;
  for (const auto& o : outputs_)
    if (o.vector) last_use[static_cast<size_t>(o.slot)] = end;
  std::vector<int> remap(static_cast<size_t>(vector_slots_), -1);
  std::vector<bool> is_input(static_cast<size_t>(vector_slots_), false);
  int next = 0;
  for (auto& in : vector_inputs_) {
    is_input[static_cast<size_t>(in.slot)] = true;
    remap[static_cast<size_t>(in.slot)] = next;
    in.slot = next++;
  }
  std::vector<int> free_list;
  for (int k = 0; k < end; ++k) {
    Op& op = ops_[static_cast<size_t>(k)];
    std::vector<int> dying;
    for (Operand* o : {&op.a, &op.b, &op.c}) {
      if (!o->vector) continue;
      const int old = o->slot;
      if (!is_input[static_cast<size_t>(old)] && last_use[static_cast<size_t>(old)] == k &&
          std::find(dying.begin(), dying.end(), remap[static_cast<size_t>(old)]) == dying.end())
        dying.push_back(remap[static_cast<size_t>(old)]);
      o->slot = remap[static_cast<size_t>(old)];
    }
    // Element-wise operations may write over an operand that dies here.
    free_list.insert(free_list.end(), dying.begin(), dying.end());
    const int old_dst = op.dst.slot;
    int slot;
    if (!free_list.empty()) {
      slot = free_list.back();
      free_list.pop_back();
    } else {
      slot = next++;
    }
    remap[static_cast<size_t>(old_dst)] = slot;
    op.dst.slot = slot;
    if (last_use[static_cast<size_t>(old_dst)] < 0) free_list.push_back(slot);  // never read
  }
  for (auto& o : outputs_)
    if (o.vector) o.slot = remap[static_cast<size_t>(o.slot)];
  for (auto& [name, o] : names_)
    if (o.vector) o.slot = remap[static_cast<size_t>(o.slot)];
  vector_slots_ = next;
}

namespace {
bool is_rand_call(const expr::Expr& e) {
  if (e->kind != expr::NodeKind::call || !e->args.empty()) return false;
  const expr::FunctionInfo* f = expr::find_function(e->name);
  return f && f->id == expr::Function::rand;
}
// Whether evaluating e draws random numbers (rand(), randn()).
bool draws_random(const expr::Expr& e) {
  if (e->kind == expr::NodeKind::call) {
    const expr::FunctionInfo* f = expr::find_function(e->name);
    if (f && (f->id == expr::Function::rand || f->id == expr::Function::randn)) return true;
  }
  for (const auto& a : e->args)
    if (draws_random(a)) return true;
  return false;
}
}  // namespace

Program::Operand Program::constant(double v) {
  scalars_.push_back(v);
  return {static_cast<int>(scalars_.size()) - 1, false};
}

Program::Operand Program::emit(uint8_t code, Operand a, Operand b, Operand c) {
  const bool vector =
      a.vector || b.vector || c.vector || code == kRand || code == kRandn || code >= kRandLt;
  Operand dst;
  if (vector) {
    dst = {vector_slots_++, true};
    ops_.push_back({code, dst, a, b, c});
  } else {
    dst = constant(0.0);
    scalar_ops_.push_back({code, dst, a, b, c});
  }
  return dst;
}

Program::Operand Program::compile(const expr::Expr& e) {
  using expr::NodeKind;
  const auto& n = *e;
  auto fail = [&](const std::string& what) {
    return Error(where_ + (n.column > 0 ? ":" + std::to_string(n.column) : std::string()) + ": " +
                 what);
  };
  switch (n.kind) {
    case NodeKind::number:
      return constant(n.value);
    case NodeKind::symbol: {
      for (auto it = names_.rbegin(); it != names_.rend(); ++it)
        if (it->first == n.name) return it->second;
      if (expr::is_noise_symbol(n.name))
        throw fail("stochastic term '" + n.name + "' is not supported by the snn integrators");
      if (auto b = resolve_ ? resolve_(n.name) : std::nullopt) {
        if (b->kind == Binding::Kind::scalar) {
          const Operand slot = constant(0.0);
          scalar_inputs_.push_back({slot.slot, *b});
          return slot;
        }
        const Operand slot{vector_slots_++, true};
        vector_inputs_.push_back({slot.slot, *b});
        return slot;
      }
      if (n.name == "True") return constant(1.0);
      if (n.name == "False") return constant(0.0);
      if (auto unit = expr::lookup_unit(n.name)) return constant(unit->value);
      throw fail("unknown name '" + n.name + "'");
    }
    case NodeKind::neg:
      return emit(kNeg, compile(n.args[0]), {}, {});
    case NodeKind::logical_not:
      return emit(kNot, compile(n.args[0]), {}, {});
    case NodeKind::call: {
      const expr::FunctionInfo* f = expr::find_function(n.name);
      if (f && (f->id == expr::Function::rand || f->id == expr::Function::randn)) {
        if (!n.args.empty()) throw fail(n.name + "() takes no arguments");
        return emit(f->id == expr::Function::rand ? kRand : kRandn, {}, {}, {});
      }
      if (f && f->id == expr::Function::clip) {
        if (n.args.size() != 3) throw fail("clip(x, low, high) takes 3 arguments");
        const Operand x = compile(n.args[0]), lo = compile(n.args[1]), hi = compile(n.args[2]);
        return emit(kClip, x, lo, hi);
      }
      // A TimedArray: a function the resolver knows as "name()".
      if (auto b = resolve_ ? resolve_(n.name + "()") : std::nullopt;
          b && b->kind == Binding::Kind::table) {
        const size_t want = b->table->two_d ? 2 : 1;
        if (n.args.size() != want)
          throw fail(n.name + (want == 2 ? "(t, i) takes 2 arguments (a 2-D TimedArray)"
                                         : "(t) takes 1 argument (a 1-D TimedArray)"));
        const Operand time = compile(n.args[0]);
        const Operand column = want == 2 ? compile(n.args[1]) : constant(0.0);
        const Operand r = emit(kTable, time, column, {});
        (r.vector ? ops_ : scalar_ops_).back().table = b->table;
        return r;
      }
      if (f) {
        if (n.args.size() != 1) throw fail(n.name + "() takes 1 argument");
        const uint8_t code = unary_code(f->id);
        const auto& arg = n.args[0];
        if (code == kExp && arg->kind == NodeKind::mul)
          return emit(kExpMul, compile(arg->args[0]), compile(arg->args[1]), {});
        return emit(code, compile(arg), {}, {});
      }
      throw fail("unknown function '" + n.name + "'");
    }
    default:
      break;
  }
  uint8_t code = kAdd;
  switch (n.kind) {
    case NodeKind::add:
      code = kAdd;
      break;
    case NodeKind::sub:
      code = kSub;
      break;
    case NodeKind::mul:
      code = kMul;
      break;
    case NodeKind::div:
      code = kDiv;
      break;
    case NodeKind::pow:
      code = kPow;
      break;
    case NodeKind::floordiv:
      code = kFloorDiv;
      break;
    case NodeKind::mod:
      code = kMod;
      break;
    case NodeKind::lt:
      // rand() < x (PoissonGroup's threshold): one pass that draws and compares, instead
      // of a pass of draws and one of comparisons. The same numbers in the same order:
      // only where x draws none itself.
      if (is_rand_call(n.args[0]) && !draws_random(n.args[1])) {
        const expr::Expr& x = n.args[1];
        if (x->kind == NodeKind::mul) {
          const Operand p = compile(x->args[0]), q = compile(x->args[1]);
          return emit(kRandLtMul, p, q, {});
        }
        return emit(kRandLt, compile(x), {}, {});
      }
      code = kLt;
      break;
    case NodeKind::le:
      code = kLe;
      break;
    case NodeKind::gt:
      code = kGt;
      break;
    case NodeKind::ge:
      code = kGe;
      break;
    case NodeKind::eq:
      code = kEq;
      break;
    case NodeKind::ne:
      code = kNe;
      break;
    case NodeKind::logical_and:
      code = kAnd;
      break;
    case NodeKind::logical_or:
      code = kOr;
      break;
    default:
      throw fail("unsupported expression");
  }
  // A negation feeding a sum folds into it (exactly: negation does not round), one
  // pass instead of two: -x + a*b = a*b - x, -x + y = y - x, -x - y = x*(-1) - y.
  if (code == kAdd || code == kSub) {
    const bool left_neg = n.args[0]->kind == NodeKind::neg;
    const bool right_neg = code == kAdd && n.args[1]->kind == NodeKind::neg;
    if (left_neg || right_neg) {
      const expr::Expr& x = (left_neg ? n.args[0] : n.args[1])->args[0];
      const expr::Expr& other = left_neg ? n.args[1] : n.args[0];
      if (code == kAdd && other->kind == NodeKind::mul) {
        const Operand a = compile(other->args[0]), b = compile(other->args[1]);
        return emit(kFms, a, b, compile(x));
      }
      if (code == kAdd) {
        const Operand y = compile(other);
        return emit(kSub, y, compile(x), {});
      }
      const Operand xo = compile(x);
      return emit(kFms, xo, constant(-1.0), compile(other));
    }
  }
  // A product feeding a sum becomes one fused multiply-add: one pass over the block
  // instead of two (the state updates are bound by these passes, not by arithmetic).
  if (code == kAdd || code == kSub) {
    const bool left = n.args[0]->kind == NodeKind::mul;
    const bool right = n.args[1]->kind == NodeKind::mul;
    if (left || right) {
      const expr::Expr& m = left ? n.args[0] : n.args[1];
      const Operand x = compile(m->args[0]), y = compile(m->args[1]);
      const Operand z = compile(left ? n.args[1] : n.args[0]);
      const uint8_t fused = code == kAdd ? kFma : (left ? kFms : kFnms);
      return emit(fused, x, y, z);
    }
  }
  const Operand a = compile(n.args[0]);
  const Operand b = compile(n.args[1]);
  return emit(code, a, b, {});
}

void Program::exec(const Op& op, int64_t first, bool contiguous, int count, Rng& rng) {
  double* out = op.direct && contiguous
                    ? op.direct + first
                    : buffers_.data() + static_cast<size_t>(op.dst.slot) * kBlock;
  auto vec = [&](Operand o) { return o.vector ? reg_[static_cast<size_t>(o.slot)] : nullptr; };
  auto val = [&](Operand o) { return o.vector ? 0.0 : scalars_[static_cast<size_t>(o.slot)]; };
  // Operands are read before the destination is set: the destination may reuse an
  // operand's register, and with write_to it then points elsewhere.
  const double* a = vec(op.a);
  const double* b = vec(op.b);
  const double* c = vec(op.c);
  const double sa = val(op.a), sb = val(op.b), sc = val(op.c);
  reg_[static_cast<size_t>(op.dst.slot)] = out;
  if (streams_ && (op.code == kRand || op.code == kRandn || op.code >= kRandLt)) {
    // Counter-based: the same comparisons on the element's own 53-bit numbers.
    const auto site = static_cast<uint32_t>(&op - ops_.data());
    if (op.code == kRandn) return counter_normals(site, first, count, out);
    uint64_t bits[kBlock];
    counter_bits(site, first, count, bits);
    for (int k = 0; k < count; ++k) {
      const auto u = static_cast<double>(bits[k]);
      if (op.code == kRand)
        out[k] = u * 0x1.0p-53;
      else if (op.code == kRandLt)
        out[k] = u < (a ? a[k] : sa) * 0x1.0p53 ? 1.0 : 0.0;
      else
        out[k] = u < ((a ? a[k] : sa) * (b ? b[k] : sb)) * 0x1.0p53 ? 1.0 : 0.0;
    }
    return;
  }
  switch (op.code) {
    case kRand:
      for (int k = 0; k < count; ++k) out[k] = rng.uniform();
      return;
    case kRandn:
      for (int k = 0; k < count; ++k) out[k] = rng.normal();
      return;
    case kRandLt:
      // rng.uniform() < x is (u >> 11) * 2^-53 < x, that is (u >> 11) < x * 2^53: scaling
      // by a power of two is exact, so the comparison is the same without the multiply.
      if (a)
        for (int k = 0; k < count; ++k)
          out[k] = static_cast<double>(rng.next_u64() >> 11) < a[k] * 0x1.0p53 ? 1.0 : 0.0;
      else
        for (int k = 0; k < count; ++k)
          out[k] = static_cast<double>(rng.next_u64() >> 11) < sa * 0x1.0p53 ? 1.0 : 0.0;
      return;
    case kRandLtMul:  // the product rounded first, as its own pass would round it
      if (a && !b)
        for (int k = 0; k < count; ++k)
          out[k] = static_cast<double>(rng.next_u64() >> 11) < (a[k] * sb) * 0x1.0p53 ? 1.0 : 0.0;
      else
        for (int k = 0; k < count; ++k)
          out[k] = static_cast<double>(rng.next_u64() >> 11) <
                           ((a ? a[k] : sa) * (b ? b[k] : sb)) * 0x1.0p53
                       ? 1.0
                       : 0.0;
      return;
    case kTable:
      for (int k = 0; k < count; ++k) out[k] = op.table->at(a ? a[k] : sa, b ? b[k] : sb);
      return;
    case kAdd:
      return binary_loop(out, a, sa, b, sb, count, [](double x, double y) { return x + y; });
    case kSub:
      return binary_loop(out, a, sa, b, sb, count, [](double x, double y) { return x - y; });
    case kMul:
      return binary_loop(out, a, sa, b, sb, count, [](double x, double y) { return x * y; });
    case kDiv:
      return binary_loop(out, a, sa, b, sb, count, [](double x, double y) { return x / y; });
    case kLt:
      return binary_loop(out, a, sa, b, sb, count,
                         [](double x, double y) { return x < y ? 1.0 : 0.0; });
    case kGt:
      return binary_loop(out, a, sa, b, sb, count,
                         [](double x, double y) { return x > y ? 1.0 : 0.0; });
    case kAnd:
      return binary_loop(out, a, sa, b, sb, count,
                         [](double x, double y) { return (x != 0.0 && y != 0.0) ? 1.0 : 0.0; });
    case kExp:
      return fma_pass_kernels().exp(out, a, sa, nullptr, 1.0, count);
    case kExpMul:
      return fma_pass_kernels().exp(out, a, sa, b, sb, count);
    case kNeg:
      return unary_loop(out, a, count, [](double x) { return -x; });
    case kFma:
      return fma_pass_kernels().fma(out, a, sa, b, sb, c, sc, count, false, false);
    case kFms:
      return fma_pass_kernels().fma(out, a, sa, b, sb, c, sc, count, false, true);
    case kFnms:
      return fma_pass_kernels().fma(out, a, sa, b, sb, c, sc, count, true, false);
    case kClip:
      return ternary_loop(out, a, sa, b, sb, c, sc, count,
                          [](double x, double y, double z) { return std::min(std::max(x, y), z); });
    default:
      break;
  }
  if (op.code <= kOr) {
    const uint8_t code = op.code;
    binary_loop(out, a, sa, b, sb, count,
                [code](double x, double y) { return apply2(code, x, y); });
  } else {
    const uint8_t code = op.code;
    unary_loop(out, a, count, [code](double x) { return apply1(code, x); });
  }
}

void Program::update_scalars() {
  for (const auto& in : scalar_inputs_) scalars_[static_cast<size_t>(in.slot)] = *in.binding.scalar;
  for (const auto& op : scalar_ops_) {
    const double a = scalars_[static_cast<size_t>(op.a.slot)];
    const double b = scalars_[static_cast<size_t>(op.b.slot)];
    double r;
    if (op.code == kTable)
      r = op.table->at(a, b);
    else if (op.code == kClip || op.code >= kFma)
      r = apply3(op.code, a, b, scalars_[static_cast<size_t>(op.c.slot)]);
    else if (op.code <= kOr)
      r = apply2(op.code, a, b);
    else
      r = apply1(op.code, a);
    scalars_[static_cast<size_t>(op.dst.slot)] = r;
  }
}

namespace {
// Element e's counter in a draw site's stream: (site, its a, b and c numbers).
std::array<uint64_t, 2> element_draw(const ElementStreams& s, uint32_t site, int64_t e) {
  const auto i = static_cast<size_t>(e);
  const PhiloxCounter ctr{site, static_cast<uint32_t>(s.a ? s.a[i] : 0),
                          static_cast<uint32_t>(s.b ? s.b[i] : 0),
                          static_cast<uint32_t>(s.c ? s.c[i] : 0)};
  return philox_u64x2(ctr, s.key);
}
}  // namespace

void Program::counter_bits(uint32_t site, int64_t first, int count, uint64_t* bits) const {
  for (int k = 0; k < count; ++k) bits[k] = element_draw(*streams_, site, first + k)[0] >> 11;
}

void Program::counter_normals(uint32_t site, int64_t first, int count, double* out) const {
  for (int k = 0; k < count; ++k) {
    const auto w = element_draw(*streams_, site, first + k);
    // Box-Muller: u1 in (0, 1] keeps the logarithm finite.
    const double u1 = static_cast<double>((w[0] >> 11) + 1) * 0x1.0p-53;
    const double u2 = static_cast<double>(w[1] >> 11) * 0x1.0p-53;
    out[k] = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
}

void Program::run(int64_t n, const Indices* indices, const ElementStreams& streams,
                  const std::function<void(int64_t first, int count)>& sink) {
  // Every draw of this evaluation goes through streams_: the sequential generator is
  // a placeholder that nothing reads.
  Rng unused(0);
  streams_ = &streams;
  try {
    run(0, n, indices, unused, sink);
  } catch (...) {
    streams_ = nullptr;
    throw;
  }
  streams_ = nullptr;
}

void Program::run(int64_t begin, int64_t n, const Indices* indices, Rng& rng,
                  const std::function<void(int64_t first, int count)>& sink) {
  update_scalars();
  for (int64_t first = begin; first < n; first += kBlock) {
    const int count = static_cast<int>(std::min<int64_t>(kBlock, n - first));
    for (const auto& in : vector_inputs_) {
      const auto slot = static_cast<size_t>(in.slot);
      double* buf = buffers_.data() + slot * kBlock;
      const int32_t* idx = nullptr;
      if (indices) {
        idx = in.binding.role == IndexRole::self  ? indices->self
              : in.binding.role == IndexRole::pre ? indices->pre
                                                  : indices->post;
        idx += first;
      }
      if (in.binding.kind == Binding::Kind::index) {
        const double off = in.binding.index_offset;
        if (idx)
          for (int k = 0; k < count; ++k) buf[k] = static_cast<double>(idx[k]) + off;
        else
          for (int k = 0; k < count; ++k) buf[k] = static_cast<double>(first + k) + off;
        reg_[slot] = buf;
      } else if (idx) {
        const double* src = in.binding.array;
        for (int k = 0; k < count; ++k) buf[k] = src[idx[k]];
        reg_[slot] = buf;
      } else {
        reg_[slot] = in.binding.array + first;  // contiguous: read in place
      }
    }
    for (const auto& op : ops_) exec(op, first, indices == nullptr, count, rng);
    sink(first, count);
  }
}

bool Program::write_to(size_t assignment, double* array) {
  const Operand o = outputs_[assignment];
  if (!o.vector) return false;
  // The operation that produces the value, and no later one reading `array` (an
  // input read in place would see the new values) or writing the same register.
  int producer = -1;
  for (size_t k = 0; k < ops_.size(); ++k)
    if (ops_[k].dst.vector && ops_[k].dst.slot == o.slot) producer = static_cast<int>(k);
  const uint8_t code =
      producer < 0 ? static_cast<uint8_t>(kRand) : ops_[static_cast<size_t>(producer)].code;
  if (code == kRand || code == kRandn || code >= kRandLt) return false;
  for (const auto& in : vector_inputs_) {
    if (in.binding.kind != Binding::Kind::array || in.binding.array != array) continue;
    // The producer itself may read it: element k is read before it is written.
    for (size_t k = static_cast<size_t>(producer) + 1; k < ops_.size(); ++k)
      for (const Operand* x : {&ops_[k].a, &ops_[k].b, &ops_[k].c})
        if (x->vector && x->slot == in.slot) return false;
  }
  ops_[static_cast<size_t>(producer)].direct = array;
  return true;
}

Program::Value Program::result(size_t assignment) const {
  const Operand o = outputs_[assignment];
  if (o.vector) return {reg_[static_cast<size_t>(o.slot)], 0.0};
  return {nullptr, scalars_[static_cast<size_t>(o.slot)]};
}

std::optional<std::vector<int32_t>> Program::lower(
    expr::jit::Spec& spec, const std::function<int32_t(const double*)>& array_number,
    int32_t scalar_base, KnownArrays& known) const {
  using expr::jit::Op;
  // Scalar slots that change between evaluations are passed in; the others were
  // fixed when the program compiled and become constants.
  std::vector<bool> varies(scalars_.size(), false);
  for (const auto& in : scalar_inputs_) varies[static_cast<size_t>(in.slot)] = true;
  for (const auto& op : scalar_ops_) varies[static_cast<size_t>(op.dst.slot)] = true;
  std::vector<int32_t> scalar_node(scalars_.size(), -1);
  // Registers are reused by later operations: follow which node each holds now.
  std::vector<int32_t> reg(static_cast<size_t>(vector_slots_), -1);
  auto node = [&](Operand o) -> int32_t {
    if (o.vector) return reg[static_cast<size_t>(o.slot)];
    int32_t& k = scalar_node[static_cast<size_t>(o.slot)];
    if (k < 0)
      k = varies[static_cast<size_t>(o.slot)]
              ? spec.add({.op = Op::scalar, .index = scalar_base + o.slot})
              : spec.add({.op = Op::constant, .value = scalars_[static_cast<size_t>(o.slot)]});
    return k;
  };
  auto add = [&](Op op, int32_t a, int32_t b = -1, int32_t c = -1) {
    return spec.add({.op = op, .a = a, .b = b, .c = c});
  };
  auto number = [&](double v) { return spec.add({.op = Op::constant, .value = v}); };
  for (const auto& in : vector_inputs_) {
    if (in.binding.kind != Binding::Kind::array || in.binding.role != IndexRole::self)
      return std::nullopt;  // the index itself (i) has no node
    const double* array = in.binding.array;
    auto it = std::find_if(known.begin(), known.end(),
                           [array](const auto& k) { return k.first == array; });
    if (it == known.end()) {  // each symbol use is an input of its own: load once
      known.emplace_back(array, spec.add({.op = Op::load, .index = array_number(array)}));
      it = known.end() - 1;
    }
    reg[static_cast<size_t>(in.slot)] = it->second;
  }
  // Each operation as the VM computes it (see exec and apply1/2/3), rounding for rounding.
  for (const auto& op : ops_) {
    if (op.code == kRand || op.code == kRandn || op.code >= kRandLt) return std::nullopt;
    // Operands are looked up before the destination is set: it may reuse their register.
    const int32_t a = node(op.a), b = node(op.b), c = node(op.c);
    int32_t r = -1;
    switch (op.code) {
      case kAdd:
        r = add(Op::add, a, b);
        break;
      case kSub:
        r = add(Op::sub, a, b);
        break;
      case kMul:
        r = add(Op::mul, a, b);
        break;
      case kDiv:
        r = add(Op::div, a, b);
        break;
      case kLt:
        r = add(Op::lt, a, b);
        break;
      case kLe:
        r = add(Op::le, a, b);
        break;
      case kGt:
        r = add(Op::gt, a, b);
        break;
      case kGe:
        r = add(Op::ge, a, b);
        break;
      case kEq:
        r = add(Op::eq, a, b);
        break;
      case kNe:
        r = add(Op::ne, a, b);
        break;
      case kAnd:  // (a != 0 && b != 0) ? 1 : 0
        r = add(Op::select, a, add(Op::ne, b, number(0.0)), number(0.0));
        break;
      case kOr:  // (a != 0 || b != 0) ? 1 : 0
        r = add(Op::select, a, number(1.0), add(Op::ne, b, number(0.0)));
        break;
      case kNot:
        r = add(Op::eq, a, number(0.0));
        break;
      case kNeg:
        r = add(Op::neg, a);
        break;
      case kAbs:
        r = add(Op::abs, a);
        break;
      case kSqrt:
        r = add(Op::sqrt, a);
        break;
      case kSign:  // x > 0 ? 1 : x < 0 ? -1 : x (NaN and +-0 pass through)
        r = add(Op::select, add(Op::gt, a, number(0.0)), number(1.0),
                add(Op::select, add(Op::lt, a, number(0.0)), number(-1.0), a));
        break;
      case kExp:
        r = add(Op::exp, a);
        break;
      case kExpMul:
        r = add(Op::exp, add(Op::mul, a, b));
        break;
      case kFma:
        r = add(Op::fma, a, b, c);
        break;
      case kFms:
        r = add(Op::fma, a, b, add(Op::neg, c));
        break;
      case kFnms:
        r = add(Op::fma, add(Op::neg, a), b, c);
        break;
      case kClip:
        // std::min(std::max(x, lo), hi): std::max(x, lo) is x < lo ? lo : x, which is the
        // node max(lo, x); std::min(m, hi) is hi < m ? hi : m, the node min(hi, m).
        r = add(Op::min, c, add(Op::max, b, a));
        break;
      default:
        return std::nullopt;  // pow, floor division, modulo, log, trigonometry, rounding
    }
    reg[static_cast<size_t>(op.dst.slot)] = r;
  }
  std::vector<int32_t> out;
  for (const auto& o : outputs_) out.push_back(node(o));
  return out;
}

}  // namespace soma::snn
