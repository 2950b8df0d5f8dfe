#include "soma/rl/agent.hpp"

namespace soma::rl {

Episode run_episode(CartPole& env, Agent& agent, Rng& env_rng) {
  Episode e;
  Observation s = env.reset(env_rng);
  for (;;) {
    const int a = agent.act(s);
    const StepResult r = env.step(a);
    agent.observe(s, a, r);
    e.ret += r.reward;
    ++e.steps;
    s = r.observation;
    if (r.done()) {
      e.truncated = r.truncated;
      break;
    }
  }
  agent.end_episode();
  return e;
}

}  // namespace soma::rl
