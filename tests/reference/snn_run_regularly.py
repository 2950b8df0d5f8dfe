"""Brian2 reference for tests/snn/inputs_test.cpp's RunRegularly test (Brian2 2.5,
numpy target, dt = 0.1 ms).

G (2 neurons): dv/dt = -v/(10 ms) (unless refractory), threshold v > 1, reset v = 0,
refractory 1.5 ms, exact; G.run_regularly('v += 0.3*(i + 1)', dt=1*ms) kicks v every
10 steps (at the step's start, before the StateMonitor records; during refractoriness
the write is skipped, as for any write to an (unless refractory) variable), and
G.run_regularly('x = ramp(t)') copies a TimedArray every step. 20 ms.

Run once: /usr/bin/python3 tests/reference/snn_run_regularly.py
Writes tests/reference/data/snn_run_regularly.json: spikes (i, step), v and x traces.
"""
import json
import os

from brian2 import (NeuronGroup, SpikeMonitor, StateMonitor, TimedArray, Network,
                    defaultclock, prefs, ms)

prefs.codegen.target = "numpy"
defaultclock.dt = 0.1 * ms
ramp = TimedArray([0.0, 1.0, 2.0, 3.0], dt=5 * ms)
G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1 (unless refractory)\nx : 1", threshold="v > 1",
                reset="v = 0", refractory=1.5 * ms, method="exact",
                namespace={"ramp": ramp})
G.run_regularly("v += 0.3*(i + 1)", dt=1 * ms)
G.run_regularly("x = ramp(t)")
M = SpikeMonitor(G)
S = StateMonitor(G, ["v", "x"], record=True)
net = Network(G, M, S)
net.run(20 * ms)
out = {"i": [int(k) for k in M.i], "step": [int(round(float(t / ms) / 0.1)) for t in M.t],
       "v0": [float(x) for x in S.v[0]], "v1": [float(x) for x in S.v[1]],
       "x0": [float(x) for x in S.x[0]]}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                    "snn_run_regularly.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
print(out["i"], out["step"])
