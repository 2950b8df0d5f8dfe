#pragma once
// Reinforcement learning: the cart-pole environment and two agents (REINFORCE with a
// baseline, DQN) built on nn and optim.
#include "soma/rl/agent.hpp"
#include "soma/rl/cartpole.hpp"
#include "soma/rl/dqn.hpp"
#include "soma/rl/reinforce.hpp"
