// Both BDF engines against a closed form: a stiff, decoupled linear system
// y_i' = -lambda_i (y_i - cos t), whose solution is known exactly. Small systems run on
// SciPy's NDF port (bdf_ndf.cpp), systems above kNdfMaxDim on SUNDIALS CVODE.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ode/bdf.hpp"
#include "soma/ode/ode.hpp"

namespace {
using namespace soma::ode;

// lambda_i from 1 to 1e4 (log-spaced): stiffness ratio 1e4.
std::vector<double> rates(std::size_t n) {
  std::vector<double> l(n);
  for (std::size_t i = 0; i < n; ++i)
    l[i] = std::pow(10.0, 4.0 * static_cast<double>(i) / static_cast<double>(n - 1));
  return l;
}

// y(0) = 0: y = lambda (lambda cos t + sin t - lambda e^{-lambda t}) / (1 + lambda^2).
double exact(double lambda, double t) {
  return lambda * (lambda * std::cos(t) + std::sin(t) - lambda * std::exp(-lambda * t)) /
         (1 + lambda * lambda);
}

void check_engine(std::size_t n) {
  const auto l = rates(n);
  auto f = [&](double t, std::span<const double> y, std::span<double> dy) {
    for (std::size_t i = 0; i < y.size(); ++i) dy[i] = -l[i] * (y[i] - std::cos(t));
  };
  std::vector<double> t_eval;
  for (int k = 1; k <= 10; ++k) t_eval.push_back(k);
  const std::vector<double> y0(n, 0.0);
  Result r = solve_ivp(f, {0, 10}, y0,
                       {.method = Method::BDF, .rtol = 1e-6, .atol = 1e-9, .t_eval = t_eval});
  ASSERT_EQ(r.status, Status::Success) << r.message;
  ASSERT_EQ(r.t.size(), t_eval.size());
  for (std::size_t k = 0; k < t_eval.size(); ++k)
    for (std::size_t i = 0; i < n; ++i)
      EXPECT_NEAR(r.states(k, i), exact(l[i], t_eval[k]), 1e-4) << "n=" << n << " t=" << t_eval[k];
  // Stiff: an explicit method would need ~1e4 * 10 / 3 steps for stability alone.
  EXPECT_LT(r.nsteps, 1000) << "n=" << n;
  EXPECT_GT(r.njev, 0);
  EXPECT_GT(r.nlu, 0);
}

TEST(BdfEngines, NdfForSmallSystems) { check_engine(3); }
TEST(BdfEngines, CvodeForLargeSystems) { check_engine(soma::ode::detail::kNdfMaxDim + 4); }

}  // namespace
