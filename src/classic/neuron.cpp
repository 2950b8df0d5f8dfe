#include "soma/classic/neuron.hpp"

#include <cmath>
#include <numeric>
#include <span>
#include <string>
#include <utility>

#include "common.hpp"
#include "soma/core/error.hpp"

namespace soma::classic {

Neuron::Neuron(int64_t inputs, Rng& rng) {
  if (inputs < 1) throw Error("Neuron: inputs = " + std::to_string(inputs) + ", expected >= 1");
  for (int64_t i = 0; i < inputs; ++i) w_.push_back(rng.uniform());
  b_ = rng.uniform();
}

Neuron::Neuron(std::vector<double> weights, double bias) : w_(std::move(weights)), b_(bias) {
  if (w_.empty()) throw Error("Neuron: no weights given, expected one per input (>= 1)");
}

namespace {
double output(const detail::Matrix& x, int64_t r, const std::vector<double>& w, double b) {
  double s = b;
  for (int64_t c = 0; c < x.cols; ++c) s += w[size_t(c)] * x(r, c);
  return s;
}
}  // namespace

NeuronHistory Neuron::fit(const Tensor& x_in, const Tensor& y_in, const NeuronOptions& options) {
  const detail::Matrix x = detail::to_matrix(x_in, "Neuron::fit: x");
  if (x.cols != int64_t(w_.size()))
    throw Error("Neuron::fit: x has " + std::to_string(x.cols) + " columns, expected " +
                std::to_string(w_.size()) + " (the neuron's inputs)");
  const std::vector<double> y = detail::to_targets(y_in, x.rows, "Neuron::fit: y");
  if (!(options.learning_rate > 0.0) || !std::isfinite(options.learning_rate))
    throw Error("Neuron::fit: learning_rate must be a positive number");
  if (options.epochs < 0) throw Error("Neuron::fit: epochs must be >= 0");
  if (options.batch_size < 0) throw Error("Neuron::fit: batch_size must be >= 0");

  const int64_t n = x.rows;
  const int64_t batch =
      (options.batch_size == 0 || options.batch_size > n) ? n : options.batch_size;
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(options.seed);
  NeuronHistory h;
  std::vector<double> grad_w(w_.size());
  for (int64_t epoch = 0; epoch < options.epochs; ++epoch) {
    if (options.shuffle && batch < n) rng.shuffle(order.begin(), order.end());
    for (int64_t start = 0, b = 1; start < n; start += batch, ++b) {
      const int64_t end = std::min(n, start + batch);
      // d/dW mean((y - yhat)^2) = -2/m sum (y - yhat) x; the same for B with x = 1.
      std::fill(grad_w.begin(), grad_w.end(), 0.0);
      double grad_b = 0.0, sse = 0.0;
      for (int64_t k = start; k < end; ++k) {
        const int64_t r = order[size_t(k)];
        const double err = y[size_t(r)] - output(x, r, w_, b_);
        sse += err * err;
        for (int64_t c = 0; c < x.cols; ++c) grad_w[size_t(c)] -= 2.0 * err * x(r, c);
        grad_b -= 2.0 * err;
      }
      const double m = double(end - start);
      for (size_t c = 0; c < w_.size(); ++c) w_[c] -= options.learning_rate * grad_w[c] / m;
      b_ -= options.learning_rate * grad_b / m;
      h.weights_per_batch.push_back(w_);
      h.bias_per_batch.push_back(b_);
      h.mse_per_batch.push_back(sse / m);
      if (options.on_batch) options.on_batch(epoch + 1, b, sse / m);
    }
    double sse = 0.0;
    for (int64_t r = 0; r < n; ++r) {
      const double err = y[size_t(r)] - output(x, r, w_, b_);
      sse += err * err;
    }
    h.weights_per_epoch.push_back(w_);
    h.bias_per_epoch.push_back(b_);
    h.mse_per_epoch.push_back(sse / double(n));
    if (options.on_epoch) options.on_epoch(epoch + 1, sse / double(n));
  }
  return h;
}

Tensor Neuron::predict(const Tensor& x_in) const {
  const detail::Matrix x = detail::to_matrix(x_in, "Neuron::predict: x");
  if (x.cols != int64_t(w_.size()))
    throw Error("Neuron::predict: x has " + std::to_string(x.cols) + " columns, expected " +
                std::to_string(w_.size()));
  std::vector<double> out(static_cast<size_t>(x.rows));
  for (int64_t r = 0; r < x.rows; ++r) out[size_t(r)] = output(x, r, w_, b_);
  return tensor(std::span<const double>(out), {x.rows});
}

}  // namespace soma::classic
