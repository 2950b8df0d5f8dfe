#pragma once
// rl::Reinforce: Williams' REINFORCE with a learned state-value baseline (Sutton & Barto,
// 2nd ed., section 13.4), one sample at a time as PyTorch's examples/reinforcement_learning
// does it. Per step, the policy network (4 -> hidden -> ReLU -> 2 logits z) and the value
// network V(s) (4 -> hidden -> ReLU -> 1) each see the one observation, keeping their
// graphs, and the action is drawn from softmax(z); at the end of an episode of T steps,
// with log pi(a_t | s_t) from one log-softmax over all T steps' logits:
//   G_t = r_t + gamma * G_{t+1}                    (discounted returns, G_T = 0)
//   A_t = G_t - V(s_t), standardised over the episode (a constant: no gradient flows)
//   loss = -1/T sum_t log pi(a_t | s_t) A_t  +  1/T sum_t (V(s_t) - G_t)^2
// and one backward pass, then one Adam step for each network.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "soma/nn/sequential.hpp"
#include "soma/optim/adam.hpp"
#include "soma/rl/agent.hpp"

namespace soma::rl {

struct ReinforceOptions {
  int64_t hidden = 64;
  double gamma = 0.99;
  double lr = 1e-2;         // the policy's Adam learning rate
  double value_lr = 1e-2;   // the baseline's
  bool standardize = true;  // standardise the advantages over each episode
  DType dtype = kFloat32;   // float64 for gradient checks
};

// G_t = r_t + gamma G_{t+1}, from the last reward back.
std::vector<double> discounted_returns(std::span<const double> rewards, double gamma);

// The two terms of the loss above: log_probs [T] (log pi(a_t | s_t), in the graph),
// values [T] (V(s_t), in the graph), returns [T] (G_t, constants).
struct ReinforceLoss {
  Tensor policy, value;
  Tensor total() const { return policy + value; }
};
ReinforceLoss reinforce_loss(const Tensor& log_probs, const Tensor& values, const Tensor& returns,
                             bool standardize);

class Reinforce : public Agent {
 public:
  // Parameters drawn from Rng(seed) (policy first, then value); actions sampled from
  // Rng(seed + 1).
  explicit Reinforce(const ReinforceOptions& options = {}, uint64_t seed = 42);

  int act(const Observation& observation) override;
  void observe(const Observation& observation, int action, const StepResult& result) override;
  // The loss of the episode so far (its graph reaches both networks), then one Adam step
  // for each network; the episode is forgotten.
  void end_episode() override;
  double last_loss() const override;
  ReinforceLoss episode_loss() const;

  // log pi(. | s) [2] and V(s) [1] of one observation, in the graph.
  Tensor log_policy(const Observation& observation);
  Tensor state_value(const Observation& observation);

  const ReinforceOptions& options() const { return options_; }
  nn::Sequential policy, value;

 private:
  ReinforceOptions options_;
  Rng act_rng_;
  std::optional<optim::Adam> policy_opt_, value_opt_;  // made once the networks exist
  // This episode so far: the policy's logits [1, 2] and V(s_t) [1, 1] (both in the graph),
  // a_t and r_t.
  std::vector<Tensor> logits_, values_;
  std::vector<int64_t> actions_;
  std::vector<double> rewards_;
  Tensor last_loss_;  // detached; read only when asked (no item() per update)
};

}  // namespace soma::rl
