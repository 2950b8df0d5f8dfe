// connect(p=...)'s draws (src/snn/block_gaps.hpp) on every instruction-set level this
// machine runs: the same gaps, bit for bit, at every level (so the same synapses on any
// machine), each the floor of log(1 - u) / log(1 - p) for u the Philox draw of its
// counter (soma/core/philox.hpp, checked against Random123's vectors in tests/core).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "simd_paths.hpp"
#include "snn/block_gaps.hpp"
#include "soma/core/philox.hpp"

namespace {

TEST(BlockGapPaths, EveryLevelGivesTheGapsOfItsOwnPhiloxDraws) {
  const soma::PhiloxKey key = soma::philox_key(42, 3);
  const int64_t blocks = 157, calls = 5;
  for (double p : {0.02, 0.3, 1e-6}) {
    const double scale = 1.0 / std::log1p(-p);
    std::vector<double> first;
    for (const auto isa : soma::testing::levels_under_test()) {
      std::vector<double> out(static_cast<size_t>(2 * calls * blocks));
      soma::snn::block_gap_kernels(isa).gaps(key.data(), 77, 11, blocks, 2, calls, scale,
                                             out.data());
      if (first.empty()) first = out;
      EXPECT_EQ(out, first) << soma::testing::level_name(isa) << ", p = " << p;
      for (int64_t c = 0; c < calls; ++c)
        for (int64_t b = 0; b < blocks; ++b) {
          const auto w = soma::philox_u64x2(
              {static_cast<uint32_t>(2 + c), 77, static_cast<uint32_t>(11 + b), 0}, key);
          for (int h = 0; h < 2; ++h) {
            const double q =
                std::log(1.0 - soma::philox_uniform(w[static_cast<size_t>(h)])) * scale;
            const double got = out[static_cast<size_t>((2 * c + h) * blocks + b)];
            // vecmath::log is within 4 ulp of std::log: a floor may differ by one only
            // where the quotient is within rounding of an integer.
            const bool edge = std::abs(q - std::round(q)) < 1e-9 * (1 + q);
            EXPECT_NEAR(got, std::floor(q), edge ? 1 : 0)
                << soma::testing::level_name(isa) << ", p = " << p << ", call " << c << ", block "
                << b;
          }
        }
    }
  }
}

}  // namespace
