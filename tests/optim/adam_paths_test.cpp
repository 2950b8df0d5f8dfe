// Adam's update loop on every instruction-set level this CPU runs: it fuses no
// multiply-adds (each step rounds as torch's op does), so all levels give the same bits,
// and one step agrees with the formula evaluated here in double to float rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "optim/adam_kernels.hpp"
#include "simd_paths.hpp"
#include "soma/core/random.hpp"

namespace {

using soma::optim::detail::AdamStep;

TEST(AdamPaths, LevelsGiveTheSameBits) {
  const int64_t n = 1003;  // not a multiple of any vector width
  soma::Rng rng(9);
  std::vector<float> p0(n), g(n), m0(n), v0(n);
  for (int64_t i = 0; i < n; ++i) {
    p0[i] = static_cast<float>(rng.normal());
    g[i] = static_cast<float>(rng.normal());
    m0[i] = static_cast<float>(rng.normal(0, 0.1));
    v0[i] = static_cast<float>(rng.uniform(0, 0.1));
  }
  for (const bool amsgrad : {false, true}) {
    AdamStep s{.lr = 1e-3,
               .beta1 = 0.9,
               .beta2 = 0.999,
               .eps = 1e-8,
               .weight_decay = 1e-4,
               .bias_correction2_sqrt = std::sqrt(1 - 0.999 * 0.999),
               .step_size = 1e-3 / (1 - 0.9 * 0.9),
               .decoupled = false,
               .amsgrad = amsgrad,
               .maximize = false};
    std::vector<float> first;
    for (const auto isa : soma::testing::levels_under_test()) {
      std::vector<float> p = p0, m = m0, v = v0, vmax = v0;
      soma::optim::detail::adam_kernels(isa).update<float>(amsgrad)(
          p.data(), g.data(), m.data(), v.data(), amsgrad ? vmax.data() : nullptr, n, s);
      for (int64_t i = 0; i < n; ++i) {
        const double gi = g[i] + s.weight_decay * p0[i];
        const double mi = 0.9 * m0[i] + 0.1 * gi, vi = 0.999 * v0[i] + 0.001 * gi * gi;
        const double want =
            p0[i] - s.step_size * mi / (std::sqrt(vi) / s.bias_correction2_sqrt + s.eps);
        ASSERT_NEAR(p[i], want, 1e-6 * (1 + std::fabs(want)))
            << soma::testing::level_name(isa) << " " << i;
      }
      if (first.empty())
        first = p;
      else
        ASSERT_EQ(std::memcmp(first.data(), p.data(), n * sizeof(float)), 0)
            << soma::testing::level_name(isa) << " differs from the first level";
    }
  }
}

}  // namespace
