"""Brian2 reference for tests/snn/inputs_test.cpp: PoissonGroup, PoissonInput and
TimedArray (Brian2 2.5, numpy target, dt = 0.1 ms).

Statistics over SEEDS seeds (Brian2's random streams are not soma's, so only the
statistics can agree):
  poisson_const  PoissonGroup(1000, 15*Hz), 1 s: total spike count per seed.
  poisson_sine   PoissonGroup(1000, '(1 + sin(2*pi*5*Hz*t))*20*Hz'), 1 s: spike
                 counts per 50 ms bin per seed.
  poisson_table  PoissonGroup(1000, 'stim(t)'), stim = TimedArray([10, 40, 5, 60]*Hz,
                 dt=250*ms), 1.2 s (past the table's end: its last value): counts per
                 100 ms bin per seed.
  input_exact    100 neurons dv/dt = -v/(10 ms), threshold v > 10.5 mV, reset v = 0,
                 PoissonInput(G, 'v', 1000, 10*Hz, '0.1*mV') (N*p = 1: the binomial is
                 drawn exactly), 1 s: spike count and mean v per seed.
  input_normal   the same without threshold, PoissonInput(G, 'v', 10000, 10*Hz,
                 '0.01*mV') (N*p = 10: Brian2 draws the normal approximation), 1 s:
                 mean v over the last 0.5 s per seed.
Deterministic:
  timed          3 neurons dv/dt = (vl - v + R*I)/tau (unless refractory),
                 I = base(t) + extra(t, i) with a 1-D base (dt 20 ms) and a 2-D extra
                 (dt 30 ms), euler, threshold v > -55 mV, reset v = vl, refractory 3 ms,
                 160 ms (past both tables' ends): every spike (i, t in steps).

Run once: /usr/bin/python3 tests/reference/snn_inputs.py
Writes tests/reference/data/snn_inputs.json.
"""
import json
import os

import numpy as np
from brian2 import (NeuronGroup, PoissonGroup, PoissonInput, SpikeMonitor, StateMonitor,
                    TimedArray, Network, defaultclock, prefs, seed, ms, mV, nA, Hz, Mohm)

prefs.codegen.target = "numpy"
defaultclock.dt = 0.1 * ms
SEEDS = 8


def binned(mon, duration_ms, bin_ms):
    steps = np.round(np.asarray(mon.t / ms) / 0.1).astype(int)
    per_bin = int(round(bin_ms / 0.1))
    return np.bincount(steps // per_bin, minlength=int(round(duration_ms / bin_ms))).tolist()


def poisson_counts(rates, duration_ms, bin_ms, s, namespace=None):
    seed(s)
    P = PoissonGroup(1000, rates)
    M = SpikeMonitor(P)
    net = Network(P, M)
    net.run(duration_ms * ms, namespace=namespace or {})
    return binned(M, duration_ms, bin_ms)


def lif_input(n_inputs, weight, threshold, s):
    seed(s)
    G = NeuronGroup(100, "dv/dt = -v/(10*ms) : volt", threshold=threshold,
                    reset="v = 0*mV" if threshold else None, method="exact")
    inp = PoissonInput(G, "v", n_inputs, 10 * Hz, weight)
    V = StateMonitor(G, "v", record=True)
    net = Network(G, inp, V)
    M = None
    if threshold:
        M = SpikeMonitor(G)
        net.add(M)
    net.run(1000 * ms)
    v = np.asarray(V.v)
    return {"spikes": int(M.num_spikes) if M else 0, "mean_v": float(v.mean()),
            "mean_v_late": float(v[:, 5000:].mean())}


out = {"seeds": SEEDS}
out["poisson_const"] = [sum(poisson_counts(15 * Hz, 1000, 1000, s)) for s in range(SEEDS)]
out["poisson_sine"] = [poisson_counts("(1 + sin(2*pi*5*Hz*t))*20*Hz", 1000, 50, s)
                       for s in range(SEEDS)]
stim = TimedArray(np.array([10, 40, 5, 60]) * Hz, dt=250 * ms)
out["poisson_table"] = [poisson_counts("stim(t)", 1200, 100, s, {"stim": stim})
                        for s in range(SEEDS)]
out["input_exact"] = [lif_input(1000, "0.1*mV", "v > 10.5*mV", s) for s in range(SEEDS)]
out["input_normal"] = [lif_input(10000, "0.01*mV", None, s) for s in range(SEEDS)]

base = TimedArray(np.array([0.0, 2.0, 1.2, 2.5, 0.4, 1.8]) * nA, dt=20 * ms)
extra = TimedArray(np.array([[0.0, 0.5, 1.0], [0.3, 0.0, -0.5], [1.0, 0.2, 0.0],
                             [0.0, 0.9, 0.4]]) * nA, dt=30 * ms)
G = NeuronGroup(3, """dv/dt = (vl - v + R*I)/tau : volt (unless refractory)
                      I = base(t) + extra(t, i) : amp""",
                threshold="v > -55*mV", reset="v = vl", refractory=3 * ms, method="euler",
                namespace={"vl": -70 * mV, "R": 10 * Mohm, "tau": 10 * ms,
                           "base": base, "extra": extra})
G.v = -70 * mV
M = SpikeMonitor(G)
net = Network(G, M)
net.run(160 * ms)
out["timed"] = {"i": [int(x) for x in M.i],
                "step": [int(round(float(x) / 0.1)) for x in M.t / ms]}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "snn_inputs.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
print({k: (v if k in ("timed", "seeds") else v[0]) for k, v in out.items()})
