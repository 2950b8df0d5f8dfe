#include <gtest/gtest.h>

#include <cmath>
#include <span>

#include "reference.hpp"
#include "soma/classic/logistic.hpp"
#include "soma/core/error.hpp"

namespace classic = soma::classic;

TEST(LogisticRegression, MatchesScikitLearn) {
  const auto ref = classic_test::read_reference("classic_logreg.txt");
  ASSERT_EQ(ref.n, 60);
  ASSERT_EQ(ref.fits.size(), 3u);
  std::vector<int64_t> labels(ref.y.begin(), ref.y.end());
  const auto x = soma::tensor(std::span<const double>(ref.x), {ref.n, ref.d});
  const auto y = soma::tensor(std::span<const int64_t>(labels), {ref.n});
  for (const auto& fit : ref.fits) {  // "C|default c intercept b coef w1 w2 w3"
    classic::LogisticRegression lr({.C = std::stod(fit[1])});
    lr.fit(x, y);
    EXPECT_TRUE(lr.converged());
    // The exact optimum (newton-cholesky) to round-off; sklearn's default lbfgs stops at
    // its tolerance 1e-4, a few 1e-4 from it.
    const double tol = fit[0] == "default" ? 1e-3 : 1e-9;
    EXPECT_NEAR(lr.intercept(), std::stod(fit[3]), tol) << fit[0] << " " << fit[1];
    for (size_t j = 0; j < 3; ++j) EXPECT_NEAR(lr.coef()[j], std::stod(fit[5 + j]), tol);
  }
}

TEST(LogisticRegression, OptimumHasZeroGradient) {
  // Separable data: without the penalty there is no optimum; with it the gradient
  // sum (p - y) x + w / C vanishes, and sum (p - y) = 0 for the unpenalised intercept.
  const auto x = soma::tensor({-2.0, -1.0, -0.5, 0.5, 1.0, 2.0}, {6, 1});
  const auto y = classic_test::labels({0, 0, 0, 1, 1, 1});
  classic::LogisticRegression lr({.C = 0.5});
  lr.fit(x, y);
  const auto p = lr.predict_proba(x).to_vector<double>();
  const auto xs = x.to_vector<double>();
  const auto ys = y.to_vector<int64_t>();
  double gw = lr.coef()[0] / 0.5, gb = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    gw += (p[i] - double(ys[i])) * xs[i];
    gb += p[i] - double(ys[i]);
  }
  EXPECT_NEAR(gw, 0.0, 1e-10);
  EXPECT_NEAR(gb, 0.0, 1e-10);
  EXPECT_NEAR(lr.intercept(), 0.0, 1e-10);  // symmetric data
  EXPECT_EQ(lr.predict(x).to_vector<int64_t>(), ys);
}

TEST(LogisticRegression, BadInputThrows) {
  const auto x = soma::tensor({1.0, 2.0, 3.0}, {3, 1});
  classic::LogisticRegression lr;
  EXPECT_THROW(lr.predict(x), soma::Error);                               // before fit
  EXPECT_THROW(lr.fit(x, classic_test::labels({0, 1, 2})), soma::Error);  // label 2
  EXPECT_THROW(lr.fit(x, soma::tensor({0.0, 1.0, 1.0})), soma::Error);    // not int64
  EXPECT_THROW(lr.fit(x, classic_test::labels({1, 1, 1})), soma::Error);  // one class only
  EXPECT_THROW(classic::LogisticRegression({.C = 0.0}).fit(x, classic_test::labels({0, 1, 1})),
               soma::Error);
}
