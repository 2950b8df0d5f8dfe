"""Brian2 references for tests/snn/summed_clocks_test.cpp (Brian2 2.5, numpy target,
network dt = 0.1 ms).

gap: Brian2's examples/synapses/gapjunctions.py scaled down to 100 ms: 10 neurons,
  dv/dt = (v0 - v + Igap)/tau, v0 = 1.05, tau = 10 ms, threshold v > 1, reset v = 0,
  method 'exact'; all-to-all Synapses with w = 0.02 and
  Igap_post = w*(v_pre - v_post) : 1 (summed); v starts at i/(n - 1).
  Stored: every spike (i, step) and, every 10th step, v of neurons 0 and 5 and Igap of 0.

clocks: G (3 neurons) on its own clock, dt = 0.2 ms:
  dv/dt = (I + Isyn - v)/tau : 1 (unless refractory); I : 1; Isyn : 1
  threshold v > 1, reset v = 0, refractory 1 ms, euler; I = 1.5 + 0.5*i, and
  G.run_regularly('I = I + 0.002') on G's clock.
  H (2 neurons) on the network clock: dv/dt = -v/(5 ms) : 1, exact.
  S (G -> H): on_pre v_post += 0.3, delay 0.4 ms, pairs 0->0, 1->1, 2->1 (its
  pathway runs on G's clock, as Brian2 warns).
  B (H -> G): Isyn_post = 0.2*v_pre : 1 (summed), all pairs (summed on G's clock).
  Monitors: spikes of G, v and Isyn of G (its clock), v of H, G's population rate. 20 ms.

Run once: /usr/bin/python3 tests/reference/snn_summed_clocks.py
Writes tests/reference/data/snn_summed_clocks.json.
"""
import json
import os

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, StateMonitor, PopulationRateMonitor,
                    Network, defaultclock, prefs, ms, start_scope)

prefs.codegen.target = "numpy"


def steps(t):
    return [int(round(float(x / ms) / 0.1)) for x in t]


def gap():
    start_scope()
    defaultclock.dt = 0.1 * ms
    n = 10
    ns = {"v0": 1.05, "tau": 10 * ms, "n": n}
    neurons = NeuronGroup(n, "dv/dt = (v0 - v + Igap) / tau : 1\nIgap : 1",
                          threshold="v > 1", reset="v = 0", method="exact", namespace=ns)
    neurons.v = "i * 1.0 / (n-1)"
    S = Synapses(neurons, neurons, "w : 1\nIgap_post = w * (v_pre - v_post) : 1 (summed)")
    S.connect()
    S.w = 0.02
    M = SpikeMonitor(neurons)
    T = StateMonitor(neurons, ["v", "Igap"], record=[0, 5])
    net = Network(neurons, S, M, T)
    net.run(100 * ms)
    every = slice(None, None, 10)
    return {"i": [int(k) for k in M.i], "step": steps(M.t),
            "v0": [float(x) for x in T.v[0][every]], "v5": [float(x) for x in T.v[1][every]],
            "igap0": [float(x) for x in T.Igap[0][every]]}


def clocks():
    start_scope()
    defaultclock.dt = 0.1 * ms
    ns = {"tau": 10 * ms}
    G = NeuronGroup(3, "dv/dt = (I + Isyn - v)/tau : 1 (unless refractory)\nI : 1\nIsyn : 1",
                    threshold="v > 1", reset="v = 0", refractory=1 * ms, method="euler",
                    dt=0.2 * ms, namespace=ns)
    G.I = "1.5 + 0.5*i"
    G.run_regularly("I = I + 0.002")
    H = NeuronGroup(2, "dv/dt = -v/(5*ms) : 1", method="exact")
    S = Synapses(G, H, on_pre="v_post += 0.3", delay=0.4 * ms)
    S.connect(i=[0, 1, 2], j=[0, 1, 1])
    B = Synapses(H, G, "Isyn_post = 0.2*v_pre : 1 (summed)")
    B.connect()
    MG = SpikeMonitor(G)
    SG = StateMonitor(G, ["v", "Isyn"], record=True)
    SH = StateMonitor(H, "v", record=True)
    R = PopulationRateMonitor(G)
    net = Network(G, H, S, B, MG, SG, SH, R)
    net.run(20 * ms)
    return {"i": [int(k) for k in MG.i], "step": steps(MG.t),
            "g_steps": steps(SG.t), "g_v": [[float(x) for x in row] for row in SG.v],
            "g_isyn": [[float(x) for x in row] for row in SG.Isyn],
            "h_v": [[float(x) for x in row] for row in SH.v],
            "rate_steps": steps(R.t), "rate": [float(x) for x in R.rate]}


out = {"gap": gap(), "clocks": clocks()}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "snn_summed_clocks.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
print("gap spikes", len(out["gap"]["i"]), "clocks spikes", out["clocks"]["i"], out["clocks"]["step"])
print("g samples", len(out["clocks"]["g_steps"]), "h samples", len(out["clocks"]["h_v"][0]))
