// FusedModel: expression trees hash-consed into one DAG (common subexpressions
// once), constants folded, parameter-only nodes moved to a prologue, and the
// rest lowered to block instructions over registers reused after their last use.
#include "fit/fused_model.hpp"

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <map>
#include <numbers>
#include <tuple>

#include "fit/fused_loops.hpp"
#include "soma/core/vecmath.hpp"
#include "soma/expr/functions.hpp"
#include "soma/expr/units.hpp"

namespace soma::fit::detail {
namespace {

using Op = FusedModel::Op;

struct Unsupported {};

// a**k for a small integer k as repeated products, the same order in the
// scalar prologue and the block loops.
double powi(double a, int k) {
  double r = a;
  for (int j = 1; j < std::abs(k); ++j) r *= a;
  return k < 0 ? 1.0 / r : r;
}

// The fused operation for a one-argument function of the language's table.
Op unary_op(expr::Function f) {
  switch (f) {
    case expr::Function::exp:
      return Op::exp;
    case expr::Function::log:
      return Op::log;
    case expr::Function::log10:
      return Op::log10;
    case expr::Function::sqrt:
      return Op::sqrt;
    case expr::Function::sin:
      return Op::sin;
    case expr::Function::cos:
      return Op::cos;
    case expr::Function::tan:
      return Op::tan;
    case expr::Function::tanh:
      return Op::tanh;
    case expr::Function::abs:
      return Op::abs;
    case expr::Function::sign:
      return Op::sign;
    case expr::Function::trunc:
      return Op::trunc;
    case expr::Function::floor:
      return Op::floor;
    case expr::Function::ceil:
      return Op::ceil;
    default:
      throw Unsupported{};  // clip, rand, randn: expr::Program runs these models
  }
}

double apply(Op op, double a, double b, int ipow) {
  switch (op) {
    case Op::add:
      return a + b;
    case Op::sub:
      return a - b;
    case Op::mul:
      return a * b;
    case Op::div:
      return a / b;
    case Op::neg:
      return -a;
    case Op::pow:
      return std::pow(a, b);
    case Op::powi:
      return powi(a, ipow);
    case Op::exp:
      return vecmath::exp(a);  // the language's exp, as the block loops compute it
    case Op::log:
      return std::log(a);
    case Op::log10:
      return std::log10(a);
    case Op::sqrt:
      return std::sqrt(a);
    case Op::sin:
      return std::sin(a);
    case Op::cos:
      return std::cos(a);
    case Op::tan:
      return std::tan(a);
    case Op::tanh:
      return std::tanh(a);
    case Op::abs:
      return std::abs(a);
    case Op::sign:
      return expr::sign(a);
    case Op::trunc:
      return std::trunc(a);
    case Op::floor:
      return std::floor(a);
    case Op::ceil:
      return std::ceil(a);
  }
  return NAN;
}

bool is_unary(Op op) { return op >= Op::neg && op != Op::pow; }

struct Builder {
  enum Kind { constant, x, param, scalar, vector };
  struct Node {
    Kind kind = constant;
    Op op = Op::add;
    int a = -1, b = -1, ipow = 0;
    double value = 0.0;
  };
  const std::string& x_name;
  const std::vector<std::string>& params;
  std::vector<Node> nodes;
  std::map<std::tuple<int, int, int, int, uint64_t>, int> interned;

  int intern(const Node& n, int tag) {
    const auto key = std::make_tuple(tag, n.a, n.b, n.ipow,
                                     n.kind == constant ? std::bit_cast<uint64_t>(n.value) : 0);
    if (auto it = interned.find(key); it != interned.end()) return it->second;
    nodes.push_back(n);
    interned.emplace(key, int(nodes.size()) - 1);
    return int(nodes.size()) - 1;
  }
  int number(double v) { return intern({constant, Op::add, -1, -1, 0, v}, 1000); }

  bool per_element(int id) const { return nodes[id].kind == x || nodes[id].kind == vector; }
  bool is_neg(int id) const { return nodes[id].kind == vector && nodes[id].op == Op::neg; }

  int make(Op op, int a, int b, int ipow = 0) {
    const Node na = nodes[a];
    const bool b_const = b < 0 || nodes[b].kind == constant;
    if (na.kind == constant && b_const)
      return number(apply(op, na.value, b < 0 ? 0.0 : nodes[b].value, ipow));
    // A negation moves onto the parameter-only operand (exactly: -a*p is a*(-p), -a/p is
    // a/(-p)), out of the per-element loops. A
    // division by a parameter stays a division node; run() multiplies by the
    // reciprocal where that keeps the language's semantics (see there).
    if (op == Op::mul && !per_element(a) && per_element(b)) std::swap(a, b);
    if ((op == Op::mul || op == Op::div) && is_neg(a) && !per_element(b))
      return make(op, nodes[a].a, make(Op::neg, b, -1));
    const bool vec = per_element(a) || (b >= 0 && per_element(b));
    return intern({vec ? vector : scalar, op, a, b, ipow, 0.0}, int(op));
  }

  int visit(const expr::Expr& e) {
    const expr::Node& n = *e;
    using K = expr::NodeKind;
    switch (n.kind) {
      case K::number:
        return number(n.value);
      case K::symbol: {
        if (n.name == x_name) return intern({x, Op::add, -1, -1, 0, 0.0}, 1001);
        for (size_t k = 0; k < params.size(); ++k)
          if (params[k] == n.name) return intern({param, Op::add, int(k), -1, 0, 0.0}, 1002);
        if (n.name == "pi") return number(std::numbers::pi);
        if (auto q = expr::lookup_unit(n.name)) return number(q->value);
        throw Unsupported{};
      }
      case K::neg:
        return make(Op::neg, visit(n.args[0]), -1);
      case K::add:
        return make(Op::add, visit(n.args[0]), visit(n.args[1]));
      case K::sub:
        return make(Op::sub, visit(n.args[0]), visit(n.args[1]));
      case K::mul:
        return make(Op::mul, visit(n.args[0]), visit(n.args[1]));
      case K::div:
        return make(Op::div, visit(n.args[0]), visit(n.args[1]));
      case K::pow: {
        const int a = visit(n.args[0]), b = visit(n.args[1]);
        const Node& nb = nodes[b];
        if (nb.kind == constant && nodes[a].kind != constant && nb.value == std::round(nb.value) &&
            nb.value != 0.0 && std::abs(nb.value) <= 8.0)
          return make(Op::powi, a, -1, int(nb.value));
        return make(Op::pow, a, b);
      }
      case K::call: {
        const expr::FunctionInfo* f = expr::find_function(n.name);
        if (!f || n.args.size() != 1) throw Unsupported{};
        const Op op = unary_op(f->id);
        return make(op, visit(n.args[0]), -1);
      }
      default:
        throw Unsupported{};
    }
  }
};

}  // namespace

FusedModel::FusedModel(const std::vector<expr::Expr>& outputs, const std::string& x_name,
                       const std::vector<std::string>& params)
    : n_params_(params.size()) {
  Builder b{x_name, params, {}, {}};
  std::vector<int> out_ids;
  try {
    for (const auto& e : outputs) out_ids.push_back(b.visit(e));
  } catch (const Unsupported&) {
    return;  // valid_ stays false
  }
  // Only what the outputs reach is emitted (rewrites above leave some nodes
  // unused); ids are already in dependency order.
  const size_t count = b.nodes.size();
  std::vector<char> used(count, 0);
  for (int id : out_ids) used[id] = 1;
  for (size_t id = count; id-- > 0;) {
    const auto& n = b.nodes[id];
    if (!used[id] || (n.kind != Builder::scalar && n.kind != Builder::vector)) continue;
    used[n.a] = 1;
    if (n.b >= 0) used[n.b] = 1;
  }
  std::vector<int> last_use(count, -1);
  for (size_t id = 0; id < count; ++id) {
    const auto& n = b.nodes[id];
    if (!used[id] || (n.kind != Builder::scalar && n.kind != Builder::vector)) continue;
    last_use[n.a] = int(id);
    if (n.b >= 0) last_use[n.b] = int(id);
  }
  // A per-element output is computed straight into its output column (the
  // first time it appears); the rest are copied at the end of the block.
  std::vector<int> direct(count, -1);
  for (size_t k = 0; k < out_ids.size(); ++k) {
    last_use[out_ids[k]] = INT_MAX;
    if (b.nodes[out_ids[k]].kind == Builder::vector && direct[out_ids[k]] < 0)
      direct[out_ids[k]] = int(k);
  }

  slots_.assign(n_params_, 0.0);
  std::vector<uint32_t> where(count, 0);  // slot, register or output column of each node
  std::vector<uint32_t> free_regs;
  uint32_t n_regs = 0;
  auto operand = [&](int id) {
    Operand o;
    switch (b.nodes[id].kind) {
      case Builder::x:
        o.kind = Operand::x;
        break;
      case Builder::vector:
        o.kind = direct[id] >= 0 ? Operand::out : Operand::reg;
        break;
      default:
        o.kind = Operand::slot;
    }
    o.index = where[id];
    return o;
  };
  for (size_t id = 0; id < count; ++id) {
    const auto& n = b.nodes[id];
    if (!used[id]) continue;
    switch (n.kind) {
      case Builder::constant:
        where[id] = uint32_t(slots_.size());
        slots_.push_back(n.value);
        break;
      case Builder::param:
        where[id] = uint32_t(n.a);
        break;
      case Builder::x:
        break;
      case Builder::scalar: {
        where[id] = uint32_t(slots_.size());
        slots_.push_back(0.0);
        Instr in{n.op, operand(n.a), n.b >= 0 ? operand(n.b) : Operand{}, where[id], n.ipow, false};
        prologue_.push_back(in);
        break;
      }
      case Builder::vector: {
        uint32_t target;
        if (direct[id] >= 0) {
          target = uint32_t(direct[id]);
        } else if (!free_regs.empty()) {
          target = free_regs.back();
          free_regs.pop_back();
        } else {
          target = n_regs++;
        }
        where[id] = target;
        Instr in{n.op,   operand(n.a), n.b >= 0 ? operand(n.b) : Operand{},
                 target, n.ipow,       direct[id] >= 0};
        body_.push_back(in);
        for (int c : {n.a, n.b})
          if (c >= 0 && b.nodes[c].kind == Builder::vector && direct[c] < 0 &&
              last_use[c] == int(id) && (c != n.b || n.a != n.b))
            free_regs.push_back(where[c]);
        break;
      }
    }
  }
  for (size_t k = 0; k < out_ids.size(); ++k)
    if (direct[out_ids[k]] != int(k)) copies_.push_back({uint32_t(k), operand(out_ids[k])});
  regs_.assign(size_t(n_regs) * kBlock, 0.0);
  valid_ = true;
}

const double* FusedModel::pointer(const Operand& o, const double* x, const double* out,
                                  size_t stride) const {
  if (o.kind == Operand::x) return x;
  if (o.kind == Operand::reg) return regs_.data() + size_t(o.index) * kBlock;
  if (o.kind == Operand::out) return out + size_t(o.index) * stride;
  return nullptr;
}

void FusedModel::set_parameters(std::span<const double> p) {
  std::copy(p.begin(), p.begin() + long(n_params_), slots_.begin());
  for (const Instr& in : prologue_)
    slots_[in.out] =
        apply(in.op, slots_[in.a.index], is_unary(in.op) ? 0.0 : slots_[in.b.index], in.ipow);
  reciprocal_.assign(body_.size(), 0.0);
  for (size_t k = 0; k < body_.size(); ++k) {
    const Instr& in = body_[k];
    if (in.op != Op::div || in.a.kind == Operand::slot || in.b.kind != Operand::slot) continue;
    const double r = 1.0 / slots_[in.b.index];
    if (std::isnormal(r)) reciprocal_[k] = r;
  }
}

void FusedModel::run(const double* x, size_t len, double* out, size_t stride) {
  const FusedLoops& loops = fused_loops();
  for (size_t k = 0; k < body_.size(); ++k) {
    const Instr& in = body_[k];
    double* __restrict o =
        in.to_output ? out + size_t(in.out) * stride : regs_.data() + size_t(in.out) * kBlock;
    const double* a = pointer(in.a, x, out, stride);
    const double* b = is_unary(in.op) ? nullptr : pointer(in.b, x, out, stride);
    const double sa = a ? 0.0 : slots_[in.a.index];
    const double sb = b || is_unary(in.op) ? 0.0 : slots_[in.b.index];
    switch (in.op) {
      case Op::add:
        loops.binary(FusedBinary::add, a, sa, b, sb, o, len);
        break;
      case Op::sub:
        loops.binary(FusedBinary::sub, a, sa, b, sb, o, len);
        break;
      case Op::mul:
        loops.binary(FusedBinary::mul, a, sa, b, sb, o, len);
        break;
      case Op::div:
        // Fast mode: a division by a parameter-only value is a multiplication by its
        // reciprocal (a vector division costs several multiplications): within 1 ulp of
        // x/p. Where 1/p is not a normal number (p = 0, +-inf, subnormal, NaN) the
        // product would not be x/p even in class (0*inf is NaN where 0/1e-310 is 0),
        // so the loop divides. set_parameters() made the choice.
        if (k < reciprocal_.size() && reciprocal_[k] != 0.0) {
          loops.binary(FusedBinary::mul, a, 0.0, nullptr, reciprocal_[k], o, len);
        } else {
          loops.binary(FusedBinary::div, a, sa, b, sb, o, len);
        }
        break;
      case Op::pow:
        loops.binary(FusedBinary::pow, a, sa, b, sb, o, len);
        break;
      case Op::neg:
        loops.unary(FusedUnary::neg, a, o, len);
        break;
      case Op::powi: {
        for (size_t i = 0; i < len; ++i) o[i] = a[i];
        for (int j = 1; j < std::abs(in.ipow); ++j)
          for (size_t i = 0; i < len; ++i) o[i] *= a[i];
        if (in.ipow < 0)
          for (size_t i = 0; i < len; ++i) o[i] = 1.0 / o[i];
        break;
      }
      case Op::exp:
        loops.unary(FusedUnary::exp, a, o, len);
        break;
      case Op::abs:
        loops.unary(FusedUnary::abs, a, o, len);
        break;
      case Op::sqrt:
        loops.unary(FusedUnary::sqrt, a, o, len);
        break;
      default:  // library calls, element by element
        for (size_t i = 0; i < len; ++i) o[i] = apply(in.op, a[i], 0.0, 0);
    }
  }
  for (const auto& [k, o] : copies_) {
    double* dst = out + k * stride;
    if (o.kind == Operand::slot)
      std::fill(dst, dst + len, slots_[o.index]);
    else
      std::copy_n(pointer(o, x, out, stride), len, dst);
  }
}

}  // namespace soma::fit::detail
