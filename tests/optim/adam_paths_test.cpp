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

// The levels with FMA divide by the bias correction through its reciprocal and one exact
// correction (adam.simd.cpp's DivideBy); the baseline divides. Every sqrt(v) of a whole
// binade (2^23 values, scaled over magnitudes, with inf and NaN among them), at the bias
// corrections of the first steps, must come out with the baseline's bits.
TEST(AdamPaths, DivisionByTheBiasCorrectionIsExact) {
  const int64_t n = int64_t(1) << 23;
  std::vector<float> v0(n), g(n, 0.0f), zeros(n, 0.0f), m0(n);
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t bits = 0x3f800000u | static_cast<uint32_t>(i);  // [1, 2)
    float x;
    std::memcpy(&x, &bits, sizeof x);
    x = std::ldexp(x, static_cast<int>(i % 61) - 30);  // sqrt(v) from 1e-9 to 1e9
    v0[i] = x * x;
    m0[i] = 1.0f;
  }
  v0[5] = INFINITY;
  v0[6] = NAN;
  for (const int step : {1, 2, 3, 10, 137, 4000}) {
    // beta1 = beta2 = 1 and g = 0 keep m = 1 and v = v0: p = -1 / (sqrt(v0) / bc2), so
    // only the division by bc2 (and the exact reciprocal after it) varies.
    AdamStep s{.lr = 1.0,
               .beta1 = 1.0,
               .beta2 = 1.0,
               .eps = 0.0,
               .weight_decay = 0.0,
               .bias_correction2_sqrt = std::sqrt(1 - std::pow(0.999, step)),
               .step_size = 1.0,
               .decoupled = false,
               .amsgrad = false,
               .maximize = false};
    std::vector<float> first;
    for (const auto isa : soma::testing::levels_under_test()) {
      std::vector<float> p = zeros, m = m0, v = v0;
      soma::optim::detail::adam_kernels(isa).update<float>(false)(p.data(), g.data(), m.data(),
                                                                  v.data(), nullptr, n, s);
      if (first.empty())
        first = p;
      else
        ASSERT_EQ(std::memcmp(first.data(), p.data(), n * sizeof(float)), 0)
            << soma::testing::level_name(isa) << " differs at step " << step;
    }
  }
}

}  // namespace
