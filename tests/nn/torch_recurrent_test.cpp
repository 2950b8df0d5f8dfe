// RNN, LSTM, GRU, Embedding and LayerNorm against PyTorch 1.13: outputs, final states
// and the gradients of every input and parameter, on inputs and parameters from
// closed formulas (tests/reference/torch_recurrent.py). Variable-length cases compare
// with torch's pack_padded_sequence / pad_packed_sequence.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "reference_table.hpp"
#include "soma/nn.hpp"

using namespace soma;

namespace {

const std::map<std::string, std::vector<double>>& reference() {
  static const auto table = soma::testing::read_reference_table("torch_recurrent.txt");
  return table;
}

Tensor filled(const Shape& shape, double a, double b, double scale = 1.0, DType dtype = kFloat64) {
  std::vector<double> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = scale * std::sin(a * double(i) + b);
  return tensor(v, shape).to(dtype);
}

// sum(t * cos(a i + b)) over the flattened t, the scalar the reference differentiates.
Tensor weighted(const Tensor& t, double a, double b) {
  std::vector<double> w(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::cos(a * double(i) + b);
  return sum(t * tensor(w, t.shape()).to(t.dtype()));
}

void compare(const std::string& key, const Tensor& t, double rtol) {
  ASSERT_TRUE(reference().count(key))
      << key << ": tests/reference/data/torch_recurrent.txt not found or incomplete";
  ASSERT_TRUE(t.defined()) << key << " is undefined";
  const auto& want = reference().at(key);
  const auto got = t.to_vector<double>();
  ASSERT_EQ(got.size(), want.size()) << key;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], rtol * std::max(1.0, std::abs(want[i])))
        << key << " element " << i;
}

struct Case {
  std::string name;
  std::string cell;  // RNN, LSTM or GRU
  nn::RNNOptions options;
  bool initial_state;
  std::vector<int64_t> lengths;  // empty: every sample full length
};

constexpr int64_t kSteps = 5, kBatch = 3, kInput = 4, kHidden = 3;

// The cases of torch_recurrent.py, in its order.
const std::vector<Case>& cases() {
  using nn::Nonlinearity;
  static const std::vector<Case> all = {
      {"rnn_tanh", "RNN", {}, true, {}},
      {"rnn_relu_bi",
       "RNN",
       {.num_layers = 2,
        .batch_first = true,
        .bidirectional = true,
        .nonlinearity = Nonlinearity::ReLU},
       false,
       {}},
      {"rnn_tanh_len", "RNN", {.num_layers = 2, .bidirectional = true}, true, {5, 2, 4}},
      {"lstm", "LSTM", {.num_layers = 2}, true, {}},
      {"lstm_bi_len",
       "LSTM",
       {.num_layers = 2, .batch_first = true, .bidirectional = true},
       true,
       {3, 5, 1}},
      {"lstm_nobias_len", "LSTM", {.bias = false}, false, {5, 2, 4}},
      {"gru", "GRU", {.num_layers = 2, .bidirectional = true}, true, {}},
      {"gru_len", "GRU", {.batch_first = true, .bidirectional = true}, true, {2, 5, 3}},
  };
  return all;
}

std::unique_ptr<nn::RNNBase> make(const Case& c, DType dtype) {
  if (c.cell == "RNN")
    return std::make_unique<nn::RNN>(kInput, kHidden, c.options, global_rng(), dtype);
  if (c.cell == "LSTM")
    return std::make_unique<nn::LSTM>(kInput, kHidden, c.options, global_rng(), dtype);
  return std::make_unique<nn::GRU>(kInput, kHidden, c.options, global_rng(), dtype);
}

// Runs one case in `dtype` and compares everything with torch's float64 numbers.
void check_case(const Case& c, DType dtype, double rtol) {
  SCOPED_TRACE(c.name + (dtype == kFloat32 ? " (float32)" : " (float64)"));
  auto module = make(c, dtype);
  {
    NoGradGuard no_grad;
    int k = 0;
    for (auto& [name, p] : module->named_parameters()) {
      p.copy_(filled(p.shape(), 0.41 + 0.07 * k, 0.3 * k, 0.5));
      ++k;
    }
  }
  const int64_t dirs = module->num_directions(), layers = c.options.num_layers;
  const Shape x_shape =
      c.options.batch_first ? Shape{kBatch, kSteps, kInput} : Shape{kSteps, kBatch, kInput};
  Tensor x = filled(x_shape, 0.31, 0.2, 1.0, dtype).requires_grad_();
  nn::RecurrentState state;
  if (c.initial_state) {
    state.h = filled({layers * dirs, kBatch, kHidden}, 0.53, 1.1, 1.0, dtype).requires_grad_();
    if (c.cell == "LSTM")
      state.c = filled({layers * dirs, kBatch, kHidden}, 0.29, 0.7, 1.0, dtype).requires_grad_();
  }
  const Tensor lengths = c.lengths.empty() ? Tensor() : tensor(std::span<const int64_t>(c.lengths));
  const nn::RecurrentOutput r = (*module)(x, state, lengths);
  Tensor loss = weighted(r.output, 0.37, 0.0) + weighted(r.h_n, 0.23, 1.0);
  if (r.c_n.defined()) loss = loss + weighted(r.c_n, 0.19, 2.0);
  loss.backward();
  compare(c.name + ".y", r.output, rtol);
  compare(c.name + ".h_n", r.h_n, rtol);
  EXPECT_EQ(r.c_n.defined(), c.cell == "LSTM");
  if (r.c_n.defined()) compare(c.name + ".c_n", r.c_n, rtol);
  compare(c.name + ".dx", x.grad(), rtol);
  if (state.h.defined()) compare(c.name + ".dh0", state.h.grad(), rtol);
  if (state.c.defined()) compare(c.name + ".dc0", state.c.grad(), rtol);
  // Same names as torch (the reference has one gradient line per torch parameter).
  size_t torch_params = 0;
  for (const auto& [key, v] : reference())
    if (key.rfind(c.name + ".d.", 0) == 0) ++torch_params;
  EXPECT_EQ(module->named_parameters().size(), torch_params);
  for (auto& [name, p] : module->named_parameters()) compare(c.name + ".d." + name, p.grad(), rtol);
}

}  // namespace

TEST(TorchRecurrent, EveryCaseInFloat64) {
  for (const Case& c : cases()) check_case(c, kFloat64, 1e-11);
}

// The same layers in float32 stay within single-precision rounding of torch's float64.
TEST(TorchRecurrent, EveryCaseInFloat32) {
  for (const Case& c : cases()) check_case(c, kFloat32, 2e-5);
}

TEST(TorchRecurrent, Embedding) {
  Tensor w = filled({7, 4}, 0.41, 0.0).requires_grad_();
  Tensor idx = tensor(std::vector<int64_t>{1, 3, 3, 0, 6, 2, 1, 3}, {2, 4});
  Tensor y = nn::functional::embedding(idx, w, 3);
  weighted(y, 0.37, 0.0).backward();
  compare("embedding.y", y, 1e-15);
  compare("embedding.dweight", w.grad(), 1e-14);
}

TEST(TorchRecurrent, LayerNorm) {
  Tensor x = filled({2, 3, 4, 5}, 0.31, 0.2).requires_grad_();
  Tensor g = filled({4, 5}, 0.53, 1.1).requires_grad_();
  Tensor b = filled({4, 5}, 0.7, 0.4).requires_grad_();
  Tensor y = nn::functional::layer_norm(x, {4, 5}, g, b, 1e-5);
  weighted(y, 0.37, 0.0).backward();
  compare("layer_norm.y", y, 1e-12);
  compare("layer_norm.dx", x.grad(), 1e-11);
  compare("layer_norm.dweight", g.grad(), 1e-12);
  compare("layer_norm.dbias", b.grad(), 1e-12);
}
