// The small-matrix GEMM loops on every instruction-set level this CPU runs, against a
// float64 reference and against each other. Levels differ only in rounding: avx2 and
// avx512 fuse multiply-adds, baseline does not; each output is a sum of k products, so
// the stated tolerance is k ulp-scale relative to the sum of |products|.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "simd_paths.hpp"
#include "soma/core/random.hpp"
#include "tensor/gemm_small_kernels.hpp"

namespace {

using soma::cpu::Isa;

struct Case {
  bool ta, tb;
  int64_t m, n, k;
};

template <class T>
void check_case(const Case& c, Isa isa, soma::Rng& rng) {
  const int64_t lda = c.ta ? c.m : c.k, ldb = c.tb ? c.k : c.n;
  std::vector<T> a(static_cast<size_t>(c.m * c.k)), b(static_cast<size_t>(c.k * c.n));
  for (auto& v : a) v = static_cast<T>(rng.normal());
  for (auto& v : b) v = static_cast<T>(rng.normal());
  const T alpha = T(0.75), beta = T(0.5);
  std::vector<T> c0(static_cast<size_t>(c.m * c.n));
  for (auto& v : c0) v = static_cast<T>(rng.normal());
  std::vector<T> out = c0;
  const auto& kernels = soma::small_gemm_kernels(isa);
  if (c.tb)
    kernels.dots<T>()(c.m, c.n, c.k, alpha, a.data(), lda, b.data(), ldb, beta, out.data(), c.n);
  else
    kernels.rows<T>()(c.ta, c.m, c.n, c.k, alpha, a.data(), lda, b.data(), ldb, beta, out.data(),
                      c.n);
  const double eps = sizeof(T) == 4 ? 1.2e-7 : 2.3e-16;
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j) {
      double sum = 0, mag = 0;
      for (int64_t p = 0; p < c.k; ++p) {
        const double x = c.ta ? a[p * lda + i] : a[i * lda + p];
        const double y = c.tb ? b[j * ldb + p] : b[p * ldb + j];
        sum += x * y, mag += std::fabs(x * y);
      }
      const double want = alpha * sum + beta * c0[i * c.n + j];
      const double tol =
          4 * eps * (static_cast<double>(c.k) + 2) * (mag + std::fabs(c0[i * c.n + j]));
      ASSERT_NEAR(out[i * c.n + j], want, tol)
          << soma::testing::level_name(isa) << " m=" << c.m << " n=" << c.n << " k=" << c.k
          << " ta=" << c.ta << " tb=" << c.tb << " at " << i << "," << j;
    }
}

TEST(GemmPaths, EveryLevelMatchesFloat64Reference) {
  // Shapes reaching each branch: overlapped 16-wide rows (16 <= n <= 64), outer products
  // (k == 1), narrow layers (n < 4), 16/8/4 column blocks with 1-3 tails, dot products.
  const Case cases[] = {
      {false, false, 1, 50, 31},  {false, false, 13, 50, 31}, {false, false, 13, 1, 50},
      {false, false, 7, 3, 19},   {true, false, 31, 50, 13},  {false, false, 20, 10, 1},
      {false, false, 5, 99, 7},   {false, false, 3, 23, 2},   {false, true, 1, 10, 20},
      {false, true, 2, 1000, 20}, {false, true, 13, 5, 40},   {false, true, 3, 7, 3}};
  for (const Isa isa : soma::testing::levels_under_test()) {
    soma::Rng rng(7);
    for (const Case& c : cases) {
      check_case<float>(c, isa, rng);
      check_case<double>(c, isa, rng);
    }
  }
}

TEST(GemmPaths, LevelsAgreeWithEachOther) {
  // The same inputs on every level: results equal within the rounding of fused versus
  // separate multiply-adds (relative 1e-5 in float here, sums of 64 products).
  const int64_t m = 9, n = 37, k = 64;
  soma::Rng rng(11);
  std::vector<float> a(m * k), b(k * n);
  for (auto& v : a) v = static_cast<float>(rng.normal());
  for (auto& v : b) v = static_cast<float>(rng.normal());
  std::vector<float> first;
  for (const Isa isa : soma::testing::levels_under_test()) {
    std::vector<float> c(m * n, 0.0f);
    soma::small_gemm_kernels(isa).rows<float>()(false, m, n, k, 1.0f, a.data(), k, b.data(), n,
                                                0.0f, c.data(), n);
    if (first.empty()) {
      first = c;
      continue;
    }
    for (size_t i = 0; i < c.size(); ++i)
      ASSERT_NEAR(c[i], first[i], 1e-5 * (1 + std::fabs(first[i])))
          << soma::testing::level_name(isa);
  }
}

TEST(GemmPaths, LevelTheCpuCannotRunIsAnError) {
  for (int i = 0; i < soma::cpu::kIsaCount; ++i) {
    const auto isa = static_cast<Isa>(i);
    if (soma::cpu::compiled(isa) && soma::cpu::supported(isa)) continue;
    EXPECT_THROW((void)soma::small_gemm_kernels(isa), soma::Error);
  }
}

}  // namespace
