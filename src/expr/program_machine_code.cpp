// Programs as machine code: the bytecode translated to a jit::Spec.
// program_vm.hpp turns off fused multiply-add contraction for this file.
#include "program_vm.hpp"

namespace soma::expr {

// ---------------------------------------------------------------------------
// Machine code: the bytecode translated instruction by instruction into a
// jit::Spec, so the kernel computes exactly what the VM does (same constant
// folding, same operation order). Each array and shared scalar slot is a kernel
// argument. Anything without a bit-exact equivalent (libm functions, pow, mod,
// gathers, rand, the element index, scalar targets) keeps the whole program on
// the VM: the results never depend on whether the JIT ran.

void Program::Impl::build_kernel() {
  if (!jit::available()) return;
  using jit::Op;
  using VmOp = soma::expr::Op;
  jit::Spec s{.arrays = static_cast<int32_t>(arrays.size()) + 1,
              .scalars = static_cast<int32_t>(scal.size())};
  std::vector<int32_t> node_of(static_cast<size_t>(nregs), -1);  // VM register -> node
  auto scalar = [&](int32_t slot) { return s.add({.op = Op::scalar, .index = slot}); };
  auto constant = [&](double v) { return s.add({.op = Op::constant, .value = v}); };
  auto node = [&](Op op, int32_t a, int32_t b = -1, int32_t c = -1) {
    return s.add({.op = op, .a = a, .b = b, .c = c});
  };
  for (const auto& [r, slot] : splats) node_of[static_cast<size_t>(r)] = scalar(slot);
  auto plain_array = [&](int32_t slot) { return arrays[slot].kind == Bindings::Kind::array; };
  static constexpr Op kArith[] = {Op::add, Op::sub, Op::mul, Op::div};
  for (const Instr& in : body) {
    // (Bounds-checked: gathers and the like keep array or scalar numbers in `a`;
    // they return below as unsupported.)
    auto reg = [&](int32_t r) { return r < nregs ? node_of[static_cast<size_t>(r)] : -1; };
    // Register (or, by mode, scalar slot) operands of the instructions that have them.
    const bool reads = in.op != VmOp::load_array && in.op != VmOp::broadcast;
    const int32_t a = !reads || in.a < 0 ? -1 : in.mode == Mode::sv ? scalar(in.a) : reg(in.a);
    const int32_t b = !reads || in.b < 0 ? -1 : in.mode == Mode::vs ? scalar(in.b) : reg(in.b);
    if ((reads && in.a >= 0 && a < 0) || (reads && in.b >= 0 && b < 0)) return;
    int32_t value = -1;
    switch (in.op) {
      case VmOp::load_array:
        if (!plain_array(in.a)) return;
        value = s.add({.op = Op::load, .index = in.a});
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
      case VmOp::fused: {
        const int32_t x = reg(in.a), y = reg(in.b), z = reg(in.c);
        if (x < 0 || y < 0 || z < 0) return;
        value = in.right ? node(kArith[in.o2], x, node(kArith[in.o1], y, z))
                         : node(kArith[in.o2], node(kArith[in.o1], x, y), z);
        break;
      }
      case VmOp::store_array: {
        if (!plain_array(in.dst) || a < 0) return;
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
        return;  // no bit-exact machine-code equivalent
    }
    node_of[static_cast<size_t>(in.dst)] = value;
    if (in.store >= 0) {
      if (!plain_array(in.store)) return;
      s.add({.op = Op::store, .a = value, .index = in.store});
    }
  }
  if (result >= 0) {
    if (node_of[static_cast<size_t>(result)] < 0) return;
    s.add({.op = Op::store,
           .a = node_of[static_cast<size_t>(result)],
           .index = static_cast<int32_t>(arrays.size())});
  }
  machine_code = std::make_shared<LazyKernel>();
  machine_code->spec = std::move(s);
}

}  // namespace soma::expr
