// PackedMatrix (the LSTM's recurrent weights, packed once per sequence) on every
// instruction-set level this CPU runs, against a float64 reference: full and partial
// panels, row counts that leave every remainder block, op(B) = B and B^T, beta 0 and 1.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "simd_paths.hpp"
#include "soma/core/random.hpp"
#include "soma/core/threads.hpp"
#include "tensor/gemm_packed.hpp"

namespace {

using soma::cpu::Isa;

template <class T>
void check(bool trans, int64_t m, int64_t n, int64_t k, T beta, Isa isa, soma::Rng& rng) {
  std::vector<T> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n));
  for (auto& v : a) v = static_cast<T>(rng.normal());
  for (auto& v : b) v = static_cast<T>(rng.normal());
  std::vector<T> c0(static_cast<size_t>(m * n));
  for (auto& v : c0) v = static_cast<T>(rng.normal());
  // beta == 0 must not read C: NaN there would show through.
  std::vector<T> out(c0.size(), beta == T(0) ? T(NAN) : T(0));
  if (beta != T(0)) out = c0;
  const int64_t ldb = trans ? k : n;
  const soma::PackedMatrix<T> packed(trans, k, n, b.data(), ldb, isa);
  packed.multiply(m, a.data(), k, beta, out.data(), n);
  const double eps = sizeof(T) == 4 ? 1.2e-7 : 2.3e-16;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0, mag = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double x = a[i * k + p], y = trans ? b[j * ldb + p] : b[p * ldb + j];
        sum += x * y, mag += std::fabs(x * y);
      }
      const double c = beta == T(0) ? 0.0 : double(beta) * c0[i * n + j];
      const double tol = 4 * eps * (double(k) + 2) * (mag + std::fabs(c));
      ASSERT_NEAR(out[i * n + j], sum + c, tol)
          << soma::testing::level_name(isa) << " m=" << m << " n=" << n << " k=" << k
          << " trans=" << trans << " at " << i << "," << j;
    }
}

TEST(PackedMatrix, EveryLevelMatchesFloat64Reference) {
  struct Case {
    int64_t m, n, k;
  };
  // n: one partial panel, exact panels, panels plus a tail; m: 1 to past two row blocks.
  const Case cases[] = {{1, 5, 3}, {7, 64, 17}, {13, 100, 40}, {32, 256, 64}, {5, 33, 1}};
  for (const Isa isa : soma::testing::levels_under_test()) {
    soma::Rng rng(5);
    for (const Case& c : cases)
      for (const bool trans : {false, true}) {
        check<float>(trans, c.m, c.n, c.k, 0.0f, isa, rng);
        check<float>(trans, c.m, c.n, c.k, 1.0f, isa, rng);
        check<double>(trans, c.m, c.n, c.k, 0.5, isa, rng);
      }
  }
}

TEST(PackedMatrix, ThreadsGiveTheSameResult) {
  // Large enough to split the panels over threads; each column's sum is computed by one
  // thread in the same order, so the result is bit for bit the one-thread result.
  const int64_t m = 32, n = 1024, k = 256;
  soma::Rng rng(3);
  std::vector<float> a(m * k), b(k * n), one(m * n), two(m * n);
  for (auto& v : a) v = static_cast<float>(rng.normal());
  for (auto& v : b) v = static_cast<float>(rng.normal());
  const soma::PackedMatrix<float> packed(false, k, n, b.data(), n);
  const int saved = soma::num_threads();
  soma::set_num_threads(1);
  packed.multiply(m, a.data(), k, 0.0f, one.data(), n);
  soma::set_num_threads(2);
  packed.multiply(m, a.data(), k, 0.0f, two.data(), n);
  soma::set_num_threads(saved);
  EXPECT_EQ(one, two);
}

}  // namespace
