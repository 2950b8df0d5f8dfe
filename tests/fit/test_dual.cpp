// Dual numbers against analytic derivatives and central finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <span>

#include "soma/fit/dual.hpp"

using soma::fit::Dual;

namespace {

template <class T>
T mixed(const T& a, const T& b) {
  using std::atan;
  using std::exp;
  using std::log;
  using std::pow;
  using std::sqrt;
  using std::tanh;
  return exp(-a / b) * log(b) + pow(a, 2.5) / sqrt(b) + atan(a * b) - tanh(b - a) + pow(b, a) +
         3.0 / (1.0 + a);
}

TEST(Dual, ProductAndQuotientRules) {
  const auto a = Dual<2>::variable(3.0, 0), b = Dual<2>::variable(5.0, 1);
  const auto p = a * b, q = a / b;
  EXPECT_DOUBLE_EQ(p.v, 15.0);
  EXPECT_DOUBLE_EQ(p.d[0], 5.0);
  EXPECT_DOUBLE_EQ(p.d[1], 3.0);
  EXPECT_DOUBLE_EQ(q.d[0], 1.0 / 5.0);
  EXPECT_DOUBLE_EQ(q.d[1], -3.0 / 25.0);
}

TEST(Dual, MatchesCentralDifferences) {
  const double a0 = 1.3, b0 = 0.7;
  const auto r = mixed(Dual<2>::variable(a0, 0), Dual<2>::variable(b0, 1));
  EXPECT_DOUBLE_EQ(r.v, mixed(a0, b0));
  const double h = 1e-6;
  const double da = (mixed(a0 + h, b0) - mixed(a0 - h, b0)) / (2 * h);
  const double db = (mixed(a0, b0 + h) - mixed(a0, b0 - h)) / (2 * h);
  EXPECT_NEAR(r.d[0], da, 1e-7 * std::abs(da) + 1e-8);
  EXPECT_NEAR(r.d[1], db, 1e-7 * std::abs(db) + 1e-8);
}

TEST(Dual, LongDoubleAgreesWithDouble) {
  using DL = Dual<2, long double>;
  const auto r = mixed(DL::variable(1.3L, 0), DL::variable(0.7L, 1));
  const auto s = mixed(Dual<2>::variable(1.3, 0), Dual<2>::variable(0.7, 1));
  EXPECT_NEAR(static_cast<double>(r.d[0]), s.d[0], 1e-13);
  EXPECT_NEAR(static_cast<double>(r.d[1]), s.d[1], 1e-13);
}

}  // namespace
