#pragma once
// rl::CartPole: the cart-pole balancing task of Barto, Sutton & Anderson (1983), exactly
// as Gym's CartPole-v1 implements it (gym/envs/classic_control/cartpole.py, euler
// integrator), so returns are comparable with published Gym results:
//   a force of +-10 N pushes a 1 kg cart carrying a 0.1 kg pole of half-length 0.5 m;
//   the state (x, x_dot, theta, theta_dot) advances by one explicit Euler step of
//   0.02 s; every step, the terminating one included, earns reward 1; an episode
//   terminates when |theta| > 12 degrees or |x| > 2.4 and is truncated after 500 steps.
//   reset draws every state variable from U(-0.05, 0.05).
//
//   rl::CartPole env;
//   rl::Observation s = env.reset(rng);
//   for (;;) { auto r = env.step(action(s)); s = r.observation; if (r.done()) break; }
#include <array>
#include <numbers>

#include "soma/core/random.hpp"

namespace soma::rl {

// x (m), x_dot (m/s), theta (rad, 0 upright), theta_dot (rad/s): Gym's order.
using Observation = std::array<double, 4>;

struct StepResult {
  Observation observation;
  double reward = 0;
  bool terminated = false;  // the pole fell or the cart left the track
  bool truncated = false;   // the step limit was reached (Gym's TimeLimit)
  bool done() const { return terminated || truncated; }
};

class CartPole {
 public:
  static constexpr double gravity = 9.8, masscart = 1.0, masspole = 0.1, length = 0.5;
  static constexpr double force_mag = 10.0, tau = 0.02;
  static constexpr double total_mass = masscart + masspole;
  static constexpr double polemass_length = masspole * length;
  static constexpr double theta_threshold = 12 * 2 * std::numbers::pi / 360;
  static constexpr double x_threshold = 2.4;
  static constexpr int max_steps = 500;
  static constexpr int actions = 2;  // 0 pushes left, 1 pushes right

  // A new episode from U(-0.05, 0.05)^4 (four draws, in Gym's order).
  Observation reset(Rng& rng);
  // A new episode from a given state (tests, replays).
  Observation reset(const Observation& state);
  // One step of the dynamics. Throws soma::Error for an action other than 0 or 1, or
  // when the episode is over (Gym calls that undefined behaviour).
  StepResult step(int action);

  const Observation& state() const { return state_; }
  int steps() const { return steps_; }

 private:
  Observation state_{};
  int steps_ = 0;
  bool done_ = true;
};

}  // namespace soma::rl
