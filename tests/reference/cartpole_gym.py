#!/usr/bin/python3
"""Reference trajectories of Gym's CartPole-v1 for tests/rl/cartpole_test.cpp.

gym is not a Debian package, so step() below is gym/envs/classic_control/cartpole.py's
(gym 0.26, kinematics_integrator "euler") copied expression for expression: the same
constants, the same order of operations, Python floats (IEEE double) throughout, and
TimeLimit's truncation at 500 steps. Four episodes, each from a given initial state with
its actions chosen by a fixed rule, run until terminated or truncated:
  push_right   always action 1: the pole falls back past -12 degrees
  random       numpy seed 0: initial state U(-0.05, 0.05)^4, actions uniform in {0, 1}
  balance      a linear controller that keeps the pole up: truncated at 500 steps
  drift        the pole balanced, the cart's initial 0.5 m/s never stopped: |x| > 2.4
Writes tests/reference/data/cartpole_gym.txt as "NAME_FIELD v1 v2 ..." lines: NAME_init
(the state before step 1), NAME_actions, NAME_x, NAME_x_dot, NAME_theta, NAME_theta_dot
(the state after each step), NAME_end (steps, terminated, truncated).

Run: /usr/bin/python3 tests/reference/cartpole_gym.py
"""
import math
import os

import numpy as np

gravity = 9.8
masscart = 1.0
masspole = 0.1
total_mass = masspole + masscart
length = 0.5  # actually half the pole's length
polemass_length = masspole * length
force_mag = 10.0
tau = 0.02
theta_threshold_radians = 12 * 2 * math.pi / 360
x_threshold = 2.4
max_episode_steps = 500


def step(state, action):
    x, x_dot, theta, theta_dot = state
    force = force_mag if action == 1 else -force_mag
    costheta = math.cos(theta)
    sintheta = math.sin(theta)
    temp = (force + polemass_length * theta_dot**2 * sintheta) / total_mass
    thetaacc = (gravity * sintheta - costheta * temp) / (
        length * (4.0 / 3.0 - masspole * costheta**2 / total_mass)
    )
    xacc = temp - polemass_length * thetaacc * costheta / total_mass
    x = x + tau * x_dot
    x_dot = x_dot + tau * xacc
    theta = theta + tau * theta_dot
    theta_dot = theta_dot + tau * thetaacc
    state = (x, x_dot, theta, theta_dot)
    terminated = bool(
        x < -x_threshold
        or x > x_threshold
        or theta < -theta_threshold_radians
        or theta > theta_threshold_radians
    )
    return state, terminated


def episode(init, policy):
    state, actions, states = tuple(float(v) for v in init), [], []
    for t in range(1, max_episode_steps + 1):
        a = policy(state)
        state, terminated = step(state, a)
        actions.append(a)
        states.append(state)
        truncated = t >= max_episode_steps
        if terminated or truncated:
            return actions, states, (t, int(terminated), int(truncated))
    raise AssertionError("unreachable")


def main():
    rng = np.random.default_rng(0)
    random_init = rng.uniform(-0.05, 0.05, size=4)
    cases = {
        "push_right": ((0.01, -0.02, 0.03, 0.04), lambda s: 1),
        "random": (random_init, lambda s: int(rng.integers(0, 2))),
        "balance": ((0.04, 0.0, -0.03, 0.02),
                    lambda s: int(s[2] + 0.5 * s[3] + 0.05 * s[0] + 0.1 * s[1] > 0)),
        "drift": ((0.0, 0.5, 0.0, 0.0), lambda s: int(s[2] + 0.5 * s[3] > 0)),
    }
    lines = ["# Gym CartPole-v1 dynamics (gym 0.26 cartpole.py, euler), numpy " +
             np.__version__ + "; see tests/reference/cartpole_gym.py"]
    for name, (init, policy) in cases.items():
        actions, states, end = episode(init, policy)
        fmt = lambda vs: " ".join(repr(float(v)) for v in vs)  # noqa: E731 (shortest exact)
        lines.append(f"{name}_init {fmt(init)}")
        lines.append(f"{name}_actions " + " ".join(str(a) for a in actions))
        for k, field in enumerate(("x", "x_dot", "theta", "theta_dot")):
            lines.append(f"{name}_{field} {fmt(s[k] for s in states)}")
        lines.append(f"{name}_end {end[0]} {end[1]} {end[2]}")
        print(name, "steps", end[0], "terminated", end[1], "truncated", end[2],
              "final", states[-1])
    # Each case must end as its name says, or the reference misses what it is for.
    ends = {name: line.split()[1:] for name, line in
            ((ln.split("_end")[0], ln) for ln in lines if "_end " in ln)}
    assert ends["balance"] == ["500", "0", "1"], ends["balance"]
    assert ends["push_right"][1] == "1" and ends["random"][1] == "1", ends
    assert ends["drift"][1] == "1" and abs(states[-1][0]) > x_threshold, ends["drift"]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "data", "cartpole_gym.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
