// Row kernels of 2x2, stride 2 max pooling: one output row from two input rows.
// Ties go to the first element in row-major window order and a NaN counts as the maximum
// (the first NaN wins), as in torch and in the general max_pool2d kernel. At the avx512
// level the float rows run 16 outputs at a time, at the avx2 level 8: rows here are short (14 or 7
// outputs in a Fashion-MNIST CNN), too short for the compiler's vectorised loops to start. Compiled
// once per instruction-set level (src/core/dispatch.hpp).
#include <cstdint>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "nn/functional/max_pool_2x2.hpp"

namespace soma::nn::functional::detail::SOMA_ISA_NAMESPACE {
namespace {

// Position 0..3 (row-major in the window) of the first maximum of a, b, c, d.
template <class T>
inline int argmax4(T a, T b, T c, T d, T* best) {
  // Selects, not branches: ties (zeros after a ReLU) make branches unpredictable.
  T m = a;
  int at = 0;
  bool take = b > m || (b != b && m == m);
  m = take ? b : m, at = take ? 1 : at;
  take = c > m || (c != c && m == m);
  m = take ? c : m, at = take ? 2 : at;
  take = d > m || (d != d && m == m);
  m = take ? d : m, at = take ? 3 : at;
  *best = m;
  return at;
}

// out[j] = max of r0[2j], r0[2j+1], r1[2j], r1[2j+1] for j < n.
template <class T>
void max_pool_2x2_row(const T* r0, const T* r1, T* out, int64_t n, bool /*spill*/) {
  for (int64_t j = 0; j < n; ++j) {
    T m;
    (void)argmax4(r0[2 * j], r0[2 * j + 1], r1[2 * j], r1[2 * j + 1], &m);
    out[j] = m;
  }
}

// d0/d1 [0, 2n): g[j] at the maximum of window j, 0 elsewhere.
template <class T>
void max_pool_2x2_row_backward(const T* r0, const T* r1, const T* g, T* d0, T* d1, int64_t n,
                               bool /*spill*/) {
  for (int64_t j = 0; j < n; ++j) {
    T m;
    const int at = argmax4(r0[2 * j], r0[2 * j + 1], r1[2 * j], r1[2 * j + 1], &m);
    const T gv = g[j];
    d0[2 * j] = at == 0 ? gv : T(0);
    d0[2 * j + 1] = at == 1 ? gv : T(0);
    d1[2 * j] = at == 2 ? gv : T(0);
    d1[2 * j + 1] = at == 3 ? gv : T(0);
  }
}

#if defined(__AVX512F__)

namespace avx512 {

// The 2k input columns of k <= 16 windows, split into even (left) and odd (right) columns.
inline void load_pairs(const float* row, int64_t k, __m512* even, __m512* odd) {
  const int64_t in = 2 * k;
  const __mmask16 lo_mask = static_cast<__mmask16>(in >= 16 ? 0xFFFF : (1u << in) - 1);
  const __mmask16 hi_mask = static_cast<__mmask16>(in >= 32   ? 0xFFFF
                                                   : in <= 16 ? 0
                                                              : (1u << (in - 16)) - 1);
  const __m512 lo = _mm512_maskz_loadu_ps(lo_mask, row);
  const __m512 hi = _mm512_maskz_loadu_ps(hi_mask, row + 16);
  const __m512i even_idx =
      _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd_idx =
      _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  *even = _mm512_permutex2var_ps(lo, even_idx, hi);
  *odd = _mm512_permutex2var_ps(lo, odd_idx, hi);
}

// Lanes where v replaces the running maximum m: v > m, or v is the first NaN.
inline __mmask16 takes(__m512 v, __m512 m) {
  const __mmask16 greater = _mm512_cmp_ps_mask(v, m, _CMP_GT_OQ);
  const __mmask16 v_nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
  const __mmask16 m_num = _mm512_cmp_ps_mask(m, m, _CMP_ORD_Q);
  return static_cast<__mmask16>(greater | (v_nan & m_num));
}

// Winner masks of k windows: which of a, b, c, d holds each window's first maximum.
struct Winners {
  __m512 max;
  __mmask16 a, b, c, d;
};

inline Winners winners(const float* r0, const float* r1, int64_t k) {
  __m512 a, b, c, d;
  load_pairs(r0, k, &a, &b);
  load_pairs(r1, k, &c, &d);
  Winners w;
  const __mmask16 tb = takes(b, a);
  __m512 m = _mm512_mask_blend_ps(tb, a, b);
  const __mmask16 tc = takes(c, m);
  m = _mm512_mask_blend_ps(tc, m, c);
  const __mmask16 td = takes(d, m);
  w.max = _mm512_mask_blend_ps(td, m, d);
  w.d = td;
  w.c = static_cast<__mmask16>(tc & ~td);
  w.b = static_cast<__mmask16>(tb & ~tc & ~td);
  w.a = static_cast<__mmask16>(~tb & ~tc & ~td);
  return w;
}

// Interleaves even and odd columns back into 2k consecutive floats of row.
inline void store_pairs(float* row, int64_t k, __m512 even, __m512 odd) {
  const __m512i lo_idx = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i hi_idx =
      _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const int64_t in = 2 * k;
  const __mmask16 lo_mask = static_cast<__mmask16>(in >= 16 ? 0xFFFF : (1u << in) - 1);
  const __mmask16 hi_mask = static_cast<__mmask16>(in >= 32   ? 0xFFFF
                                                   : in <= 16 ? 0
                                                              : (1u << (in - 16)) - 1);
  _mm512_mask_storeu_ps(row, lo_mask, _mm512_permutex2var_ps(even, lo_idx, odd));
  _mm512_mask_storeu_ps(row + 16, hi_mask, _mm512_permutex2var_ps(even, hi_idx, odd));
}

inline __mmask16 first(int64_t k) {
  return static_cast<__mmask16>(k >= 16 ? 0xFFFF : (1u << k) - 1);
}

}  // namespace avx512

// Masked loads and stores cost no more than whole ones at this level: spill is not needed.
void max_pool_2x2_row_f32(const float* r0, const float* r1, float* out, int64_t n, bool /*spill*/) {
  for (int64_t j = 0; j < n; j += 16) {
    const int64_t k = n - j < 16 ? n - j : 16;
    const avx512::Winners w = avx512::winners(r0 + 2 * j, r1 + 2 * j, k);
    _mm512_mask_storeu_ps(out + j, avx512::first(k), w.max);
  }
}

void max_pool_2x2_row_backward_f32(const float* r0, const float* r1, const float* g, float* d0,
                                   float* d1, int64_t n, bool /*spill*/) {
  for (int64_t j = 0; j < n; j += 16) {
    const int64_t k = n - j < 16 ? n - j : 16;
    const avx512::Winners w = avx512::winners(r0 + 2 * j, r1 + 2 * j, k);
    const __m512 gv = _mm512_maskz_loadu_ps(avx512::first(k), g + j);
    avx512::store_pairs(d0 + 2 * j, k, _mm512_maskz_mov_ps(w.a, gv), _mm512_maskz_mov_ps(w.b, gv));
    avx512::store_pairs(d1 + 2 * j, k, _mm512_maskz_mov_ps(w.c, gv), _mm512_maskz_mov_ps(w.d, gv));
  }
}

#elif defined(__AVX2__)

namespace avx2 {

// Lanes [0, n) set (n clamped to [0, 8]).
inline __m256i first_lanes(int64_t n) {
  const int count = n <= 0 ? 0 : (n >= 8 ? 8 : static_cast<int>(n));
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// The 2k input columns of k <= 8 windows, split into even (left) and odd (right) columns.
inline void load_pairs(const float* row, int64_t k, __m256* even, __m256* odd) {
  const __m256 lo = k == 8 ? _mm256_loadu_ps(row) : _mm256_maskload_ps(row, first_lanes(2 * k));
  const __m256 hi =
      k == 8 ? _mm256_loadu_ps(row + 8) : _mm256_maskload_ps(row + 8, first_lanes(2 * k - 8));
  // Within each 128-bit half: lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6; then the 64-bit pairs in
  // order 0, 2, 1, 3: lo0 lo2 lo4 lo6 hi0 hi2 hi4 hi6.
  *even = _mm256_castpd_ps(
      _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
  *odd = _mm256_castpd_ps(
      _mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
}

// Lanes where v replaces the running maximum m: v > m, or v is the first NaN.
inline __m256 takes(__m256 v, __m256 m) {
  const __m256 greater = _mm256_cmp_ps(v, m, _CMP_GT_OQ);
  const __m256 v_nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
  const __m256 m_num = _mm256_cmp_ps(m, m, _CMP_ORD_Q);
  return _mm256_or_ps(greater, _mm256_and_ps(v_nan, m_num));
}

// Winner masks (all-ones lanes) of k windows: which of a, b, c, d holds each first maximum.
struct Winners {
  __m256 max, a, b, c, d;
};

inline Winners winners(const float* r0, const float* r1, int64_t k) {
  __m256 a, b, c, d;
  load_pairs(r0, k, &a, &b);
  load_pairs(r1, k, &c, &d);
  Winners w;
  const __m256 tb = takes(b, a);
  __m256 m = _mm256_blendv_ps(a, b, tb);
  const __m256 tc = takes(c, m);
  m = _mm256_blendv_ps(m, c, tc);
  const __m256 td = takes(d, m);
  w.max = _mm256_blendv_ps(m, d, td);
  w.d = td;
  w.c = _mm256_andnot_ps(td, tc);
  w.b = _mm256_andnot_ps(_mm256_or_ps(tc, td), tb);
  w.a = _mm256_andnot_ps(_mm256_or_ps(tb, _mm256_or_ps(tc, td)),
                         _mm256_castsi256_ps(_mm256_set1_epi32(-1)));
  return w;
}

// Stores the first n (<= 8) lanes of v. A full vector goes in one store; a partial one
// through a buffer: masked stores (vmaskmovps) are microcoded on AMD's cores, slower than
// the whole rest of a row.
inline void store_first(float* out, int64_t n, __m256 v) {
  if (n >= 8) {
    _mm256_storeu_ps(out, v);
  } else if (n > 0) {
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, v);
    for (int64_t i = 0; i < n; ++i) out[i] = lanes[i];
  }
}

// Interleaves even and odd columns back into 2k consecutive floats of row.
inline void store_pairs(float* row, int64_t k, __m256 even, __m256 odd) {
  const __m256 low = _mm256_unpacklo_ps(even, odd);   // e0 o0 e1 o1 | e4 o4 e5 o5
  const __m256 high = _mm256_unpackhi_ps(even, odd);  // e2 o2 e3 o3 | e6 o6 e7 o7
  store_first(row, 2 * k, _mm256_permute2f128_ps(low, high, 0x20));
  store_first(row + 8, 2 * k - 8, _mm256_permute2f128_ps(low, high, 0x31));
}

}  // namespace avx2

void max_pool_2x2_row_f32(const float* r0, const float* r1, float* out, int64_t n, bool spill) {
  for (int64_t j = 0; j < n; j += 8) {
    // A spilled chunk computes 8 windows; those past the row are overwritten later.
    const int64_t k = spill || n - j >= 8 ? 8 : n - j;
    const avx2::Winners w = avx2::winners(r0 + 2 * j, r1 + 2 * j, k);
    avx2::store_first(out + j, k, w.max);
  }
}

void max_pool_2x2_row_backward_f32(const float* r0, const float* r1, const float* g, float* d0,
                                   float* d1, int64_t n, bool spill) {
  // Last chunk first: what its whole-vector stores spill past d0's end lands at the start
  // of d1, which the earlier (full) chunks then write.
  for (int64_t j = (n - 1) / 8 * 8; j >= 0; j -= 8) {
    const int64_t k = spill || n - j >= 8 ? 8 : n - j;
    const avx2::Winners w = avx2::winners(r0 + 2 * j, r1 + 2 * j, k);
    const __m256 gv =
        k == 8 ? _mm256_loadu_ps(g + j) : _mm256_maskload_ps(g + j, avx2::first_lanes(k));
    avx2::store_pairs(d0 + 2 * j, k, _mm256_and_ps(w.a, gv), _mm256_and_ps(w.b, gv));
    avx2::store_pairs(d1 + 2 * j, k, _mm256_and_ps(w.c, gv), _mm256_and_ps(w.d, gv));
  }
}

#else

void max_pool_2x2_row_f32(const float* r0, const float* r1, float* out, int64_t n, bool spill) {
  max_pool_2x2_row<float>(r0, r1, out, n, spill);
}
void max_pool_2x2_row_backward_f32(const float* r0, const float* r1, const float* g, float* d0,
                                   float* d1, int64_t n, bool spill) {
  max_pool_2x2_row_backward<float>(r0, r1, g, d0, d1, n, spill);
}

#endif  // __AVX512F__, __AVX2__

}  // namespace

SOMA_DEFINE_KERNELS(MaxPool2x2Kernels, max_pool_2x2_kernels,
                    {.row_f32 = max_pool_2x2_row_f32,
                     .row_f64 = max_pool_2x2_row<double>,
                     .row_backward_f32 = max_pool_2x2_row_backward_f32,
                     .row_backward_f64 = max_pool_2x2_row_backward<double>})

}  // namespace soma::nn::functional::detail::SOMA_ISA_NAMESPACE
