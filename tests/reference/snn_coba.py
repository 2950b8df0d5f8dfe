"""Brian2 reference rates for `soma example coba` (Brette et al. 2007 COBA benchmark).

Run once with Debian's Brian2 (runtime/numpy mode):
    /usr/bin/python3 tests/reference/snn_coba.py
Writes tests/reference/data/snn_coba_rates.json: the excitatory and inhibitory
population rates (spikes per neuron per second) for ten seeds, 4,000 neurons,
1 s at dt = 0.1 ms. (Smaller networks with the same p = 0.02 are bistable: at
1,000 neurons most seeds fall silent, so only the full size is a stable reference.)
The model is exactly the one in examples/coba.cpp.
"""
import json
import os
import sys
import time

from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock,
                    prefs, seed as b2seed, ms, mV, second)


def coba(n=4000, duration=1.0, seed=1, target="numpy"):
    prefs.codegen.target = target
    b2seed(seed)
    defaultclock.dt = 0.1 * ms
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -60 * mV
    Ee, Ei = 0 * mV, -80 * mV
    eqs = """
    dv/dt = (ge*(Ee-v) + gi*(Ei-v) - (v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : 1
    dgi/dt = -gi/taui : 1
    """
    P = NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * ms,
                    method="exponential_euler")
    ne = int(n * 0.8)
    Pe, Pi = P[:ne], P[ne:]
    Ce = Synapses(Pe, P, on_pre="ge += 0.6")
    Ci = Synapses(Pi, P, on_pre="gi += 6.7")
    t0 = time.perf_counter()
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)
    P.v = "El + (randn() * 5 - 5)*mV"
    P.ge = "4 + 1.5 * randn()"
    P.gi = "20 + 12 * randn()"
    me, mi = SpikeMonitor(Pe), SpikeMonitor(Pi)
    net = Network(P, Ce, Ci, me, mi)
    setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    net.run(duration * second)
    sim = time.perf_counter() - t0
    return {"seed": seed, "rate_exc_hz": me.num_spikes / ne / duration,
            "rate_inh_hz": mi.num_spikes / (n - ne) / duration,
            "synapses": int(len(Ce) + len(Ci)), "setup_seconds": setup, "sim_seconds": sim}


if __name__ == "__main__":
    out = {"model": "COBA, Brette et al. 2007, as examples/coba.cpp", "dt_ms": 0.1, "runs": []}
    for n, duration in [(4000, 1.0)]:
        for s in range(1, 11):
            r = coba(n, duration, s)
            r.update(neurons=n, duration_s=duration)
            print(r, file=sys.stderr)
            out["runs"].append(r)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "snn_coba_rates.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
