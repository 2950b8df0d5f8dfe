// The compiler from expression trees to bytecode (program_vm.hpp).
// program_vm.hpp turns off fused multiply-add contraction for this file.
#include "program_vm.hpp"

namespace soma::expr {

// ---------------------------------------------------------------------------
// Compiler

namespace {

bool is_rand_call(const Node& n) {
  return n.kind == NodeKind::call && n.args.empty() && n.name == "rand";
}
// Whether evaluating n draws random numbers (rand(), randn()).
bool draws_random(const Node& n) {
  if (n.kind == NodeKind::call && (n.name == "rand" || n.name == "randn")) return true;
  for (const Expr& a : n.args)
    if (draws_random(*a)) return true;
  return false;
}

struct Val {
  enum Sort { constant, scalar, vector } sort = constant;
  double value = 0.0;   // constant
  int32_t id = -1;      // scalar slot or register
  bool owned = false;   // a register this compiler may free after use
  bool shared = false;  // a common subexpression's register, freed after its last use
};

// Whether x * (1/s) is x / s in sign and class for every x (fast_arithmetic): where
// 1/s is a normal number (then within 1 ulp), and where s is 0, +-inf or NaN (then
// 1/s is +-inf, +-0 or NaN and the product is the quotient exactly: 0*inf and 0/0
// are both NaN, x*0 and x/inf are both a signed zero). Else (|s| > 2**1022,
// subnormal s) the product would lose precision or overflow.
bool reciprocal_exact_in_class(double s) {
  return !std::isfinite(s) || s == 0 || std::isnormal(1.0 / s);
}

class Compiler {
 public:
  Compiler(Program::Impl& p, const Bindings& b, const CompileOptions& options)
      : p_(p), b_(b), opt_(options) {
    p_.rng = b.generator();
    if (opt_.source) where_ = opt_.source;
  }

  Val expression(const Expr& e, const std::string& context) {
    context_ = context;
    if (opt_.share_subexpressions) {
      count_uses(*e);
      ids_.clear();
    }
    return node(*e);
  }

  void statements(const std::vector<Statement>& list) {
    for (const auto& s : list) {
      const Bindings::Entry* be = b_.find(s.target);
      if (be && be->kind == Bindings::Kind::scalar) assigned_scalars_.insert(s.target);
    }
    if (opt_.share_subexpressions) {
      // Count each subexpression's occurrences first, statement by statement as the
      // compiler will see them (an assigned name starts a new version of itself).
      for (const auto& s : list) {
        count_uses(*statement_value(s));
        next_version(s.target);
      }
      versions_.clear();
    }
    for (const auto& s : list) statement(s);
  }

  // A value program (compile_values): each assignment's value kept in a register of its
  // own (or a scalar slot) to the end of the block, for the caller to read.
  void values(const std::vector<Statement>& list) {
    values_ = true;
    for (const auto& s : list) {
      // Column numbers refer to the value's own text where it has one.
      context_ = s.text.empty() ? to_string(s.value) : s.text;
      line_ = s.line > 0 ? s.line : 1;
      if (s.op != AssignOp::assign)
        throw error_at(where_, line_, s.column,
                       "in \"" + excerpt(context_, s.column) + "\": expected a plain assignment");
      const Val v = node(*s.value);
      Val kept = v;
      if (v.sort == Val::vector) {
        if (v.owned) {
          producer_.erase(v.id);  // never folded into a later consumer
        } else {                  // a view of caller memory or a load: copy it
          kept.id = alloc();
          emit({Op::store_temp, Mode::vv, AssignOp::assign, kept.id, v.id, -1});
        }
        kept.owned = kept.shared = false;
      }
      temps_[s.target] = kept;  // never freed: read after the whole block
      p_.outputs.push_back(
          {kept.sort == Val::vector, kept.sort == Val::vector ? kept.id : slot_of(kept)});
      end_statement(s.target);
    }
  }

  int32_t to_register(Val v) {
    if (v.sort == Val::vector) return v.id;
    const int32_t r = alloc();
    emit({Op::broadcast, Mode::vv, AssignOp::assign, r, slot_of(v), -1});
    return r;
  }

  void end_statement(const std::string& target) {
    for (auto& [name, r] : cache_) free_reg(r);
    cache_.clear();
    if (opt_.share_subexpressions) next_version(target);
  }

 private:
  [[noreturn]] void fail(const Node& n, const std::string& what) const {
    throw error_at(where_, line_, n.column, "in \"" + excerpt(context_, n.column) + "\": " + what);
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
      const bool writes_register = !is_store_op(q.op) && q.op != Op::nop;
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
    if (v.sort != Val::vector) return;
    if (v.shared) {
      int& uses = remaining_[v.id];
      if (uses <= 0 || --uses > 0) return;  // (<= 0: freed already; never twice)
      memo_.erase(memo_of_register_[v.id]);
      free_reg(v.id);
    } else if (v.owned) {
      free_reg(v.id);
    }
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
    p_.arrays.push_back({name, e.kind, e.data, e.index, e.role, e.value});
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
    // A temporary shadows a binding of its name (value programs assign to any name).
    if (auto it = temps_.find(name); it != temps_.end()) return it->second;
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
        case Bindings::Kind::indexed:
          if (!e->data) fail(n, "'" + name + "' is bound to a null pointer");
          return cached_load(name, Op::load_indexed, array_slot(name, *e));
        case Bindings::Kind::indexed_position:
          return cached_load(name, Op::load_position, array_slot(name, *e));
        case Bindings::Kind::table:
          fail(n, "'" + name + "' is a table: call it as " + name + "(t)");
      }
    }
    if (name == "True") return {Val::constant, 1.0};
    if (name == "False") return {Val::constant, 0.0};
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
    if (opt_.fast_arithmetic && op == Op::div && a.sort == Val::vector && b.sort != Val::vector)
      return divide_by_shared(a, b);
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
        if (opt_.fused_multiply_add && o1 == 2 && o2 <= 1) {
          // x*y + z, z + x*y: fma(x, y, z); x*y - z: fma(x, y, -z); z - x*y: fma(-x, y, z).
          f.op = Op::fma;
          f.a = pa, f.b = pb, f.c = ro;
          f.o1 = static_cast<int8_t>(right && o2 == 1);
          f.o2 = static_cast<int8_t>(!right && o2 == 1);
        } else if (right) {
          f.a = ro, f.b = pa, f.c = pb;
        } else {
          f.a = pa, f.b = pb, f.c = ro;
        }
        if (f.op == Op::fused) {
          f.loop = fused_for(o1, o2, right);
          f.o1 = static_cast<int8_t>(o1);
          f.o2 = static_cast<int8_t>(o2);
          f.right = right;
        }
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
    if (o2 >= 0 && in.c < 0) producer_[r] = static_cast<int>(p_.body.size() - 1);
    release(a);
    if (b.shared || !(b.sort == Val::vector && a.sort == Val::vector && a.id == b.id)) release(b);
    return {Val::vector, 0, r, true};
  }

  Val compute(const Node& n) {
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
          if (a.shared) ++remaining_[a.id];  // binary_op releases both operands
          return binary_op(a, a, Op::mul, NodeKind::mul);
        }
        if (const Node& e = *n.args[1]; opt_.fast_arithmetic && literal(e)) {
          const double k = e.kind == NodeKind::number ? e.value : -e.args[0]->value;
          if (k == std::round(k) && k != 0 && std::abs(k) <= 8) {
            const Val a = node(*n.args[0]);
            if (a.sort != Val::constant) return integer_power(a, static_cast<int>(k));
            return {Val::constant, detail::apply_binary(NodeKind::pow, a.value, k)};
          }
        }
        break;
      case NodeKind::lt:
        // rand() < x (a Poisson threshold): one pass that draws and compares, the same
        // numbers in the same order, where x draws none itself.
        if (is_rand_call(*n.args[0]) && !draws_random(*n.args[1])) return rand_below(n);
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

  // A number as written: 3, or -3 (which parses as the negation of 3).
  static bool literal(const Node& e) {
    return e.kind == NodeKind::number ||
           (e.kind == NodeKind::neg && e.args[0]->kind == NodeKind::number);
  }

  // a**k as a*a*...*a (|k| factors, left to right), then 1/product for k < 0
  // (fast_arithmetic): the consumer loops fold pairs of these products into one pass.
  Val integer_power(const Val& a, int k) {
    Val base = a;  // borrowed: `a` is released once, after the last product
    base.owned = base.shared = false;
    Val r = base;
    for (int j = 1; j < std::abs(k); ++j) r = binary_op(r, base, Op::mul, NodeKind::mul);
    if (k < 0) r = binary_op({Val::constant, 1.0}, r, Op::div, NodeKind::div);
    if (r.sort == Val::vector && r.id == a.id) {  // k == 1: the value is `a` itself
      return a;
    }
    release(a);
    return r;
  }

  // A draw: numbered in program order, its site in counter-based streams.
  void emit_draw(const Node& n, Instr in) {
    // Value programs may get their generator (or streams) per run instead.
    if (!p_.rng && !values_)
      fail(n, n.name + "() needs a random generator: call Bindings::rng(&generator)");
    p_.uses_rng = true;
    in.c = draws_++;
    emit(in);
  }

  // rand() < x as one instruction; rand() < p*q with the product in the same pass.
  Val rand_below(const Node& n) {
    const Node& x = *n.args[1];
    Val a, b{Val::constant, 1.0};
    Op op = Op::rand_lt;
    if (x.kind == NodeKind::mul) {
      a = node(*x.args[0]);
      b = node(*x.args[1]);
      if (a.sort == Val::vector || b.sort == Val::vector)
        op = Op::rand_lt_mul;
      else
        a = binary_op(a, b, Op::mul, NodeKind::mul);  // a shared product: computed once
    } else {
      a = node(x);
    }
    Instr in{op, Mode::vv, AssignOp::assign, -1, -1, -1};
    if (op == Op::rand_lt) {
      in.mode = a.sort == Val::vector ? Mode::vv : Mode::sv;
      in.a = a.sort == Val::vector ? a.id : slot_of(a);
    } else {
      in.mode = a.sort != Val::vector ? Mode::sv : b.sort != Val::vector ? Mode::vs : Mode::vv;
      in.a = a.sort == Val::vector ? a.id : slot_of(a);
      in.b = b.sort == Val::vector ? b.id : slot_of(b);
    }
    in.dst = alloc();
    const Node& call = *n.args[0];
    emit_draw(call, in);
    release(a);
    if (op == Op::rand_lt_mul && !(b.sort == Val::vector && a.sort == Val::vector && a.id == b.id))
      release(b);
    return {Val::vector, 0, in.dst, true};
  }

  // A TimedTable call name(t) or name(t, i).
  Val table_call(const Node& n, const TimedTable* t) {
    const size_t want = t->two_d ? 2 : 1;
    if (n.args.size() != want)
      fail(n, n.name + (want == 2 ? "(t, i) takes 2 arguments (a 2-D TimedArray)"
                                  : "(t) takes 1 argument (a 1-D TimedArray)"));
    const Val time = node(*n.args[0]);
    const Val column = want == 2 ? node(*n.args[1]) : Val{Val::constant, 0.0};
    if (time.sort != Val::vector && column.sort != Val::vector) {
      ScalarInstr si{ScalarInstr::lookup, NodeKind::add, detail::Fn::exp,
                     new_scalar_slot(),   slot_of(time), slot_of(column)};
      si.table = t;
      p_.prologue.push_back(si);
      return {Val::scalar, 0, si.dst};
    }
    const Val r = binary_op(time, column, Op::table, NodeKind::add);
    p_.body.back().table = t;
    return r;
  }

  // exp(a*b) as one pass where the product is a fresh value used only here (exact: the
  // product rounds as its own pass would).
  Val exp_of(const Node& n, Val a) {
    const int idx = producer_of(a);
    if (idx >= 0 && p_.body[static_cast<size_t>(idx)].op == Op::mul) {
      Instr& p = p_.body[static_cast<size_t>(idx)];
      const auto [pa, pb] = register_operands(p);
      p.op = Op::nop;
      producer_.erase(a.id);
      const int32_t r = alloc();
      emit({Op::exp_mul, Mode::vv, AssignOp::assign, r, pa, pb});
      release(a);
      return {Val::vector, 0, r, true};
    }
    return unary_op(n, a, Op::exp, {ScalarInstr::function, NodeKind::add, detail::Fn::exp, -1, -1});
  }

  Val call_node(const Node& n) {
    if (const Bindings::Entry* e = b_.find(n.name); e && e->kind == Bindings::Kind::table)
      return table_call(n, e->table);
    int count = 0;
    if (!is_function(n.name, &count)) fail(n, "unknown function '" + n.name + "'");
    if (static_cast<int>(n.args.size()) != count)
      fail(n, n.name + "() takes " + std::to_string(count) + " argument" + (count == 1 ? "" : "s") +
                  ", got " + std::to_string(n.args.size()));
    if (n.name == "rand" || n.name == "randn") {
      const int32_t r = alloc();
      emit_draw(n,
                {n.name == "rand" ? Op::rand : Op::randn, Mode::vv, AssignOp::assign, r, -1, -1});
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
    if (op == Op::exp) return exp_of(n, node(*n.args[0]));
    ScalarInstr si{ScalarInstr::function, NodeKind::add, f, -1, -1};
    return unary_op(n, node(*n.args[0]), op, si);
  }

  void statement(const Statement& s) {
    context_ = s.text.empty() ? s.target + " = " + to_string(s.value) : s.text;
    where_ = opt_.source ? opt_.source : "statements";
    line_ = s.line > 0 ? s.line : 1;
    auto fail_here = [&](const std::string& what) {
      throw error_at(where_, s.line, s.column,
                     "in \"" + excerpt(context_, s.column) + "\": " + what);
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
        bound.owned = bound.shared = false;
      }
      if (v.shared) release(v);
      if (it != temps_.end() && it->second.sort == Val::vector) free_reg(it->second.id);
      temps_[s.target] = bound;
      end_statement(s.target);
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
          is_compute_op(p_.body.back().op)) {
        p_.body.back().store = slot;
        producer_.erase(v.id);
        free_reg(v.id);
      } else {
        const int32_t src = to_register(v);
        emit({Op::store_array, Mode::vv, AssignOp::assign, slot, src, -1});
        if (v.sort != Val::vector || v.owned) free_reg(src);
        if (v.shared) release(v);
      }
      end_statement(s.target);
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
    if (v.shared) release(v);
    end_statement(s.target);
  }

  // The value a statement's target receives, as the compiler compiles it: `t op= v` is
  // t = t op v for temporaries and arrays; gathers and scalars combine at the store.
  Expr statement_value(const Statement& s) const {
    const Bindings::Entry* e = b_.find(s.target);
    const bool combined_at_store =
        e && (e->kind == Bindings::Kind::gather || e->kind == Bindings::Kind::scalar);
    if (s.op == AssignOp::assign || combined_at_store) return s.value;
    static const NodeKind kinds[] = {NodeKind::add, NodeKind::add, NodeKind::sub, NodeKind::mul,
                                     NodeKind::div};
    return binary(kinds[static_cast<int>(s.op)], symbol(s.target), s.value);
  }

  // ---- common subexpressions (CompileOptions::share_subexpressions)
  // Every subtree gets a number by hash-consing: equal numbers mean the same
  // operations on the same values (a name's number changes when it is assigned).
  // rand() and randn(), and anything containing them, get -1: never merged.
  void next_version(const std::string& name) {
    ++versions_[name];
    ids_.clear();  // node numbers within one statement stay valid until it ends
  }

  int id_of(const Node& n) {
    if (auto it = ids_.find(&n); it != ids_.end()) return it->second;
    // -3 as parsed (the negation of 3) is the number -3 that symbolic derivatives write.
    const bool negated_number = n.kind == NodeKind::neg && n.args[0]->kind == NodeKind::number;
    std::vector<int> key{static_cast<int>(negated_number ? NodeKind::number : n.kind)};
    if (n.kind == NodeKind::number || negated_number) {
      const double value = negated_number ? -n.args[0]->value : n.value;
      uint64_t bits;
      std::memcpy(&bits, &value, sizeof bits);
      key.push_back(static_cast<int>(bits & 0xffffffffu));
      key.push_back(static_cast<int>(bits >> 32));
    }
    int id = 0;
    if (n.kind == NodeKind::call && (n.name == "rand" || n.name == "randn")) id = -1;
    for (const Expr& a : n.args) {
      if (negated_number) break;
      const int k = id < 0 ? -1 : id_of(*a);
      if (k < 0) id = -1;
      key.push_back(k);
    }
    if (id >= 0) {
      std::string name = n.name;
      if (n.kind == NodeKind::symbol) {
        auto v = versions_.find(n.name);
        name += "#" + std::to_string(v == versions_.end() ? 0 : v->second);
      }
      const auto [it, fresh] = interned_.try_emplace({std::move(key), std::move(name)},
                                                     static_cast<int>(interned_.size()));
      id = it->second;
    }
    ids_[&n] = id;
    return id;
  }

  static bool compound(const Node& n) {
    return n.kind != NodeKind::number && n.kind != NodeKind::symbol;
  }

  // Occurrences the compiler will reach through node(), exactly (a shared register is
  // freed after its counted uses): a repeat is not entered (node() returns the first
  // one's value without visiting its operands), and the negation that compute() moves
  // out of a product or quotient is not reached itself, only its operand.
  void count_uses(const Node& n) {
    if (compound(n)) {
      const int id = id_of(n);
      if (id >= 0 && ++uses_[id] > 1) return;
    }
    if (n.kind == NodeKind::mul || n.kind == NodeKind::div) {
      const bool left_neg = n.args[0]->kind == NodeKind::neg;
      const bool right_neg = n.kind == NodeKind::mul && n.args[1]->kind == NodeKind::neg;
      if (left_neg || right_neg) {
        const Node& neg_side = left_neg ? *n.args[0] : *n.args[1];
        count_uses(*neg_side.args[0]);
        count_uses(left_neg ? *n.args[1] : *n.args[0]);
        return;
      }
    }
    for (const Expr& a : n.args) count_uses(*a);
  }

  // x / s as x * (1/s) (fast_arithmetic), 1/s computed once per run; the run divides
  // where the product would not be the quotient in class (reciprocal_exact_in_class).
  Val divide_by_shared(const Val& a, const Val& b) {
    if (b.sort == Val::constant) {
      if (!reciprocal_exact_in_class(b.value)) {
        Instr in{Op::div, Mode::vs, AssignOp::assign, alloc(), a.id, slot_of(b)};
        emit(in);
        release(a);
        return {Val::vector, 0, in.dst, true};
      }
      Instr in{Op::mul, Mode::vs, AssignOp::assign,
               alloc(), a.id,     slot_of({Val::constant, 1.0 / b.value})};
      emit(in);
      release(a);
      return {Val::vector, 0, in.dst, true};
    }
    int32_t reciprocal;
    if (auto it = reciprocal_slots_.find(b.id); it != reciprocal_slots_.end()) {
      reciprocal = it->second;
    } else {
      reciprocal = new_scalar_slot();
      p_.prologue.push_back({ScalarInstr::reciprocal, {}, {}, reciprocal, b.id});
      reciprocal_slots_[b.id] = reciprocal;
    }
    Instr in{Op::div, Mode::vs, AssignOp::assign, alloc(), a.id, b.id};
    in.c = reciprocal;  // multiply by slot c where the run allows (Impl::reciprocals_ok)
    emit(in);
    release(a);
    return {Val::vector, 0, in.dst, true};
  }

  Val node(const Node& n) {
    if (!opt_.share_subexpressions || !compound(n)) return compute(n);
    const int id = id_of(n);
    if (id < 0) return compute(n);
    const auto u = uses_.find(id);
    if (u == uses_.end() || u->second < 2) return compute(n);
    if (auto it = memo_.find(id); it != memo_.end()) return it->second;
    Val v = compute(n);
    if (v.sort == Val::vector) {
      if (!v.owned) return v;  // a view (a load, a temporary): nothing to keep
      producer_.erase(v.id);   // never folded into one of its consumers
      v.owned = false;
      v.shared = true;
      remaining_[v.id] = u->second;
      memo_of_register_[v.id] = id;
    }
    memo_[id] = v;
    return v;
  }

  Program::Impl& p_;
  const Bindings& b_;
  const CompileOptions opt_;
  std::map<std::string, int> versions_;
  std::map<std::pair<std::vector<int>, std::string>, int> interned_;
  std::unordered_map<const Node*, int> ids_;
  std::map<int, int> uses_;
  std::map<int, Val> memo_;
  std::map<int32_t, int> remaining_;  // shared register -> uses not yet released
  std::map<int32_t, int> memo_of_register_;
  std::string context_;
  std::vector<int32_t> free_;
  std::map<std::string, int32_t> cache_;  // loads reused within one statement
  std::map<std::string, Val> temps_;
  std::map<std::string, int32_t> scalar_input_slots_;
  std::unordered_map<uint64_t, int32_t> const_slots_;
  std::set<std::string> assigned_scalars_;
  std::map<int32_t, int> producer_;  // register -> plain arithmetic instruction that wrote it
  std::map<int32_t, int32_t> splat_regs_;
  std::map<int32_t, int32_t> reciprocal_slots_;  // scalar slot -> slot of its reciprocal
  std::string where_ = "expression";
  int line_ = 1;
  bool values_ = false;  // compiling a value program
  int32_t draws_ = 0;    // draw sites numbered so far
};

}  // namespace

Program compile(const Expr& e, const Bindings& bindings, const CompileOptions& options) {
  if (!e) throw Error("compile: empty expression");
  Program p;
  Compiler c(*p.impl_, bindings, options);
  const Val v = c.expression(e, to_string(e));
  p.impl_->result = c.to_register(v);
  p.impl_->build_kernel();
  return p;
}

namespace {
// Statements parsed or built by hand must each have a value.
void require_values(const std::vector<Statement>& list, const char* function) {
  for (const auto& s : list)
    if (!s.value)
      throw Error(std::string(function) + ": the statement for '" + s.target + "' has no value");
}
}  // namespace

Program compile_values(const std::vector<Statement>& assignments, const Bindings& bindings,
                       const CompileOptions& options) {
  require_values(assignments, "compile_values");
  Program p;
  Compiler(*p.impl_, bindings, options).values(assignments);
  return p;
}

Program compile(const std::vector<Statement>& statements, const Bindings& bindings,
                const CompileOptions& options) {
  require_values(statements, "compile");
  Program p;
  Compiler(*p.impl_, bindings, options).statements(statements);
  p.impl_->build_kernel();
  return p;
}

}  // namespace soma::expr
