#!/usr/bin/python3
"""PyTorch side of bench_reinforce.cpp: REINFORCE with a learned baseline on the cart-pole,
the algorithm of src/rl/reinforce.cpp step for step -- policy 4-64-ReLU-2 and value
4-64-ReLU-1 (torch's default initialisation, as soma's), one observation at a time through
each, keeping the graph, the action drawn from the logits' softmax; at the episode's end
the log-softmax of all steps' logits, the discounted returns (gamma 0.99), the advantages
G - V standardised over the episode, loss = -mean(log pi(a|s) * A) + mse(V, G), one
backward pass and an Adam step (lr 0.01) for each network. The environment is Gym's
CartPole-v1 equations (tests/reference/cartpole_gym.py). The networks start from the
parameters bench_reinforce wrote to WEIGHTS, and the random draws are soma::Rng's
(xoshiro256** seeded by splitmix64, reimplemented below) with the seeds soma uses (SEED + 1
for actions, SEED + 2 for the initial states), so both play the same episodes until a
float32 rounding flips a sampled action. One JSON object: process CPU seconds for EPISODES
episodes (and at the end of each), the steps they took, each episode's return, the mean
return of the last 100.

    torch_reinforce.py EPISODES SEED WEIGHTS
"""
import json
import math
import sys
import time

import torch

tau, gravity, masscart, masspole, length, force_mag = 0.02, 9.8, 1.0, 0.1, 0.5, 10.0
total_mass = masscart + masspole
polemass_length = masspole * length
theta_threshold = 12 * 2 * math.pi / 360


MASK = (1 << 64) - 1


class SomaRng:
    """soma::Rng (include/soma/core/random.hpp): the same uniform doubles for a seed."""

    def __init__(self, seed):
        x, self.s = seed, []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            self.s.append(z ^ (z >> 31))

    def next_u64(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK  # noqa: E731
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self, lo=0.0, hi=1.0):
        return lo + (hi - lo) * ((self.next_u64() >> 11) * 2.0**-53)


def step(state, action):
    x, x_dot, theta, theta_dot = state
    force = force_mag if action == 1 else -force_mag
    costheta, sintheta = math.cos(theta), math.sin(theta)
    temp = (force + polemass_length * theta_dot**2 * sintheta) / total_mass
    thetaacc = (gravity * sintheta - costheta * temp) / (
        length * (4.0 / 3.0 - masspole * costheta**2 / total_mass))
    xacc = temp - polemass_length * thetaacc * costheta / total_mass
    state = (x + tau * x_dot, x_dot + tau * xacc, theta + tau * theta_dot,
             theta_dot + tau * thetaacc)
    return state, abs(state[0]) > 2.4 or abs(state[2]) > theta_threshold


def main():
    episodes, seed, weights = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    torch.set_num_threads(1)
    act_rng, env_rng = SomaRng(seed + 1), SomaRng(seed + 2)
    hidden, gamma = 64, 0.99
    policy = torch.nn.Sequential(torch.nn.Linear(4, hidden), torch.nn.ReLU(),
                                 torch.nn.Linear(hidden, 2))
    value = torch.nn.Sequential(torch.nn.Linear(4, hidden), torch.nn.ReLU(),
                                torch.nn.Linear(hidden, 1))
    with open(weights) as f, torch.no_grad():
        rows = [[float(v) for v in line.split()] for line in f]
        params = list(policy.parameters()) + list(value.parameters())
        assert len(rows) == len(params), (len(rows), len(params))
        for p, row in zip(params, rows):
            p.copy_(torch.tensor(row, dtype=torch.float32).reshape(p.shape))
    t0 = time.process_time()
    policy_opt = torch.optim.Adam(policy.parameters(), lr=1e-2)
    value_opt = torch.optim.Adam(value.parameters(), lr=1e-2)
    returns, elapsed, steps = [], [], 0
    for _ in range(episodes):
        state = tuple(env_rng.uniform(-0.05, 0.05) for _ in range(4))
        logits, actions, values, rewards = [], [], [], []
        for t in range(500):
            x = torch.tensor([state], dtype=torch.float32)
            z = policy(x)
            z0, z1 = z[0].tolist()
            action = 1 if act_rng.uniform() < 1 / (1 + math.exp(z0 - z1)) else 0
            logits.append(z)
            actions.append(action)
            values.append(value(x))
            state, terminated = step(state, action)
            rewards.append(1.0)
            if terminated:
                break
        g, discounted = 0.0, []
        for r in reversed(rewards):
            g = r + gamma * g
            discounted.append(g)
        ret = torch.tensor(discounted[::-1], dtype=torch.float32)
        n = len(rewards)
        mask = torch.nn.functional.one_hot(torch.tensor(actions), 2).to(torch.float32)
        log_prob = (torch.log_softmax(torch.cat(logits), 1) * mask).sum(1)
        v = torch.cat(values).reshape(n)
        advantage = ret - v.detach()
        if n > 1:
            advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)
        loss = -(log_prob * advantage).mean() + torch.nn.functional.mse_loss(v, ret)
        policy_opt.zero_grad()
        value_opt.zero_grad()
        loss.backward()
        policy_opt.step()
        value_opt.step()
        returns.append(len(rewards))
        elapsed.append(time.process_time() - t0)
        steps += len(rewards)
    seconds = time.process_time() - t0
    last = returns[-100:]
    print(json.dumps({"seconds": seconds, "steps": steps, "episodes": episodes,
                      "average_return_100": sum(last) / len(last), "torch": torch.__version__,
                      "returns": returns, "elapsed": elapsed}))


if __name__ == "__main__":
    main()
