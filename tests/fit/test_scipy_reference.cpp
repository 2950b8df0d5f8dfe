// curve_fit against scipy.optimize.curve_fit on the same data (values computed
// once by tests/reference/fit_scipy.py, stored in tests/reference/data/
// fit_scipy.txt): popt and pcov for a plain fit, relative sigma,
// absolute_sigma, and a bounded (trust-region reflective) fit with tau held at
// its upper bound. Both sides run with ftol = xtol = 1e-14 so that the
// comparison measures the answer, not where each stopped.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "reference_table.hpp"
#include "soma/core/error.hpp"
#include "soma/fit/curve_fit.hpp"

namespace fit = soma::fit;

namespace {

std::map<std::string, std::vector<double>> load() {
  return soma::testing::read_reference_table("fit_scipy.txt");
}

auto decay = []<class T>(double x, std::span<const T> p) -> T {
  using std::exp;
  return p[1] * exp(-x / p[0]);
};

void expect_matches(const fit::CurveFitResult& r, const std::vector<double>& popt,
                    const std::vector<double>& pcov, double tol_p, double tol_c) {
  ASSERT_TRUE(r.converged) << r.message;
  for (size_t k = 0; k < 2; ++k) EXPECT_NEAR(r.popt[k], popt[k], tol_p * std::abs(popt[k])) << k;
  for (size_t k = 0; k < 4; ++k) EXPECT_NEAR(r.pcov[k], pcov[k], tol_c * std::abs(pcov[k])) << k;
}

class ScipyReference : public ::testing::Test {
 protected:
  void SetUp() override {
    ref = load();
    ASSERT_EQ(ref["x"].size(), 50u) << "tests/reference/data/fit_scipy.txt missing or damaged";
  }
  std::map<std::string, std::vector<double>> ref;
};

TEST_F(ScipyReference, Plain) {
  const auto r =
      fit::curve_fit(decay, ref["x"], ref["y"], {1.0, 1.0}, {.ftol = 1e-14, .xtol = 1e-14});
  expect_matches(r, ref["lm_popt"], ref["lm_pcov"], 1e-8, 1e-6);
}

TEST_F(ScipyReference, RelativeSigma) {
  const auto r = fit::curve_fit(decay, ref["x"], ref["y"], {1.0, 1.0},
                                {.sigma = ref["sigma"], .ftol = 1e-14, .xtol = 1e-14});
  expect_matches(r, ref["lm_sigma_popt"], ref["lm_sigma_pcov"], 1e-8, 1e-6);
}

TEST_F(ScipyReference, AbsoluteSigma) {
  const auto r =
      fit::curve_fit(decay, ref["x"], ref["y"], {1.0, 1.0},
                     {.sigma = ref["sigma"], .absolute_sigma = true, .ftol = 1e-14, .xtol = 1e-14});
  expect_matches(r, ref["lm_abs_popt"], ref["lm_abs_pcov"], 1e-8, 1e-6);
}

TEST_F(ScipyReference, BoundedTrustRegionReflective) {
  const auto r =
      fit::curve_fit(decay, ref["x"], ref["y"], {10.0, 100.0},
                     {.lower = {1.0, 0.0}, .upper = {25.0, 1000.0}, .ftol = 1e-14, .xtol = 1e-14});
  expect_matches(r, ref["trf_popt"], ref["trf_pcov"], 1e-8, 1e-6);
  EXPECT_LE(r.popt[0], 25.0);
}

}  // namespace

// SciPy's curve_fit(f, x, y): a model with one argument per parameter, no p0 (all ones).
double decay_doubles(double x, double tau, double init) { return init * std::exp(-x / tau); }

TEST_F(ScipyReference, ScalarArgumentsWithoutP0) {
  const fit::CurveFitOptions tight{.ftol = 1e-14, .xtol = 1e-14};
  // Generic in the parameters' type: exact Jacobian by dual numbers.
  auto generic = [](double x, auto tau, auto init) {
    using std::exp;
    return init * exp(-x / tau);
  };
  expect_matches(fit::curve_fit(generic, ref["x"], ref["y"], tight), ref["nop0_popt"],
                 ref["nop0_pcov"], 1e-8, 1e-6);
  // Doubles only: forward differences, as SciPy without jac=.
  const auto fd = fit::curve_fit(decay_doubles, ref["x"], ref["y"], tight);
  expect_matches(fd, ref["nop0_popt"], ref["nop0_pcov"], 1e-7, 1e-5);
  EXPECT_GT(fd.nfev, 0);
  // With p0, and a p0 of the wrong size named as such.
  expect_matches(fit::curve_fit(generic, ref["x"], ref["y"], {1.0, 1.0}, tight), ref["lm_popt"],
                 ref["lm_pcov"], 1e-8, 1e-6);
  try {
    fit::curve_fit(generic, ref["x"], ref["y"], {1.0, 1.0, 1.0});
    FAIL() << "a p0 of 3 values for 2 parameters was accepted";
  } catch (const soma::Error& e) {
    EXPECT_NE(std::string(e.what()).find("p0 has 3 values; the model takes 2"), std::string::npos)
        << e.what();
  }
}
