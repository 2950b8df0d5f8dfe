#pragma once
// Fixed-width SIMD vectors for kernel files (*.simd.cpp only: it needs SOMA_ISA_NAMESPACE,
// and its templates live in that namespace so that each level's copy keeps its own name).
#include <cstddef>
#include <cstring>
#include <type_traits>

#ifndef SOMA_ISA_NAMESPACE
#error "core/simd_vec.hpp is for *.simd.cpp kernel files (see src/core/dispatch.hpp)"
#endif

namespace soma::simd::SOMA_ISA_NAMESPACE {

// GCC warns that passing or returning vectors wider than the target's registers has a
// different ABI on targets with and without AVX/AVX-512. These helpers are inlined into
// the kernel files that use them, so no call ever crosses such a boundary.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

// Fixed-width vectors of W lanes. Up to the level's register width they are GCC/Clang
// vector-extension types (one xmm, ymm or zmm); wider ones are a few such registers side by
// side (Wide below), because GCC keeps a vector-extension type wider than the target's
// registers in memory and builds each scalar broadcast lane by lane (measured: a 16-float
// block ran 10-30x slower on AVX2 than on AVX-512). Either way the loops below vectorise
// without intrinsics and without run-time trip-count checks, remainder loops or aliasing
// checks, which is what dominates at these sizes.
#if defined(__AVX512F__)
constexpr size_t kRegisterBytes = 64;
#elif defined(__AVX__)
constexpr size_t kRegisterBytes = 32;
#else
constexpr size_t kRegisterBytes = 16;  // SSE2, NEON
#endif

template <class T, int W>
using Native [[gnu::vector_size(W * sizeof(T))]] = T;

// W lanes as K registers of N lanes.
template <class T, int W>
struct Wide {
  static constexpr int N = static_cast<int>(kRegisterBytes / sizeof(T)), K = W / N;
  using Part = Native<T, N>;
  Part part[K];

  Wide& operator+=(const Wide& b) {
    for (int k = 0; k < K; ++k) part[k] += b.part[k];
    return *this;
  }
  friend Wide operator+(Wide a, const Wide& b) { return a += b; }
  friend Wide operator*(Wide a, const Wide& b) {
    for (int k = 0; k < K; ++k) a.part[k] *= b.part[k];
    return a;
  }
  friend Wide operator*(T s, Wide a) {
    const Part v = Part{} + s;  // one broadcast
    for (int k = 0; k < K; ++k) a.part[k] *= v;
    return a;
  }
  T& operator[](int i) { return reinterpret_cast<T*>(part)[i]; }
};

template <class T, int W>
constexpr bool kFitsRegister = W * sizeof(T) <= kRegisterBytes;
template <class T, int W>
using Vec = std::conditional_t<kFitsRegister<T, W>, Native<T, W>, Wide<T, W>>;

// Loads and stores go register by register: a memcpy of a whole Wide would pass through
// the stack.
template <class T, int W>
Vec<T, W> load(const T* p) {
  Vec<T, W> v;
  if constexpr (kFitsRegister<T, W>) {
    std::memcpy(&v, p, sizeof v);
  } else {
    for (int k = 0; k < Wide<T, W>::K; ++k)
      std::memcpy(&v.part[k], p + k * Wide<T, W>::N, sizeof v.part[k]);
  }
  return v;
}
template <class T, int W>
void store(T* p, const Vec<T, W>& v) {
  if constexpr (kFitsRegister<T, W>) {
    std::memcpy(p, &v, sizeof v);
  } else {
    for (int k = 0; k < Wide<T, W>::K; ++k)
      std::memcpy(p + k * Wide<T, W>::N, &v.part[k], sizeof v.part[k]);
  }
}
// Sum of the lanes, as a tree of half-width additions (a chain of W scalar adds
// would cost more than the multiply-adds of a short dot product).
template <class T, int W>
T hsum(const Vec<T, W>& v) {
  if constexpr (W == 1) {
    return v[0];
  } else if constexpr (!kFitsRegister<T, W>) {
    auto s = v.part[0];
    for (int k = 1; k < Wide<T, W>::K; ++k) s += v.part[k];
    return hsum<T, Wide<T, W>::N>(s);
  } else {
    Vec<T, W / 2> lo, hi;
    std::memcpy(&lo, &v, sizeof lo);
    std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof lo, sizeof hi);
    return hsum<T, W / 2>(lo + hi);
  }
}

#pragma GCC diagnostic pop

}  // namespace soma::simd::SOMA_ISA_NAMESPACE
