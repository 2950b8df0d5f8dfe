#pragma once
// Binary logistic regression as scikit-learn's default LogisticRegression(): it
// minimises  sum_i log-loss_i + ||w||² / (2 C)  with C = 1 and the intercept not
// penalised. The problem is small and smooth, so Newton's method (iteratively
// reweighted least squares) with a backtracking line search reaches the optimum to
// machine precision, which lbfgs only approximates.
//
//   classic::LogisticRegression lr;         // C = 1
//   lr.fit(x, y);                           // y int64 0/1
//   Tensor p = lr.predict_proba(x_test);    // P(class 1), float64 [N]
#include <cstdint>
#include <vector>

#include "soma/tensor/tensor.hpp"

namespace soma::classic {

struct LogisticOptions {
  double C = 1.0;  // inverse regularisation strength, > 0
  bool fit_intercept = true;
  int64_t max_iter = 100;    // Newton steps
  double tolerance = 1e-10;  // stop when the gradient's largest entry is below this
};

class LogisticRegression {
 public:
  explicit LogisticRegression(LogisticOptions options = {}) : options_(options) {}

  // x: [N, D] numeric, y: [N] int64 0/1. Returns the Newton steps taken.
  int64_t fit(const Tensor& x, const Tensor& y);
  Tensor decision_function(const Tensor& x) const;  // float64 [N]: x w + b
  Tensor predict_proba(const Tensor& x) const;      // float64 [N]: P(y = 1)
  Tensor predict(const Tensor& x) const;            // int64 [N]: 1 where P > 0.5

  const std::vector<double>& coef() const { return w_; }
  double intercept() const { return b_; }
  bool converged() const { return converged_; }

 private:
  LogisticOptions options_;
  std::vector<double> w_;
  double b_ = 0.0;
  bool converged_ = false;
};

}  // namespace soma::classic
