#include "soma/classic/perceptron.hpp"

#include <cmath>
#include <span>
#include <string>

#include "common.hpp"
#include "soma/core/error.hpp"

namespace soma::classic {

namespace {
// Binary: one unit, output = step(score) as 0/1. Multi-class: one-hot of the argmax.
void outputs(const std::vector<double>& scores, bool binary, std::vector<double>& out) {
  if (binary) {
    out[0] = scores[0] > 0.0 ? 1.0 : 0.0;
    return;
  }
  size_t best = 0;
  for (size_t k = 1; k < scores.size(); ++k)
    if (scores[k] > scores[best]) best = k;
  for (size_t k = 0; k < out.size(); ++k) out[k] = k == best ? 1.0 : 0.0;
}
}  // namespace

PerceptronResult Perceptron::fit(const Tensor& x_in, const Tensor& y_in) {
  const auto& o = options_;
  if (o.num_classes < 2)
    throw Error("Perceptron: num_classes = " + std::to_string(o.num_classes) + ", expected >= 2");
  if (o.max_iter < 1) throw Error("Perceptron: max_iter must be >= 1");
  if (!(o.tolerance >= 0.0)) throw Error("Perceptron: tolerance must be >= 0");
  const detail::Matrix x = detail::to_matrix(x_in, "Perceptron::fit: x");
  const auto y = detail::to_labels(y_in, x.rows, o.num_classes, "Perceptron::fit: y");

  const bool binary = o.num_classes == 2;
  const size_t units = binary ? 1 : size_t(o.num_classes);
  w_.assign(units, std::vector<double>(size_t(x.cols), 0.0));
  b_.assign(units, 0.0);
  std::vector<double> scores(units), out(units), target(units);
  PerceptronResult result;
  for (int64_t iter = 0; iter < o.max_iter; ++iter) {
    const double rate = 1.0 / double(iter + 1);
    double change = 0.0;
    int64_t mistakes = 0;
    for (int64_t r = 0; r < x.rows; ++r) {
      for (size_t k = 0; k < units; ++k) {
        scores[k] = b_[k];
        for (int64_t c = 0; c < x.cols; ++c) scores[k] += w_[k][size_t(c)] * x(r, c);
      }
      outputs(scores, binary, out);
      if (binary) {
        target[0] = double(y[size_t(r)]);
      } else {
        for (size_t k = 0; k < units; ++k) target[k] = size_t(y[size_t(r)]) == k ? 1.0 : 0.0;
      }
      bool updated = false;
      for (size_t k = 0; k < units; ++k) {
        const double delta = rate * (target[k] - out[k]);
        if (delta == 0.0) continue;
        updated = true;
        for (int64_t c = 0; c < x.cols; ++c) {
          w_[k][size_t(c)] += delta * x(r, c);
          change += std::abs(delta * x(r, c));
        }
        b_[k] += delta;
        if (o.count_bias_change) change += std::abs(delta);
      }
      mistakes += updated ? 1 : 0;
    }
    result.iterations = iter + 1;
    result.learning_rates.push_back(rate);
    result.weight_changes.push_back(change);
    result.mistakes.push_back(mistakes);
    if (o.on_iteration) o.on_iteration(iter + 1, mistakes, change);
    if (o.strict_tolerance ? change < o.tolerance : change <= o.tolerance) {
      result.converged = true;
      break;
    }
  }
  return result;
}

Tensor Perceptron::scores(const Tensor& x_in) const {
  if (w_.empty()) throw Error("Perceptron: predict before fit");
  const detail::Matrix x = detail::to_matrix(x_in, "Perceptron: x");
  if (x.cols != int64_t(w_[0].size()))
    throw Error("Perceptron: x has " + std::to_string(x.cols) + " columns, expected " +
                std::to_string(w_[0].size()) + " (as in fit)");
  const int64_t units = int64_t(w_.size());
  std::vector<double> s(static_cast<size_t>(x.rows * units));
  for (int64_t r = 0; r < x.rows; ++r)
    for (int64_t k = 0; k < units; ++k) {
      double v = b_[size_t(k)];
      for (int64_t c = 0; c < x.cols; ++c) v += w_[size_t(k)][size_t(c)] * x(r, c);
      s[size_t(r * units + k)] = v;
    }
  return tensor(std::span<const double>(s), {x.rows, units});
}

Tensor Perceptron::predict(const Tensor& x) const {
  const Tensor s = scores(x);
  const auto v = s.to_vector<double>();
  const int64_t n = s.size(0), units = s.size(1);
  std::vector<int64_t> labels(static_cast<size_t>(n));
  std::vector<double> out(static_cast<size_t>(units));
  for (int64_t r = 0; r < n; ++r) {
    std::vector<double> row(v.begin() + r * units, v.begin() + (r + 1) * units);
    outputs(row, units == 1, out);
    int64_t label = 0;
    if (units == 1) {
      label = out[0] > 0.5 ? 1 : 0;
    } else {
      for (int64_t k = 0; k < units; ++k)
        if (out[size_t(k)] > 0.5) label = k;
    }
    labels[size_t(r)] = label;
  }
  return tensor(std::span<const int64_t>(labels), {n});
}

}  // namespace soma::classic
