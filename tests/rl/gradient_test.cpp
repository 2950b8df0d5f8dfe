// The agents' losses differentiate as written: the gradient backward() puts on every
// parameter of a tiny float64 agent (hidden size 3) equals central finite differences
// of the same loss recomputed from the same episode or batch.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "soma/rl/dqn.hpp"
#include "soma/rl/reinforce.hpp"

namespace {

using namespace soma;

// Central differences of `loss` in every element of `params`, against their grad().
void expect_matches_finite_differences(const std::vector<Tensor>& params,
                                       const std::function<double()>& loss, const char* what) {
  constexpr double eps = 1e-6;
  int checked = 0;
  for (size_t k = 0; k < params.size(); ++k) {
    Tensor p = params[k];
    const Tensor g = p.grad();
    ASSERT_TRUE(g.defined()) << what << " parameter " << k << " got no gradient";
    const std::vector<double> analytic = g.to_vector<double>();
    double* v = p.data_ptr<double>();
    for (int64_t i = 0; i < p.numel(); ++i) {
      const double saved = v[i];
      v[i] = saved + eps;
      const double up = loss();
      v[i] = saved - eps;
      const double down = loss();
      v[i] = saved;
      const double numeric = (up - down) / (2 * eps);
      EXPECT_NEAR(analytic[size_t(i)], numeric, 1e-7 + 1e-5 * std::abs(numeric))
          << what << " parameter " << k << " element " << i;
      checked += analytic[size_t(i)] != 0;
    }
  }
  EXPECT_GT(checked, 10) << what << ": too few nonzero gradients to check anything";
}

// A fixed episode: the agent acts (so its sampled actions are the ones recorded) on a
// cart-pole run from a fixed start until the pole falls.
struct Recorded {
  std::vector<rl::Observation> states;
  std::vector<int> actions;
  std::vector<double> rewards;
};

TEST(ReinforceGradient, MatchesFiniteDifferences) {
  for (bool standardize : {true, false}) {
    SCOPED_TRACE(standardize ? "standardized advantages" : "raw advantages");
    rl::Reinforce agent({.hidden = 3, .standardize = standardize, .dtype = kFloat64}, 5);
    rl::CartPole env;
    Recorded ep;
    rl::Observation s = env.reset(rl::Observation{0.02, -0.01, 0.03, 0.01});
    for (;;) {
      const int a = agent.act(s);
      const rl::StepResult r = env.step(a);
      agent.observe(s, a, r);
      ep.states.push_back(s);
      ep.actions.push_back(a);
      ep.rewards.push_back(r.reward);
      s = r.observation;
      if (r.done()) break;
    }
    ASSERT_GT(ep.states.size(), 5u);
    const rl::ReinforceLoss loss = agent.episode_loss();
    agent.policy.zero_grad();
    agent.value.zero_grad();
    loss.total().backward();

    // The same loss from the recorded episode, with the parameters as they are now.
    const std::vector<double> g = rl::discounted_returns(ep.rewards, 0.99);
    const Tensor returns = tensor(std::span<const double>(g), {int64_t(g.size())});
    auto recompute = [&] {
      NoGradGuard no_grad;
      std::vector<Tensor> lp, v;
      for (size_t t = 0; t < ep.states.size(); ++t) {
        lp.push_back(agent.log_policy(ep.states[t]).slice(0, ep.actions[t], ep.actions[t] + 1));
        v.push_back(agent.state_value(ep.states[t]));
      }
      return rl::reinforce_loss(concat(lp), concat(v), returns, standardize);
    };
    EXPECT_NEAR(recompute().total().item<double>(), loss.total().item<double>(), 1e-12);
    // The policy's parameters move the whole loss; the baseline's only its squared error
    // (the advantage is a constant to the policy term, by design: that is the estimator).
    expect_matches_finite_differences(
        agent.policy.parameters(), [&] { return recompute().total().item<double>(); }, "policy");
    expect_matches_finite_differences(
        agent.value.parameters(), [&] { return recompute().value.item<double>(); }, "value");
  }
}

// The policy term's gradient in closed form: d/dz_t of -1/T log softmax(z_t)[a_t] A_t is
// -(onehot(a_t) - softmax(z_t)) A_t / T.
TEST(ReinforceGradient, PolicyTermIsTheScoreFunction) {
  Tensor logits = tensor({0.3, -0.2, 1.1, 0.4, -0.7, -0.1}, {3, 2}).requires_grad_();
  const int actions[3] = {1, 0, 1};
  const Tensor logp = log_softmax(logits, 1);
  std::vector<Tensor> chosen;
  for (int t = 0; t < 3; ++t)
    chosen.push_back(logp.select(0, t).slice(0, actions[t], actions[t] + 1));
  const Tensor values = tensor({0.5, 0.25, -0.5}, {3});
  const Tensor returns = tensor({2.0, 1.5, 1.0}, {3});
  rl::reinforce_loss(concat(chosen), values, returns, false).total().backward();
  const std::vector<double> grad = logits.grad().to_vector<double>();
  const std::vector<double> z = logits.to_vector<double>();
  for (int t = 0; t < 3; ++t) {
    const double adv =
        returns.to_vector<double>()[size_t(t)] - values.to_vector<double>()[size_t(t)];
    const double p1 = 1 / (1 + std::exp(z[size_t(2 * t)] - z[size_t(2 * t + 1)]));
    const double p[2] = {1 - p1, p1};
    for (int a = 0; a < 2; ++a)
      EXPECT_NEAR(grad[size_t(2 * t + a)], -((a == actions[t]) - p[a]) * adv / 3, 1e-12)
          << "step " << t << " logit " << a;
  }
}

TEST(DqnGradient, MatchesFiniteDifferences) {
  rl::Dqn agent({.hidden = 3, .buffer = 64, .batch = 16, .warmup = 1000, .dtype = kFloat64}, 7);
  // Fill the buffer from a few episodes (no update: warmup is not reached), then move the
  // target network away from the online one so the two are told apart.
  rl::CartPole env;
  Rng env_rng(1);
  for (int e = 0; e < 4; ++e) rl::run_episode(env, agent, env_rng);
  ASSERT_LT(agent.steps(), 1000);
  {
    NoGradGuard no_grad;
    Rng r(2);
    for (Tensor p : agent.target.parameters()) p.copy_(p + 0.1 * randn(p.shape(), r, kFloat64));
  }
  rl::ReplayBuffer replay(64);
  Rng fill(3), draw(4);
  for (int i = 0; i < 40; ++i) {
    rl::Observation s, s2;
    for (size_t k = 0; k < 4; ++k) {
      s[k] = fill.uniform(-1, 1);
      s2[k] = fill.uniform(-1, 1);
    }
    replay.push(s, int(fill.next_u64() % 2), 1.0, s2, i % 5 == 0);
  }
  const rl::ReplayBuffer::Batch batch = replay.sample(16, draw, kFloat64);
  agent.online.zero_grad();
  agent.target.zero_grad();
  agent.batch_loss(batch).backward();
  for (const Tensor& p : agent.target.parameters())
    EXPECT_FALSE(p.grad().defined()) << "the target network must get no gradient";
  expect_matches_finite_differences(
      agent.online.parameters(),
      [&] {
        NoGradGuard no_grad;
        return agent.batch_loss(batch).item<double>();
      },
      "online");
}

// Huber's two pieces: |d| < 1 gives d^2 / 2 (gradient d), beyond it |d| - 1/2 (gradient
// sign d), averaged over the batch.
TEST(DqnGradient, HuberLossPieces) {
  Tensor q = tensor({1.0, 0.2, -0.5, 3.0}, {2, 2}).requires_grad_();
  const Tensor actions = tensor(std::initializer_list<int64_t>{0, 1}, {2});
  const Tensor targets = tensor({0.5, 0.0}, {2});
  const Tensor loss = rl::dqn_loss(q, actions, targets);
  EXPECT_NEAR(loss.item<double>(), (0.5 * 0.25 + (3.0 - 0.5)) / 2, 1e-12);
  loss.backward();
  const std::vector<double> g = q.grad().to_vector<double>();
  EXPECT_NEAR(g[0], 0.5 / 2, 1e-12);
  EXPECT_EQ(g[1], 0.0);
  EXPECT_EQ(g[2], 0.0);
  EXPECT_NEAR(g[3], 1.0 / 2, 1e-12);
}

}  // namespace
