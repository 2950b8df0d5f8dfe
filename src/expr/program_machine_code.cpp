// Programs as machine code: the bytecode translated to a jit::Spec.
// program_vm.hpp turns off fused multiply-add contraction for this file.
#include "program_vm.hpp"

namespace soma::expr {

// ---------------------------------------------------------------------------
// Machine code: the bytecode translated instruction by instruction into a
// jit::Spec, so the kernel computes exactly what the VM does (same constant
// folding, same operation order, the same fused multiply-adds). Anything without a
// bit-exact equivalent (libm functions, pow, mod, gathers, index lists, rand, the
// element index, scalar targets) keeps the whole program on the VM: the results never
// depend on whether the JIT ran.

bool Program::Impl::translate(jit::Spec& s, const std::function<int32_t(int32_t)>& load,
                              const std::function<int32_t(int32_t)>& scalar,
                              std::vector<int32_t>& node_of) const {
  using jit::Op;
  using VmOp = soma::expr::Op;
  node_of.assign(static_cast<size_t>(nregs), -1);  // VM register -> node
  auto constant = [&](double v) { return s.add({.op = Op::constant, .value = v}); };
  auto node = [&](Op op, int32_t a, int32_t b = -1, int32_t c = -1) {
    return s.add({.op = op, .a = a, .b = b, .c = c});
  };
  for (const auto& [r, slot] : splats) node_of[static_cast<size_t>(r)] = scalar(slot);
  auto plain_array = [&](int32_t slot) { return arrays[slot].kind == Bindings::Kind::array; };
  static constexpr Op kArith[] = {Op::add, Op::sub, Op::mul, Op::div};
  for (const Instr& in : body) {
    auto reg = [&](int32_t r) { return r < nregs ? node_of[static_cast<size_t>(r)] : -1; };
    // Register (or, by mode, scalar slot) operands of the instructions that have them;
    // loads keep an array or scalar number in `a`.
    const bool reads = !is_source_op(in.op);
    if (!reads && in.op != VmOp::load_array && in.op != VmOp::load_indexed &&
        in.op != VmOp::broadcast)
      return false;
    const int32_t a = !reads || in.a < 0 ? -1 : in.mode == Mode::sv ? scalar(in.a) : reg(in.a);
    const int32_t b = !reads || in.b < 0 ? -1 : in.mode == Mode::vs ? scalar(in.b) : reg(in.b);
    if ((reads && in.a >= 0 && a < 0) || (reads && in.b >= 0 && b < 0)) return false;
    int32_t value = -1;
    switch (in.op) {
      case VmOp::load_array:
      case VmOp::load_indexed:
        value = load(in.a);
        if (value < 0) return false;
        break;
      case VmOp::broadcast:
        value = scalar(in.a);
        break;
      case VmOp::add:
      case VmOp::sub:
      case VmOp::mul:
      case VmOp::div:
        // A division by a shared value with its reciprocal in slot c (fast_arithmetic)
        // multiplies; Impl::kernel_for_run() keeps the runs where it may not on the VM.
        value = in.op == VmOp::div && in.c >= 0 ? node(Op::mul, a, scalar(in.c))
                                                : node(kArith[arith_index(in.op)], a, b);
        break;
      case VmOp::lt:
      case VmOp::le:
      case VmOp::gt:
      case VmOp::ge:
      case VmOp::eq:
      case VmOp::ne: {
        static constexpr Op kCompare[] = {Op::lt, Op::le, Op::gt, Op::ge, Op::eq, Op::ne};
        value = node(kCompare[static_cast<int>(in.op) - static_cast<int>(VmOp::lt)], a, b);
        break;
      }
      case VmOp::land:  // x && y == (x != 0 ? (y != 0) : 0)
        value = node(Op::select, a, node(Op::ne, b, constant(0.0)), constant(0.0));
        break;
      case VmOp::lor:  // x || y == (x != 0 ? 1 : (y != 0))
        value = node(Op::select, a, constant(1.0), node(Op::ne, b, constant(0.0)));
        break;
      case VmOp::clip_lo:  // x < lo ? lo : x is max(lo, x) as jit.hpp defines max
        value = node(Op::max, b, a);
        break;
      case VmOp::clip_hi:  // x > hi ? hi : x is min(hi, x)
        value = node(Op::min, b, a);
        break;
      case VmOp::neg:
        value = node(Op::neg, a);
        break;
      case VmOp::lnot:
        value = node(Op::eq, a, constant(0.0));
        break;
      case VmOp::abs:
        value = node(Op::abs, a);
        break;
      case VmOp::sqrt:
        value = node(Op::sqrt, a);
        break;
      case VmOp::exp:  // vecmath::exp, the VM's exp, the same bits
        value = node(Op::exp, a);
        break;
      case VmOp::sign:  // x > 0 ? 1 : x < 0 ? -1 : x (+-0 and NaN pass through)
        value = node(Op::select, node(Op::gt, a, constant(0.0)), constant(1.0),
                     node(Op::select, node(Op::lt, a, constant(0.0)), constant(-1.0), a));
        break;
      case VmOp::fused:
      case VmOp::fma: {
        const int32_t x = reg(in.a), y = reg(in.b), z = reg(in.c);
        if (x < 0 || y < 0 || z < 0) return false;
        if (in.op == VmOp::fma)  // negation is exact: fma(-x, y, z) is c - x*y rounded once
          value = node(Op::fma, in.o1 ? node(Op::neg, x) : x, y, in.o2 ? node(Op::neg, z) : z);
        else
          value = in.right ? node(kArith[in.o2], x, node(kArith[in.o1], y, z))
                           : node(kArith[in.o2], node(kArith[in.o1], x, y), z);
        break;
      }
      case VmOp::exp_mul: {
        const int32_t x = reg(in.a), y = reg(in.b);
        if (x < 0 || y < 0) return false;
        value = node(Op::exp, node(Op::mul, x, y));
        break;
      }
      case VmOp::store_array: {
        if (!plain_array(in.dst) || a < 0) return false;
        int32_t v = a;
        if (in.aop != AssignOp::assign) {
          static constexpr Op kCombine[] = {Op::add, Op::add, Op::sub, Op::mul, Op::div};
          v = node(kCombine[static_cast<int>(in.aop)], s.add({.op = Op::load, .index = in.dst}), a);
        }
        s.add({.op = Op::store, .a = v, .index = in.dst});
        continue;
      }
      case VmOp::store_temp:
        node_of[static_cast<size_t>(in.dst)] = a;
        continue;
      case VmOp::nop:
        continue;
      default:
        return false;  // no bit-exact machine-code equivalent
    }
    node_of[static_cast<size_t>(in.dst)] = value;
    if (in.store >= 0) {
      if (!plain_array(in.store)) return false;
      s.add({.op = Op::store, .a = value, .index = in.store});
    }
  }
  return true;
}

void Program::Impl::build_kernel() {
  if (!jit::available()) return;
  jit::Spec s{.arrays = static_cast<int32_t>(arrays.size()) + 1,
              .scalars = static_cast<int32_t>(scal.size())};
  auto load = [&](int32_t slot) {
    if (arrays[slot].kind != Bindings::Kind::array) return -1;
    return s.add({.op = jit::Op::load, .index = slot});
  };
  auto scalar = [&](int32_t slot) { return s.add({.op = jit::Op::scalar, .index = slot}); };
  std::vector<int32_t> node_of;
  if (!translate(s, load, scalar, node_of)) return;
  if (result >= 0) {
    if (node_of[static_cast<size_t>(result)] < 0) return;
    s.add({.op = jit::Op::store,
           .a = node_of[static_cast<size_t>(result)],
           .index = static_cast<int32_t>(arrays.size())});
  }
  machine_code = std::make_shared<LazyKernel>();
  machine_code->spec = std::move(s);
}

std::optional<std::vector<int32_t>> Program::lower(jit::Spec& spec, std::vector<double*>& arrays,
                                                   int32_t scalar_base, KnownArrays& known) const {
  const Impl& p = *impl_;
  // Shared values that change between runs are passed in; the others were fixed when
  // the program compiled and become constants.
  std::vector<bool> varies(p.scal.size(), false);
  for (const auto& [slot, ref] : p.scalar_inputs) varies[static_cast<size_t>(slot)] = true;
  for (const auto& si : p.prologue) varies[static_cast<size_t>(si.dst)] = true;
  std::vector<int32_t> scalar_node(p.scal.size(), -1);
  auto scalar = [&](int32_t slot) {
    int32_t& k = scalar_node[static_cast<size_t>(slot)];
    if (k < 0)
      k = varies[static_cast<size_t>(slot)]
              ? spec.add({.op = jit::Op::scalar, .index = scalar_base + slot})
              : spec.add({.op = jit::Op::constant, .value = p.scal[static_cast<size_t>(slot)]});
    return k;
  };
  // Without index lists every array reads at the element itself (any role).
  auto load = [&](int32_t slot) -> int32_t {
    const ArraySlot& a = p.arrays[static_cast<size_t>(slot)];
    if (a.kind != Bindings::Kind::array && a.kind != Bindings::Kind::indexed) return -1;
    const double* array = a.data;
    for (const auto& [data, node] : known)
      if (data == array) return node;
    auto at = std::find(arrays.begin(), arrays.end(), array);
    if (at == arrays.end()) at = arrays.insert(at, a.data);
    const auto number = static_cast<int32_t>(at - arrays.begin());
    const int32_t node = spec.add({.op = jit::Op::load, .index = number});
    known.emplace_back(array, node);
    return node;
  };
  std::vector<int32_t> node_of;
  if (!p.translate(spec, load, scalar, node_of)) return std::nullopt;
  std::vector<int32_t> out;
  for (const Output& o : p.outputs) {
    const int32_t v = o.vector ? node_of[static_cast<size_t>(o.id)] : scalar(o.id);
    if (v < 0) return std::nullopt;
    out.push_back(v);
  }
  return out;
}

}  // namespace soma::expr
