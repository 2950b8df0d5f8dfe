// Encodings follow the Intel SDM, volume 2 (VEX prefix: section 2.3; ModRM/SIB:
// section 2.1). Only 64-bit mode, 256-bit vectors and the 66 SIMD prefix occur.
#include "expr/jit/x86_assembler.hpp"

#include <string>

#include "soma/core/error.hpp"

namespace soma::expr::jit::x86 {

namespace {
bool fits8(int32_t v) { return v >= -128 && v <= 127; }
uint8_t scale_bits(uint8_t scale) {
  switch (scale) {
    case 1:
      return 0;
    case 2:
      return 1;
    case 4:
      return 2;
    case 8:
      return 3;
  }
  throw Error("jit: memory operand scale " + std::to_string(scale) + " is not 1, 2, 4 or 8");
}
}  // namespace

void Assembler::modrm(int reg, const Rm& rm, int disp_n) {
  if (rm.is_reg) {
    byte(static_cast<uint8_t>(0xC0 | ((reg & 7) << 3) | (rm.reg & 7)));
    return;
  }
  const Mem& m = rm.mem;
  const int base = m.base & 7;
  // rsp/r12 as base need a SIB byte; rbp/r13 as base have no disp-less form.
  const bool sib = m.index >= 0 || base == 4;
  // EVEX scales an 8-bit displacement by the operand size (disp8*N).
  const bool short_disp = m.disp % disp_n == 0 && fits8(m.disp / disp_n);
  const int mod = (m.disp == 0 && base != 5) ? 0 : short_disp ? 1 : 2;
  byte(static_cast<uint8_t>((mod << 6) | ((reg & 7) << 3) | (sib ? 4 : base)));
  if (sib) {
    const int index = m.index >= 0 ? (m.index & 7) : 4;  // 4 without REX.X: no index
    byte(static_cast<uint8_t>((scale_bits(m.scale) << 6) | (index << 3) | base));
  }
  if (mod == 1) {
    byte(static_cast<uint8_t>(static_cast<int8_t>(m.disp / disp_n)));
  } else if (mod == 2) {
    const auto d = static_cast<uint32_t>(m.disp);
    bytes({static_cast<uint8_t>(d), static_cast<uint8_t>(d >> 8), static_cast<uint8_t>(d >> 16),
           static_cast<uint8_t>(d >> 24)});
  }
}

void Assembler::vex(uint8_t opcode, Map map, bool w, int reg, int vvvv, const Rm& rm) {
  const int r = (reg >> 3) & 1;
  const int x = (!rm.is_reg && rm.mem.index >= 0) ? (rm.mem.index >> 3) & 1 : 0;
  const int b = rm.is_reg ? (rm.reg >> 3) & 1 : (rm.mem.base >> 3) & 1;
  const int l_pp = 0x4 | 0x1;  // L = 256 bits, pp = 66
  const int v = (~vvvv & 15) << 3;
  if (x == 0 && b == 0 && map == Map::m0f && !w) {
    bytes({0xC5, static_cast<uint8_t>(((r ^ 1) << 7) | v | l_pp)});
  } else {
    bytes({0xC4,
           static_cast<uint8_t>(((r ^ 1) << 7) | ((x ^ 1) << 6) | ((b ^ 1) << 5) |
                                static_cast<int>(map)),
           static_cast<uint8_t>((w ? 0x80 : 0) | v | l_pp)});
  }
  byte(opcode);
  modrm(reg, rm);
}

void Assembler::evex(uint8_t opcode, Map map, int reg, int vvvv, const Rm& rm, int mask,
                     bool zeroing, int disp_n) {
  // P0: R X B R' 0 0 m m (inverted register bits); P1: W vvvv 1 pp; P2: z L'L b V' aaa.
  const int r = (reg >> 3) & 1, r4 = (reg >> 4) & 1;
  const int b = rm.is_reg ? (rm.reg >> 3) & 1 : (rm.mem.base >> 3) & 1;
  // X extends the index register of a memory operand, or bit 4 of a register operand.
  const int x = rm.is_reg ? (rm.reg >> 4) & 1 : rm.mem.index >= 0 ? (rm.mem.index >> 3) & 1 : 0;
  bytes({0x62,
         static_cast<uint8_t>(((r ^ 1) << 7) | ((x ^ 1) << 6) | ((b ^ 1) << 5) | ((r4 ^ 1) << 4) |
                              static_cast<int>(map)),
         static_cast<uint8_t>(0x80 | ((~vvvv & 15) << 3) | 0x4 | 0x1),
         static_cast<uint8_t>((zeroing ? 0x80 : 0) | 0x40 | ((((vvvv >> 4) & 1) ^ 1) << 3) |
                              (mask & 7))});
  byte(opcode);
  modrm(reg, rm, rm.is_reg ? 1 : disp_n);
}

void Assembler::kmovw_load(int k, const Mem& m) {
  // VEX.L0.0F.W0 90 /r; REX-like bits for the base and index of the address.
  const int x = m.index >= 0 ? (m.index >> 3) & 1 : 0, b = (m.base >> 3) & 1;
  bytes({0xC4, static_cast<uint8_t>(0x80 | ((x ^ 1) << 6) | ((b ^ 1) << 5) | 1), 0x78, 0x90});
  modrm(k, Rm::at(m));
}

void Assembler::rex(bool w, int reg, int index, int base) {
  const int bits =
      (w ? 8 : 0) | (((reg >> 3) & 1) << 2) | (((index >> 3) & 1) << 1) | ((base >> 3) & 1);
  if (bits != 0) byte(static_cast<uint8_t>(0x40 | bits));
}

void Assembler::push(Gpr r) {
  rex(false, 0, 0, r);
  byte(static_cast<uint8_t>(0x50 | (r & 7)));
}
void Assembler::pop(Gpr r) {
  rex(false, 0, 0, r);
  byte(static_cast<uint8_t>(0x58 | (r & 7)));
}
void Assembler::mov(Gpr dst, Gpr src) {  // 89 /r: mov r/m64, r64
  rex(true, src, 0, dst);
  byte(0x89);
  byte(static_cast<uint8_t>(0xC0 | ((src & 7) << 3) | (dst & 7)));
}
void Assembler::mov(Gpr dst, const Mem& m) {  // 8B /r: mov r64, r/m64
  rex(true, dst, m.index >= 0 ? m.index : 0, m.base);
  byte(0x8B);
  modrm(dst, Rm::at(m));
}
void Assembler::lea(Gpr dst, const Mem& m) {
  rex(true, dst, m.index >= 0 ? m.index : 0, m.base);
  byte(0x8D);
  modrm(dst, Rm::at(m));
}
void Assembler::alu_imm(int ext, Gpr dst, int32_t imm) {  // 83 /ext ib or 81 /ext id
  rex(true, 0, 0, dst);
  byte(fits8(imm) ? 0x83 : 0x81);
  byte(static_cast<uint8_t>(0xC0 | (ext << 3) | (dst & 7)));
  if (fits8(imm)) {
    byte(static_cast<uint8_t>(static_cast<int8_t>(imm)));
  } else {
    const auto d = static_cast<uint32_t>(imm);
    bytes({static_cast<uint8_t>(d), static_cast<uint8_t>(d >> 8), static_cast<uint8_t>(d >> 16),
           static_cast<uint8_t>(d >> 24)});
  }
}
void Assembler::add(Gpr dst, int32_t imm) { alu_imm(0, dst, imm); }
void Assembler::sub(Gpr dst, int32_t imm) { alu_imm(5, dst, imm); }
void Assembler::and_(Gpr dst, int32_t imm) { alu_imm(4, dst, imm); }
void Assembler::cmp(Gpr a, Gpr b) {  // 39 /r: cmp r/m64, r64
  rex(true, b, 0, a);
  byte(0x39);
  byte(static_cast<uint8_t>(0xC0 | ((b & 7) << 3) | (a & 7)));
}
void Assembler::xor32(Gpr dst, Gpr src) {  // 31 /r
  rex(false, src, 0, dst);
  byte(0x31);
  byte(static_cast<uint8_t>(0xC0 | ((src & 7) << 3) | (dst & 7)));
}
void Assembler::neg(Gpr r) {  // F7 /3
  rex(true, 0, 0, r);
  byte(0xF7);
  byte(static_cast<uint8_t>(0xD8 | (r & 7)));
}

void Assembler::rel32(Label& target) {
  const int at = static_cast<int>(code_.size());
  bytes({0, 0, 0, 0});
  target.patches.push_back(at);
  if (target.pos >= 0) bind(target);  // backward jump: patch now
}
void Assembler::jcc(Cond c, Label& target) {
  bytes({0x0F, static_cast<uint8_t>(0x80 | static_cast<int>(c))});
  rel32(target);
}
void Assembler::jmp(Label& target) {
  byte(0xE9);
  rel32(target);
}
void Assembler::bind(Label& label) {
  if (label.pos < 0) label.pos = static_cast<int>(code_.size());
  for (const int at : label.patches) {
    const auto rel = static_cast<uint32_t>(label.pos - (at + 4));
    for (int i = 0; i < 4; ++i) code_[at + i] = static_cast<uint8_t>(rel >> (8 * i));
  }
  label.patches.clear();
}

}  // namespace soma::expr::jit::x86
