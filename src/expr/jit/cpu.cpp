// Whether this process can run generated kernels: x86-64 with AVX2 and FMA
// (Haswell, 2013, and later; AMD since Excavator), unless SOMA_JIT=0 asks for
// the interpreters (to compare, or to rule the JIT out when chasing a bug).
// Where AVX-512F is present, kernels use it: eight lanes per instruction, which
// matters most for division (Zen 4 divides a zmm register as fast as a ymm one).
#include <cstdlib>
#include <cstring>

#include "expr/jit/compile_steps.hpp"

namespace soma::expr::jit {

bool cpu_supports_kernels() {
#if defined(__x86_64__) && defined(__unix__)
  static const bool supported = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return supported;
#else
  return false;
#endif
}

Target avx2_target() { return Target{.evex = false, .lanes = 4, .allocatable = 12}; }
Target avx512_target() { return Target{.evex = true, .lanes = 8, .allocatable = 28}; }

namespace {
bool cpu_has_avx512() {
#if defined(__x86_64__) && defined(__unix__)
  // libgcc also checks (XGETBV) that the OS saves the opmask and zmm state.
  static const bool supported = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
  }();
  return supported;
#else
  return false;
#endif
}
}  // namespace

Target best_target() {
  const char* env = std::getenv("SOMA_JIT");
  const bool avx2_only = env != nullptr && std::strcmp(env, "avx2") == 0;
  return cpu_has_avx512() && !avx2_only ? avx512_target() : avx2_target();
}

bool available() {
  // Read at every call, so that a test (or a long-running host) can switch it.
  const char* env = std::getenv("SOMA_JIT");
  if (env != nullptr && std::strcmp(env, "0") == 0) return false;
  return cpu_supports_kernels();
}

}  // namespace soma::expr::jit
