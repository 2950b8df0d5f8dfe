// The machine code of one kernel: prologue, a loop over groups of L elements
// (one vector register: L = 4 doubles in ymm, 8 in zmm), and one masked pass
// over the n % L left (vmaskmovpd with a mask vector, or an opmask register).
//
// Register use (System V): rdi = arrays, rsi = scalars, rdx = n, rcx = constant
// pool (kept: constants are read from it as memory operands), rax = element
// index, r10 = end of the L-wide loop, r11 = scratch address, rbp = frame
// pointer. Array base pointers go to r8, r9, rsi, rbx, r12..r15 (and rdi when it
// is the last), beyond that they are reloaded from the table at each access.
// The stack frame (aligned to the vector size) holds broadcast scalars, spills
// and, for AVX2, the tail mask; AVX-512 keeps the tail mask in k1 and uses k2
// for comparisons.
#include <bit>
#include <iterator>
#include <map>

#include "expr/jit/compile_steps.hpp"
#include "expr/jit/x86_assembler.hpp"

namespace soma::expr::jit {

namespace {

using x86::Gpr;
using x86::Mem;
using x86::Rm;

constexpr int kTailMask = 1, kCompareMask = 2;  // AVX-512 opmask registers

class KernelEmitter {
 public:
  KernelEmitter(const Spec& spec, const std::vector<bool>& live, const Allocation& alloc,
                const Target& target)
      : spec_(spec),
        live_(live),
        alloc_(alloc),
        t_(target),
        as_(target.evex),
        S0(target.scratch0()),
        S1(S0 + 1),
        S2(S0 + 2),
        S3(S0 + 3) {
    for (const double v : alloc.pool) add_entry(std::bit_cast<uint64_t>(v));
    for (size_t e = 0; e < entries_.size(); ++e) entry_of_.emplace(entries_[e][0], int(e));
    mask_entry_ = static_cast<int>(entries_.size());
    if (t_.evex) {
      // kmovw reads the tail mask (1 << (n % 8)) - 1 from a table of eight words.
      uint64_t words[2] = {0, 0};
      for (int r = 0; r < 8; ++r) words[r / 4] |= uint64_t((1u << r) - 1) << (16 * (r % 4));
      entries_.emplace_back(t_.lanes, 0);
      entries_.back()[0] = words[0];
      entries_.back()[1] = words[1];
    } else {
      // The tail mask is read at pool + 32*(mask_entry_ + 1) - 8*(n % 4): lanes
      // below n % 4 all ones, the others zero. Two fresh entries, never shared.
      entries_.emplace_back(t_.lanes, ~uint64_t{0});
      entries_.emplace_back(t_.lanes, 0);
    }
    mask_slot_ = alloc.slots;
  }

  Emitted run();

 private:
  void add_entry(uint64_t bits) { entries_.emplace_back(t_.lanes, bits); }
  int entry(uint64_t bits) {
    auto [it, added] = entry_of_.emplace(bits, static_cast<int>(entries_.size()));
    if (added) add_entry(bits);
    return it->second;
  }
  Rm constant(double v) { return Rm::at(pool_mem(entry(std::bit_cast<uint64_t>(v)))); }
  Rm integer(uint64_t v) { return Rm::at(pool_mem(entry(v))); }
  Mem pool_mem(int e) const { return Mem{x86::rcx, -1, 1, t_.vector_bytes() * e}; }
  Mem slot_mem(int s) const { return Mem{x86::rsp, -1, 1, t_.vector_bytes() * s}; }

  Location where(int node) const { return alloc_.where[node]; }
  Rm operand(int node) const {
    const Location l = where(node);
    if (l.kind == Location::reg) return Rm::ymm(l.index);
    return Rm::at(l.kind == Location::slot ? slot_mem(l.index) : pool_mem(l.index));
  }
  // The operand in a register: its own, or `scratch` loaded from memory.
  int in_reg(int node, int scratch) {
    const Rm rm = operand(node);
    if (rm.is_reg) return rm.reg;
    as_.vmovupd_load(scratch, rm.mem);
    return scratch;
  }
  // Where to compute a node's value: its register, or `scratch` when it is spilled.
  int target(int node, int scratch) const {
    return where(node).kind == Location::reg ? where(node).index : scratch;
  }
  void finish(int node, int computed) {
    if (where(node).kind == Location::slot)
      as_.vmovupd_store(slot_mem(where(node).index), computed);
  }
  Mem element(int array) {
    const int base = base_of_[array];
    if (base >= 0) return Mem{static_cast<Gpr>(base), x86::rax, 8, 0};
    as_.mov(x86::r11, Mem{x86::rdi, -1, 1, 8 * array});
    return Mem{x86::r11, x86::rax, 8, 0};
  }

  void prologue();
  void epilogue();
  void body(bool masked);
  void node(int i, bool masked);
  void exp(int d, const Rm& x);

  const Spec& spec_;
  const std::vector<bool>& live_;
  const Allocation& alloc_;
  const Target t_;
  x86::Assembler as_;
  const int S0, S1, S2, S3;                     // scratch vector registers
  std::vector<std::vector<uint64_t>> entries_;  // pool entries, one value per lane
  std::map<uint64_t, int> entry_of_;
  int mask_entry_ = 0, mask_slot_ = 0;
  std::vector<int> base_of_;  // per array: Gpr holding its base, or -1
  std::vector<Gpr> pushed_;   // callee-saved registers saved by the prologue
};

void KernelEmitter::prologue() {
  // Which arrays are touched, and where their base pointers live.
  std::vector<bool> used(spec_.arrays, false);
  for (size_t i = 0; i < spec_.nodes.size(); ++i) {
    const Node& n = spec_.nodes[i];
    if (live_[i] && (n.op == Op::load || n.op == Op::store)) used[n.index] = true;
  }
  std::vector<int> arrays;
  for (int a = 0; a < spec_.arrays; ++a) {
    if (used[a]) arrays.push_back(a);
  }
  static constexpr Gpr kBases[] = {x86::r8,  x86::r9,  x86::rsi, x86::rbx, x86::r12,
                                   x86::r13, x86::r14, x86::r15, x86::rdi};
  const size_t in_regs = arrays.size() <= std::size(kBases) ? arrays.size() : std::size(kBases) - 1;
  base_of_.assign(spec_.arrays, -1);
  for (size_t k = 0; k < in_regs; ++k) base_of_[arrays[k]] = kBases[k];

  as_.push(x86::rbp);
  as_.mov(x86::rbp, x86::rsp);
  for (size_t k = 0; k < in_regs; ++k) {
    const Gpr g = kBases[k];
    if (g == x86::rbx || g == x86::r12 || g == x86::r13 || g == x86::r14 || g == x86::r15) {
      as_.push(g);
      pushed_.push_back(g);
    }
  }
  as_.and_(x86::rsp, -t_.vector_bytes());
  as_.sub(x86::rsp, t_.vector_bytes() * (alloc_.slots + 1));

  for (const auto& s : alloc_.scalar_slots) {
    as_.vbroadcastsd(S0, Mem{x86::rsi, -1, 1, 8 * s.scalar});
    as_.vmovupd_store(slot_mem(s.slot), S0);
  }
  as_.mov(x86::r11, x86::rdx);
  as_.and_(x86::r11, t_.lanes - 1);
  if (t_.evex) {
    as_.kmovw_load(kTailMask, Mem{x86::rcx, x86::r11, 2, t_.vector_bytes() * mask_entry_});
  } else {
    as_.neg(x86::r11);
    as_.vmovupd_load(S0, Mem{x86::rcx, x86::r11, 8, 32 * (mask_entry_ + 1)});
    as_.vmovupd_store(slot_mem(mask_slot_), S0);
  }
  for (const auto& h : alloc_.hoisted) {
    const Mem from =
        h.from.kind == Location::slot ? slot_mem(h.from.index) : pool_mem(h.from.index);
    as_.vmovupd_load(where(h.node).index, from);
  }
  // rsi (scalars) is dead from here; rdi last, since the others are read through it.
  for (size_t k = 0; k < in_regs; ++k) {
    as_.mov(kBases[k], Mem{x86::rdi, -1, 1, 8 * arrays[k]});
  }
}

void KernelEmitter::epilogue() {
  as_.lea(x86::rsp, Mem{x86::rbp, -1, 1, -8 * static_cast<int32_t>(pushed_.size())});
  for (size_t k = pushed_.size(); k-- > 0;) as_.pop(pushed_[k]);
  as_.pop(x86::rbp);
  as_.vzeroupper();  // avoids the AVX-to-SSE transition penalty in the caller
  as_.ret();
}

Emitted KernelEmitter::run() {
  prologue();
  x86::Label loop, tail, done;
  as_.mov(x86::r10, x86::rdx);
  as_.and_(x86::r10, -t_.lanes);
  as_.xor32(x86::rax, x86::rax);
  as_.cmp(x86::r10, x86::rax);
  as_.jcc(x86::Cond::le, tail);
  as_.bind(loop);
  body(false);
  as_.add(x86::rax, t_.lanes);
  as_.cmp(x86::rax, x86::r10);
  as_.jcc(x86::Cond::l, loop);
  as_.bind(tail);
  as_.cmp(x86::rax, x86::rdx);
  as_.jcc(x86::Cond::ge, done);
  body(true);
  as_.bind(done);
  epilogue();

  Emitted out;
  out.code = as_.code();
  for (const auto& e : entries_) out.pool.insert(out.pool.end(), e.begin(), e.end());
  return out;
}

void KernelEmitter::body(bool masked) {
  for (size_t i = 0; i < spec_.nodes.size(); ++i) {
    if (live_[i]) node(static_cast<int>(i), masked);
  }
}

void KernelEmitter::node(int i, bool masked) {
  const Node& n = spec_.nodes[i];
  switch (n.op) {
    case Op::scalar:
    case Op::constant:
      return;  // read where they are (slot, pool or hoisted register)
    case Op::load: {
      const Mem m = element(n.index);
      const int d = target(i, S0);
      if (masked && t_.evex) {
        as_.vmovupd_load_masked(d, kTailMask, m);
      } else if (masked) {
        as_.vmovupd_load(S1, slot_mem(mask_slot_));
        as_.vmaskmovpd_load(d, S1, m);
      } else {
        as_.vmovupd_load(d, m);
      }
      return finish(i, d);
    }
    case Op::store: {
      const int v = in_reg(n.a, S0);
      const Mem m = element(n.index);
      if (masked && t_.evex) {
        as_.vmovupd_store_masked(m, kTailMask, v);
      } else if (masked) {
        as_.vmovupd_load(S1, slot_mem(mask_slot_));
        as_.vmaskmovpd_store(m, S1, v);
      } else {
        as_.vmovupd_store(m, v);
      }
      return;
    }
    case Op::add:
    case Op::sub:
    case Op::mul:
    case Op::div:
    case Op::min:
    case Op::max: {
      const int a = in_reg(n.a, S0);
      const Rm b = operand(n.b);
      const int d = target(i, S3);
      switch (n.op) {
        case Op::add:
          as_.vaddpd(d, a, b);
          break;
        case Op::sub:
          as_.vsubpd(d, a, b);
          break;
        case Op::mul:
          as_.vmulpd(d, a, b);
          break;
        case Op::div:
          as_.vdivpd(d, a, b);
          break;
        case Op::min:  // vminpd gives a < b ? a : b, the second operand on NaN or ties
          as_.vminpd(d, a, b);
          break;
        default:
          as_.vmaxpd(d, a, b);
          break;
      }
      return finish(i, d);
    }
    case Op::neg:
    case Op::abs: {
      const int a = in_reg(n.a, S0);
      const int d = target(i, S3);
      if (n.op == Op::neg) {
        as_.vxor(d, a, integer(0x8000000000000000ULL));
      } else {
        as_.vand(d, a, integer(0x7fffffffffffffffULL));
      }
      return finish(i, d);
    }
    case Op::sqrt: {
      const int d = target(i, S3);
      as_.vsqrtpd(d, operand(n.a));
      return finish(i, d);
    }
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge:
    case Op::eq:
    case Op::ne: {
      static constexpr x86::Cmp kPred[] = {x86::Cmp::lt, x86::Cmp::le, x86::Cmp::gt,
                                           x86::Cmp::ge, x86::Cmp::eq, x86::Cmp::neq};
      const x86::Cmp pred = kPred[static_cast<int>(n.op) - static_cast<int>(Op::lt)];
      const int a = in_reg(n.a, S0);
      const int d = target(i, S3);
      if (t_.evex) {
        as_.vcmppd_k(kCompareMask, a, operand(n.b), pred);
        as_.vmovupd_load_masked(d, kCompareMask, constant(1.0).mem);  // others 0.0
      } else {
        as_.vcmppd(d, a, operand(n.b), pred);
        as_.vand(d, d, constant(1.0));  // all-ones lanes -> 1.0, zero lanes stay 0.0
      }
      return finish(i, d);
    }
    case Op::select: {
      // a != 0 is true for NaN, as in C++.
      if (t_.evex) {
        as_.vcmppd_k(kCompareMask, in_reg(n.a, S0), constant(0.0), x86::Cmp::neq);
      } else {
        as_.vcmppd(S3, in_reg(n.a, S0), constant(0.0), x86::Cmp::neq);
      }
      const int c = in_reg(n.c, S2);
      const int d = target(i, S0);
      if (t_.evex) {
        as_.vblendmpd(d, kCompareMask, c, operand(n.b));
      } else {
        as_.vblendvpd(d, c, operand(n.b), S3);
      }
      return finish(i, d);
    }
    case Op::fma: {
      const int a = in_reg(n.a, S0);
      const Rm b = operand(n.b);
      const int d = target(i, S3);
      const Rm c = operand(n.c);
      int work = d;
      if (!(c.is_reg && c.reg == d)) {
        // d must receive c before the multiply reads a and b: not if d is one of them.
        if (a == d || (b.is_reg && b.reg == d)) work = S3;
        if (c.is_reg) {
          as_.vmovapd(work, c.reg);
        } else {
          as_.vmovupd_load(work, c.mem);
        }
      }
      as_.vfmadd231pd(work, a, b);
      if (work != d) as_.vmovapd(d, work);
      return finish(i, d);
    }
    case Op::exp: {
      const int d = target(i, S3);
      exp(d, operand(n.a));
      return finish(i, d);
    }
  }
}

// soma/core/vecmath.hpp's exp, one instruction per C++ operation (its multiply-adds
// are explicit fused multiply-adds), so the results are the same bits. Temporaries: S0 = x
// then r, S1 = kd then k, S2 = n then p, S3 = k1.
void KernelEmitter::exp(int d, const Rm& x) {
  constexpr double log2e = 1.4426950408889634;
  constexpr double ln2_hi = 6.93147180369123816490e-01;
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  constexpr double shifter = 0x1.8p52;
  // x < -746 ? -746 : x is vmaxpd(-746, x) (second operand on NaN: x passes through).
  as_.vmovupd_load(S0, constant(-746.0).mem);
  as_.vmaxpd(S0, S0, x);
  as_.vmovupd_load(S1, constant(710.0).mem);
  as_.vminpd(S0, S1, Rm::ymm(S0));  // x > 710 ? 710 : x
  as_.vmovupd_load(S1, constant(shifter).mem);
  as_.vfmadd231pd(S1, S0, constant(log2e));    // kd = fma(x, log2e, shifter)
  as_.vsubpd(S2, S1, constant(shifter));       // n
  as_.vfmadd231pd(S0, S2, constant(-ln2_hi));  // fma(n, -ln2_hi, x)
  as_.vfmadd231pd(S0, S2, constant(-ln2_lo));  // r = fma(n, -ln2_lo, that)
  static constexpr double kInverseFactorial[] = {1.0 / 479001600.0,
                                                 1.0 / 39916800.0,
                                                 1.0 / 3628800.0,
                                                 1.0 / 362880.0,
                                                 1.0 / 40320.0,
                                                 1.0 / 5040.0,
                                                 1.0 / 720.0,
                                                 1.0 / 120.0,
                                                 1.0 / 24.0,
                                                 1.0 / 6.0,
                                                 0.5,
                                                 1.0,
                                                 1.0};
  // p = fma(p, r, c) per Horner step, as vecmath::exp writes it.
  as_.vmovupd_load(S2, constant(1.0 / 6227020800.0).mem);
  for (const double c : kInverseFactorial) as_.vfmadd213pd(S2, S0, constant(c));
  // k = bits(kd) - bits(shifter) exactly (kd - shifter is an integer below 2^51).
  as_.vpsubq(S1, S1, integer(std::bit_cast<uint64_t>(shifter)));
  // k1 = k >> 1 (arithmetic): AVX2 has no vpsraq, so shift k + 2048 >= 0 logically
  // (k >= -1077 after the clamp).
  as_.vpaddq(S3, S1, integer(2048));
  as_.vpsrlq(S3, S3, 1);
  as_.vpsubq(S3, S3, integer(1024));
  as_.vpsubq(S1, S1, Rm::ymm(S3));  // k2 = k - k1
  as_.vpaddq(S3, S3, integer(1023));
  as_.vpsllq(S3, S3, 52);  // s1 = 2^k1
  as_.vpaddq(S1, S1, integer(1023));
  as_.vpsllq(S1, S1, 52);  // s2 = 2^k2
  as_.vmulpd(S2, S2, Rm::ymm(S3));
  as_.vmulpd(d, S2, Rm::ymm(S1));
}

}  // namespace

Emitted emit(const Spec& spec, const std::vector<bool>& live, const Allocation& alloc,
             const Target& target) {
  return KernelEmitter(spec, live, alloc, target).run();
}

}  // namespace soma::expr::jit
