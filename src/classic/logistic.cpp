#include "soma/classic/logistic.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <string>

#include "common.hpp"
#include "soma/core/error.hpp"

namespace soma::classic {

namespace {
// log(1 + exp(z)) without overflow.
double softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }
double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}
}  // namespace

int64_t LogisticRegression::fit(const Tensor& x_in, const Tensor& y_in) {
  const auto& o = options_;
  if (!(o.C > 0.0) || !std::isfinite(o.C)) throw Error("LogisticRegression: C must be > 0");
  if (o.max_iter < 1) throw Error("LogisticRegression: max_iter must be >= 1");
  const detail::Matrix x = detail::to_matrix(x_in, "LogisticRegression::fit: x");
  const auto y = detail::to_labels(y_in, x.rows, 2, "LogisticRegression::fit: y");
  // With one class only the unpenalised intercept runs off to infinity (as scikit-learn,
  // refuse it).
  int64_t ones = 0;
  for (int64_t v : y) ones += v;
  if (ones == 0 || ones == x.rows)
    throw Error("LogisticRegression::fit: y holds only class " + std::to_string(y[0]) +
                ", expected samples of both classes 0 and 1");

  // Parameters z = (w, b); the bias is the last, unpenalised one.
  const int64_t d = x.cols, p = d + (o.fit_intercept ? 1 : 0);
  std::vector<double> z(size_t(p), 0.0);
  auto score = [&](const std::vector<double>& params, int64_t r) {
    double s = o.fit_intercept ? params[size_t(d)] : 0.0;
    for (int64_t c = 0; c < d; ++c) s += params[size_t(c)] * x(r, c);
    return s;
  };
  // Objective: sum log(1 + exp(s)) - y s  +  ||w||^2 / (2C).
  auto objective = [&](const std::vector<double>& params) {
    double f = 0.0;
    for (int64_t r = 0; r < x.rows; ++r) {
      const double s = score(params, r);
      f += softplus(s) - double(y[size_t(r)]) * s;
    }
    for (int64_t c = 0; c < d; ++c) f += params[size_t(c)] * params[size_t(c)] / (2.0 * o.C);
    return f;
  };
  auto row = [&](int64_t r, int64_t j) { return j < d ? x(r, j) : 1.0; };

  converged_ = false;
  int64_t steps = 0;
  double f = objective(z);
  for (; steps < o.max_iter; ++steps) {
    std::vector<double> g(size_t(p), 0.0), h(size_t(p * p), 0.0);
    for (int64_t r = 0; r < x.rows; ++r) {
      const double mu = sigmoid(score(z, r));
      const double res = mu - double(y[size_t(r)]), wt = mu * (1.0 - mu);
      for (int64_t i = 0; i < p; ++i) {
        g[size_t(i)] += res * row(r, i);
        for (int64_t j = 0; j <= i; ++j) h[size_t(i * p + j)] += wt * row(r, i) * row(r, j);
      }
    }
    for (int64_t c = 0; c < d; ++c) {
      g[size_t(c)] += z[size_t(c)] / o.C;
      h[size_t(c * p + c)] += 1.0 / o.C;
    }
    for (int64_t i = 0; i < p; ++i)
      for (int64_t j = 0; j < i; ++j) h[size_t(j * p + i)] = h[size_t(i * p + j)];
    double gmax = 0.0;
    for (double gi : g) gmax = std::max(gmax, std::abs(gi));
    if (gmax < o.tolerance) {
      converged_ = true;
      break;
    }
    const auto step = detail::cholesky_solve(h, g, p, "LogisticRegression::fit");
    // Backtracking: Newton's full step is almost always taken; halve if it does not descend.
    double t = 1.0, f_new = f;
    std::vector<double> trial(static_cast<size_t>(p));
    for (int halvings = 0; halvings < 50; ++halvings, t *= 0.5) {
      for (int64_t i = 0; i < p; ++i) trial[size_t(i)] = z[size_t(i)] - t * step[size_t(i)];
      f_new = objective(trial);
      if (f_new <= f) break;
    }
    if (!(f_new <= f)) {  // no descent at round-off level: the optimum is reached
      converged_ = true;
      break;
    }
    z = trial;
    f = f_new;
  }
  w_.assign(z.begin(), z.begin() + d);
  b_ = o.fit_intercept ? z[size_t(d)] : 0.0;
  return steps;
}

Tensor LogisticRegression::decision_function(const Tensor& x_in) const {
  if (w_.empty()) throw Error("LogisticRegression: predict before fit");
  const detail::Matrix x = detail::to_matrix(x_in, "LogisticRegression: x");
  if (x.cols != int64_t(w_.size()))
    throw Error("LogisticRegression: x has " + std::to_string(x.cols) + " columns, expected " +
                std::to_string(w_.size()) + " (as in fit)");
  std::vector<double> s(static_cast<size_t>(x.rows));
  for (int64_t r = 0; r < x.rows; ++r) {
    double v = b_;
    for (int64_t c = 0; c < x.cols; ++c) v += w_[size_t(c)] * x(r, c);
    s[size_t(r)] = v;
  }
  return tensor(std::span<const double>(s), {x.rows});
}

Tensor LogisticRegression::predict_proba(const Tensor& x) const {
  auto s = decision_function(x).to_vector<double>();
  for (double& v : s) v = sigmoid(v);
  return tensor(std::span<const double>(s), {int64_t(s.size())});
}

Tensor LogisticRegression::predict(const Tensor& x) const {
  const auto s = decision_function(x).to_vector<double>();
  std::vector<int64_t> labels(s.size());
  for (size_t i = 0; i < s.size(); ++i) labels[i] = s[i] > 0.0 ? 1 : 0;
  return tensor(std::span<const int64_t>(labels), {int64_t(s.size())});
}

}  // namespace soma::classic
