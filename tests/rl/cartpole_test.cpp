// rl::CartPole against Gym's CartPole-v1: four episodes computed once from Gym's
// equations by tests/reference/cartpole_gym.py (tests/reference/data/cartpole_gym.txt).
// Replaying each episode's actions from its initial state must give the same states, step
// by step, and end the same way (terminated by the angle, by the track's end, or
// truncated at 500 steps).
#include <gtest/gtest.h>

#include <cmath>

#include "reference_table.hpp"
#include "soma/core/error.hpp"
#include "soma/rl/cartpole.hpp"

namespace {

using soma::rl::CartPole;
using soma::rl::Observation;

TEST(CartPole, MatchesGymTrajectories) {
  const auto ref = soma::testing::read_reference_table("cartpole_gym.txt");
  for (const std::string name : {"push_right", "random", "balance", "drift"}) {
    SCOPED_TRACE(name);
    const auto& init = ref.at(name + "_init");
    const auto& actions = ref.at(name + "_actions");
    const auto& end = ref.at(name + "_end");
    const std::vector<double>* fields[4] = {&ref.at(name + "_x"), &ref.at(name + "_x_dot"),
                                            &ref.at(name + "_theta"), &ref.at(name + "_theta_dot")};
    ASSERT_EQ(init.size(), 4u);
    ASSERT_EQ(actions.size(), size_t(end.at(0)));
    CartPole env;
    env.reset(Observation{init[0], init[1], init[2], init[3]});
    soma::rl::StepResult r;
    for (size_t t = 0; t < actions.size(); ++t) {
      ASSERT_FALSE(r.done()) << "ended early, after step " << t;
      r = env.step(int(actions[t]));
      for (size_t k = 0; k < 4; ++k) {
        const double want = (*fields[k])[t];
        // The same expressions in the same order: equal but for libm's last bit in
        // sin/cos, which the unstable upright pole amplifies over 500 steps.
        ASSERT_NEAR(r.observation[k], want, 1e-9 * (1 + std::abs(want)))
            << "step " << t + 1 << " component " << k;
      }
      EXPECT_EQ(r.reward, 1.0);  // the terminating step is rewarded too, as in Gym
    }
    EXPECT_EQ(r.terminated, end.at(1) != 0);
    EXPECT_EQ(r.truncated, end.at(2) != 0);
    EXPECT_EQ(env.steps(), int(end.at(0)));
  }
}

TEST(CartPole, ResetDrawsFromTheSmallBox) {
  soma::Rng rng(3);
  CartPole env;
  double lo = 1, hi = -1;
  for (int i = 0; i < 1000; ++i)
    for (double v : env.reset(rng)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  EXPECT_GE(lo, -0.05);
  EXPECT_LT(hi, 0.05);
  EXPECT_LT(lo, -0.049);  // 4000 uniform draws reach both ends of the box
  EXPECT_GT(hi, 0.049);
}

TEST(CartPole, RefusesBadActionsAndStepsAfterTheEnd) {
  CartPole env;
  EXPECT_THROW(env.step(0), soma::Error);  // never reset
  env.reset(Observation{0, 0, 0.2, 0});
  EXPECT_THROW(env.step(2), soma::Error);
  EXPECT_THROW(env.step(-1), soma::Error);
  const auto r = env.step(1);  // 0.2 rad is inside 12 degrees (0.2094): still up
  EXPECT_FALSE(r.terminated);
  soma::rl::StepResult last = r;
  while (!last.done()) last = env.step(1);
  EXPECT_TRUE(last.terminated);
  EXPECT_THROW(env.step(0), soma::Error);
}

}  // namespace
