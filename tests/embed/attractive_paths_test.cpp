// t-SNE's attractive forces on every instruction-set level this CPU runs, against the
// definition summed in double: the kernels work in float (documented ~1e-5 relative).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "embed/attractive_kernels.hpp"
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

}  // namespace
