// Cases from SciPy's own tests of curve_fit (scipy/optimize/tests/test_minpack.py,
// SciPy 1.10, class TestCurveFit), with the expected values and tolerances stated
// there; the test's name is given above each case. One more case, a trial step
// where the model is not finite, has its reference from
// tests/reference/fit_minpack_cases.py.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "soma/core/error.hpp"
#include "soma/fit/curve_fit.hpp"

namespace fit = soma::fit;

namespace {

const std::vector<double> kX = {1.0, 2.0, 3.0, 4.0};
const std::vector<double> kY = {1.0, 3.2, 9.5, 13.7};

// assert_almost_equal(actual, desired, decimal): |actual - desired| < 1.5 * 10^-decimal.
void expect_decimal(double actual, double desired, int decimal, const char* what) {
  EXPECT_LT(std::abs(actual - desired), 1.5 * std::pow(10.0, -decimal)) << what;
}

// test_one_argument: x**a, p0 = 1.
TEST(MinpackCases, OneArgument) {
  auto f = []<class T>(double u, std::span<const T> p) -> T {
    using std::pow;
    return pow(T(u), p[0]);
  };
  const auto r = fit::curve_fit(f, kX, kY, {1.0});
  ASSERT_TRUE(r.converged) << r.message;
  expect_decimal(r.popt[0], 1.9149, 4, "popt");
  expect_decimal(r.pcov[0], 0.0016, 4, "pcov");
}

// test_two_argument: b*x**a, p0 = (1, 1).
TEST(MinpackCases, TwoArguments) {
  auto f = []<class T>(double u, std::span<const T> p) -> T {
    using std::pow;
    return p[1] * pow(T(u), p[0]);
  };
  const auto r = fit::curve_fit(f, kX, kY, {1.0, 1.0});
  ASSERT_TRUE(r.converged) << r.message;
  expect_decimal(r.popt[0], 1.7989, 4, "a");
  expect_decimal(r.popt[1], 1.1642, 4, "b");
  const double pcov[] = {0.0852, -0.1260, -0.1260, 0.1912};
  for (int k = 0; k < 4; ++k) expect_decimal(r.pcov[k], pcov[k], 4, "pcov");
}

// test_regression_2639: two Gaussians on a narrow x range (fails when the
// finite-difference step is too large), maxfev = 10000, rtol 1e-5.
TEST(MinpackCases, Regression2639DoubleGaussian) {
  const std::vector<double> x = {574.14200000000005, 574.154,
                                 574.16499999999996, 574.17700000000002,
                                 574.18799999999999, 574.19899999999996,
                                 574.21100000000001, 574.22199999999998,
                                 574.23400000000004, 574.245};
  const std::vector<double> y = {859.0,  997.0,  1699.0, 2604.0, 2013.0,
                                 1964.0, 2435.0, 1550.0, 949.0,  841.0};
  const std::vector<double> guess = {
      574.1861428571428, 574.2155714285715, 1302.0, 1302.0, 0.0035019999999983615, 859.0};
  const std::vector<double> good = {5.74177150e+02, 5.74209188e+02, 1.74187044e+03,
                                    1.58646166e+03, 1.0068462e-02,  8.57450661e+02};
  auto generic = []<class T>(double u, std::span<const T> p) -> T {
    using std::exp;
    const T s2 = 2.0 * p[4] * p[4];
    return p[2] * exp(-(u - p[0]) * (u - p[0]) / s2) + p[3] * exp(-(u - p[1]) * (u - p[1]) / s2) +
           p[5];
  };
  auto plain = [&](double u, std::span<const double> p) { return generic(u, p); };
  const fit::CurveFitOptions o{.max_nfev = 10000};
  for (const auto& r :
       {fit::curve_fit(generic, x, y, guess, o), fit::curve_fit(plain, x, y, guess, o)}) {
    ASSERT_TRUE(r.converged) << r.message;
    for (size_t k = 0; k < 6; ++k) EXPECT_NEAR(r.popt[k], good[k], 1e-5 * std::abs(good[k])) << k;
  }
}

// test_pcov: a straight line with sigma; errors scale with sigma only when absolute.
TEST(MinpackCases, CovarianceScalingWithSigma) {
  const std::vector<double> x = {0, 1, 2, 3, 4, 5}, y = {1, 1, 5, 7, 8, 12};
  const std::vector<double> sigma = {1, 2, 1, 2, 1, 2};
  std::vector<double> sigma3;
  for (double s : sigma) sigma3.push_back(3 * s);
  auto line = []<class T>(double u, std::span<const T> p) -> T { return p[0] * u + p[1]; };
  for (fit::Method method : {fit::Method::lm, fit::Method::trf}) {
    auto perr = [&](const std::vector<double>& s, bool absolute) {
      const auto r = fit::curve_fit(line, x, y, {2.0, 0.0},
                                    {.sigma = s, .absolute_sigma = absolute, .method = method});
      EXPECT_TRUE(r.converged) << r.message;
      return r.perr();
    };
    for (const auto& s : {sigma, sigma3}) {
      const auto e = perr(s, false);
      EXPECT_NEAR(e[0], 0.20659803, 1e-3 * 0.20659803);
      EXPECT_NEAR(e[1], 0.57204404, 1e-3 * 0.57204404);
    }
    for (double scale : {1.0, 3.0}) {
      const auto e = perr(scale == 1.0 ? sigma : sigma3, true);
      EXPECT_NEAR(e[0], scale * 0.30714756, scale * 1e-3 * 0.30714756);
      EXPECT_NEAR(e[1], scale * 0.85045308, scale * 1e-3 * 0.85045308);
    }
  }
}

// test_pcov, "infinite variances": a parameter the model ignores, and as many
// points as parameters, give pcov = inf everywhere.
TEST(MinpackCases, InfiniteVariances) {
  const std::vector<double> x = {0, 1, 2, 3, 4, 5}, y = {1, 1, 5, 7, 8, 12};
  const std::vector<double> sigma = {1, 2, 1, 2, 1, 2};
  auto flat = []<class T>(double u, std::span<const T> p) -> T { return p[0] * u + 0.0 * p[1]; };
  auto line = []<class T>(double u, std::span<const T> p) -> T { return p[0] * u + p[1]; };
  const auto r1 = fit::curve_fit(flat, x, y, {2.0, 0.0}, {.sigma = sigma});
  const auto r2 = fit::curve_fit(line, std::vector<double>(x.begin(), x.begin() + 2),
                                 std::vector<double>(y.begin(), y.begin() + 2), {2.0, 0.0});
  for (const auto* r : {&r1, &r2}) {
    ASSERT_EQ(r->pcov.size(), 4u);
    for (double v : r->pcov) EXPECT_EQ(v, INFINITY);
  }
}

// test_bounds: a*exp(-b*x) with the best a = 2 outside [1, 1.5] (and [0, 0.6]).
TEST(MinpackCases, BoundsHoldTheParameterAtItsBound) {
  std::vector<double> x, y;
  for (int i = 0; i <= 10; ++i) {
    x.push_back(i / 10.0);
    y.push_back(2.0 * std::exp(-2.0 * x.back()));
  }
  auto f = []<class T>(double u, std::span<const T> p) -> T {
    using std::exp;
    return p[0] * exp(-p[1] * u);
  };
  // p0 as SciPy picks it inside finite bounds: their midpoint (lower + 1 if upper is inf).
  const auto r = fit::curve_fit(f, x, y, {1.25, 1.5}, {.lower = {1.0, 0.0}, .upper = {1.5, 3.0}});
  ASSERT_TRUE(r.converged) << r.message;
  EXPECT_NEAR(r.popt[0], 1.5, 1e-7 * 1.5);
  // SciPy's comment: "With bounds, the starting estimate is feasible" (0.3, 1).
  const auto r2 =
      fit::curve_fit(f, x, y, {0.3, 1.0}, {.lower = {0.0, 0.0}, .upper = {0.6, INFINITY}});
  ASSERT_TRUE(r2.converged) << r2.message;
  EXPECT_NEAR(r2.popt[0], 0.6, 1e-7 * 0.6);
  EXPECT_THROW(
      fit::curve_fit(f, x, y, {1.0, 1.0},
                     {.lower = {1.0, 0.0}, .upper = {1.5, 3.0}, .method = fit::Method::lm}),
      soma::Error);
}

// test_bounds_p0: the initial guess is used with bounds too (sin(x + a) from 2.1 pi
// stays in the same period with or without bounds +-3 pi).
TEST(MinpackCases, BoundsKeepTheInitialGuess) {
  std::vector<double> x, y;
  for (int i = 0; i < 40; ++i) {
    x.push_back(-2 * std::numbers::pi + 4 * std::numbers::pi * i / 39.0);
    y.push_back(std::sin(x.back()));
  }
  auto f = []<class T>(double u, std::span<const T> p) -> T {
    using std::sin;
    return sin(u + p[0]);
  };
  const double p0 = 2.1 * std::numbers::pi;
  const auto free = fit::curve_fit(f, x, y, {p0});
  const auto bounded = fit::curve_fit(f, x, y, {p0},
                                      {.lower = {-3 * std::numbers::pi},
                                       .upper = {3 * std::numbers::pi},
                                       .method = fit::Method::trf});
  ASSERT_TRUE(free.converged && bounded.converged);
  EXPECT_NEAR(bounded.popt[0], free.popt[0], 1e-7 * std::abs(free.popt[0]));
  EXPECT_NEAR(free.popt[0], 2 * std::numbers::pi, 1e-6);
}

// test_jac: an outlier with a large sigma still moves the fit a little; rtol 1e-3.
TEST(MinpackCases, OutlierWithSigma) {
  std::vector<double> x, y;
  for (int i = 0; i <= 10; ++i) {
    x.push_back(i / 10.0);
    y.push_back(2.0 * std::exp(-2.0 * x.back()));
  }
  y[5] = 100;
  std::vector<double> sigma(11, 1.0);
  sigma[5] = 200;
  auto f = []<class T>(double u, std::span<const T> p) -> T {
    using std::exp;
    return p[0] * exp(-p[1] * u);
  };
  for (fit::Method method : {fit::Method::lm, fit::Method::trf}) {
    const auto r = fit::curve_fit(f, x, y, {1.0, 1.0}, {.sigma = sigma, .method = method});
    ASSERT_TRUE(r.converged) << r.message;
    EXPECT_NEAR(r.popt[0], 2.0, 2e-3);
    EXPECT_NEAR(r.popt[1], 2.0, 2e-3);
  }
}

// test_maxfev_and_bounds: p*x to y = 2x with bounds (0, 3); atol 1e-14.
TEST(MinpackCases, BoundedWithEvaluationBudget) {
  std::vector<double> x, y;
  for (int i = 0; i < 10; ++i) {
    x.push_back(i);
    y.push_back(2.0 * i);
  }
  auto f = []<class T>(double u, std::span<const T> p) -> T { return p[0] * u; };
  const auto r = fit::curve_fit(f, x, y, {1.5}, {.lower = {0.0}, .upper = {3.0}, .max_nfev = 100});
  ASSERT_TRUE(r.converged) << r.message;
  EXPECT_NEAR(r.popt[0], 2.0, 1e-14);
}

// test_NaN_handling and test_empty_inputs: ValueError in SciPy, soma::Error here.
TEST(MinpackCases, NonFiniteOrEmptyDataAreErrors) {
  auto f = []<class T>(double u, std::span<const T> p) -> T { return p[0] * u + p[1]; };
  const std::vector<double> with_nan = {1, NAN, 3}, plain = {1, 2, 3};
  EXPECT_THROW(fit::curve_fit(f, with_nan, plain, {1.0, 1.0}), soma::Error);
  EXPECT_THROW(fit::curve_fit(f, plain, with_nan, {1.0, 1.0}), soma::Error);
  auto g = []<class T>(double u, std::span<const T> p) -> T { return p[0] * u; };
  const std::vector<double> none;
  EXPECT_THROW(fit::curve_fit(g, none, none, {1.0}), soma::Error);
  EXPECT_THROW(fit::curve_fit(g, none, none, {1.5}, {.lower = {1.0}, .upper = {2.0}}), soma::Error);
  EXPECT_THROW(fit::curve_fit(g, std::vector<double>{1.0}, none, {1.0}), soma::Error);
}

// A trial step where the model is not finite is a rejected step (MINPACK): b*log(x - a)
// from (-3, 1) without a Jacobian. SciPy 1.10 (tests/reference/fit_minpack_cases.py):
// popt (0.5, 2), ier 2, two non-finite evaluations on the way. soma took the all-NaN
// trial point as a perfect fit (its norm came out 0) and stopped there, status
// non_finite, at (15.07, 2.63).
TEST(MinpackCases, NonFiniteTrialStepIsRejected) {
  std::vector<double> x, y;
  for (int i = 0; i < 20; ++i) {
    x.push_back(1.0 + 4.0 * i / 19.0);
    y.push_back(2.0 * std::log(x.back() - 0.5));
  }
  int nonfinite = 0;
  auto plain = [&](double u, std::span<const double> p) {
    const double v = p[1] * std::log(u - p[0]);
    nonfinite += !std::isfinite(v);
    return v;
  };
  const auto r = fit::curve_fit(plain, x, y, {-3.0, 1.0}, {.method = fit::Method::lm});
  ASSERT_TRUE(r.converged) << r.message;
  EXPECT_GT(nonfinite, 0) << "the case no longer reaches a non-finite trial point";
  EXPECT_NEAR(r.popt[0], 0.5, 1e-7);
  EXPECT_NEAR(r.popt[1], 2.0, 1e-7);
  // The same with the square root (NaN again past the data) and exact Jacobians.
  std::vector<double> ys;
  for (double v : x) ys.push_back(2.0 * std::sqrt(v - 0.5));
  auto root = []<class T>(double u, std::span<const T> p) -> T {
    using std::sqrt;
    return p[1] * sqrt(u - p[0]);
  };
  auto root_plain = [&](double u, std::span<const double> p) { return root(u, p); };
  for (const auto& q : {fit::curve_fit(root, x, ys, {-10.0, 0.1}),
                        fit::curve_fit(root_plain, x, ys, {-10.0, 0.1})}) {
    ASSERT_TRUE(q.converged) << q.message;
    EXPECT_NEAR(q.popt[0], 0.5, 1e-7);
    EXPECT_NEAR(q.popt[1], 2.0, 1e-7);
  }
}

}  // namespace
