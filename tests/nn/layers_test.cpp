// Layers: forward values against their definitions, gradients against central
// finite differences in float64 (through the modules, parameters included).
#include <gtest/gtest.h>

#include <cmath>

#include "soma/core/error.hpp"
#include "soma/nn.hpp"
#include "tensor/gradcheck.hpp"

using namespace soma;
using soma::testing::expect_gradcheck;
using soma::testing::random_inputs;

TEST(LayerGrad, Linear) {
  nn::Linear lin(5, 3, true, global_rng(), kFloat64);
  expect_gradcheck(
      [&](const std::vector<Tensor>& in) {
        lin.weight = in[1];
        lin.bias = in[2];
        return lin(in[0]);
      },
      random_inputs({{4, 5}, {3, 5}, {3}}));
  // Batched leading dimensions.
  expect_gradcheck(
      [&](const std::vector<Tensor>& in) {
        lin.weight = in[1];
        return lin(in[0]);
      },
      random_inputs({{2, 3, 5}, {3, 5}}, 7));
}

TEST(LayerGrad, PReLUSharedAndPerChannel) {
  nn::PReLU shared(1, 0.25, kFloat64), per_channel(3, 0.25, kFloat64);
  expect_gradcheck(
      [&](const std::vector<Tensor>& in) {
        shared.weight = in[1];
        return shared(in[0]);
      },
      random_inputs({{4, 3}, {1}}, 3));
  expect_gradcheck(
      [&](const std::vector<Tensor>& in) {
        per_channel.weight = in[1];
        return per_channel(in[0]);
      },
      random_inputs({{2, 3, 4}, {3}}, 4));
}

TEST(LayerGrad, Activations) {
  std::vector<std::shared_ptr<nn::Module>> layers = {
      std::make_shared<nn::Sigmoid>(),  std::make_shared<nn::Tanh>(),
      std::make_shared<nn::ReLU>(),     std::make_shared<nn::LeakyReLU>(0.2),
      std::make_shared<nn::Softmax>(1), std::make_shared<nn::LogSoftmax>(-1),
      std::make_shared<nn::Softmax>(0), std::make_shared<nn::Flatten>()};
  for (auto& layer : layers) {
    SCOPED_TRACE(layer->name());
    // Inputs kept away from 0, where the kinks of ReLU would spoil finite differences.
    auto in = random_inputs({{3, 4, 2}}, 9, 0.05, 1.0);
    double* p = in[0].data_ptr<double>();
    for (int64_t i = 0; i < in[0].numel(); i += 2) p[i] = -p[i];
    expect_gradcheck([&](const std::vector<Tensor>& x) { return (*layer)(x[0]); }, in);
  }
}

TEST(LayerForward, ActivationValues) {
  Tensor x = tensor({-2.0, -0.5, 0.0, 1.5});
  EXPECT_EQ(nn::ReLU()(x).to_vector<double>(), (std::vector<double>{0, 0, 0, 1.5}));
  EXPECT_EQ(nn::LeakyReLU(0.1)(x).to_vector<double>(), (std::vector<double>{-0.2, -0.05, 0, 1.5}));
  EXPECT_NEAR(nn::Sigmoid()(x).to_vector<double>()[0], 1 / (1 + std::exp(2.0)), 1e-15);
  EXPECT_NEAR(nn::Tanh()(x).to_vector<double>()[3], std::tanh(1.5), 1e-15);
  const auto sm = nn::Softmax(0)(x).to_vector<double>();
  const double z = std::exp(-2.0) + std::exp(-0.5) + 1 + std::exp(1.5);
  EXPECT_NEAR(sm[3], std::exp(1.5) / z, 1e-15);
  EXPECT_NEAR(nn::LogSoftmax(0)(x).to_vector<double>()[0], -2.0 - std::log(z), 1e-14);
}

TEST(LayerForward, PReLUIsLearnableSlopePerChannel) {
  nn::PReLU act(2, 0.25, kFloat64);
  EXPECT_TRUE(act.weight.requires_grad());
  EXPECT_EQ(act.named_parameters().at(0).first, "weight");
  act.weight.copy_(tensor({0.5, 2.0}));
  Tensor x = tensor({-1.0, -1.0, 3.0, -4.0}, {2, 2});  // rows are samples, columns channels
  EXPECT_EQ(act(x).to_vector<double>(), (std::vector<double>{-0.5, -2.0, 3.0, -8.0}));
  EXPECT_THROW(act(zeros({2, 3}, kFloat64)), Error);
  EXPECT_THROW(nn::PReLU(0), Error);
}

TEST(Losses, ModuleWrappersMatchFunctions) {
  Tensor a = tensor({0.2, 0.7, 0.9}), b = tensor({0.0, 1.0, 1.0});
  EXPECT_DOUBLE_EQ(nn::MSELoss{}(a, b).item<double>(), (0.04 + 0.09 + 0.01) / 3);
  EXPECT_DOUBLE_EQ(nn::MSELoss{.reduction = Reduction::Sum}(a, b).item<double>(),
                   0.04 + 0.09 + 0.01);
  EXPECT_NEAR(nn::BCELoss{}(a, b).item<double>(),
              -(std::log(0.8) + std::log(0.7) + std::log(0.9)) / 3, 1e-15);
  EXPECT_DOUBLE_EQ(nn::BCEWithLogitsLoss{}(a, b).item<double>(),
                   nn::bce_with_logits(a, b).item<double>());
  Tensor logits = tensor({1.0, 2.0, 0.5, -1.0, 0.0, 3.0}, {2, 3});
  Tensor target = tensor({int64_t{1}, int64_t{2}});
  EXPECT_DOUBLE_EQ(nn::CrossEntropyLoss{}(logits, target).item<double>(),
                   nn::NLLLoss{}(nn::log_softmax(logits, 1), target).item<double>());
}
