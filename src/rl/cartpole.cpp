#include "soma/rl/cartpole.hpp"

#include <cmath>
#include <string>

#include "soma/core/error.hpp"

namespace soma::rl {

Observation CartPole::reset(Rng& rng) {
  Observation s;
  for (double& v : s) v = rng.uniform(-0.05, 0.05);
  return reset(s);
}

Observation CartPole::reset(const Observation& state) {
  state_ = state;
  steps_ = 0;
  done_ = false;
  return state_;
}

StepResult CartPole::step(int action) {
  if (action != 0 && action != 1)
    throw Error("CartPole::step: action " + std::to_string(action) + ": expected 0 or 1");
  if (done_)
    throw Error("CartPole::step: the episode ended after step " + std::to_string(steps_) +
                ": expected reset() first");
  auto [x, x_dot, theta, theta_dot] = state_;
  // Gym's expressions, in Gym's order of operations, so the trajectories agree to the bit
  // with its double-precision state.
  const double force = action == 1 ? force_mag : -force_mag;
  const double costheta = std::cos(theta), sintheta = std::sin(theta);
  const double temp = (force + polemass_length * (theta_dot * theta_dot) * sintheta) / total_mass;
  const double thetaacc = (gravity * sintheta - costheta * temp) /
                          (length * (4.0 / 3.0 - masspole * (costheta * costheta) / total_mass));
  const double xacc = temp - polemass_length * thetaacc * costheta / total_mass;
  x = x + tau * x_dot;
  x_dot = x_dot + tau * xacc;
  theta = theta + tau * theta_dot;
  theta_dot = theta_dot + tau * thetaacc;
  state_ = {x, x_dot, theta, theta_dot};
  ++steps_;

  StepResult r;
  r.observation = state_;
  r.reward = 1.0;
  r.terminated =
      x < -x_threshold || x > x_threshold || theta < -theta_threshold || theta > theta_threshold;
  r.truncated = steps_ >= max_steps;  // Gym's TimeLimit: set even on a terminating step
  done_ = r.done();
  return r;
}

}  // namespace soma::rl
