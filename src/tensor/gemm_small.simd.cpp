// The small-matrix GEMM loops (gemm.cpp sends tiny products here instead of to BLAS),
// compiled once per instruction-set level (src/core/dispatch.hpp): a block of 16 floats is
// four SSE2, two AVX2 or one AVX-512 register.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/simd_vec.hpp"
#include "gemm_small_kernels.hpp"

namespace soma::SOMA_ISA_NAMESPACE {
namespace {

using namespace soma::simd::SOMA_ISA_NAMESPACE;

// GCC warns that passing or returning vectors wider than the target's registers has a
// different ABI on targets with and without AVX/AVX-512; everything here is internal to
// this file, so no call crosses such a boundary.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

// Writes c = alpha * acc + beta * c, never reading c when beta == 0 (it may be garbage).
template <class T, int W>
void finish(T* c, const Vec<T, W>& acc, T alpha, T beta) {
  if (beta == T(0))
    store<T, W>(c, alpha * acc);
  else
    store<T, W>(c, alpha * acc + beta * load<T, W>(c));
}

// C[i, j0:j0+W] = sum_p A(i,p) * B[p, j0:j0+W], B row-major with leading dimension ldb,
// A(i,p) = a[i*sa + p*sp]. Two accumulators hide the multiply-add latency on long k.
template <class T, int W>
[[gnu::always_inline]] inline void axpy_block(const T* a, int64_t sp, const T* b, int64_t ldb,
                                              int64_t k, T alpha, T beta, T* c) {
  Vec<T, W> acc0 = {}, acc1 = {};
  int64_t p = 0;
  for (; p + 2 <= k; p += 2) {
    acc0 += a[p * sp] * load<T, W>(b + p * ldb);
    acc1 += a[(p + 1) * sp] * load<T, W>(b + (p + 1) * ldb);
  }
  if (p < k) acc0 += a[p * sp] * load<T, W>(b + p * ldb);
  finish<T, W>(c, acc0 + acc1, alpha, beta);
}

// c[0:W] = alpha * (a * b[0:W]) (+ beta * c): W columns of an outer product.
template <class T, int W>
[[gnu::always_inline]] inline void outer_block(T a, const T* b, T alpha, T beta, T* c) {
  const Vec<T, W> p = alpha * (a * load<T, W>(b));
  if (beta == T(0))
    store<T, W>(c, p);
  else
    store<T, W>(c, p + beta * load<T, W>(c));
}

// The same for NT < 4 columns, in scalars: two independent sums per column, since with
// a narrow B (a layer of 1-3 units) the batch dimension k is the long one.
template <class T, int NT>
[[gnu::always_inline]] inline void tail_columns(const T* a, int64_t sp, const T* b, int64_t ldb,
                                                int64_t k, T alpha, T beta, T* c) {
  T acc0[NT] = {}, acc1[NT] = {};
  int64_t p = 0;
  for (; p + 2 <= k; p += 2) {
    const T a0 = a[p * sp], a1 = a[(p + 1) * sp];
    for (int q = 0; q < NT; ++q) {
      acc0[q] += a0 * b[p * ldb + q];
      acc1[q] += a1 * b[(p + 1) * ldb + q];
    }
  }
  if (p < k)
    for (int q = 0; q < NT; ++q) acc0[q] += a[p * sp] * b[p * ldb + q];
  for (int q = 0; q < NT; ++q)
    c[q] = alpha * (acc0[q] + acc1[q]) + (beta == T(0) ? T(0) : beta * c[q]);
}

// One output row of 16 <= n <= 16 G columns in a single pass over k: G blocks of 16 at
// columns 0, 16, ..., the last one at n - 16 (overlapping), alpha * sum only (beta == 0).
// Two sets of accumulators hide the multiply-add latency on long k (a row vector times
// a tall weight matrix: the input gradient of a wide layer at batch size 1).
template <class T, int G>
[[gnu::always_inline]] inline void overlapped_row(const T* a, int64_t sp, const T* b, int64_t ldb,
                                                  int64_t k, T alpha, T* c, int64_t n) {
  int64_t pos[G];
  for (int g = 0; g < G; ++g) pos[g] = std::min<int64_t>(16 * g, n - 16);
  Vec<T, 16> acc0[G] = {}, acc1[G] = {};
  int64_t p = 0;
  for (; p + 2 <= k; p += 2) {
    const T a0 = a[p * sp], a1 = a[(p + 1) * sp];
    for (int g = 0; g < G; ++g) {
      acc0[g] += a0 * load<T, 16>(b + p * ldb + pos[g]);
      acc1[g] += a1 * load<T, 16>(b + (p + 1) * ldb + pos[g]);
    }
  }
  if (p < k)
    for (int g = 0; g < G; ++g) acc0[g] += a[p * sp] * load<T, 16>(b + p * ldb + pos[g]);
  Vec<T, 16> out[G];
  for (int g = 0; g < G; ++g) out[g] = alpha * (acc0[g] + acc1[g]);
  for (int g = 0; g < G; ++g) store<T, 16>(c + pos[g], out[g]);
}

// op(B) = B (row-major k×n): each output row is a combination of B's rows, computed in
// column blocks of 16, 8 and 4 (vector widths in elements, whatever the ISA) and 1-3.
template <class T>
[[gnu::noinline]] void gemm_rows(bool ta, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
                                 int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  const int64_t sa = ta ? 1 : lda, sp = ta ? lda : 1;
  if (beta == T(0) && n >= 16 && n <= 64 && k >= 2) {
    // Only 16-wide blocks, the last one shifted left to end at column n: it overlaps
    // its neighbour, whose columns it recomputes identically, so no scalar remainder.
    // (With beta == 0 nothing reads C, so writing a column twice is harmless.)
    for (int64_t i = 0; i < m; ++i) {
      const T* ai = a + i * sa;
      T* ci = c + i * ldc;
      switch ((n + 15) / 16) {
        case 1:
          overlapped_row<T, 1>(ai, sp, b, ldb, k, alpha, ci, n);
          break;
        case 2:
          overlapped_row<T, 2>(ai, sp, b, ldb, k, alpha, ci, n);
          break;
        case 3:
          overlapped_row<T, 3>(ai, sp, b, ldb, k, alpha, ci, n);
          break;
        default:
          overlapped_row<T, 4>(ai, sp, b, ldb, k, alpha, ci, n);
          break;
      }
    }
    return;
  }
  if (k == 1 && n >= 4) {  // an outer product (a weight gradient at batch size 1)
    // Blocks of 16, 8 and 4 as elsewhere here: left to the compiler, a row of 20 (a layer
    // fed by 20 units) became one AVX-512 register and four scalar stores, which made
    // this loop a fifth of mlp-dragons' step on that level.
    for (int64_t i = 0; i < m; ++i) {
      const T ai = a[i * sa];
      T* ci = c + i * ldc;
      int64_t j = 0;
      for (; j + 16 <= n; j += 16) outer_block<T, 16>(ai, b + j, alpha, beta, ci + j);
      if (j + 8 <= n) {
        outer_block<T, 8>(ai, b + j, alpha, beta, ci + j);
        j += 8;
      }
      if (j + 4 <= n) {
        outer_block<T, 4>(ai, b + j, alpha, beta, ci + j);
        j += 4;
      }
      for (; j < n; ++j)
        ci[j] = beta == T(0) ? alpha * (ai * b[j]) : alpha * (ai * b[j]) + beta * ci[j];
    }
    return;
  }
  if (n < 4) {  // narrow layers (1-3 units): one tight loop over the rows
    switch (n) {
      case 3:
        for (int64_t i = 0; i < m; ++i)
          tail_columns<T, 3>(a + i * sa, sp, b, ldb, k, alpha, beta, c + i * ldc);
        return;
      case 2:
        for (int64_t i = 0; i < m; ++i)
          tail_columns<T, 2>(a + i * sa, sp, b, ldb, k, alpha, beta, c + i * ldc);
        return;
      case 1:
        for (int64_t i = 0; i < m; ++i)
          tail_columns<T, 1>(a + i * sa, sp, b, ldb, k, alpha, beta, c + i * ldc);
        return;
      default:
        return;
    }
  }
  for (int64_t i = 0; i < m; ++i) {
    const T* ai = a + i * sa;
    T* ci = c + i * ldc;
    int64_t j = 0;
    for (; j + 16 <= n; j += 16) axpy_block<T, 16>(ai, sp, b + j, ldb, k, alpha, beta, ci + j);
    if (j + 8 <= n) {
      axpy_block<T, 8>(ai, sp, b + j, ldb, k, alpha, beta, ci + j);
      j += 8;
    }
    if (j + 4 <= n) {
      axpy_block<T, 4>(ai, sp, b + j, ldb, k, alpha, beta, ci + j);
      j += 4;
    }
    switch (n - j) {  // the last 1-3 columns together, so that A(i,p) is loaded once
      case 3:
        tail_columns<T, 3>(ai, sp, b + j, ldb, k, alpha, beta, ci + j);
        break;
      case 2:
        tail_columns<T, 2>(ai, sp, b + j, ldb, k, alpha, beta, ci + j);
        break;
      case 1:
        tail_columns<T, 1>(ai, sp, b + j, ldb, k, alpha, beta, ci + j);
        break;
      default:
        break;
    }
  }
}

// Dot product of two contiguous runs of length k.
template <class T>
T dot(const T* x, const T* y, int64_t k) {
  T s = T(0);
  int64_t p = 0;
  if (k >= 16) {
    // Two accumulators: long dots would otherwise wait on each multiply-add's latency.
    Vec<T, 16> acc = {}, acc1 = {};
    for (; p + 32 <= k; p += 32) {
      acc += load<T, 16>(x + p) * load<T, 16>(y + p);
      acc1 += load<T, 16>(x + p + 16) * load<T, 16>(y + p + 16);
    }
    for (; p + 16 <= k; p += 16) acc += load<T, 16>(x + p) * load<T, 16>(y + p);
    s = hsum<T, 16>(acc + acc1);
  }
  if (k - p >= 4) {
    Vec<T, 4> acc = {};
    for (; p + 4 <= k; p += 4) acc += load<T, 4>(x + p) * load<T, 4>(y + p);
    s += hsum<T, 4>(acc);
  }
  for (; p < k; ++p) s += x[p] * y[p];
  return s;
}

// Four dot products of x with the rows y, y + ldy, y + 2 ldy, y + 3 ldy, reduced
// together: the lane sums of four accumulators share their shuffles, which for short
// rows (a wide layer fed by a narrow one) cost more than the multiply-adds.
template <class T>
Vec<T, 4> dot4(const T* x, const T* y, int64_t ldy, int64_t k) {
  // Named accumulators, not arrays: GCC keeps an array of two-register vectors in memory
  // and zeroes it with `rep stos` on every call, which on mlp-dragons' 1000 dots of
  // length 20 per sample cost a fifth of this function.
  const T* y0 = y;
  const T* y1 = y + ldy;
  const T* y2 = y + 2 * ldy;
  const T* y3 = y + 3 * ldy;
  Vec<T, 16> a0 = {}, a1 = {}, a2 = {}, a3 = {};
  int64_t p = 0;
  for (; p + 16 <= k; p += 16) {
    const Vec<T, 16> xv = load<T, 16>(x + p);
    a0 += xv * load<T, 16>(y0 + p);
    a1 += xv * load<T, 16>(y1 + p);
    a2 += xv * load<T, 16>(y2 + p);
    a3 += xv * load<T, 16>(y3 + p);
  }
  Vec<T, 4> t0 = {}, t1 = {}, t2 = {}, t3 = {};
  int64_t q = p;
  for (; q + 4 <= k; q += 4) {
    const Vec<T, 4> xv = load<T, 4>(x + q);
    t0 += xv * load<T, 4>(y0 + q);
    t1 += xv * load<T, 4>(y1 + q);
    t2 += xv * load<T, 4>(y2 + q);
    t3 += xv * load<T, 4>(y3 + q);
  }
  Vec<T, 4> out;
  if constexpr (kFitsRegister<T, 8>) {
    // 16 lanes -> 8 per row, then rows paired into 8 lanes (4 + 4), tails added there.
    auto halves = [](const Vec<T, 16>& a) -> Vec<T, 8> {
      if constexpr (kFitsRegister<T, 16>)
        return __builtin_shufflevector(a, a, 0, 1, 2, 3, 4, 5, 6, 7) +
               __builtin_shufflevector(a, a, 8, 9, 10, 11, 12, 13, 14, 15);
      else
        return a.part[0] + a.part[1];  // two registers of 8
    };
    const Vec<T, 8> h0 = halves(a0), h1 = halves(a1), h2 = halves(a2), h3 = halves(a3);
    const Vec<T, 8> u01 = __builtin_shufflevector(h0, h1, 0, 1, 2, 3, 8, 9, 10, 11) +
                          __builtin_shufflevector(h0, h1, 4, 5, 6, 7, 12, 13, 14, 15) +
                          __builtin_shufflevector(t0, t1, 0, 1, 2, 3, 4, 5, 6, 7);
    const Vec<T, 8> u23 = __builtin_shufflevector(h2, h3, 0, 1, 2, 3, 8, 9, 10, 11) +
                          __builtin_shufflevector(h2, h3, 4, 5, 6, 7, 12, 13, 14, 15) +
                          __builtin_shufflevector(t2, t3, 0, 1, 2, 3, 4, 5, 6, 7);
    // lanes of v: row 0, 0, 2, 2, 1, 1, 3, 3
    const Vec<T, 8> v = __builtin_shufflevector(u01, u23, 0, 1, 8, 9, 4, 5, 12, 13) +
                        __builtin_shufflevector(u01, u23, 2, 3, 10, 11, 6, 7, 14, 15);
    out = __builtin_shufflevector(v, v, 0, 4, 2, 6) + __builtin_shufflevector(v, v, 1, 5, 3, 7);
  } else {
    // Registers narrower than 8 lanes: each row's sum on its own.
    out[0] = hsum<T, 16>(a0) + hsum<T, 4>(t0);
    out[1] = hsum<T, 16>(a1) + hsum<T, 4>(t1);
    out[2] = hsum<T, 16>(a2) + hsum<T, 4>(t2);
    out[3] = hsum<T, 16>(a3) + hsum<T, 4>(t3);
  }
  for (; q < k; ++q) {
    const T xq = x[q];
    out[0] += xq * y0[q];
    out[1] += xq * y1[q];
    out[2] += xq * y2[q];
    out[3] += xq * y3[q];
  }
  return out;
}

// C = A B^T with A (m×k) and B (n×k) both row-major: one dot product per element, four
// at a time.
template <class T>
[[gnu::noinline]] void gemm_dots(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
                                 const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    const T* ai = a + i * lda;
    T* ci = c + i * ldc;
    int64_t j = 0;
    if (k >= 8)
      for (; j + 4 <= n; j += 4) finish<T, 4>(ci + j, dot4(ai, b + j * ldb, ldb, k), alpha, beta);
    for (; j < n; ++j)
      ci[j] = alpha * dot(ai, b + j * ldb, k) + (beta == T(0) ? T(0) : beta * ci[j]);
  }
}

#pragma GCC diagnostic pop
}  // namespace

SOMA_DEFINE_KERNELS(SmallGemmKernels, small_gemm_kernels,
                    {.rows_f32 = gemm_rows<float>,
                     .rows_f64 = gemm_rows<double>,
                     .dots_f32 = gemm_dots<float>,
                     .dots_f64 = gemm_dots<double>})

}  // namespace soma::SOMA_ISA_NAMESPACE
