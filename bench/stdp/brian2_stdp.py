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
import os
import time

from brian2 import second

# The network itself is the reference script's, so the two cannot drift apart.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tests", "reference"))
from snn_stdp import build  # noqa: E402

target, duration, s = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
t0 = time.perf_counter()
net, S, out_mon, gmax, constants = build(s, target)
setup = time.perf_counter() - t0
t0 = time.perf_counter()
c0 = time.process_time()
net.run(duration * second, namespace=constants)
cpu = time.process_time() - c0
sim = time.perf_counter() - t0
w = S.w[:] / gmax
print(json.dumps({"target": target, "seed": s, "duration_s": duration,
                  "fraction_above_half": float((w > 0.5).mean()),
                  "mean_w_over_gmax": float(w.mean()),
                  "output_rate_hz": out_mon.num_spikes / duration,
                  "seconds": sim, "sim_cpu_seconds": cpu, "setup_seconds": setup}))
