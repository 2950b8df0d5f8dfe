// Philox4x32-10 against Random123's known-answer vectors (tests/kat_vectors of
// github.com/DEShawResearch/random123: counter, key, expected output), and the stream
// keys: distinct seeds and streams give distinct, evenly spread numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "soma/core/philox.hpp"

namespace {

using soma::PhiloxCounter;
using soma::PhiloxKey;

TEST(Philox, MatchesRandom123KnownAnswers) {
  EXPECT_EQ(soma::philox4x32({0, 0, 0, 0}, {0, 0}),
            (PhiloxCounter{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(
      soma::philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
      (PhiloxCounter{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(
      soma::philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
      (PhiloxCounter{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(Philox, StreamKeysDiffer) {
  std::set<PhiloxKey> keys;
  for (uint64_t seed = 0; seed < 32; ++seed)
    for (uint64_t stream = 0; stream < 32; ++stream) keys.insert(soma::philox_key(seed, stream));
  EXPECT_EQ(keys.size(), 32u * 32u);
}

TEST(Philox, UniformsAreEvenlySpread) {
  // 2^17 uniforms from consecutive counters: the mean within 5 standard errors of 1/2
  // (sd of U(0,1) is 1/sqrt(12)), and each of 16 bins within 5 sd of its expected count.
  const PhiloxKey key = soma::philox_key(42, 7);
  const int n = 1 << 17;
  double sum = 0;
  std::array<int, 16> bins{};
  for (uint32_t c = 0; c < n / 2; ++c)
    for (uint64_t bits : soma::philox_u64x2({c, 3, 0, 0}, key)) {
      const double u = soma::philox_uniform(bits);
      ASSERT_GE(u, 0.0);
      ASSERT_LT(u, 1.0);
      sum += u;
      ++bins[static_cast<size_t>(u * 16)];
    }
  EXPECT_NEAR(sum / n, 0.5, 5 / std::sqrt(12.0 * n));
  const double expect = n / 16.0, sd = std::sqrt(n * (1.0 / 16) * (15.0 / 16));
  for (int b : bins) EXPECT_NEAR(b, expect, 5 * sd);
}

}  // namespace
