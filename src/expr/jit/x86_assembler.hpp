#pragma once
// A minimal x86-64 assembler for the element-wise kernels: just the instruction
// forms jit/emit_kernel.cpp uses, each encoded by hand (no external assembler at run time).
//
// Vector instructions come in two encodings, chosen per Assembler: VEX with 256-bit
// ymm registers (AVX2 + FMA), or EVEX with 512-bit zmm registers 0..31 (AVX-512F),
// where memory operands use the compressed disp8*N form and lane masks live in
// opmask registers k1..k7 rather than in vectors.
//
// VEX forms (66 prefix):
//   vmovapd ymm, ymm                 vmovupd ymm, m256 / m256, ymm
//   vbroadcastsd ymm, m64            vmaskmovpd ymm, ymm, m256 / m256, ymm, ymm
//   vaddpd vsubpd vmulpd vdivpd vminpd vmaxpd vandpd vxorpd  ymm, ymm, ymm/m256
//   vsqrtpd ymm, ymm/m256            vcmppd ymm, ymm, ymm/m256, imm8
//   vblendvpd ymm, ymm, ymm/m256, ymm (mask in imm8[7:4])
//   vfmadd231pd ymm, ymm, ymm/m256 (FMA3, VEX.W1)
//   vfmadd213pd ymm, ymm, ymm/m256 (FMA3, VEX.W1)
//   vpaddq vpsubq ymm, ymm, ymm/m256 vpsllq vpsrlq ymm, ymm, imm8 (AVX2)
//   vzeroupper
// EVEX forms (66 prefix, W1): the same arithmetic, vmovupd with a mask {k}
// (zeroing on loads), vcmppd k, zmm, zmm/m512, imm8, vblendmpd zmm{k}, zmm, zmm/m512,
// vpandq/vpxorq for the sign-bit logic, and kmovw k, m16 (VEX) for the tail mask.
// General-purpose (64-bit): push, pop, mov r,r / r,m, lea, add/sub/and r, imm,
// cmp r, r, xor r32, r32, neg, jcc/jmp rel32, ret.
// Memory operands are [base + index*scale + disp] with the shortest displacement.
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace soma::expr::jit::x86 {

enum Gpr : uint8_t { rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15 };

struct Mem {
  Gpr base = rsp;
  int8_t index = -1;  // a Gpr, or -1 for none
  uint8_t scale = 1;  // 1, 2, 4 or 8
  int32_t disp = 0;
};

// A vector register (ymm 0..15, zmm 0..31) or a memory operand: the "r/m"
// position of an instruction.
struct Rm {
  bool is_reg = true;
  int reg = 0;
  Mem mem;
  static Rm ymm(int r) { return Rm{true, r, {}}; }
  static Rm at(const Mem& m) { return Rm{false, 0, m}; }
};

// Condition codes for jcc (the low nibble of 0F 8x).
enum class Cond : uint8_t { l = 0xC, ge = 0xD, le = 0xE, g = 0xF, e = 0x4, ne = 0x5 };

struct Label {
  int pos = -1;
  std::vector<int> patches;  // offsets of rel32 fields waiting for pos
};

// vcmppd predicates, chosen to match C++: ordered and false with NaN except !=.
enum class Cmp : uint8_t { eq = 0x00, lt = 0x01, le = 0x02, neq = 0x04, ge = 0x0D, gt = 0x0E };

class Assembler {
 public:
  explicit Assembler(bool evex) : evex_(evex) {}
  const std::vector<uint8_t>& code() const { return code_; }
  bool evex() const { return evex_; }

  // --- AVX / AVX2 / FMA (ymm) ---
  enum class Map : uint8_t { m0f = 1, m0f38 = 2, m0f3a = 3 };
  // The general VEX.256.66 form: opcode /r with reg, vvvv and r/m fields.
  void vex(uint8_t opcode, Map map, bool w, int reg, int vvvv, const Rm& rm);
  // EVEX.512.66.W1 (every EVEX form used works on 64-bit lanes): `mask` is an opmask
  // register (0: none), `zeroing` clears unselected lanes, `disp_n` the disp8 scale.
  void evex(uint8_t opcode, Map map, int reg, int vvvv, const Rm& rm, int mask = 0,
            bool zeroing = false, int disp_n = 64);
  // Either, by this assembler's encoding (W is VEX's; EVEX forms are all W1).
  void vec(uint8_t opcode, Map map, bool vex_w, int reg, int vvvv, const Rm& rm) {
    if (evex_) {
      evex(opcode, map, reg, vvvv, rm);
    } else {
      vex(opcode, map, vex_w, reg, vvvv, rm);
    }
  }

  void vmovapd(int dst, int src) { vec(0x28, Map::m0f, false, dst, 0, Rm::ymm(src)); }
  void vmovupd_load(int dst, const Mem& m) { vec(0x10, Map::m0f, false, dst, 0, Rm::at(m)); }
  void vmovupd_store(const Mem& m, int src) { vec(0x11, Map::m0f, false, src, 0, Rm::at(m)); }
  void vbroadcastsd(int dst, const Mem& m) {
    if (evex_) {
      evex(0x19, Map::m0f38, dst, 0, Rm::at(m), 0, false, 8);
    } else {
      vex(0x19, Map::m0f38, false, dst, 0, Rm::at(m));
    }
  }
  // VEX only. Lanes whose mask sign bit is clear are neither read (load gives 0) nor written.
  void vmaskmovpd_load(int dst, int mask, const Mem& m) {
    vex(0x2D, Map::m0f38, false, dst, mask, Rm::at(m));
  }
  void vmaskmovpd_store(const Mem& m, int mask, int src) {
    vex(0x2F, Map::m0f38, false, src, mask, Rm::at(m));
  }
  void vaddpd(int d, int a, const Rm& b) { vec(0x58, Map::m0f, false, d, a, b); }
  void vmulpd(int d, int a, const Rm& b) { vec(0x59, Map::m0f, false, d, a, b); }
  void vsubpd(int d, int a, const Rm& b) { vec(0x5C, Map::m0f, false, d, a, b); }
  void vminpd(int d, int a, const Rm& b) { vec(0x5D, Map::m0f, false, d, a, b); }
  void vdivpd(int d, int a, const Rm& b) { vec(0x5E, Map::m0f, false, d, a, b); }
  void vmaxpd(int d, int a, const Rm& b) { vec(0x5F, Map::m0f, false, d, a, b); }
  // Bitwise and / xor: vandpd / vxorpd (VEX), vpandq / vpxorq (EVEX: the pd forms need DQ).
  void vand(int d, int a, const Rm& b) {
    if (evex_) {
      evex(0xDB, Map::m0f, d, a, b);
    } else {
      vex(0x54, Map::m0f, false, d, a, b);
    }
  }
  void vxor(int d, int a, const Rm& b) {
    if (evex_) {
      evex(0xEF, Map::m0f, d, a, b);
    } else {
      vex(0x57, Map::m0f, false, d, a, b);
    }
  }
  void vsqrtpd(int d, const Rm& a) { vec(0x51, Map::m0f, false, d, 0, a); }
  // VEX only: all-ones lanes where true.
  void vcmppd(int d, int a, const Rm& b, Cmp pred) {
    vex(0xC2, Map::m0f, false, d, a, b);
    byte(static_cast<uint8_t>(pred));
  }
  // VEX only: d = mask ? b : a (per lane, by the mask's sign bit).
  void vblendvpd(int d, int a, const Rm& b, int mask) {
    vex(0x4B, Map::m0f3a, false, d, a, b);
    byte(static_cast<uint8_t>(mask << 4));
  }
  // EVEX only: opmask k = (a pred b) per lane; d = k ? b : a; masked moves.
  void vcmppd_k(int k, int a, const Rm& b, Cmp pred) {
    evex(0xC2, Map::m0f, k, a, b);
    byte(static_cast<uint8_t>(pred));
  }
  void vblendmpd(int d, int k, int a, const Rm& b) { evex(0x65, Map::m0f38, d, a, b, k); }
  void vmovupd_load_masked(int dst, int k, const Mem& m) {  // unselected lanes: 0, not read
    evex(0x10, Map::m0f, dst, 0, Rm::at(m), k, true);
  }
  void vmovupd_store_masked(const Mem& m, int k, int src) {  // unselected lanes not written
    evex(0x11, Map::m0f, src, 0, Rm::at(m), k);
  }
  void kmovw_load(int k, const Mem& m);  // VEX.L0.0F.W0 90 /r
  // d = a*b + d, rounded once.
  void vfmadd231pd(int d, int a, const Rm& b) { vec(0xB8, Map::m0f38, true, d, a, b); }
  // d = a*d + b
  void vfmadd213pd(int d, int a, const Rm& b) { vec(0xA8, Map::m0f38, true, d, a, b); }
  void vpaddq(int d, int a, const Rm& b) { vec(0xD4, Map::m0f, false, d, a, b); }
  void vpsubq(int d, int a, const Rm& b) { vec(0xFB, Map::m0f, false, d, a, b); }
  // Shifts by an immediate: VEX.vvvv is the destination, ModRM.reg the sub-opcode.
  void vpsllq(int d, int a, uint8_t bits) {
    vec(0x73, Map::m0f, false, 6, d, Rm::ymm(a));
    byte(bits);
  }
  void vpsrlq(int d, int a, uint8_t bits) {
    vec(0x73, Map::m0f, false, 2, d, Rm::ymm(a));
    byte(bits);
  }
  void vzeroupper() { bytes({0xC5, 0xF8, 0x77}); }

  // --- general purpose (64-bit operands) ---
  void push(Gpr r);
  void pop(Gpr r);
  void mov(Gpr dst, Gpr src);       // mov dst, src
  void mov(Gpr dst, const Mem& m);  // mov dst, [m]
  void lea(Gpr dst, const Mem& m);  // lea dst, [m]
  void add(Gpr dst, int32_t imm);   // add dst, imm
  void sub(Gpr dst, int32_t imm);   // sub dst, imm
  void and_(Gpr dst, int32_t imm);  // and dst, imm (sign-extended)
  void cmp(Gpr a, Gpr b);           // cmp a, b (flags of a - b)
  void xor32(Gpr dst, Gpr src);     // xor dst32, src32 (zeroes the upper half)
  void neg(Gpr r);
  void jcc(Cond c, Label& target);
  void jmp(Label& target);
  void bind(Label& label);
  void ret() { byte(0xC3); }

 private:
  void byte(uint8_t b) { code_.push_back(b); }
  void bytes(std::initializer_list<uint8_t> bs) { code_.insert(code_.end(), bs); }
  void rex(bool w, int reg, int index, int base);  // emitted only when needed
  void modrm(int reg, const Rm& rm, int disp_n = 1);
  void alu_imm(int ext, Gpr dst, int32_t imm);
  void rel32(Label& target);

  bool evex_;
  std::vector<uint8_t> code_;
};

}  // namespace soma::expr::jit::x86
