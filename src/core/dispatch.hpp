#pragma once
// Run-time dispatch of hot kernels, the way PyTorch's ATen does it (native/cpu/):
// a kernel file named NAME.simd.cpp is compiled once per instruction-set level
// (cmake/SomaKernels.cmake), each time inside its own namespace, and the level
// soma::cpu::active() names is chosen at the first call.
//
// A kernel family is a struct of function pointers (its "table"):
//
//   // gram_kernels.hpp
//   struct GramKernels { void (*add)(double* acc, size_t n, const double* cols, ...); };
//   SOMA_DECLARE_KERNELS(GramKernels, gram_kernels)
//
//   // gram.simd.cpp: compiled as isa_baseline, isa_avx2 and isa_avx512
//   namespace soma::fit::detail::SOMA_ISA_NAMESPACE {
//   namespace { void add(...) { ... } }
//   SOMA_DEFINE_KERNELS(GramKernels, gram_kernels, {.add = add})
//   }
//
//   // callers
//   gram_kernels().add(...);                      // the active level's
//   gram_kernels(soma::cpu::Isa::avx2).add(...);  // one level's (tests compare them)
//
// Everything a .simd.cpp file defines must live in its ISA namespace (or an unnamed
// namespace inside it): an inline function or template instance defined outside would
// be emitted once per level under one name, and the linker would keep any one of them,
// AVX-512 code included, for every caller. Header helpers a kernel uses from outside
// (vecmath, <cstring>) are inlined; tests/core/simd_symbols_test checks the objects.
#include "soma/core/cpu.hpp"
#include "soma/core/error.hpp"

#if defined(__x86_64__)
#define SOMA_DETAIL_DECLARE_PER_ISA(Table, name)   \
  namespace isa_baseline {                         \
  const Table& name();                             \
  }                                                \
  namespace isa_avx2 {                             \
  const Table& name();                             \
  }                                                \
  namespace isa_avx512 {                           \
  const Table& name();                             \
  }                                                \
  inline const Table& name(::soma::cpu::Isa isa) { \
    ::soma::detail::check_runnable(isa);           \
    switch (isa) {                                 \
      case ::soma::cpu::Isa::avx512:               \
        return isa_avx512::name();                 \
      case ::soma::cpu::Isa::avx2:                 \
        return isa_avx2::name();                   \
      default:                                     \
        return isa_baseline::name();               \
    }                                              \
  }
#else
#define SOMA_DETAIL_DECLARE_PER_ISA(Table, name)   \
  namespace isa_baseline {                         \
  const Table& name();                             \
  }                                                \
  inline const Table& name(::soma::cpu::Isa isa) { \
    ::soma::detail::check_runnable(isa);           \
    return isa_baseline::name();                   \
  }
#endif

// Declares Table& name(Isa) (one level's kernels) and Table& name() (the active level's,
// chosen once).
#define SOMA_DECLARE_KERNELS(Table, name)                     \
  SOMA_DETAIL_DECLARE_PER_ISA(Table, name)                    \
  inline const Table& name() {                                \
    static const Table& chosen = name(::soma::cpu::active()); \
    return chosen;                                            \
  }

// Defines the table of the level being compiled; use inside SOMA_ISA_NAMESPACE.
#define SOMA_DEFINE_KERNELS(Table, name, ...)     \
  const Table& name() {                           \
    static constexpr Table kernels = __VA_ARGS__; \
    return kernels;                               \
  }

namespace soma::detail {

// A table's float or double entry, by T: `by_type<T>(rows_f32, rows_f64)`.
template <class T, class F32, class F64>
constexpr auto by_type(F32 f32, F64 f64) {
  if constexpr (sizeof(T) == 4)
    return f32;
  else
    return f64;
}

// Throws soma::Error when this build or CPU cannot run `isa`.
inline void check_runnable(cpu::Isa isa) {
  if (!cpu::runs(isa))
    throw Error("kernels for " + std::string(cpu::name(isa)) + " cannot run here (CPU: " +
                cpu::model() + ", best level: " + std::string(cpu::name(cpu::best())) + ")");
}

}  // namespace soma::detail
