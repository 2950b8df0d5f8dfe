// The packed-matrix GEMM kernel (gemm_packed.hpp), compiled once per instruction-set
// level: MR rows of C by a panel of KP registers, MR * KP accumulators kept in registers
// for the whole depth k. AVX-512: 6 x 4 zmm (24 of 32 registers); AVX2 and SSE2/NEON:
// 6 x 2 and 4 x 2 (12 and 8 of 16), leaving room for the panel row and the broadcast.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/simd_vec.hpp"
#include "gemm_packed_kernels.hpp"

namespace soma::SOMA_ISA_NAMESPACE {
namespace {

using namespace soma::simd::SOMA_ISA_NAMESPACE;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

constexpr int kRegistersPerRow = kRegisterBytes == 64 ? 4 : 2;
constexpr int kRows = kRegisterBytes == 16 ? 4 : 6;

template <class T>
constexpr int lanes() {
  return static_cast<int>(kRegisterBytes / sizeof(T));
}
template <class T>
constexpr int panel_width() {
  return kRegistersPerRow * lanes<T>();
}

// R rows of C (R <= kRows) times one panel.
template <class T, int R>
[[gnu::always_inline]] inline void block(int64_t k, const T* a, int64_t lda, const T* panel,
                                         int ncols, T beta, T* c, int64_t ldc) {
  constexpr int L = lanes<T>(), P = kRegistersPerRow, NR = panel_width<T>();
  using V = Native<T, L>;
  V acc[R][P] = {};
  for (int64_t p = 0; p < k; ++p) {
    V b[P];
    for (int q = 0; q < P; ++q) std::memcpy(&b[q], panel + p * NR + q * L, sizeof(V));
    for (int r = 0; r < R; ++r) {
      const T ar = a[r * lda + p];  // scalar * vector: one broadcast, no extra add
      for (int q = 0; q < P; ++q) acc[r][q] += ar * b[q];
    }
  }
  for (int r = 0; r < R; ++r) {
    T* cr = c + r * ldc;
    if (ncols == NR) {
      for (int q = 0; q < P; ++q) {
        V v = acc[r][q];
        if (beta != T(0)) {
          V old;
          std::memcpy(&old, cr + q * L, sizeof(V));
          v += beta * old;
        }
        std::memcpy(cr + q * L, &v, sizeof(V));
      }
    } else {  // the last, partial panel
      T tmp[NR];
      std::memcpy(tmp, acc[r], sizeof tmp);
      for (int j = 0; j < ncols; ++j) cr[j] = tmp[j] + (beta == T(0) ? T(0) : beta * cr[j]);
    }
  }
}

template <class T, int R = 1>
[[gnu::always_inline]] inline void rest(int rows, int64_t k, const T* a, int64_t lda,
                                        const T* panel, int ncols, T beta, T* c, int64_t ldc) {
  if constexpr (R < kRows) {
    if (rows == R) return block<T, R>(k, a, lda, panel, ncols, beta, c, ldc);
    rest<T, R + 1>(rows, k, a, lda, panel, ncols, beta, c, ldc);
  }
}

template <class T>
[[gnu::noinline]] void panel_gemm(int64_t m, int64_t k, const T* a, int64_t lda, const T* panel,
                                  int ncols, T beta, T* c, int64_t ldc) {
  int64_t i = 0;
  for (; i + kRows <= m; i += kRows)
    block<T, kRows>(k, a + i * lda, lda, panel, ncols, beta, c + i * ldc, ldc);
  if (i < m)
    rest<T>(static_cast<int>(m - i), k, a + i * lda, lda, panel, ncols, beta, c + i * ldc, ldc);
}

#pragma GCC diagnostic pop
}  // namespace

SOMA_DEFINE_KERNELS(PackedGemmKernels, packed_gemm_kernels,
                    {.panel_f32 = panel_width<float>(),
                     .panel_f64 = panel_width<double>(),
                     .panel_gemm_f32 = panel_gemm<float>,
                     .panel_gemm_f64 = panel_gemm<double>})

}  // namespace soma::SOMA_ISA_NAMESPACE
