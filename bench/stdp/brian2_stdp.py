"""Brian2 side of bench/stdp/run: examples/synapses/STDP.py (Song, Miller & Abbott
2000) as `soma example stdp` runs it, timed.

    /usr/bin/python3 bench/stdp/brian2_stdp.py numpy|cython DURATION SEED

Both targets are Brian2's runtime mode (the network runs in this Python process);
cython compiles its code objects on first use and caches them (~/.cython), so run it
once before timing. Prints one JSON line: the example's statistics, setup and sim
seconds; sim_cpu_seconds is the run's CPU time (robust on a busy machine).
"""
import json
import sys
import time

from brian2 import (NeuronGroup, PoissonGroup, Synapses, SpikeMonitor, Network, defaultclock,
                    prefs, seed as b2seed, ms, mV, Hz, second)

target, duration, s = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
prefs.codegen.target = target
b2seed(s)
defaultclock.dt = 0.1 * ms
t0 = time.perf_counter()
N = 1000
taum = 10 * ms
taupre = 20 * ms
taupost = taupre
Ee = 0 * mV
vt = -54 * mV
vr = -60 * mV
El = -74 * mV
taue = 5 * ms
F = 15 * Hz
gmax = .01
dApre = .01
dApost = -dApre * taupre / taupost * 1.05
dApost *= gmax
dApre *= gmax
eqs_neurons = """
dv/dt = (ge * (Ee-vr) + El - v) / taum : volt
dge/dt = -ge / taue : 1
"""
inp = PoissonGroup(N, rates=F)
neurons = NeuronGroup(1, eqs_neurons, threshold="v>vt", reset="v = vr", method="exact")
S = Synapses(inp, neurons,
             """w : 1
                dApre/dt = -Apre / taupre : 1 (event-driven)
                dApost/dt = -Apost / taupost : 1 (event-driven)""",
             on_pre="""ge += w
                Apre += dApre
                w = clip(w + Apost, 0, gmax)""",
             on_post="""Apost += dApost
                 w = clip(w + Apre, 0, gmax)""")
S.connect()
S.w = "rand() * gmax"
out_mon = SpikeMonitor(neurons)
net = Network(inp, neurons, S, out_mon)
setup = time.perf_counter() - t0
t0 = time.perf_counter()
c0 = time.process_time()
net.run(duration * second)
cpu = time.process_time() - c0
sim = time.perf_counter() - t0
w = S.w[:] / gmax
print(json.dumps({"target": target, "seed": s, "duration_s": duration,
                  "fraction_above_half": float((w > 0.5).mean()),
                  "mean_w_over_gmax": float(w.mean()),
                  "output_rate_hz": out_mon.num_spikes / duration,
                  "seconds": sim, "sim_cpu_seconds": cpu, "setup_seconds": setup}))
