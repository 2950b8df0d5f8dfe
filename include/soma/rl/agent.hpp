#pragma once
// rl::Agent: what an episode loop needs from a learner, and the loop itself.
//
//   rl::CartPole env;
//   rl::Reinforce agent({}, seed);
//   for (int e = 0; e < 1000; ++e) returns.push_back(rl::run_episode(env, agent, env_rng).ret);
#include "soma/rl/cartpole.hpp"

namespace soma::rl {

class Agent {
 public:
  virtual ~Agent() = default;
  // The action for `observation` (exploring as the agent's policy says).
  virtual int act(const Observation& observation) = 0;
  // What followed the last act(): a learner may update here (DQN) or keep it for later.
  virtual void observe(const Observation& observation, int action, const StepResult& result) = 0;
  // The episode is over: a learner may update here (REINFORCE).
  virtual void end_episode() = 0;
  // The loss of the agent's last update (what a training view plots); NaN before the first.
  virtual double last_loss() const = 0;
};

struct Episode {
  double ret = 0;  // undiscounted return, the sum of rewards
  int steps = 0;
  bool truncated = false;  // reached the step limit
};

// One episode from env.reset(env_rng) until it terminates or is truncated.
Episode run_episode(CartPole& env, Agent& agent, Rng& env_rng);

}  // namespace soma::rl
