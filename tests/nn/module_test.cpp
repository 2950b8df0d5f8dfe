// Module bookkeeping: names, train/eval, state dicts, Sequential, initialisation.
#include <gtest/gtest.h>

#include <cmath>

#include "soma/core/error.hpp"
#include "soma/nn.hpp"

using namespace soma;

namespace {
std::vector<std::string> names(const std::vector<std::pair<std::string, Tensor>>& items) {
  std::vector<std::string> out;
  for (const auto& [n, t] : items) out.push_back(n);
  return out;
}
}  // namespace

TEST(Linear, InitialisedWithinPyTorchBoundsWeightThenBias) {
  Rng rng(5);
  nn::Linear lin(16, 8, true, rng);
  EXPECT_EQ(lin.weight.shape(), Shape({8, 16}));
  EXPECT_EQ(lin.bias.shape(), Shape({8}));
  const double bound = 1.0 / std::sqrt(16.0);
  double largest = 0;
  for (float v : lin.weight.to_vector<float>()) largest = std::max(largest, std::abs(double(v)));
  EXPECT_LE(largest, bound);
  EXPECT_GT(largest, 0.8 * bound);  // 128 draws almost surely reach near the bound
  for (float v : lin.bias.to_vector<float>()) EXPECT_LE(std::abs(v), bound);
  // Weight is drawn first, then bias: the same draws by hand.
  Rng again(5);
  std::vector<float> expected;
  for (int i = 0; i < 8 * 16; ++i)
    expected.push_back(static_cast<float>(again.uniform(-bound, bound)));
  EXPECT_EQ(lin.weight.to_vector<float>(), expected);
  EXPECT_FLOAT_EQ(lin.bias.to_vector<float>()[0], static_cast<float>(again.uniform(-bound, bound)));
}

TEST(Linear, ForwardIsAffineMap) {
  nn::Linear lin(2, 1, true, global_rng(), kFloat64);
  lin.weight.copy_(tensor({2.0, -3.0}, {1, 2}));
  lin.bias.copy_(tensor({0.5}));
  Tensor y = lin(tensor({1.0, 1.0, 4.0, 2.0}, {2, 2}));
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{-0.5, 2.5}));
  EXPECT_THROW(lin(zeros({2, 3}, kFloat64)), Error);
}

TEST(Sequential, NamesLikePyTorchAndSeedGivesDefinedOrder) {
  Rng rng(11);
  auto model = nn::Sequential(nn::Linear(3, 4, true, rng), nn::Tanh(), nn::Linear(4, 2, true, rng));
  EXPECT_EQ(names(model.named_parameters()),
            (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_EQ(model.parameters().size(), 4u);
  // Whatever order the compiler built the arguments in, the parameters are drawn
  // again in argument order after the constructors' draws.
  Rng ref(11);
  nn::Linear a(3, 4, true, ref), b(4, 2, true, ref);
  a.reset_parameters(ref);
  b.reset_parameters(ref);
  EXPECT_EQ(model.at<nn::Linear>(0).weight.to_vector<float>(), a.weight.to_vector<float>());
  EXPECT_EQ(model.at<nn::Linear>(2).bias.to_vector<float>(), b.bias.to_vector<float>());
  EXPECT_THROW(model.at<nn::Linear>(1), Error);
  EXPECT_THROW(model[3], Error);
  // push_back keeps the weights it is given.
  nn::Sequential kept;
  kept.push_back(a);
  EXPECT_EQ(kept.at<nn::Linear>(0).weight.to_vector<float>(), a.weight.to_vector<float>());
}

TEST(Sequential, KeepsModulesWhoseWeightsWereSet) {
  // torch.nn.Sequential keeps the modules it is given; soma draws again only the
  // children still as their constructors drew them (see sequential.hpp).
  Rng rng(5);
  nn::Linear set(2, 3, true, rng);
  set.weight.fill_(0.5);
  nn::Linear fresh(3, 1, true, rng);
  const auto fresh_before = fresh.weight.to_vector<float>();
  auto model = nn::Sequential(set, nn::ReLU(), fresh);
  EXPECT_EQ(model.at<nn::Linear>(0).weight.to_vector<float>(), std::vector<float>(6, 0.5f));
  EXPECT_EQ(model.at<nn::Linear>(0).bias.to_vector<float>(), set.bias.to_vector<float>());
  // The fresh one was drawn again from the stream after both constructors' draws.
  EXPECT_NE(model.at<nn::Linear>(2).weight.to_vector<float>(), fresh_before);
  // A loaded state dict counts as set.
  nn::Linear loaded(2, 2, false, rng);
  nn::StateDict quarter;
  quarter.insert("weight", full({2, 2}, 0.25));
  loaded.load_state_dict(quarter);
  auto second = nn::Sequential(loaded);
  EXPECT_EQ(second.at<nn::Linear>(0).weight.to_vector<float>(), std::vector<float>(4, 0.25f));
}

TEST(Module, ModulesNamedModulesAndApplyAsTorch) {
  // torch: list(m.named_modules()) gives ('', m), ('0', ...), ('1', ...), ('1.0', ...);
  // apply visits children before their parent.
  auto inner = nn::Sequential(nn::Linear(2, 2), nn::ReLU());
  auto model = nn::Sequential(nn::Linear(2, 2), inner);
  std::vector<std::string> got;
  for (auto& [name, m] : model.named_modules()) got.push_back(name + ":" + m->name());
  EXPECT_EQ(got,
            (std::vector<std::string>{
                ":Sequential", "0:Linear(in_features=2, out_features=2, bias=true)", "1:Sequential",
                "1.0:Linear(in_features=2, out_features=2, bias=true)", "1.1:ReLU()"}));
  EXPECT_EQ(model.modules().size(), 5u);
  EXPECT_EQ(model.modules().front(), &model);
  std::vector<std::string> order;
  model.apply([&](nn::Module& m) {
    order.push_back(m.name().substr(0, 4));
    if (auto* lin = dynamic_cast<nn::Linear*>(&m)) lin->weight.fill_(1.0);
  });
  EXPECT_EQ(order, (std::vector<std::string>{"Line", "Line", "ReLU", "Sequ", "Sequ"}));
  for (auto& p : model.parameters())
    if (p.dim() == 2) {
      EXPECT_EQ(p.to_vector<float>(), std::vector<float>(4, 1.0f));
    }
}

TEST(Sequential, ForwardChainsChildren) {
  auto model = nn::Sequential(nn::Linear(2, 2, false), nn::ReLU());
  auto& lin = model.at<nn::Linear>(0);
  lin.weight.copy_(tensor({1.f, 0.f, 0.f, -1.f}, {2, 2}));
  EXPECT_EQ(model(tensor({3.f, 5.f}, {1, 2})).to_vector<float>(), (std::vector<float>{3.f, 0.f}));
  EXPECT_NE(model.str().find("(0): Linear(in_features=2, out_features=2, bias=false)"),
            std::string::npos);
}

TEST(Module, TrainEvalIsRecursive) {
  auto inner = nn::Sequential(nn::ReLU());
  nn::Sequential outer;
  outer.push_back(inner);
  EXPECT_TRUE(outer.at<nn::Sequential>(0)[0].is_training());
  outer.eval();
  EXPECT_FALSE(outer.is_training());
  EXPECT_FALSE(outer.at<nn::Sequential>(0)[0].is_training());
  outer.train();
  EXPECT_TRUE(outer.at<nn::Sequential>(0)[0].is_training());
}

TEST(Module, ZeroGradNoneOrZero) {
  nn::Linear lin(3, 2);
  lin(ones({4, 3})).sum().backward();
  ASSERT_TRUE(lin.weight.grad().defined());
  lin.zero_grad(false);
  EXPECT_EQ(lin.weight.grad().sum().item<float>(), 0.f);
  lin.zero_grad();
  EXPECT_FALSE(lin.weight.grad().defined());
}

TEST(Module, StateDictRoundTripAndMismatches) {
  Rng r1(1), r2(2);
  auto m1 = nn::Sequential(nn::Linear(3, 4, true, r1), nn::PReLU(4), nn::Linear(4, 1, true, r1));
  auto m2 = nn::Sequential(nn::Linear(3, 4, true, r2), nn::PReLU(4), nn::Linear(4, 1, true, r2));
  m1.at<nn::PReLU>(1).weight.fill_(0.1);
  const auto sd = m1.state_dict();
  EXPECT_EQ(sd.size(), 5u);
  m2.load_state_dict(sd);
  Tensor x = randn({6, 3});
  EXPECT_EQ(m1(x).to_vector<float>(), m2(x).to_vector<float>());
  // The state holds handles, the module its own storage: later training of m1 leaves m2 alone.
  m1.at<nn::Linear>(0).weight.fill_(7.0);
  EXPECT_NE(m2.at<nn::Linear>(0).weight.to_vector<float>()[0], 7.f);

  nn::Sequential wrong_shape(nn::Linear(3, 5), nn::PReLU(4), nn::Linear(4, 1));
  try {
    wrong_shape.load_state_dict(sd);
    FAIL() << "shape mismatch accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"0.weight\" has shape (4,3)"), std::string::npos)
        << e.what();
  }
  nn::Sequential fewer(nn::Linear(3, 4), nn::PReLU(4));
  try {
    fewer.load_state_dict(sd);
    FAIL() << "unexpected keys accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unexpected: \"2.weight\" \"2.bias\""), std::string::npos)
        << e.what();
  }
  // The state dict shares m1's storage (as torch's does), so it now holds the 7s.
  fewer.load_state_dict(sd, /*strict=*/false);
  EXPECT_EQ(fewer.at<nn::Linear>(0).weight.to_vector<float>(), std::vector<float>(12, 7.f));
}

TEST(Init, FansGainsAndBounds) {
  Tensor conv = empty({8, 3, 5, 5});
  EXPECT_EQ(nn::init::calculate_fan_in_and_fan_out(conv),
            std::make_pair(int64_t{75}, int64_t{200}));
  EXPECT_THROW(nn::init::calculate_fan_in_and_fan_out(empty({3})), Error);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("tanh"), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("leaky_relu", std::sqrt(5.0)), std::sqrt(1.0 / 3.0));
  EXPECT_THROW(nn::init::calculate_gain("swish"), Error);

  Rng rng(3);
  Tensor w = empty({400, 500}, kFloat64);
  // kaiming_uniform_(relu): bound sqrt(6 / fan_in); uniform variance bound^2 / 3 = 2 / fan_in.
  nn::init::kaiming_uniform_(w, 0.0, nn::init::FanMode::FanIn, "relu", rng);
  EXPECT_LE(max(abs(w)).item<double>(), std::sqrt(6.0 / 500));
  EXPECT_NEAR(var(w).item<double>(), 2.0 / 500, 0.02 * 2.0 / 500);
  nn::init::kaiming_normal_(w, 0.0, nn::init::FanMode::FanOut, "relu", rng);
  EXPECT_NEAR(var(w).item<double>(), 2.0 / 400, 0.02 * 2.0 / 400);
  EXPECT_NEAR(mean(w).item<double>(), 0.0, 0.001);
  nn::init::xavier_uniform_(w, 1.0, rng);
  EXPECT_LE(max(abs(w)).item<double>(), std::sqrt(6.0 / 900));
  EXPECT_NEAR(var(w).item<double>(), 2.0 / 900, 0.02 * 2.0 / 900);
  nn::init::xavier_normal_(w, 2.0, rng);
  EXPECT_NEAR(var(w).item<double>(), 4 * 2.0 / 900, 0.02 * 8.0 / 900);
  nn::init::zeros_(w);
  EXPECT_EQ(abs(w).sum().item<double>(), 0.0);
  nn::init::ones_(w);
  EXPECT_EQ(w.sum().item<double>(), 400.0 * 500.0);
}

TEST(Pooling, PrintsTheStrideItUses) {
  // torch: MaxPool2d(2) prints stride=2 (its stride=None means the kernel size).
  EXPECT_EQ(nn::MaxPool2d(2).name(),
            "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))");
  EXPECT_EQ(nn::AvgPool2d({3, 3}, {1, 2}).name(),
            "AvgPool2d(kernel_size=(3, 3), stride=(1, 2), padding=(0, 0))");
}
