// NumpyRandomState against numpy.random.RandomState, numpy_arange against np.arange:
// every expected value below was printed by Debian's numpy (/usr/bin/python3, numpy
// 1.24) with the statement quoted beside it.
#include <gtest/gtest.h>

#include <random>

#include "soma/core/error.hpp"
#include "soma/core/numpy_arange.hpp"
#include "soma/core/numpy_random.hpp"

using soma::NumpyRandomState;

TEST(NumpyRandomState, IntegerSeedIsStdMt19937) {
  // RandomState(100).randint(0, 2**32, size=3, dtype=np.uint64): the raw 32-bit words.
  NumpyRandomState rs(100);
  EXPECT_EQ(rs.next_u32(), 2333906440u);
  EXPECT_EQ(rs.next_u32(), 2882591512u);
  EXPECT_EQ(rs.next_u32(), 1195587395u);
  // The same generator as the standard library's, over several state reloads.
  NumpyRandomState a(12345);
  std::mt19937 b(12345);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(a.next_u32(), b()) << i;
}

TEST(NumpyRandomState, RandomSampleHas53Bits) {
  // RandomState(100).random_sample(3)
  NumpyRandomState rs(100);
  EXPECT_EQ(rs.random_sample(), 0.5434049417909654);
  EXPECT_EQ(rs.random_sample(), 0.27836938509379616);
  EXPECT_EQ(rs.random_sample(), 0.4245175907491331);
}

TEST(NumpyRandomState, ArraySeedUsesInitByArray) {
  // RandomState([1, 2, 3]).random_sample(2)
  const uint32_t key[] = {1, 2, 3};
  NumpyRandomState rs{std::span<const uint32_t>(key)};
  EXPECT_EQ(rs.random_sample(), 0.6098612722867289);
  EXPECT_EQ(rs.random_sample(), 0.8866970434146851);
}

TEST(NumpyRandomState, NormalIsLegacyPolarGauss) {
  // RandomState(100).normal(scale=50, size=5): the tutorial's curve_fit noise begins so.
  NumpyRandomState rs(100);
  const double want[] = {-87.48827365273488, 17.13402016637511, 57.6517901281822,
                         -12.621801826069493, 49.06603934756158};
  for (double w : want) EXPECT_DOUBLE_EQ(rs.normal(0.0, 50.0), w);
  // n = RandomState(100).normal(scale=50, size=1000): n[998], n[999], then one more
  // draw from the same state (the cached second value carries across calls).
  NumpyRandomState again(100);
  for (int i = 0; i < 998; ++i) again.normal(0.0, 50.0);
  EXPECT_DOUBLE_EQ(again.normal(0.0, 50.0), 10.654612412519674);
  EXPECT_DOUBLE_EQ(again.normal(0.0, 50.0), 66.41665460690578);
  EXPECT_DOUBLE_EQ(again.normal(0.0, 50.0), -10.543367698636356);
}

TEST(NumpyRandomState, GaussCacheSurvivesUniformDraws) {
  // rs = RandomState(7); rs.randn(), rs.random_sample(), rs.randn()
  NumpyRandomState rs(7);
  EXPECT_DOUBLE_EQ(rs.standard_normal(), 1.690525703800356);
  EXPECT_EQ(rs.random_sample(), 0.9779895119966027);
  EXPECT_DOUBLE_EQ(rs.standard_normal(), -0.4659373705408328);
}

TEST(NumpyRandomState, PermutationAndChoiceWithoutReplacement) {
  // RandomState(100).permutation(10)
  NumpyRandomState rs(100);
  EXPECT_EQ(rs.permutation(10), (std::vector<int64_t>{7, 6, 1, 5, 4, 2, 0, 3, 9, 8}));
  // rs = RandomState(100); rs.choice(70000, 5, replace=False), then rs.randn(2): the
  // t-SNE tutorial's subsample of MNIST's 70,000 images and the draws that follow it.
  NumpyRandomState t(100);
  EXPECT_EQ(t.choice(70000, 5), (std::vector<int64_t>{58339, 6436, 23346, 15554, 67360}));
  EXPECT_DOUBLE_EQ(t.standard_normal(), 1.7562493457027213);
  EXPECT_DOUBLE_EQ(t.standard_normal(), -2.410976695031357);
  EXPECT_THROW(t.choice(10, 11), soma::Error);
  EXPECT_THROW(t.choice(10, -1), soma::Error);
}

TEST(NumpyArange, SameLengthAndValuesAsNumpy) {
  // len(np.arange(0, 100, 0.1)) == 1000, and its last value 99.9 (= 999 * 0.1).
  const auto x = soma::numpy_arange(0, 100, 0.1);
  ASSERT_EQ(x.size(), 1000u);
  EXPECT_EQ(x[999], 999 * 0.1);
  // np.arange(-60, -4.9, 0.1): 551 values, [301] == -29.899999999999572 (the step NumPy
  // uses is -59.9 - (-60), not 0.1); np.arange(1, 60, 0.1): 590 values.
  const auto n = soma::numpy_arange(-60, -4.9, 0.1);
  ASSERT_EQ(n.size(), 551u);
  EXPECT_EQ(n[301], -29.899999999999572);
  EXPECT_EQ(soma::numpy_arange(1, 60, 0.1).size(), 590u);
  // np.arange(0.0, 40.0, 0.01): the Lorenz tutorial's 4,000 times.
  EXPECT_EQ(soma::numpy_arange(0.0, 40.0, 0.01).size(), 4000u);
  EXPECT_THROW(soma::numpy_arange(0, 1, 0), soma::Error);
}
