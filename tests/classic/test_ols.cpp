#include <gtest/gtest.h>

#include <cmath>
#include <span>

#include "reference.hpp"
#include "soma/classic/ols.hpp"
#include "soma/core/error.hpp"

namespace classic = soma::classic;

TEST(Ols, MatchesNumpyLstsq) {
  const auto ref = classic_test::read_reference("classic_ols.txt");
  ASSERT_EQ(ref.n, 40);
  ASSERT_EQ(ref.fits.size(), 2u);
  const auto x = soma::tensor(std::span<const double>(ref.x), {ref.n, ref.d});
  const auto y = soma::tensor(std::span<const double>(ref.y), {ref.n});

  const auto with = classic::ols(x, y);
  // "intercept B coef W1 W2"
  EXPECT_NEAR(with.intercept, std::stod(ref.fits[0][1]), 1e-12);
  ASSERT_EQ(with.coef.size(), 2u);
  for (size_t j = 0; j < 2; ++j) EXPECT_NEAR(with.coef[j], std::stod(ref.fits[0][3 + j]), 1e-12);

  const auto without = classic::ols(x, y, false);
  EXPECT_EQ(without.intercept, 0.0);
  for (size_t j = 0; j < 2; ++j) EXPECT_NEAR(without.coef[j], std::stod(ref.fits[1][2 + j]), 1e-12);
}

TEST(Ols, ExactLineIsRecovered) {
  // y = 2 - 3x exactly: the closed form slope = cov(x, y) / var(x) is -3.
  const auto x = soma::tensor({0.0, 1.0, 2.5, 4.0, 7.0}, {5, 1});
  const auto y = soma::tensor({2.0, -1.0, -5.5, -10.0, -19.0});
  const auto fit = classic::ols(x, y);
  EXPECT_NEAR(fit.coef[0], -3.0, 1e-13);
  EXPECT_NEAR(fit.intercept, 2.0, 1e-13);
}

TEST(Ols, BadInputThrows) {
  const auto y = soma::tensor({1.0, 2.0, 3.0});
  EXPECT_THROW(classic::ols(soma::tensor({1.0, 2.0, 3.0}), y), soma::Error);     // x not 2-d
  EXPECT_THROW(classic::ols(soma::tensor({1.0, 2.0}, {2, 1}), y), soma::Error);  // rows
  // A constant column duplicates the intercept: rank-deficient.
  EXPECT_THROW(classic::ols(soma::tensor({1.0, 1.0, 1.0}, {3, 1}), y), soma::Error);
  EXPECT_THROW(classic::ols(soma::tensor({1.0, std::nan(""), 3.0}, {3, 1}), y), soma::Error);
}
