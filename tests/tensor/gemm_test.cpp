// soma::gemm (both the small-size loop and the BLAS path, on whichever OpenBLAS kernel table
// soma selected) against a naive triple loop in long double, for many shapes, transposes,
// padded leading dimensions and alpha/beta values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "soma/core/blas.hpp"
#include "soma/core/cpu.hpp"
#include "soma/core/random.hpp"
#include "tensor/gemm.hpp"

namespace {

template <class T>
struct Case {
  bool ta, tb;
  int64_t m, n, k;
  T alpha, beta;
};

// Element (r, c) of op(X) where X is stored row-major with leading dimension ld.
template <class T>
T at(const std::vector<T>& x, bool trans, int64_t ld, int64_t r, int64_t c) {
  return trans ? x[static_cast<size_t>(c * ld + r)] : x[static_cast<size_t>(r * ld + c)];
}

template <class T>
void check(const Case<T>& cs, soma::Rng& rng) {
  const auto [ta, tb, m, n, k, alpha, beta] = cs;
  // Stored shapes: A is m×k (k×m when transposed), B is k×n (n×k); pad every row by 3.
  const int64_t a_rows = ta ? k : m, a_cols = ta ? m : k;
  const int64_t b_rows = tb ? n : k, b_cols = tb ? k : n;
  const int64_t lda = a_cols + 3, ldb = b_cols + 3, ldc = n + 3;
  std::vector<T> a(static_cast<size_t>(a_rows * lda)), b(static_cast<size_t>(b_rows * ldb)),
      c(static_cast<size_t>(m * ldc));
  for (auto& v : a) v = static_cast<T>(rng.uniform() * 2 - 1);
  for (auto& v : b) v = static_cast<T>(rng.uniform() * 2 - 1);
  for (auto& v : c) v = static_cast<T>(rng.uniform() * 2 - 1);
  const std::vector<T> c0 = c;
  soma::gemm(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
  // Rounding of a k-term sum grows like sqrt(k) units of the last place of its terms.
  const double eps = std::is_same_v<T, float> ? 1e-6 : 1e-15;
  const double tol = 8 * eps * (std::sqrt(static_cast<double>(k)) + 1) * (std::abs(alpha) + 1);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      long double acc = 0;
      for (int64_t p = 0; p < k; ++p)
        acc += static_cast<long double>(at(a, ta, lda, i, p)) * at(b, tb, ldb, p, j);
      const long double cij0 = c0[static_cast<size_t>(i * ldc + j)];
      const long double want = alpha * acc + (beta == T(0) ? 0.0L : beta * cij0);
      const double got = static_cast<double>(c[static_cast<size_t>(i * ldc + j)]);
      ASSERT_NEAR(got, static_cast<double>(want), tol * (1 + std::sqrt(static_cast<double>(k))))
          << "ta " << ta << " tb " << tb << " m " << m << " n " << n << " k " << k << " at (" << i
          << "," << j << ")";
    }
    // The padding past column n must be left alone.
    for (int64_t j = n; j < ldc; ++j)
      ASSERT_EQ(c[static_cast<size_t>(i * ldc + j)], c0[static_cast<size_t>(i * ldc + j)]);
  }
}

template <class T>
void check_all() {
  soma::Rng rng(7);
  // Odd sizes straddle the micro-kernel tiles (16/32 wide for AVX-512 floats); the larger
  // ones are above the small-product threshold, so they go through BLAS.
  const std::vector<int64_t> sizes = {1, 2, 5, 16, 17, 33, 67, 130};
  const T alphas[] = {T(1), T(-0.5)};
  const T betas[] = {T(0), T(1), T(0.25)};
  int idx = 0;
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (int64_t m : sizes)
        for (int64_t n : sizes)
          for (int64_t k : {int64_t{1}, int64_t{7}, int64_t{64}, int64_t{129}}) {
            ++idx;
            check<T>({ta, tb, m, n, k, alphas[idx % 2], betas[idx % 3]}, rng);
          }
  // A few products big enough for several cache blocks of the BLAS kernels.
  check<T>({false, false, 300, 257, 513, T(1), T(0)}, rng);
  check<T>({true, false, 129, 301, 260, T(2), T(1)}, rng);
  check<T>({false, true, 257, 64, 700, T(1), T(0.5)}, rng);
  check<T>({true, true, 200, 190, 333, T(-1), T(0)}, rng);
}

}  // namespace

TEST(Gemm, FloatMatchesNaiveLoop) { check_all<float>(); }

TEST(Gemm, DoubleMatchesNaiveLoop) { check_all<double>(); }

// The layer shapes of the tutorial networks (bench/nn), which take the small-product
// loops: row vectors against wide and narrow layers, outer products, narrow batches.
TEST(Gemm, TinyNetworkLayerShapes) {
  soma::Rng rng(11);
  const Case<float> cases[] = {
      {false, true, 1, 1000, 20, 1, 1},  {false, true, 1, 3, 1000, 1, 1},
      {false, false, 1, 20, 1000, 1, 0}, {true, false, 1000, 20, 1, 1, 0},
      {false, true, 13, 50, 31, 1, 1},   {true, false, 50, 31, 13, 1, 0},
      {false, true, 100, 3, 1, 1, 1},    {false, true, 100, 2, 3, 1, 1},
      {false, false, 100, 3, 2, 1, 0},   {true, false, 2, 3, 100, 1, 0},
      {true, false, 3, 1, 100, 1, 0},    {false, true, 6, 9, 2, -0.5f, 0.25f}};
  for (const auto& cs : cases) check<float>(cs, rng);
}

// With beta == 0, C is output only: whatever it held (NaN from uninitialised memory)
// must not leak into the result, on every path (dots, packed rows, narrow rows, BLAS).
TEST(Gemm, BetaZeroIgnoresOldC) {
  soma::Rng rng(5);
  const int64_t shapes[][3] = {{1, 1000, 20}, {1, 3, 50},    {13, 50, 31},   {100, 3, 1},
                               {100, 2, 3},   {50, 31, 13},  {1, 20, 1000},  {3, 50, 7},
                               {2, 64, 5},    {1000, 20, 1}, {200, 150, 120}};
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const auto& sh : shapes) {
        const int64_t m = sh[0], n = sh[1], k = sh[2];
        std::vector<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n));
        for (auto& v : a) v = static_cast<float>(rng.uniform() - 0.5);
        for (auto& v : b) v = static_cast<float>(rng.uniform() - 0.5);
        std::vector<float> c(static_cast<size_t>(m * n), std::nanf(""));
        soma::gemm(ta, tb, m, n, k, 1.0f, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.0f,
                   c.data(), n);
        for (int64_t i = 0; i < m * n; ++i)
          ASSERT_TRUE(std::isfinite(c[static_cast<size_t>(i)]))
              << "ta " << ta << " tb " << tb << " m " << m << " n " << n << " k " << k;
      }
}

TEST(Gemm, EmptyInnerDimensionScalesC) {
  std::vector<float> c = {1, 2, 3, 4};
  soma::gemm(false, false, 2, 2, 0, 1.0f, nullptr, 1, nullptr, 2, 0.5f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{0.5f, 1, 1.5f, 2}));
}

// On an AVX-512 CPU soma's tuning (what the CLI calls at start-up) must not leave OpenBLAS on
// its AVX2 (Haswell/Zen) tables, even where the environment pins one with
// OPENBLAS_CORETYPE, unless SOMA_BLAS_KEEP_CORE opts out or SOMA_CPU asks for less.
TEST(Gemm, TuneGivesAvx512CpuAvx512Kernels) {
  const soma::blas::Tuning tuning = soma::blas::tune();
  if (tuning.core_after.empty()) GTEST_SKIP() << "BLAS is not a dynamic-arch OpenBLAS";
  if (std::getenv("SOMA_BLAS_KEEP_CORE")) GTEST_SKIP() << "SOMA_BLAS_KEEP_CORE set";
  if (soma::cpu::active() != soma::cpu::Isa::avx512) GTEST_SKIP() << "CPU level below avx512";
  EXPECT_NE(tuning.core_after, "Haswell");
  EXPECT_NE(tuning.core_after, "Zen");
  EXPECT_NE(tuning.core_after, "Sandybridge");
  EXPECT_EQ(soma::blas::core(), tuning.core_after);
}
