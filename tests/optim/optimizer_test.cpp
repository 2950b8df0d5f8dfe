// Optimizer semantics not covered by the torch comparison: zero_grad, skipped
// parameters, argument and state validation, scheduler state.
#include <gtest/gtest.h>

#include "soma/core/error.hpp"
#include "soma/nn.hpp"
#include "soma/optim.hpp"

using namespace soma;

TEST(Optimizer, ZeroGradAndParametersWithoutGradient) {
  Tensor a = ones({2}).requires_grad_(), b = ones({2}).requires_grad_();
  optim::SGD opt({a, b}, {.lr = 0.5});
  (a * 3.0).sum().backward();  // b gets no gradient and must stay put
  opt.step();
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{-0.5f, -0.5f}));
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{1.f, 1.f}));
  opt.zero_grad(false);
  EXPECT_EQ(a.grad().to_vector<float>(), (std::vector<float>{0.f, 0.f}));
  opt.zero_grad();
  EXPECT_FALSE(a.grad().defined());
}

TEST(Optimizer, FirstAdamStepMovesEachWeightByLr) {
  // With bias correction, step one is lr * g / (|g| + eps * ...) = lr * sign(g).
  Tensor w = tensor({1.0, -2.0, 3.0}).requires_grad_();
  optim::Adam opt({w}, {.lr = 0.1});
  (w * tensor({2.0, -5.0, 0.5})).sum().backward();
  opt.step();
  const auto v = w.to_vector<double>();
  EXPECT_NEAR(v[0], 0.9, 1e-7);
  EXPECT_NEAR(v[1], -1.9, 1e-7);
  EXPECT_NEAR(v[2], 2.9, 1e-7);
}

TEST(Optimizer, RejectsBadArgumentsAndStates) {
  Tensor w = ones({2, 2}).requires_grad_();
  EXPECT_THROW(optim::SGD({w}, {.lr = -1.0}), Error);
  EXPECT_THROW(optim::SGD({w}, {.lr = 0.1, .nesterov = true}), Error);
  EXPECT_THROW(optim::Adam({w}, {.betas = {1.0, 0.9}}), Error);
  EXPECT_THROW(optim::Adam({tensor({int64_t{1}})}), Error);
  EXPECT_THROW(optim::Adam({w * 2.0}), Error);  // not a leaf

  optim::Adam opt({w});
  (w * w).sum().backward();
  opt.step();
  auto sd = opt.state_dict();
  EXPECT_TRUE(sd.contains("param.0.exp_avg"));
  EXPECT_EQ(sd.at("param.0.step").item<int64_t>(), 1);

  Tensor other = ones({3}).requires_grad_();
  optim::Adam mismatched({other});
  EXPECT_THROW(mismatched.load_state_dict(sd), Error);
  optim::Adam two({w, other});
  nn::StateDict extra = sd;
  extra.insert("param.7.exp_avg", ones({2, 2}));
  EXPECT_THROW(two.load_state_dict(extra), Error);
  nn::StateDict no_lr;
  EXPECT_THROW(two.load_state_dict(no_lr), Error);
  two.load_state_dict(sd);  // a state for parameter 0 only is fine
  EXPECT_EQ(two.state_dict().at("param.0.exp_avg").to_vector<float>(),
            sd.at("param.0.exp_avg").to_vector<float>());
}

TEST(Optimizer, TrainsTheDesignExampleModel) {
  // The API of DESIGN.md end to end: the loss of a small separable problem falls.
  Rng rng(3);
  auto model = nn::Sequential(nn::Linear(2, 8, true, rng), nn::ReLU(), nn::Linear(8, 1, true, rng),
                              nn::Sigmoid());
  optim::Adam opt(model.parameters(), {.lr = 1e-2, .weight_decay = 1e-4});
  Tensor x = randn({64, 2}, rng);
  Tensor y = (x.select(1, 0) + x.select(1, 1) > 0.0).to(kFloat32);
  double first = 0, last = 0;
  for (int it = 0; it < 200; ++it) {
    opt.zero_grad();
    Tensor loss = nn::bce_loss(model(x).flatten(), y);
    loss.backward();
    opt.step();
    (it == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.3 * first);
}

TEST(Scheduler, StateRoundTripAndValidation) {
  Tensor w = ones({1}).requires_grad_();
  optim::SGD opt({w}, {.lr = 1.0});
  optim::ExponentialLR s(opt, 0.5);
  s.step();
  s.step();
  EXPECT_DOUBLE_EQ(opt.lr(), 0.25);
  optim::SGD opt2({w}, {.lr = 1.0});
  optim::ExponentialLR s2(opt2, 0.5);
  s2.load_state_dict(s.state_dict());
  opt2.load_state_dict(opt.state_dict());
  s2.step();
  EXPECT_DOUBLE_EQ(opt2.lr(), 0.125);
  EXPECT_EQ(s2.last_epoch(), 3);
  EXPECT_THROW(s2.load_state_dict(nn::StateDict{}), Error);
  EXPECT_THROW(optim::StepLR(opt, 0), Error);
  EXPECT_THROW(optim::CosineAnnealingLR(opt, 0), Error);
}
