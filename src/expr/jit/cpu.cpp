// Whether this process runs generated kernels, and which: soma's one CPU choice
// (soma::cpu::active(), SOMA_CPU) decides — machine code at the avx2 level and above
// (AVX2 + FMA: Haswell, 2013, and later), 512-bit code at the avx512 level. Two switches
// stay for the JIT alone: SOMA_JIT=0 asks for the interpreters (to compare, or to rule
// the JIT out when chasing a bug), SOMA_JIT=avx2 for the 256-bit code on an avx512 path.
// Both are read at every call, so a test can switch them.
#include <cstdlib>
#include <cstring>
#include <string>

#include "expr/jit/compile_steps.hpp"
#include "soma/core/cpu.hpp"

namespace soma::expr::jit {

namespace {
bool jit_env_is(const char* value) {
  const char* env = std::getenv("SOMA_JIT");
  return env != nullptr && std::strcmp(env, value) == 0;
}
}  // namespace

bool cpu_supports_kernels() {
#if defined(__x86_64__) && defined(__unix__)
  return cpu::active() >= cpu::Isa::avx2;
#else
  return false;
#endif
}

Target avx2_target() { return Target{.evex = false, .lanes = 4, .allocatable = 12}; }
Target avx512_target() { return Target{.evex = true, .lanes = 8, .allocatable = 28}; }

Target best_target() {
  return cpu::active() == cpu::Isa::avx512 && !jit_env_is("avx2") ? avx512_target() : avx2_target();
}

bool available() { return !jit_env_is("0") && cpu_supports_kernels(); }

std::string status() {
#if !(defined(__x86_64__) && defined(__unix__))
  return "off: machine code is x86-64 only; the interpreters run";
#else
  if (jit_env_is("0")) return "off: SOMA_JIT=0; the interpreters run";
  if (!cpu_supports_kernels())
    return "off: needs the avx2 level, the active one is " + std::string(cpu::name(cpu::active())) +
           "; the interpreters run";
  const Target target = best_target();
  return target.evex ? "avx512 (8 doubles per instruction)" : "avx2 (4 doubles per instruction)";
#endif
}

}  // namespace soma::expr::jit
