#pragma once
// Recurrent layers: RNN (tanh or ReLU), LSTM and GRU, with torch.nn's names, shapes,
// parameter layout and initialisation, so a state_dict maps one to one.
//
//   nn::LSTM lstm(32, 256, {.num_layers = 2, .batch_first = true});
//   auto [y, h_n, c_n] = lstm(x, {.h = h0, .c = c0}, lengths);
//
// Shapes (L = sequence length, N = batch, D = 2 if bidirectional else 1, H = hidden_size):
//   input   [L, N, input_size], or [N, L, input_size] with batch_first, or [L, input_size]
//   output  [L, N, D * H] (batch_first: [N, L, D * H]); forward and reverse halves joined
//   h0, h_n [num_layers * D, N, H], entry layer * D + direction (c0, c_n for the LSTM alike)
// Unbatched input drops N everywhere, as torch.
//
// Parameters per layer l and direction (suffix "" or "_reverse"), in torch's order:
//   weight_ih_l{l}{suffix} [G * H, in_l], weight_hh_l{l}{suffix} [G * H, H],
//   bias_ih_l{l}{suffix} [G * H], bias_hh_l{l}{suffix} [G * H]
// with G = 1 (RNN), 4 (LSTM, gate rows i, f, g, o) or 3 (GRU, rows r, z, n), and
// in_l = input_size for l = 0, D * H above.
//
// Variable-length batches: `lengths` (int64 [N], each in [1, L]) gives each sample's
// length, as torch's pack_padded_sequence. Outputs past a sample's length are zero, h_n
// (and c_n) hold the state after its last valid step, and the reverse direction starts
// at that step — what a packed sequence gives after pad_packed_sequence.
//
// RNN and GRU are built from soma's differentiable ops (linear, sigmoid, tanh, slice,
// where, stack), so their backward pass is autograd's. The LSTM runs each layer and
// direction as one op with its backward pass written out (src/nn/functional/
// lstm_sequence.cpp): composed, it was slower than torch on a char-LSTM training step.
#include <cstdint>
#include <string>
#include <vector>

#include "soma/nn/module.hpp"

namespace soma::nn {

enum class Nonlinearity { Tanh, ReLU };

struct RNNOptions {
  int64_t num_layers = 1;
  bool bias = true;
  bool batch_first = false;
  double dropout = 0.0;  // on the outputs of every layer but the last, in training only
  bool bidirectional = false;
  Nonlinearity nonlinearity = Nonlinearity::Tanh;  // RNN only
};

// Initial states; an undefined tensor means zeros. `c` is the LSTM's cell state.
struct RecurrentState {
  Tensor h{};
  Tensor c{};
};

struct RecurrentOutput {
  Tensor output{};
  Tensor h_n{};
  Tensor c_n{};  // LSTM only
};

class RNNBase : public Module {
 public:
  // The output sequence only (zero initial states, every sample full length).
  Tensor forward(const Tensor& input) override;
  RecurrentOutput forward(const Tensor& input, const RecurrentState& state,
                          const Tensor& lengths = Tensor());
  using Module::operator();
  RecurrentOutput operator()(const Tensor& input, const RecurrentState& state,
                             const Tensor& lengths = Tensor()) {
    return forward(input, state, lengths);
  }

  std::string name() const override;
  // Every parameter uniform in ±1/sqrt(hidden_size), in registration order (torch).
  void reset_parameters(Rng& rng) override;

  int64_t input_size() const { return input_size_; }
  int64_t hidden_size() const { return hidden_size_; }
  const RNNOptions& options() const { return options_; }
  int64_t num_directions() const { return options_.bidirectional ? 2 : 1; }

  // The parameters in torch's _flat_weights order: per layer, per direction,
  // weight_ih, weight_hh, then (with bias) bias_ih, bias_hh. Handles shared with the
  // registered parameters.
  std::vector<Tensor> flat_weights;

 protected:
  enum class Cell { RNNTanh, RNNReLU, LSTM, GRU };
  RNNBase(Cell cell, const char* kind, int64_t input_size, int64_t hidden_size,
          const RNNOptions& options, Rng& rng, DType dtype);

 private:
  struct Weights {
    Tensor w_ih{}, w_hh{}, b_ih{}, b_hh{};  // biases undefined without bias
  };
  int64_t gates() const;
  Weights weights_of(int64_t layer, bool reverse) const;
  // RNN and GRU: one layer in one direction over the steps xs ([N, in] each), from state
  // h. Returns the outputs per step; leaves the final state in h.
  std::vector<Tensor> run_direction(const std::vector<Tensor>& xs, int64_t layer, bool reverse,
                                    Tensor& h, const std::vector<Tensor>& masks) const;

  Cell cell_;
  const char* kind_;
  int64_t input_size_, hidden_size_;
  RNNOptions options_;
  Rng* rng_;
  DType dtype_;
};

// h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or ReLU with options.nonlinearity).
class RNN : public RNNBase {
 public:
  RNN(int64_t input_size, int64_t hidden_size, const RNNOptions& options = {},
      Rng& rng = global_rng(), DType dtype = kFloat32);
};

// i, f, o = sigmoid(...), g = tanh(...); c' = f * c + i * g; h' = o * tanh(c').
class LSTM : public RNNBase {
 public:
  LSTM(int64_t input_size, int64_t hidden_size, const RNNOptions& options = {},
       Rng& rng = global_rng(), DType dtype = kFloat32);
};

// r, z = sigmoid(...); n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); h' = (1 - z) * n + z * h.
class GRU : public RNNBase {
 public:
  GRU(int64_t input_size, int64_t hidden_size, const RNNOptions& options = {},
      Rng& rng = global_rng(), DType dtype = kFloat32);
};

}  // namespace soma::nn
