"""Brian2 reference statistics for `soma example stdp` (Song, Miller & Abbott 2000).

Brian2's examples/synapses/STDP.py with its constants, plus a spike monitor on the
output neuron: 1,000 Poisson inputs at 15 Hz onto one LIF neuron through synapses
with event-driven STDP traces, 100 s at dt = 0.1 ms. Run once with Debian's Brian2:
    /usr/bin/python3 tests/reference/snn_stdp.py [--target cython|numpy] [--seeds 5]
Writes tests/reference/data/snn_stdp_stats.json: per seed, the fraction of weights
above gmax/2, the mean weight / gmax at the end and the output rate over the run,
and their mean and standard deviation over the seeds.
"""
import argparse
import json
import os
import statistics
import time

from brian2 import (NeuronGroup, PoissonGroup, Synapses, SpikeMonitor, Network, defaultclock,
                    prefs, seed as b2seed, ms, mV, Hz, second)


def build(seed, target="cython"):
    """The example's network (bench/stdp/brian2_stdp.py times the same one): returns the
    network, the synapses, the output spike monitor, gmax and the constants, which
    net.run needs as its namespace when called outside this function."""
    prefs.codegen.target = target
    b2seed(seed)
    defaultclock.dt = 0.1 * ms
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
    constants = dict(taum=taum, taupre=taupre, taupost=taupost, Ee=Ee, vt=vt, vr=vr, El=El,
                     taue=taue, gmax=gmax, dApre=dApre, dApost=dApost)
    return Network(inp, neurons, S, out_mon), S, out_mon, gmax, constants


def stdp(seed, duration=100.0, target="cython"):
    net, S, out_mon, gmax, constants = build(seed, target)
    t0 = time.perf_counter()
    net.run(duration * second, namespace=constants)
    sim = time.perf_counter() - t0
    w = S.w[:] / gmax
    return {"seed": seed, "fraction_above_half": float((w > 0.5).mean()),
            "mean_w_over_gmax": float(w.mean()),
            "output_rate_hz": out_mon.num_spikes / duration, "sim_seconds": sim}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", default="cython")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--duration", type=float, default=100.0)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "data", "snn_stdp_stats.json"))
    a = ap.parse_args()
    runs = []
    for s in range(1, a.seeds + 1):
        r = stdp(s, a.duration, a.target)
        print(json.dumps(r), flush=True)
        runs.append(r)
    summary = {}
    for key in ("fraction_above_half", "mean_w_over_gmax", "output_rate_hz"):
        xs = [r[key] for r in runs]
        summary[key] = {"mean": statistics.mean(xs), "std": statistics.stdev(xs) if len(xs) > 1 else 0.0,
                        "min": min(xs), "max": max(xs)}
    out = {"model": "Brian2 examples/synapses/STDP.py (Song, Miller & Abbott 2000) + output spike monitor",
           "brian2_target": a.target, "dt_ms": 0.1, "duration_s": a.duration, "runs": runs,
           "summary": summary}
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
