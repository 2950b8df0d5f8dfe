// t-SNE's attractive and (Barnes-Hut) repulsive force sums on every instruction-set level
// this CPU runs, against the definitions summed in double: the kernels work in float
// (documented ~1e-5 relative).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "embed/attractive_kernels.hpp"
#include "embed/repulsion_kernels.hpp"
#include "simd_paths.hpp"
#include "soma/core/random.hpp"

namespace {

TEST(AttractivePaths, EveryLevelMatchesTheDefinition) {
  const int64_t n = 200;
  soma::Rng rng(5);
  soma::embed::SparseP P;
  P.n = n;
  P.row_ptr.push_back(0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t count = static_cast<int64_t>(rng.uniform(0, 30));  // rows of 0..29 entries
    for (int64_t e = 0; e < count; ++e) {
      P.col.push_back(static_cast<int32_t>(rng.uniform(0, static_cast<double>(n))));
      P.val.push_back(static_cast<float>(rng.uniform(0, 1e-3)));
    }
    P.row_ptr.push_back(static_cast<int64_t>(P.col.size()));
  }
  std::vector<float> Y(2 * n);
  for (auto& v : Y) v = static_cast<float>(rng.normal(0, 5));
  for (const auto isa : soma::testing::levels_under_test()) {
    std::vector<double> attr(2 * n, -1);
    soma::embed::detail::attractive_kernels(isa).range(P, Y.data(), attr.data(), 0, n);
    for (int64_t i = 0; i < n; ++i) {
      double f0 = 0, f1 = 0, mag = 0;
      for (int64_t e = P.row_ptr[i]; e < P.row_ptr[i + 1]; ++e) {
        const double dx = double(Y[2 * i]) - Y[2 * P.col[e]];
        const double dy = double(Y[2 * i + 1]) - Y[2 * P.col[e] + 1];
        const double w = P.val[e] / (1 + dx * dx + dy * dy);
        f0 += w * dx, f1 += w * dy, mag += std::fabs(w) * (std::fabs(dx) + std::fabs(dy));
      }
      ASSERT_NEAR(attr[2 * i], f0, 1e-5 * mag + 1e-30)
          << soma::testing::level_name(isa) << " row " << i;
      ASSERT_NEAR(attr[2 * i + 1], f1, 1e-5 * mag + 1e-30)
          << soma::testing::level_name(isa) << " row " << i;
    }
  }
}

TEST(RepulsionPaths, EveryLevelMatchesTheDefinition) {
  const int64_t m = 48;  // a multiple of 16, as the caller pads
  soma::Rng rng(6);
  std::vector<float> x(m), y(m), w(m);
  for (int64_t s = 0; s < m; ++s) {
    x[s] = static_cast<float>(rng.normal(0, 3));
    y[s] = static_cast<float>(rng.normal(0, 3));
    w[s] = s < 40 ? static_cast<float>(rng.uniform(1, 20)) : 0.0f;  // padding: weight 0
  }
  const float yi0 = 0.7f, yi1 = -1.3f;
  double want[3] = {0, 0, 0}, mag[3] = {0, 0, 0};
  for (int64_t s = 0; s < m; ++s) {
    const double e0 = double(yi0) - x[s], e1 = double(yi1) - y[s];
    const double q = 1 / (1 + e0 * e0 + e1 * e1), cw = w[s] * q;
    want[0] += cw, want[1] += cw * q * e0, want[2] += cw * q * e1;
    mag[0] += cw, mag[1] += std::fabs(cw * q * e0), mag[2] += std::fabs(cw * q * e1);
  }
  for (const auto isa : soma::testing::levels_under_test()) {
    float sums[3];
    soma::embed::detail::repulsion_kernels(isa).point_sums(x.data(), y.data(), w.data(), m, yi0,
                                                           yi1, sums);
    for (int k = 0; k < 3; ++k)
      EXPECT_NEAR(sums[k], want[k], 1e-5 * mag[k])
          << soma::testing::level_name(isa) << " sum " << k;
  }
}

}  // namespace
