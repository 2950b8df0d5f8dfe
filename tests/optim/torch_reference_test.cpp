// Optimizers and schedulers against PyTorch 1.13: the parameters of a fixed 3->4->2
// MLP after 5 steps, and lr sequences, from tests/reference/torch_optim.py (the
// problem's closed formulas are mirrored here).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>

#include "reference_table.hpp"
#include "soma/nn.hpp"
#include "soma/optim.hpp"

using namespace soma;

namespace {

std::map<std::string, std::vector<double>> reference() {
  return soma::testing::read_reference_table("torch_optim.txt");
}

struct Problem {
  std::vector<Tensor> params;  // W1 [4,3], b1 [4], W2 [2,4], b2 [2]
  Tensor x, y;
};

Problem make_problem(DType dtype) {
  std::vector<double> w1, b1, w2, b2, x, y;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) w1.push_back(0.5 * std::sin(1.0 + 3 * i + j));
  for (int i = 0; i < 4; ++i) b1.push_back(0.1 * std::cos(double(i)));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) w2.push_back(0.5 * std::sin(0.7 * (4 * i + j) + 0.3));
  for (int i = 0; i < 2; ++i) b2.push_back(0.05 * (i + 1));
  for (int n = 0; n < 5; ++n)
    for (int k = 0; k < 3; ++k) x.push_back(std::cos(0.9 * (3 * n + k)));
  for (int n = 0; n < 5; ++n)
    for (int o = 0; o < 2; ++o) y.push_back(std::sin(0.4 * (2 * n + o)));
  auto t = [&](const std::vector<double>& v, const Shape& s) { return tensor(v, s).to(dtype); };
  Problem p{{t(w1, {4, 3}), t(b1, {4}), t(w2, {2, 4}), t(b2, {2})}, t(x, {5, 3}), t(y, {5, 2})};
  for (auto& q : p.params) q.requires_grad_();
  return p;
}

using MakeOpt = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>;

void train_step(Problem& p, optim::Optimizer& opt) {
  opt.zero_grad();
  Tensor out = linear(tanh(linear(p.x, p.params[0], p.params[1])), p.params[2], p.params[3]);
  mse_loss(out, p.y).backward();
  opt.step();
}

std::vector<double> run(const MakeOpt& make, DType dtype, int steps = 5) {
  Problem p = make_problem(dtype);
  auto opt = make(p.params);
  for (int s = 0; s < steps; ++s) train_step(p, *opt);
  std::vector<double> out;
  for (auto& q : p.params)
    for (double v : q.to_vector<double>()) out.push_back(v);
  return out;
}

template <class O, class Opts>
MakeOpt make(Opts o) {
  return [o](std::vector<Tensor> ps) { return std::make_unique<O>(std::move(ps), o); };
}

const std::map<std::string, MakeOpt>& configs() {
  using namespace optim;
  static const std::map<std::string, MakeOpt> c = {
      {"sgd", make<SGD>(SGDOptions{.lr = 0.1})},
      {"sgd_momentum", make<SGD>(SGDOptions{.lr = 0.1, .momentum = 0.9})},
      {"sgd_dampening", make<SGD>(SGDOptions{.lr = 0.1, .momentum = 0.9, .dampening = 0.3})},
      {"sgd_nesterov", make<SGD>(SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true})},
      {"sgd_weight_decay", make<SGD>(SGDOptions{.lr = 0.1, .momentum = 0.5, .weight_decay = 0.01})},
      {"adam", make<Adam>(AdamOptions{.lr = 0.01})},
      {"adam_weight_decay", make<Adam>(AdamOptions{.lr = 0.01, .weight_decay = 0.1})},
      {"adam_amsgrad", make<Adam>(AdamOptions{.lr = 0.01, .betas = {0.8, 0.99}, .amsgrad = true})},
      {"adamw", make<AdamW>(AdamWOptions{.lr = 0.01, .weight_decay = 0.1})},
  };
  return c;
}

}  // namespace

TEST(TorchReference, OptimizersMatchPyTorchAfterFiveSteps) {
  const auto ref = reference();
  ASSERT_FALSE(ref.empty()) << "tests/reference/data/torch_optim.txt not found";
  for (const auto& [name, maker] : configs()) {
    for (auto [dtype, suffix, rtol] :
         {std::tuple{kFloat64, ".f64", 1e-12}, std::tuple{kFloat32, ".f32", 2e-6}}) {
      SCOPED_TRACE(name + suffix);
      ASSERT_TRUE(ref.count(name + suffix));
      const auto& want = ref.at(name + suffix);
      const auto got = run(maker, dtype);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i)
        EXPECT_NEAR(got[i], want[i], rtol * std::max(1.0, std::abs(want[i])))
            << "parameter value " << i;
    }
  }
}

TEST(TorchReference, SchedulersMatchPyTorch) {
  const auto ref = reference();
  auto sequence = [](auto make_sched) {
    Tensor p = zeros({1}).requires_grad_();
    optim::SGD opt({p}, {.lr = 0.1});
    auto sched = make_sched(opt);
    std::vector<double> lrs;
    for (int e = 0; e < 25; ++e) {
      lrs.push_back(opt.lr());
      opt.step();
      sched->step();
    }
    return lrs;
  };
  using namespace optim;
  const std::map<std::string, std::vector<double>> got = {
      {"StepLR", sequence([](Optimizer& o) { return std::make_unique<StepLR>(o, 3, 0.5); })},
      {"ExponentialLR",
       sequence([](Optimizer& o) { return std::make_unique<ExponentialLR>(o, 0.9); })},
      {"CosineAnnealingLR",
       sequence([](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 10, 0.001); })},
  };
  for (const auto& [name, lrs] : got) {
    SCOPED_TRACE(name);
    const auto& want = ref.at(name);
    ASSERT_EQ(lrs.size(), want.size());
    for (size_t i = 0; i < lrs.size(); ++i) EXPECT_NEAR(lrs[i], want[i], 1e-15) << "epoch " << i;
  }
}

// Checkpoint after 5 steps, restore into fresh objects, continue: the parameters
// equal those of an uninterrupted run bit for bit.
TEST(Resume, FromStateFileReproducesUninterruptedRunExactly) {
  for (const auto& [name, maker] : configs()) {
    SCOPED_TRACE(name);
    const auto uninterrupted = run(maker, kFloat32, 10);

    Problem a = make_problem(kFloat32);
    auto opt_a = maker(a.params);
    optim::StepLR sched_a(*opt_a, 2, 0.7);
    for (int s = 0; s < 5; ++s) train_step(a, *opt_a);
    nn::StateDict ckpt;
    nn::StateDict model;
    for (size_t i = 0; i < a.params.size(); ++i) model.insert(std::to_string(i), a.params[i]);
    ckpt.merge(model, "model");
    ckpt.merge(opt_a->state_dict(), "optim");
    ckpt.merge(sched_a.state_dict(), "sched");
    const std::string bytes = nn::serialize(ckpt);

    const nn::StateDict back = nn::deserialize(bytes);
    Problem b = make_problem(kFloat32);
    {
      NoGradGuard g;
      for (size_t i = 0; i < b.params.size(); ++i)
        b.params[i].copy_(back.sub("model").at(std::to_string(i)));
    }
    auto opt_b = maker(b.params);
    opt_b->load_state_dict(back.sub("optim"));
    optim::StepLR sched_b(*opt_b, 2, 0.7);
    sched_b.load_state_dict(back.sub("sched"));
    for (int s = 0; s < 5; ++s) train_step(b, *opt_b);
    std::vector<double> resumed;
    for (auto& q : b.params)
      for (double v : q.to_vector<double>()) resumed.push_back(v);
    EXPECT_EQ(resumed, uninterrupted);
  }
}
