// The 2x2 max-pooling row kernels on every instruction-set level this CPU runs: no
// arithmetic, so every level must equal the scalar definition bit for bit — ties to the
// first element in window order, the first NaN wins — on row lengths around the 16-lane
// vector width.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "nn/functional/max_pool_2x2.hpp"
#include "simd_paths.hpp"
#include "soma/core/random.hpp"

namespace {

// Position (0..3) of the first maximum of a window, a NaN counting as the maximum.
int first_max(const float* v) {
  int at = 0;
  for (int i = 1; i < 4; ++i) {
    const bool take = v[i] > v[at] || (std::isnan(v[i]) && !std::isnan(v[at]));
    if (take) at = i;
  }
  return at;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(MaxPoolPaths, EveryLevelEqualsTheDefinition) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const auto isa : soma::testing::levels_under_test()) {
    const auto& kernels = soma::nn::functional::detail::max_pool_2x2_kernels(isa);
    for (const int64_t n : {1, 7, 14, 15, 16, 17, 31, 33}) {
      soma::Rng rng(static_cast<uint64_t>(n));
      std::vector<float> r0(2 * n), r1(2 * n), g(n), out(n, -1), d0(2 * n, -1), d1(2 * n, -1);
      for (int64_t i = 0; i < 2 * n; ++i) {
        // Few distinct values, so ties are common (zeros after a ReLU), and some NaNs.
        r0[i] = static_cast<float>(static_cast<int>(rng.uniform(0, 3)));
        r1[i] = static_cast<float>(static_cast<int>(rng.uniform(0, 3)));
        if (rng.uniform() < 0.05) r0[i] = nan;
        if (rng.uniform() < 0.05) r1[i] = nan;
      }
      for (auto& v : g) v = static_cast<float>(rng.normal());
      for (const bool spill : {false, true}) {
        // With spill, the kernels may read and write 16 floats past each row: the rows sit
        // in one buffer as in a tensor (d1 right after d0), followed by that much slack.
        std::vector<float> x(4 * n + 16), gs(n + 16), y(n + 16, -1), dx(4 * n + 16, -1);
        std::copy(r0.begin(), r0.end(), x.begin());
        std::copy(r1.begin(), r1.end(), x.begin() + 2 * n);
        std::copy(g.begin(), g.end(), gs.begin());
        if (spill) {
          kernels.row_f32(x.data(), x.data() + 2 * n, y.data(), n, true);
          kernels.row_backward_f32(x.data(), x.data() + 2 * n, gs.data(), dx.data(),
                                   dx.data() + 2 * n, n, true);
          std::copy(y.begin(), y.begin() + n, out.begin());
          std::copy(dx.begin(), dx.begin() + 2 * n, d0.begin());
          std::copy(dx.begin() + 2 * n, dx.begin() + 4 * n, d1.begin());
        } else {
          kernels.row_f32(r0.data(), r1.data(), out.data(), n, false);
          kernels.row_backward_f32(r0.data(), r1.data(), g.data(), d0.data(), d1.data(), n, false);
        }
        for (int64_t j = 0; j < n; ++j) {
          const float w[4] = {r0[2 * j], r0[2 * j + 1], r1[2 * j], r1[2 * j + 1]};
          const int at = first_max(w);
          ASSERT_TRUE(same_bits(out[j], w[at]))
              << soma::testing::level_name(isa) << " n=" << n << " j=" << j << " spill=" << spill;
          float* d[4] = {&d0[2 * j], &d0[2 * j + 1], &d1[2 * j], &d1[2 * j + 1]};
          for (int q = 0; q < 4; ++q)
            ASSERT_TRUE(same_bits(*d[q], q == at ? g[j] : 0.0f))
                << soma::testing::level_name(isa) << " n=" << n << " j=" << j << " q=" << q
                << " spill=" << spill;
        }
      }
    }
  }
}

}  // namespace
