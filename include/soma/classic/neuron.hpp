#pragma once
// The single neuron of the "coding a neuron" tutorial: y = X W + B with a linear
// activation, W and B drawn uniform in [0, 1), trained by gradient descent on the mean
// squared error, full-batch or in mini-batches, keeping W, B and the MSE after every
// epoch and every batch so the path of the weights can be drawn.
//
//   classic::Neuron neuron(1, rng);
//   auto history = neuron.fit(x, y, {.learning_rate = 0.1, .epochs = 50, .batch_size = 32});
//   history.weights_per_epoch.back()   // == neuron.weights()
#include <cstdint>
#include <vector>

#include "soma/core/random.hpp"
#include "soma/core/std_function.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::classic {

struct NeuronOptions {
  double learning_rate = 0.01;
  int64_t epochs = 100;
  int64_t batch_size = 0;  // 0 (or >= N): full batch
  bool shuffle = true;     // mini-batches drawn from a fresh permutation each epoch
  uint64_t seed = 42;      // for the shuffling
  // Watchers of a run (a live loss plot); unset: not called. on_batch after each update
  // with the epoch and the batch (both from 1) and the batch's MSE before the step, as
  // mse_per_batch keeps it; on_epoch after each epoch with its MSE on all the data.
  std::function<void(int64_t epoch, int64_t batch, double mse)> on_batch{};
  std::function<void(int64_t epoch, double mse)> on_epoch{};
};

struct NeuronHistory {
  // After each epoch: the weights, the bias and the MSE on all the training data.
  std::vector<std::vector<double>> weights_per_epoch{};
  std::vector<double> bias_per_epoch{}, mse_per_epoch{};
  // After each batch update: the weights and the bias; and the batch's MSE with the
  // weights the step was computed from (the loss that step descended).
  std::vector<std::vector<double>> weights_per_batch{};
  std::vector<double> bias_per_batch{}, mse_per_batch{};
};

class Neuron {
 public:
  // `inputs` >= 1 weights and the bias, uniform in [0, 1) from rng.
  Neuron(int64_t inputs, Rng& rng);
  // Given starting weights (one per input, >= 1) and bias: for a port that draws them from
  // another generator, as NumPy's np.random.random in tutorial 001.
  Neuron(std::vector<double> weights, double bias);

  // x: [N, inputs], y: [N] or [N, 1]. Bad shapes or options throw soma::Error.
  NeuronHistory fit(const Tensor& x, const Tensor& y, const NeuronOptions& options = {});
  Tensor predict(const Tensor& x) const;  // float64 [N]

  const std::vector<double>& weights() const { return w_; }
  double bias() const { return b_; }

 private:
  std::vector<double> w_;
  double b_ = 0.0;
};

}  // namespace soma::classic
