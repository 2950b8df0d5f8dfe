// RNN, LSTM and GRU as compositions of differentiable ops; autograd supplies the
// backward pass through time.
#include "soma/nn/recurrent.hpp"

#include <cmath>
#include <sstream>

#include "nn/functional/lstm_sequence.hpp"
#include "soma/core/error.hpp"
#include "soma/nn/functional.hpp"
#include "soma/nn/init.hpp"

namespace soma::nn {

namespace {

std::string shape_error(const char* kind, const char* what, const Tensor& t, const Shape& want) {
  return std::string(kind) + ": " + what + " has shape " + t.shape().str() + ", expected " +
         want.str();
}

}  // namespace

RNNBase::RNNBase(Cell cell, const char* kind, int64_t input_size, int64_t hidden_size,
                 const RNNOptions& options, Rng& rng, DType dtype)
    : cell_(cell),
      kind_(kind),
      input_size_(input_size),
      hidden_size_(hidden_size),
      options_(options),
      rng_(&rng),
      dtype_(dtype) {
  const std::string k(kind);
  if (input_size < 1 || hidden_size < 1)
    throw Error(k + ": input_size and hidden_size must be positive, got input_size=" +
                std::to_string(input_size) + ", hidden_size=" + std::to_string(hidden_size));
  if (options.num_layers < 1)
    throw Error(k + ": num_layers must be at least 1, got " + std::to_string(options.num_layers));
  if (!(options.dropout >= 0.0 && options.dropout <= 1.0))
    throw Error(k + ": dropout must be in [0, 1], got " + std::to_string(options.dropout));
  if (!is_floating(dtype)) throw Error(k + ": dtype must be floating, got " + dtype_name(dtype));
  if (options.nonlinearity != Nonlinearity::Tanh && cell != Cell::RNNReLU)
    throw Error(k + ": the nonlinearity option applies to RNN only");
  const int64_t g = gates() * hidden_size;
  const int64_t dirs = num_directions();
  for (int64_t l = 0; l < options.num_layers; ++l) {
    const int64_t in = l == 0 ? input_size : dirs * hidden_size;
    for (int64_t d = 0; d < dirs; ++d) {
      const std::string suffix = "_l" + std::to_string(l) + (d == 1 ? "_reverse" : "");
      flat_weights.push_back(register_parameter("weight_ih" + suffix, empty({g, in}, dtype)));
      flat_weights.push_back(
          register_parameter("weight_hh" + suffix, empty({g, hidden_size}, dtype)));
      if (options.bias) {
        flat_weights.push_back(register_parameter("bias_ih" + suffix, empty({g}, dtype)));
        flat_weights.push_back(register_parameter("bias_hh" + suffix, empty({g}, dtype)));
      }
    }
  }
  draw_parameters(rng);
}

int64_t RNNBase::gates() const {
  switch (cell_) {
    case Cell::LSTM:
      return 4;
    case Cell::GRU:
      return 3;
    default:
      return 1;
  }
}

void RNNBase::reset_parameters(Rng& rng) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size_));
  for (Tensor& w : flat_weights) init::uniform_(w, -bound, bound, rng);
}

RNNBase::Weights RNNBase::weights_of(int64_t layer, bool reverse) const {
  const size_t per = options_.bias ? 4 : 2;
  const size_t base = static_cast<size_t>(layer * num_directions() + (reverse ? 1 : 0)) * per;
  return {flat_weights[base], flat_weights[base + 1],
          options_.bias ? flat_weights[base + 2] : Tensor(),
          options_.bias ? flat_weights[base + 3] : Tensor()};
}

std::vector<Tensor> RNNBase::run_direction(const std::vector<Tensor>& xs, int64_t layer,
                                           bool reverse, Tensor& h,
                                           const std::vector<Tensor>& masks) const {
  const auto [w_ih, w_hh, b_ih, b_hh] = weights_of(layer, reverse);
  const int64_t H = hidden_size_;
  const int64_t steps = static_cast<int64_t>(xs.size());
  std::vector<Tensor> out(xs.size());
  for (int64_t s = 0; s < steps; ++s) {
    const size_t t = static_cast<size_t>(reverse ? steps - 1 - s : s);
    const Tensor gi = linear(xs[t], w_ih, b_ih);  // [N, G * H]
    const Tensor gh = linear(h, w_hh, b_hh);
    Tensor h_new;
    switch (cell_) {
      case Cell::RNNTanh:
        h_new = tanh(gi + gh);
        break;
      case Cell::RNNReLU:
        h_new = relu(gi + gh);
        break;
      case Cell::LSTM:  // forward() runs the LSTM as one fused op per layer and direction
        throw Error("LSTM: internal error, the composed path does not run LSTM cells");
      case Cell::GRU: {
        // The reset gate scales the hidden half of n only, bias b_hn included (torch).
        const Tensor r = sigmoid(gi.slice(1, 0, H) + gh.slice(1, 0, H));
        const Tensor z = sigmoid(gi.slice(1, H, 2 * H) + gh.slice(1, H, 2 * H));
        const Tensor n = tanh(gi.slice(1, 2 * H, 3 * H) + r * gh.slice(1, 2 * H, 3 * H));
        h_new = n + z * (h - n);
        break;
      }
    }
    if (masks.empty()) {
      h = h_new;
      out[t] = h_new;
    } else {
      // Past a sample's length its state stays as it was (so the reverse direction
      // starts at the last valid step) and its output is zero.
      const Tensor& m = masks[t];
      h = where(m, h_new, h);
      out[t] = h_new * m.to(h_new.dtype());
    }
  }
  return out;
}

Tensor RNNBase::forward(const Tensor& input) { return forward(input, {}).output; }

RecurrentOutput RNNBase::forward(const Tensor& input, const RecurrentState& state,
                                 const Tensor& lengths) {
  const std::string k(kind_);
  if (!input.defined() || (input.dim() != 2 && input.dim() != 3))
    throw Error(k + ": expected a 2-d (unbatched) or 3-d input, got " +
                (input.defined() ? input.shape().str() : std::string("undefined")));
  if (input.dtype() != dtype_)
    throw Error(k + ": input is " + dtype_name(input.dtype()) + " but the layer is " +
                dtype_name(dtype_));
  if (input.size(-1) != input_size_)
    throw Error(k + ": input of shape " + input.shape().str() +
                " does not end in input_size=" + std::to_string(input_size_));
  if (state.c.defined() && cell_ != Cell::LSTM)
    throw Error(k + ": only the LSTM takes a cell state c");
  const bool batched = input.dim() == 3;
  // Internally [L, N, in].
  Tensor x = batched ? (options_.batch_first ? input.transpose(0, 1) : input) : input.unsqueeze(1);
  const int64_t L = x.size(0), N = x.size(1), H = hidden_size_;
  const int64_t dirs = num_directions(), layers = options_.num_layers;
  const Shape state_shape = batched ? Shape{layers * dirs, N, H} : Shape{layers * dirs, H};
  auto initial = [&](const Tensor& t, const char* what) {
    if (!t.defined()) return zeros({layers * dirs, N, H}, dtype_);
    if (t.shape() != state_shape) throw Error(shape_error(kind_, what, t, state_shape));
    if (t.dtype() != dtype_)
      throw Error(k + ": " + what + " is " + dtype_name(t.dtype()) + " but the layer is " +
                  dtype_name(dtype_));
    return batched ? t : t.unsqueeze(1);
  };
  const Tensor h0 = initial(state.h, "h0");
  const Tensor c0 = cell_ == Cell::LSTM ? initial(state.c, "c0") : Tensor();

  std::vector<int64_t> len;
  if (lengths.defined()) {
    if (lengths.dtype() != kInt64 || lengths.numel() != N || lengths.dim() > 1)
      throw Error(k + ": lengths must be a 1-d int64 tensor with one entry per sample (" +
                  std::to_string(N) + "), got " + dtype_name(lengths.dtype()) + " " +
                  lengths.shape().str());
    len = lengths.to_vector<int64_t>();
    for (int64_t b = 0; b < N; ++b)
      if (len[size_t(b)] < 1 || len[size_t(b)] > L)
        throw Error(k + ": lengths[" + std::to_string(b) + "] = " + std::to_string(len[size_t(b)]) +
                    " is outside [1, " + std::to_string(L) + "] (the sequence length)");
  }

  RecurrentOutput result;
  std::vector<Tensor> h_n, c_n;
  auto between_layers = [&](int64_t l, const Tensor& y) {
    return l + 1 < layers ? functional::dropout(y, options_.dropout, is_training(), *rng_) : y;
  };
  if (cell_ == Cell::LSTM) {
    // One fused op per layer and direction (functional/lstm_sequence.cpp), which returns
    // the outputs, h_n and c_n stacked as [L + 2, N, H].
    Tensor layer_in = x.contiguous();
    for (int64_t l = 0; l < layers; ++l) {
      std::vector<Tensor> parts;
      for (int64_t d = 0; d < dirs; ++d) {
        const auto [w_ih, w_hh, b_ih, b_hh] = weights_of(l, d == 1);
        const Tensor packed = functional::detail::lstm_sequence(
            layer_in, h0.select(0, l * dirs + d), c0.select(0, l * dirs + d), w_ih, w_hh, b_ih,
            b_hh, len, d == 1);
        parts.push_back(packed.slice(0, 0, L));
        h_n.push_back(packed.select(0, L));
        c_n.push_back(packed.select(0, L + 1));
      }
      layer_in = between_layers(l, dirs == 1 ? parts[0] : concat(parts, 2));
    }
    result.output = layer_in;  // [L, N, D * H]
  } else {
    // Composed from autograd ops, one step at a time.
    std::vector<Tensor> masks;  // [N, 1] bool per step: does the sample take part?
    if (!len.empty()) {
      std::vector<bool> m(static_cast<size_t>(N));
      for (int64_t t = 0; t < L; ++t) {
        for (int64_t b = 0; b < N; ++b) m[size_t(b)] = t < len[size_t(b)];
        masks.push_back(tensor(m, {N, 1}));
      }
    }
    std::vector<Tensor> xs;
    xs.reserve(static_cast<size_t>(L));
    for (int64_t t = 0; t < L; ++t) xs.push_back(x.select(0, t));
    for (int64_t l = 0; l < layers; ++l) {
      std::vector<std::vector<Tensor>> outs;
      for (int64_t d = 0; d < dirs; ++d) {
        Tensor h = h0.select(0, l * dirs + d);
        outs.push_back(run_direction(xs, l, d == 1, h, masks));
        h_n.push_back(h);
      }
      for (int64_t t = 0; t < L; ++t)
        xs[size_t(t)] =
            between_layers(l, dirs == 1 ? outs[0][size_t(t)]
                                        : concat({outs[0][size_t(t)], outs[1][size_t(t)]}, 1));
    }
    result.output = stack(xs, 0);  // [L, N, D * H]
  }
  result.h_n = stack(h_n, 0);
  if (!c_n.empty()) result.c_n = stack(c_n, 0);
  if (!batched) {
    result.output = result.output.squeeze(1);
    result.h_n = result.h_n.squeeze(1);
    if (result.c_n.defined()) result.c_n = result.c_n.squeeze(1);
  } else if (options_.batch_first) {
    result.output = result.output.transpose(0, 1);
  }
  return result;
}

std::string RNNBase::name() const {
  // torch's extra_repr: only what differs from the defaults.
  std::ostringstream os;
  os << kind_ << "(" << input_size_ << ", " << hidden_size_;
  if (options_.num_layers != 1) os << ", num_layers=" << options_.num_layers;
  if (!options_.bias) os << ", bias=false";
  if (options_.batch_first) os << ", batch_first=true";
  if (options_.dropout != 0.0) os << ", dropout=" << options_.dropout;
  if (options_.bidirectional) os << ", bidirectional=true";
  // torch leaves the nonlinearity out; it changes what the layer computes, so say it.
  if (cell_ == Cell::RNNReLU) os << ", nonlinearity=relu";
  os << ")";
  return os.str();
}

RNN::RNN(int64_t input_size, int64_t hidden_size, const RNNOptions& options, Rng& rng, DType dtype)
    : RNNBase(options.nonlinearity == Nonlinearity::ReLU ? Cell::RNNReLU : Cell::RNNTanh, "RNN",
              input_size, hidden_size, options, rng, dtype) {}

LSTM::LSTM(int64_t input_size, int64_t hidden_size, const RNNOptions& options, Rng& rng,
           DType dtype)
    : RNNBase(Cell::LSTM, "LSTM", input_size, hidden_size, options, rng, dtype) {}

GRU::GRU(int64_t input_size, int64_t hidden_size, const RNNOptions& options, Rng& rng, DType dtype)
    : RNNBase(Cell::GRU, "GRU", input_size, hidden_size, options, rng, dtype) {}

}  // namespace soma::nn
