#pragma once
// A Boston-shaped data set for tutorial 001's "Let's try with multiple features", whose
// load_boston left scikit-learn (1.2) and is packaged nowhere here: 506 rows of the 13
// features under Boston's names, means and standard deviations, correlated as Boston's
// are through two latent factors, and a target linear in them plus noise.
//
// Per row, 16 standard normals in this order (np.random.standard_normal((506, 16))):
// f1, f2, e_0 .. e_12, eps. Feature j's standard score is
//   s_j = a_j f1 + b_j f2 + sqrt(1 - a_j^2 - b_j^2) e_j       (unit variance),
// x_j = mean_j + sd_j s_j. f1 is "urban core" (crime, industry, NOX, old houses, near the
// employment centres, highways and high tax, low status), f2 "residential wealth" (big
// lots, many rooms, low LSTAT); their loadings give Boston's strongest correlations
// (INDUS-NOX 0.72 here vs 0.76, NOX-DIS -0.68 vs -0.77, RAD-TAX 0.62 vs 0.91,
// RM-LSTAT -0.57 vs -0.61). CHAS is binary: 1 where e_3 > 1.4758 (P = 0.07, Boston's
// share), its score (CHAS - 0.07) / 0.2551.
// y = 22.53 + sum_j beta_j s_j + 4.7 eps: MEDV's mean, the tutorial's printed OLS
// coefficients (rounded to 2 decimals) as beta, and a residual of Boston's OLS size, so
// the OLS fit lands near the tutorial's bars. Features are Gaussian (Boston's CRIM and ZN
// are skewed): the tutorial scales them and fits a linear model, which only the first two
// moments steer.
//
// tests/reference/neuron_multi_tutorial.py draws the same rows with NumPy in the same
// order and with the same floating-point operations.
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "soma/core/numpy_random.hpp"

namespace soma::examples {

struct BostonLike {
  static constexpr int64_t kRows = 506, kFeatures = 13;
  std::vector<double> x;  // row-major [506, 13]
  std::vector<double> y;  // [506]
};

inline const std::array<std::string, 13>& boston_feature_names() {
  static const std::array<std::string, 13> names = {"CRIM",    "ZN",  "INDUS", "CHAS", "NOX",
                                                    "RM",      "AGE", "DIS",   "RAD",  "TAX",
                                                    "PTRATIO", "B",   "LSTAT"};
  return names;
}

inline BostonLike boston_like(NumpyRandomState& rs) {
  constexpr int64_t kChas = 3;
  static constexpr std::array<double, 13> mean = {3.61,  11.36, 11.14, 0.0,   0.555, 6.285, 68.57,
                                                  3.795, 9.549, 408.2, 18.46, 356.7, 12.65};
  static constexpr std::array<double, 13> sd = {8.60,  23.32, 6.86,  1.0,   0.116, 0.703, 28.15,
                                                2.106, 8.707, 168.5, 2.165, 91.29, 7.141};
  static constexpr std::array<double, 13> load1 = {0.6,  -0.6, 0.85, 0.0,  0.85, -0.3, 0.75,
                                                   -0.8, 0.7,  0.75, 0.45, -0.4, 0.6};
  static constexpr std::array<double, 13> load2 = {0.1, 0.3, 0.0, 0.0,  0.0, 0.7,  0.0,
                                                   0.2, 0.3, 0.3, -0.3, 0.1, -0.55};
  static constexpr std::array<double, 13> beta = {-0.72, 1.33, 0.14,  0.32,  -1.96, 2.39, 0.03,
                                                  -3.10, 2.23, -1.52, -1.95, 1.19,  -3.80};
  constexpr double chas_cut = 1.4758, chas_p = 0.07, chas_sd = 0.2551;
  constexpr double y_mean = 22.53, y_noise = 4.7;

  BostonLike d;
  d.x.resize(size_t(BostonLike::kRows * BostonLike::kFeatures));
  d.y.resize(size_t(BostonLike::kRows));
  std::array<double, 16> z{};
  for (int64_t r = 0; r < BostonLike::kRows; ++r) {
    for (double& v : z) v = rs.standard_normal();
    double y = y_mean;
    for (size_t j = 0; j < 13; ++j) {
      const double e = z[2 + j];
      double s, x;
      if (j == size_t(kChas)) {
        x = e > chas_cut ? 1.0 : 0.0;
        s = (x - chas_p) / chas_sd;
      } else {
        const double u = std::sqrt(1.0 - load1[j] * load1[j] - load2[j] * load2[j]);
        s = load1[j] * z[0] + load2[j] * z[1] + u * e;
        x = mean[j] + sd[j] * s;
      }
      d.x[size_t(r * BostonLike::kFeatures) + j] = x;
      y = y + beta[j] * s;
    }
    d.y[size_t(r)] = y + y_noise * z[15];
  }
  return d;
}

}  // namespace soma::examples
