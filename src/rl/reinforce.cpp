#include "soma/rl/reinforce.hpp"

#include <cmath>
#include <string>

#include "rl/network.hpp"
#include "soma/nn/activation.hpp"
#include "soma/nn/linear.hpp"

namespace soma::rl {

std::vector<double> discounted_returns(std::span<const double> rewards, double gamma) {
  std::vector<double> g(rewards.size());
  double next = 0;
  for (size_t t = rewards.size(); t-- > 0;) g[t] = next = rewards[t] + gamma * next;
  return g;
}

ReinforceLoss reinforce_loss(const Tensor& log_probs, const Tensor& values, const Tensor& returns,
                             bool standardize) {
  const int64_t n = log_probs.numel();
  for (auto [what, t] : {std::pair{"values", &values}, std::pair{"returns", &returns}})
    if (t->dim() != 1 || t->numel() != n || log_probs.dim() != 1)
      throw Error(std::string("reinforce_loss: ") + what + " " + t->shape().str() +
                  ": expected one value per step, as log_probs " + log_probs.shape().str());
  if (n == 0) throw Error("reinforce_loss: an episode of 0 steps: expected at least one");
  Tensor advantage = returns - values.detach();
  // One step has no spread to standardise by; its advantage is kept as it is.
  if (standardize && n > 1)
    advantage = (advantage - advantage.mean()) / (soma::std(advantage) + 1e-8);
  return {-(log_probs * advantage).mean(), mse_loss(values, returns)};
}

Reinforce::Reinforce(const ReinforceOptions& options, uint64_t seed)
    : options_(options), act_rng_(seed + 1) {
  if (options.hidden < 1 || options.hidden > 65536)
    throw Error("Reinforce: hidden " + std::to_string(options.hidden) + ": expected 1 to 65536");
  if (!(options.gamma >= 0 && options.gamma <= 1))
    throw Error("Reinforce: gamma " + std::to_string(options.gamma) + ": expected 0 to 1");
  Rng init(seed);
  policy = mlp(4, options.hidden, CartPole::actions, init, options.dtype);
  value = mlp(4, options.hidden, 1, init, options.dtype);
  policy_opt_.emplace(policy.parameters(), optim::AdamOptions{.lr = options.lr});
  value_opt_.emplace(value.parameters(), optim::AdamOptions{.lr = options.value_lr});
}

Tensor Reinforce::log_policy(const Observation& s) {
  return log_softmax(policy(observation_tensor(s, options_.dtype)), 1).reshape({2});
}

Tensor Reinforce::state_value(const Observation& s) {
  return value(observation_tensor(s, options_.dtype)).reshape({1});
}

int Reinforce::act(const Observation& s) {
  const Tensor x = observation_tensor(s, options_.dtype);
  Tensor z = policy(x);  // [1, 2] logits, in the graph
  // pi(right | s) = softmax(z)[1] = 1 / (1 + e^(z0 - z1)), from the logits' values.
  const double p_right = 1 / (1 + std::exp(element(z, 0) - element(z, 1)));
  const int a = act_rng_.uniform() < p_right ? 1 : 0;
  // The log-softmax and the chosen action's entry are taken once per episode, over all
  // steps together (episode_loss): two graph nodes fewer per step.
  logits_.push_back(std::move(z));
  actions_.push_back(a);
  values_.push_back(value(x));
  return a;
}

void Reinforce::observe(const Observation&, int, const StepResult& result) {
  rewards_.push_back(result.reward);
}

ReinforceLoss Reinforce::episode_loss() const {
  const std::vector<double> g = discounted_returns(rewards_, options_.gamma);
  const Tensor returns = tensor(std::span<const double>(g), {int64_t(g.size())}).to(options_.dtype);
  const auto n = int64_t(actions_.size());
  // log pi(a_t | s_t): the log-softmax of every step's logits [T, 2], the taken action's
  // column picked by a one-hot mask.
  const Tensor taken = tensor(std::span<const int64_t>(actions_), {n, 1});
  const Tensor mask =
      eq(taken, arange(CartPole::actions, kInt64).reshape({1, 2})).to(options_.dtype);
  const Tensor log_probs = (log_softmax(concat(logits_), 1) * mask).sum(1);
  return reinforce_loss(log_probs, concat(values_).reshape({n}), returns, options_.standardize);
}

void Reinforce::end_episode() {
  if (rewards_.empty()) return;
  const ReinforceLoss loss = episode_loss();
  policy_opt_->zero_grad();
  value_opt_->zero_grad();
  const Tensor total = loss.total();
  total.backward();
  last_loss_ = total.detach();
  policy_opt_->step();
  value_opt_->step();
  logits_.clear();
  actions_.clear();
  values_.clear();
  rewards_.clear();
}

double Reinforce::last_loss() const {
  return last_loss_.defined() ? last_loss_.item<double>() : std::nan("");
}

}  // namespace soma::rl
