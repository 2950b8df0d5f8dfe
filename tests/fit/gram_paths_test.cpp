// GramAccumulator's kernel on every instruction-set level this CPU runs: the products
// c_a . c_b of a few and of many columns against float64 sums done here, and the levels
// against each other (they differ only by fused multiply-adds: within 1e-13 relative).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "fit/gram_kernels.hpp"
#include "simd_paths.hpp"
#include "soma/core/random.hpp"
#include "soma/fit/gram.hpp"

namespace {

using soma::fit::detail::GramAccumulator;

TEST(GramPaths, EveryLevelMatchesDirectSums) {
  for (const size_t n_params : {1u, 2u, 4u, 7u}) {
    const size_t cols = n_params + 1, len = 64;
    soma::Rng rng(3 + n_params);
    std::vector<double> data(cols * len);
    for (auto& v : data) v = rng.normal();
    const size_t products = cols * (cols + 1) / 2;
    std::vector<double> first;
    for (const auto isa : soma::testing::levels_under_test()) {
      std::vector<double> acc(products * GramAccumulator::kLanes, 0.0);
      soma::fit::detail::gram_kernels(isa).add(acc.data(), n_params, data.data(), len, len);
      size_t q = 0;
      for (size_t a = 0; a < cols; ++a)
        for (size_t b = a; b < cols; ++b, ++q) {
          double got = 0, want = 0, mag = 0;
          for (size_t l = 0; l < GramAccumulator::kLanes; ++l)
            got += acc[q * GramAccumulator::kLanes + l];
          for (size_t i = 0; i < len; ++i) {
            want += data[a * len + i] * data[b * len + i];
            mag += std::fabs(data[a * len + i] * data[b * len + i]);
          }
          ASSERT_NEAR(got, want, 1e-14 * len * mag) << soma::testing::level_name(isa) << " params "
                                                    << n_params << " product " << a << "," << b;
        }
      if (first.empty()) {
        first = acc;
      } else {
        for (size_t i = 0; i < acc.size(); ++i)
          ASSERT_NEAR(acc[i], first[i], 1e-13 * (1 + std::fabs(first[i])))
              << soma::testing::level_name(isa);
      }
    }
  }
}

}  // namespace
