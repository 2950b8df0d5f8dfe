// Recurrent layers, Embedding and LayerNorm: gradients against central finite
// differences in float64 (inputs, initial states and every parameter), the parameter
// layout and printout torch has, dropout between layers, unbatched input and the
// errors a caller can make. Values against torch are in torch_recurrent_test.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "soma/core/error.hpp"
#include "soma/nn.hpp"
#include "tensor/gradcheck.hpp"

using namespace soma;
using soma::testing::expect_gradcheck;
using soma::testing::random_inputs;

namespace {

constexpr int64_t kSteps = 3, kBatch = 2, kInput = 3, kHidden = 2;

// Gradient check of output, h_n and c_n together (stacked into one tensor) with
// respect to x, h0, (c0) and every parameter of `m`.
void gradcheck_module(nn::RNNBase& m, bool lstm, const Tensor& lengths, uint64_t seed) {
  const int64_t states = m.options().num_layers * m.num_directions();
  const Shape x_shape =
      m.options().batch_first ? Shape{kBatch, kSteps, kInput} : Shape{kSteps, kBatch, kInput};
  std::vector<Shape> shapes = {x_shape, {states, kBatch, kHidden}};
  if (lstm) shapes.push_back({states, kBatch, kHidden});
  const size_t first_param = shapes.size();
  for (const Tensor& w : m.flat_weights) shapes.push_back(w.shape());
  expect_gradcheck(
      [&](const std::vector<Tensor>& in) {
        for (size_t k = 0; k < m.flat_weights.size(); ++k) m.flat_weights[k] = in[first_param + k];
        const nn::RecurrentOutput r = m(in[0], {.h = in[1], .c = lstm ? in[2] : Tensor()}, lengths);
        std::vector<Tensor> parts = {r.output.flatten(), r.h_n.flatten()};
        if (lstm) parts.push_back(r.c_n.flatten());
        return concat(parts, 0);
      },
      random_inputs(shapes, seed));
}

Tensor lengths_of(std::vector<int64_t> v) { return tensor(std::span<const int64_t>(v)); }

}  // namespace

TEST(RecurrentGrad, RNNTanhTwoLayersBidirectionalWithLengths) {
  nn::RNN m(kInput, kHidden, {.num_layers = 2, .bidirectional = true}, global_rng(), kFloat64);
  gradcheck_module(m, false, lengths_of({3, 1}), 1);
}

TEST(RecurrentGrad, RNNReLUBatchFirst) {
  nn::RNN m(kInput, kHidden, {.batch_first = true, .nonlinearity = nn::Nonlinearity::ReLU},
            global_rng(), kFloat64);
  gradcheck_module(m, false, Tensor(), 2);
}

TEST(RecurrentGrad, LSTMTwoLayersBidirectional) {
  nn::LSTM m(kInput, kHidden, {.num_layers = 2, .bidirectional = true}, global_rng(), kFloat64);
  gradcheck_module(m, true, Tensor(), 3);
}

TEST(RecurrentGrad, LSTMBatchFirstWithLengths) {
  nn::LSTM m(kInput, kHidden, {.num_layers = 2, .batch_first = true}, global_rng(), kFloat64);
  gradcheck_module(m, true, lengths_of({2, 3}), 4);
}

TEST(RecurrentGrad, GRUTwoLayersBidirectionalWithLengths) {
  nn::GRU m(kInput, kHidden, {.num_layers = 2, .batch_first = true, .bidirectional = true},
            global_rng(), kFloat64);
  gradcheck_module(m, false, lengths_of({1, 3}), 5);
}

TEST(RecurrentGrad, GRUWithoutBias) {
  nn::GRU m(kInput, kHidden, {.bias = false}, global_rng(), kFloat64);
  gradcheck_module(m, false, Tensor(), 6);
}

TEST(Recurrent, ParameterLayoutAsTorch) {
  nn::LSTM lstm(5, 4, {.num_layers = 2, .bidirectional = true});
  const auto params = lstm.named_parameters();
  ASSERT_EQ(params.size(), 16u);
  const std::vector<std::pair<std::string, Shape>> want = {{"weight_ih_l0", {16, 5}},
                                                           {"weight_hh_l0", {16, 4}},
                                                           {"bias_ih_l0", {16}},
                                                           {"bias_hh_l0", {16}},
                                                           {"weight_ih_l0_reverse", {16, 5}},
                                                           {"weight_hh_l0_reverse", {16, 4}},
                                                           {"bias_ih_l0_reverse", {16}},
                                                           {"bias_hh_l0_reverse", {16}},
                                                           {"weight_ih_l1", {16, 8}},
                                                           {"weight_hh_l1", {16, 4}},
                                                           {"bias_ih_l1", {16}},
                                                           {"bias_hh_l1", {16}},
                                                           {"weight_ih_l1_reverse", {16, 8}},
                                                           {"weight_hh_l1_reverse", {16, 4}},
                                                           {"bias_ih_l1_reverse", {16}},
                                                           {"bias_hh_l1_reverse", {16}}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(params[i].first, want[i].first);
    EXPECT_EQ(params[i].second.shape(), want[i].second) << want[i].first;
  }
  EXPECT_EQ(nn::GRU(3, 2).named_parameters()[0].second.shape(), (Shape{6, 3}));
  EXPECT_EQ(nn::RNN(3, 2, {.bias = false}).named_parameters().size(), 2u);
}

TEST(Recurrent, InitialisedUniformWithinOneOverSqrtHidden) {
  Rng rng(7);
  nn::GRU gru(20, 16, {.num_layers = 2}, rng);
  const double bound = 1.0 / std::sqrt(16.0);
  double lo = 1, hi = -1;
  for (const Tensor& p : gru.parameters())
    for (float v : p.to_vector<float>()) {
      lo = std::min(lo, double(v));
      hi = std::max(hi, double(v));
    }
  EXPECT_GE(lo, -bound);
  EXPECT_LT(hi, bound);
  // About 5,000 draws: the extremes come within 1% of the bound.
  EXPECT_LT(lo, -0.99 * bound);
  EXPECT_GT(hi, 0.99 * bound);
  // The same generator state gives the same parameters.
  Rng again(7);
  nn::GRU twin(20, 16, {.num_layers = 2}, again);
  EXPECT_EQ(twin.parameters()[3].to_vector<float>(), gru.parameters()[3].to_vector<float>());
}

TEST(Recurrent, StateDictRoundTrip) {
  Rng a(1), b(2);
  nn::LSTM src(3, 4, {.num_layers = 2}, a), dst(3, 4, {.num_layers = 2}, b);
  dst.load_state_dict(src.state_dict());
  Tensor x = randn({5, 2, 3});
  EXPECT_EQ(dst(x).to_vector<float>(), src(x).to_vector<float>());
  nn::LSTM other(3, 4, {.num_layers = 1}, b);
  EXPECT_THROW(other.load_state_dict(src.state_dict()), Error);
}

TEST(Recurrent, PrintoutAsTorch) {
  EXPECT_EQ(nn::LSTM(3, 4).str(), "LSTM(3, 4)");
  EXPECT_EQ(nn::LSTM(3, 4, {.bias = false}).str(), "LSTM(3, 4, bias=false)");
  EXPECT_EQ(
      nn::GRU(3, 4, {.num_layers = 2, .batch_first = true, .dropout = 0.5, .bidirectional = true})
          .str(),
      "GRU(3, 4, num_layers=2, batch_first=true, dropout=0.5, bidirectional=true)");
  EXPECT_EQ(nn::RNN(3, 4, {.nonlinearity = nn::Nonlinearity::ReLU}).str(),
            "RNN(3, 4, nonlinearity=relu)");
  EXPECT_EQ(nn::Embedding(10, 3, {.padding_idx = 0}).str(), "Embedding(10, 3, padding_idx=0)");
  EXPECT_EQ(nn::LayerNorm({3, 4}).str(), "LayerNorm((3, 4), eps=1e-05, elementwise_affine=true)");
  EXPECT_EQ(nn::LayerNorm({4}).str(), "LayerNorm((4,), eps=1e-05, elementwise_affine=true)");
}

TEST(Recurrent, DropoutBetweenLayersInTrainingOnly) {
  Rng rng(3);
  nn::LSTM m(3, 4, {.num_layers = 2, .dropout = 0.5}, rng);
  Tensor x = randn({6, 2, 3}, rng);
  m.eval();
  const auto eval1 = m(x, {}).output.to_vector<float>();
  EXPECT_EQ(m(x, {}).output.to_vector<float>(), eval1);
  m.train();
  const nn::RecurrentOutput trained = m(x, {});
  EXPECT_NE(trained.output.to_vector<float>(), eval1);
  // The first layer's final state comes before any dropout.
  m.eval();
  const nn::RecurrentOutput evaluated = m(x, {});
  EXPECT_EQ(trained.h_n[0].to_vector<float>(), evaluated.h_n[0].to_vector<float>());
  EXPECT_EQ(trained.c_n[0].to_vector<float>(), evaluated.c_n[0].to_vector<float>());
  // With p = 1 the second layer sees zeros whatever the input: its outputs agree
  // for two different inputs.
  nn::GRU all(3, 4, {.num_layers = 2, .dropout = 1.0}, rng);
  EXPECT_EQ(all(x).to_vector<float>(), all(randn({6, 2, 3}, rng)).to_vector<float>());
  all.eval();
  EXPECT_NE(all(x).to_vector<float>(), all(randn({6, 2, 3}, rng)).to_vector<float>());
}

TEST(Recurrent, UnbatchedInputIsABatchOfOne) {
  Rng rng(4);
  nn::GRU m(3, 4, {.num_layers = 2, .bidirectional = true}, rng);
  Tensor x = randn({5, 3}, rng), h0 = randn({4, 4}, rng);
  const nn::RecurrentOutput single = m(x, {.h = h0});
  const nn::RecurrentOutput batch = m(x.unsqueeze(1), {.h = h0.unsqueeze(1)});
  EXPECT_EQ(single.output.shape(), (Shape{5, 8}));
  EXPECT_EQ(single.h_n.shape(), (Shape{4, 4}));
  EXPECT_EQ(single.output.to_vector<float>(), batch.output.to_vector<float>());
  EXPECT_EQ(single.h_n.to_vector<float>(), batch.h_n.to_vector<float>());
}

TEST(Recurrent, LengthsEqualRunningEachSampleAlone) {
  // Sample 1 of length 2 inside a batch padded to 4 steps gives what the 2-step
  // sequence alone gives, in both directions.
  Rng rng(5);
  nn::LSTM m(3, 4, {.bidirectional = true}, rng, kFloat64);
  Tensor x = randn({4, 2, 3}, rng, kFloat64);
  const nn::RecurrentOutput padded = m(x, {}, lengths_of({4, 2}));
  const nn::RecurrentOutput alone = m(x.select(1, 1).slice(0, 0, 2), {});
  const auto p = padded.output.select(1, 1).to_vector<double>();
  const auto a = alone.output.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(p[i], a[i], 1e-14);
  for (size_t i = a.size(); i < p.size(); ++i) EXPECT_EQ(p[i], 0.0);
  const auto hp = padded.h_n.select(1, 1).to_vector<double>();
  const auto ha = alone.h_n.to_vector<double>();
  for (size_t i = 0; i < ha.size(); ++i) EXPECT_NEAR(hp[i], ha[i], 1e-14);
}

TEST(Recurrent, ErrorsNameTheInput) {
  nn::LSTM lstm(3, 4, {.num_layers = 2});
  nn::GRU gru(3, 4);
  Tensor x = randn({5, 2, 3});
  EXPECT_THROW(lstm(randn({5, 2, 4})), Error);                                  // wrong input_size
  EXPECT_THROW(lstm(randn({5, 2, 3, 1})), Error);                               // 4-d input
  EXPECT_THROW(lstm(x, {.h = zeros({1, 2, 4})}), Error);                        // h0 for one layer
  EXPECT_THROW(gru(x, {.h = zeros({1, 2, 4}), .c = zeros({1, 2, 4})}), Error);  // c for a GRU
  EXPECT_THROW(lstm(x, {}, lengths_of({5, 0})), Error);                         // empty sequence
  EXPECT_THROW(lstm(x, {}, lengths_of({6, 1})), Error);  // longer than the input
  EXPECT_THROW(lstm(x, {}, lengths_of({5})), Error);     // one length for two
  EXPECT_THROW(lstm(x.to(kFloat64)), Error);             // dtype
  EXPECT_THROW(nn::LSTM(3, 4, {.nonlinearity = nn::Nonlinearity::ReLU}), Error);
  EXPECT_THROW(nn::RNN(3, 0), Error);
  EXPECT_THROW(nn::RNN(3, 4, {.num_layers = 0}), Error);
  EXPECT_THROW(nn::RNN(3, 4, {.dropout = 1.5}), Error);
  try {
    lstm(x, {}, lengths_of({5, 7}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lengths[1] = 7"), std::string::npos) << e.what();
  }
}

TEST(Embedding, LooksUpRowsAndPaddingRowGetsNoGradient) {
  Rng rng(6);
  nn::Embedding embed(5, 3, {.padding_idx = -1}, rng, kFloat64);
  EXPECT_EQ(embed.padding_idx(), 4);
  EXPECT_EQ(embed.weight[4].to_vector<double>(), (std::vector<double>{0, 0, 0}));
  Tensor idx = tensor({int64_t{2}, int64_t{4}, int64_t{2}});
  Tensor y = embed(idx);
  EXPECT_EQ(y.shape(), (Shape{3, 3}));
  EXPECT_EQ(y[0].to_vector<double>(), embed.weight[2].to_vector<double>());
  sum(y).backward();
  EXPECT_EQ(embed.weight.grad()[2].to_vector<double>(), (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(embed.weight.grad()[4].to_vector<double>(), (std::vector<double>{0, 0, 0}));
  EXPECT_THROW(embed(tensor({int64_t{5}})), Error);
  EXPECT_THROW(embed(tensor({1.0})), Error);
  EXPECT_THROW(nn::Embedding(5, 3, {.padding_idx = 5}), Error);
  // Standard normal initialisation.
  nn::Embedding big(1000, 10, {}, rng);
  const auto w = big.weight.to_vector<float>();
  double s = 0, s2 = 0;
  for (float v : w) s += v, s2 += double(v) * v;
  EXPECT_NEAR(s / double(w.size()), 0.0, 0.05);
  EXPECT_NEAR(s2 / double(w.size()), 1.0, 0.05);
}

TEST(LayerNormGrad, InputWeightAndBias) {
  nn::LayerNorm norm({3, 4}, {}, kFloat64);
  expect_gradcheck(
      [&](const std::vector<Tensor>& in) {
        norm.weight = in[1];
        norm.bias = in[2];
        return norm(in[0]);
      },
      random_inputs({{2, 3, 4}, {3, 4}, {3, 4}}, 8));
}

TEST(LayerNorm, NormalisesEachSample) {
  nn::LayerNorm norm({4}, {.elementwise_affine = false}, kFloat64);
  EXPECT_TRUE(norm.parameters().empty());
  Tensor y = norm(tensor({1.0, 2.0, 3.0, 4.0, -1.0, 0.0, 0.0, 1.0}, {2, 4}));
  // Row 0: mean 2.5, biased variance 1.25.
  EXPECT_NEAR(y[0][0].item<double>(), -1.5 / std::sqrt(1.25 + 1e-5), 1e-15);
  EXPECT_NEAR(y[1][3].item<double>(), 1.0 / std::sqrt(0.5 + 1e-5), 1e-15);
  EXPECT_THROW(norm(zeros({2, 3}, kFloat64)), Error);
  EXPECT_THROW(nn::LayerNorm(Shape{}), Error);
}
