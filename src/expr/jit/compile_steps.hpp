#pragma once
// The stages of jit::Kernel::compile, each in its own file:
//   validate (spec_check.cpp) -> live_nodes (spec_check.cpp) -> allocate
//   (register_allocation.cpp) -> emit (emit_kernel.cpp) -> ExecutableMemory.
#include <cstdint>
#include <vector>

#include "soma/expr/jit.hpp"

namespace soma::expr::jit {

// Throws soma::Error naming the node and the field for a malformed spec.
void validate(const Spec& spec);

// Nodes a store depends on; anything else has no effect and is not emitted.
std::vector<bool> live_nodes(const Spec& spec);

// Number of operands an op reads (a, b, c in that order).
int operand_count(Op op);
const char* op_name(Op op);

// Where a node's value is during the loop body: a ymm register, a 32-byte slot of
// the stack frame (spilled values, broadcast scalars) or a 32-byte entry of the
// constant pool (four copies of a constant).
struct Location {
  enum Kind : uint8_t { none, reg, slot, pool } kind = none;
  int index = 0;
};

struct Allocation {
  std::vector<Location> where;  // per node (none for stores and dead nodes)
  std::vector<double> pool;     // spec constants, one per pool entry
  int slots = 0;                // frame slots used by spills and scalars
  // Invariants kept in a register for the whole kernel: loaded once before the loop.
  struct Hoisted {
    int node;
    Location from;  // the slot or pool entry it is loaded from
  };
  std::vector<Hoisted> hoisted;
  struct ScalarSlot {
    int32_t scalar;
    int slot;
  };
  std::vector<ScalarSlot> scalar_slots;  // filled by broadcasting scalars[scalar]
};

// The instruction set a kernel is emitted for: AVX2 (four doubles per ymm
// register, 16 registers) or AVX-512F (eight per zmm register, 32 registers).
// Registers 0..allocatable-1 hold values; the four above are scratch for operands
// that live in memory and for multi-instruction operations.
struct Target {
  bool evex = false;
  int lanes = 4;
  int allocatable = 12;
  int scratch0() const { return allocatable; }
  int vector_bytes() const { return 8 * lanes; }
};
Target avx2_target();
Target avx512_target();

Allocation allocate(const Spec& spec, const std::vector<bool>& live, int registers);

struct Emitted {
  std::vector<uint8_t> code;
  std::vector<uint64_t> pool;  // target.lanes 64-bit lanes per entry, in entry order
};

// The machine code of `void kernel(double* const* arrays, const double* scalars,
// int64_t n, const double* pool)` (System V calling convention), n > 0.
Emitted emit(const Spec& spec, const std::vector<bool>& live, const Allocation& alloc,
             const Target& target);

// The active CPU level (soma::cpu::active()) is avx2 or above; independent of SOMA_JIT.
bool cpu_supports_kernels();
// The target compile() uses: AVX-512F where the CPU (and OS) has it, unless
// SOMA_JIT=avx2 asks for the 256-bit code (for comparison and testing).
Target best_target();

}  // namespace soma::expr::jit
