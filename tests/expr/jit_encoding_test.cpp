// The hand-written x86-64 encoder against GNU as: each instruction form the
// kernels use, with registers and addresses that exercise the extension bits
// (r8-r15, zmm16-31), SIB bytes (rsp, r12, r13 bases), disp8, disp32 and EVEX's
// compressed disp8*64. Expected bytes: `as` (GNU Binutils 2.40) on the AT&T
// line given with each case, read back with objdump -d.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "expr/jit/x86_assembler.hpp"

using namespace soma::expr::jit::x86;

namespace {

void expect_bytes(const Assembler& a, const std::vector<uint8_t>& want, const std::string& what) {
  EXPECT_EQ(a.code(), want) << what;
}

}  // namespace

TEST(JitEncoding, MatchesTheGnuAssembler) {
  {
    Assembler a(false);
    a.vaddpd(1, 2, Rm::at(Mem{r12, rax, 8, 0}));
    expect_bytes(a, {0xc4, 0xc1, 0x6d, 0x58, 0x0c, 0xc4}, "vaddpd (%r12,%rax,8),%ymm2,%ymm1");
  }
  {
    Assembler a(false);
    a.vmulpd(9, 10, Rm::at(Mem{r13, r9, 8, 0}));
    expect_bytes(a, {0xc4, 0x01, 0x2d, 0x59, 0x4c, 0xcd, 0x00}, "vmulpd (%r13,%r9,8),%ymm10,%ymm9");
  }
  {
    Assembler a(false);
    a.vmovupd_store(Mem{rsp, -1, 1, 0x120}, 15);
    expect_bytes(a, {0xc5, 0x7d, 0x11, 0xbc, 0x24, 0x20, 0x01, 0x00, 0x00},
                 "vmovupd %ymm15,0x120(%rsp)");
  }
  {
    Assembler a(false);
    a.vfmadd231pd(3, 11, Rm::ymm(14));
    expect_bytes(a, {0xc4, 0xc2, 0xa5, 0xb8, 0xde}, "vfmadd231pd %ymm14,%ymm11,%ymm3");
  }
  {
    Assembler a(false);
    a.vfmadd213pd(3, 11, Rm::ymm(14));
    expect_bytes(a, {0xc4, 0xc2, 0xa5, 0xa8, 0xde}, "vfmadd213pd %ymm14,%ymm11,%ymm3");
  }
  {
    Assembler a(false);
    a.vblendvpd(2, 3, Rm::ymm(12), 15);
    expect_bytes(a, {0xc4, 0xc3, 0x65, 0x4b, 0xd4, 0xf0}, "vblendvpd %ymm15,%ymm12,%ymm3,%ymm2");
  }
  {
    Assembler a(false);
    a.vmaskmovpd_store(Mem{rbx, rax, 8, 0}, 13, 0);
    expect_bytes(a, {0xc4, 0xe2, 0x15, 0x2f, 0x04, 0xc3}, "vmaskmovpd %ymm0,%ymm13,(%rbx,%rax,8)");
  }
  {
    Assembler a(false);
    a.vpsrlq(12, 9, 1);
    expect_bytes(a, {0xc4, 0xc1, 0x1d, 0x73, 0xd1, 0x01}, "vpsrlq $1,%ymm9,%ymm12");
  }
  {
    Assembler a(true);
    a.vaddpd(17, 2, Rm::at(Mem{r12, rax, 8, 0}));
    expect_bytes(a, {0x62, 0xc1, 0xed, 0x48, 0x58, 0x0c, 0xc4},
                 "vaddpd (%r12,%rax,8),%zmm2,%zmm17");
  }
  {
    Assembler a(true);
    a.vdivpd(28, 30, Rm::at(Mem{rcx, -1, 1, 64 * 3}));
    expect_bytes(a, {0x62, 0x61, 0x8d, 0x40, 0x5e, 0x61, 0x03}, "vdivpd 0xc0(%rcx),%zmm30,%zmm28");
  }
  {
    Assembler a(true);
    a.vsubpd(5, 20, Rm::at(Mem{rsp, -1, 1, 64 * 300}));
    expect_bytes(a, {0x62, 0xf1, 0xdd, 0x40, 0x5c, 0xac, 0x24, 0x00, 0x4b, 0x00, 0x00},
                 "vsubpd 0x4b00(%rsp),%zmm20,%zmm5");
  }
  {
    Assembler a(true);
    a.vmovupd_load_masked(16, 1, Mem{r13, rax, 8, 0});
    expect_bytes(a, {0x62, 0xc1, 0xfd, 0xc9, 0x10, 0x44, 0xc5, 0x00},
                 "vmovupd (%r13,%rax,8),%zmm16{%k1}{z}");
  }
  {
    Assembler a(true);
    a.vmovupd_store_masked(Mem{r9, rax, 8, 0}, 1, 31);
    expect_bytes(a, {0x62, 0x41, 0xfd, 0x49, 0x11, 0x3c, 0xc1}, "vmovupd %zmm31,(%r9,%rax,8){%k1}");
  }
  {
    Assembler a(true);
    a.vcmppd_k(2, 19, Rm::ymm(4), Cmp::neq);
    expect_bytes(a, {0x62, 0xf1, 0xe5, 0x40, 0xc2, 0xd4, 0x04}, "vcmppd $4,%zmm4,%zmm19,%k2");
  }
  {
    Assembler a(true);
    a.vblendmpd(7, 2, 29, Rm::ymm(18));
    expect_bytes(a, {0x62, 0xb2, 0x95, 0x42, 0x65, 0xfa}, "vblendmpd %zmm18,%zmm29,%zmm7{%k2}");
  }
  {
    Assembler a(true);
    a.vpsllq(21, 30, 52);
    expect_bytes(a, {0x62, 0x91, 0xd5, 0x40, 0x73, 0xf6, 0x34}, "vpsllq $52,%zmm30,%zmm21");
  }
  {
    Assembler a(true);
    a.vbroadcastsd(28, Mem{rsi, -1, 1, 8 * 5});
    expect_bytes(a, {0x62, 0x62, 0xfd, 0x48, 0x19, 0x66, 0x05}, "vbroadcastsd 0x28(%rsi),%zmm28");
  }
  {
    Assembler a(true);
    a.kmovw_load(1, Mem{rcx, r11, 2, 64 * 9});
    expect_bytes(a, {0xc4, 0xa1, 0x78, 0x90, 0x8c, 0x59, 0x40, 0x02, 0x00, 0x00},
                 "kmovw 0x240(%rcx,%r11,2),%k1");
  }
  {
    // neg %r11; lea -40(%rbp),%rsp
    Assembler a(false);
    a.mov(r11, Mem{rdi, -1, 1, 8 * 12});
    a.push(r12);
    a.pop(r15);
    a.and_(rsp, -64);
    a.sub(rsp, 0x1000);
    a.cmp(rax, r10);
    a.neg(r11);
    a.lea(rsp, Mem{rbp, -1, 1, -40});
    expect_bytes(a, {0x4c, 0x8b, 0x5f, 0x60, 0x41, 0x54, 0x41, 0x5f, 0x48, 0x83,
                     0xe4, 0xc0, 0x48, 0x81, 0xec, 0x00, 0x10, 0x00, 0x00, 0x4c,
                     0x39, 0xd0, 0x49, 0xf7, 0xdb, 0x48, 0x8d, 0x65, 0xd8},
                 "mov 0x60(%rdi),%r11; push %r12; pop %r15; and $-64,%rsp; sub $0x1000,%rsp; "
                 "cmp %r10,%rax; neg %r11; lea -40(%rbp),%rsp");
  }
}
