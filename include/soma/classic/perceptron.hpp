#pragma once
// Rosenblatt's perceptron learning algorithm, binary and multi-class.
//
// Each iteration is one pass over the samples in order. In iteration `iter` (from 0)
// the learning rate is 1 / (iter + 1); after a sample the weights move by
// rate * (target - output) * [x, 1], where target and output are one-hot vectors: the
// sample's class and the argmax of the scores W x + b (binary: one unit, the step
// function of its score, targets 0/1). Training stops after the first iteration whose
// total weight change — the sum of |change| over every weight, bias included unless
// `count_bias_change` is false, and every update of the pass — is at most `tolerance`
// (0: a pass without a mistake; strictly below it with `strict_tolerance`), or after
// `max_iter` iterations. Tutorial 002's rule is {.tolerance = 0.1, .count_bias_change =
// false, .strict_tolerance = true}: `total_change < 0.1`, summed over the weights only.
//
//   classic::Perceptron p;
//   auto r = p.fit(x, y);   // y int64 0/1 (binary) or 0..K-1 with num_classes = K
//   Tensor labels = p.predict(x_test);
#include <cstdint>
#include <vector>

#include "soma/core/std_function.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::classic {

struct PerceptronOptions {
  int64_t num_classes = 2;  // 2: binary (one unit); > 2: one unit per class, argmax
  int64_t max_iter = 1000;
  double tolerance = 0.0;         // stop when an iteration's total weight change <= this
  bool count_bias_change = true;  // false: the bias's change is left out of the total
  bool strict_tolerance = false;  // true: stop when the total is < tolerance, not <=
  // A watcher of the run (a live plot); unset: not called. After each iteration: its
  // number from 1, and the mistakes and total weight change the result keeps for it.
  std::function<void(int64_t iteration, int64_t mistakes, double weight_change)> on_iteration{};
};

struct PerceptronResult {
  int64_t iterations = 0;                // passes made
  bool converged = false;                // stopped by the tolerance, not by max_iter
  std::vector<double> learning_rates{};  // per iteration: 1 / (iter + 1)
  std::vector<double> weight_changes{};  // per iteration: the total weight change
  std::vector<int64_t> mistakes{};       // per iteration: samples that caused an update
};

class Perceptron {
 public:
  explicit Perceptron(PerceptronOptions options = {}) : options_(options) {}

  // x: [N, D] numeric, y: [N] int64 in [0, num_classes). Weights start at zero.
  PerceptronResult fit(const Tensor& x, const Tensor& y);
  Tensor predict(const Tensor& x) const;  // int64 [N]
  Tensor scores(const Tensor& x) const;   // float64 [N, units]: W x + b

  // One row of D weights per unit (1 unit when binary), and one bias per unit.
  const std::vector<std::vector<double>>& weights() const { return w_; }
  const std::vector<double>& bias() const { return b_; }
  const PerceptronOptions& options() const { return options_; }

 private:
  PerceptronOptions options_;
  std::vector<std::vector<double>> w_;
  std::vector<double> b_;
};

}  // namespace soma::classic
