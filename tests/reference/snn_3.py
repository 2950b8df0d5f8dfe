"""Brian2 reference for `soma example snn-3` (the tutorial's three neurons).

Run once with Debian's Brian2 (runtime/numpy mode):
    /usr/bin/python3 tests/reference/snn_3.py
Writes tests/reference/data/snn_3_{described,written}.json: for each neuron the
spike times in ms. The constants here are exactly the tutorial's
(../shared/tutorials/000, "Spiking Neuronal Networks in Python") and those of
soma::snn::models::three_neurons: ge_tau 20 ms, gi_tau 100 ms, w_ge 1.0 nS, threshold
-40 mV, method='euler'. Both inhibitory terms give 40, 27 and 1 spikes, neuron 2's at
69.8 ms, as the tutorial's figures show.
"""
import json
import os

from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock,
                    prefs, ms, mV, nA, nS, pF)

prefs.codegen.target = "numpy"

c = 100 * pF
gl = 5 * nS
vl = -70 * mV
ve = 0 * mV
vi = -80 * mV
ge_tau = 20 * ms
gi_tau = 100 * ms
w_ge = 1.0 * nS

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def simulate(inhibition_term):
    defaultclock.dt = 0.1 * ms
    eqs = f"""
    dv/dt = -(gl*(v - vl) + ge*(v - ve) + {inhibition_term} - I)/c : volt
    dge/dt = -ge/ge_tau : siemens
    dgi/dt = -gi/gi_tau : siemens
    I : amp
    """
    G = NeuronGroup(3, eqs, threshold="v > -40*mV", reset="v = vl", method="euler")
    G.v = [-70, -70, -70] * mV
    G.I = [0.7, 0.5, 0] * nA
    Se = Synapses(G, G, on_pre="ge_post += w_ge")
    Se.connect(i=0, j=2)
    Si = Synapses(G, G, on_pre="gi_post += w_gi")
    Si.connect(i=1, j=2)
    M = SpikeMonitor(G)
    net = Network(G, Se, Si, M)
    namespace = dict(c=c, gl=gl, vl=vl, ve=ve, vi=vi, ge_tau=ge_tau, gi_tau=gi_tau,
                     w_ge=w_ge, w_gi=0 * nS)
    net.run(100 * ms, namespace=namespace)
    namespace["w_gi"] = 0.5 * nS
    net.run(100 * ms, namespace=namespace)
    trains = M.spike_trains()
    return [[float(t / ms) for t in trains[k]] for k in range(3)]


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, term in [("described", "gi*(v - vi)"), ("written", "gi*(ve - vi)")]:
        spikes = simulate(term)
        print(name, [len(s) for s in spikes], spikes[2][:10])
        with open(os.path.join(OUT, f"snn_3_{name}.json"), "w") as f:
            json.dump({"model": term, "dt_ms": 0.1, "spikes_ms": spikes}, f)
            f.write("\n")
