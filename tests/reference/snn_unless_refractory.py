"""Brian2 reference for tests/snn/unless_refractory_test.cpp: what `(unless
refractory)` does to writes other than the integration.

Brian2 marks a differential variable flagged `(unless refractory)` for a
conditional write on not_refractory (NeuronGroup.before_run: set_conditional_write):
every statement that writes it - a synapse's on_pre and on_post included - takes
effect only while the neuron is not refractory. Resets are exempt (the resetter is
created with override_conditional_write=['not_refractory']), and so is setting the
variable from outside (P.v = ...).

P (1 neuron): dv/dt = -v/(10 ms) (unless refractory), dw/dt = -w/(10 ms) (no flag),
threshold v > 1, reset v = 0, refractory 5 ms. Q (2 neurons): du/dt = -u/(10 ms)
(unless refractory), refractory 0.5 ms; Q[0] spikes at 1, 2, 3 and 9 ms. Synapses
Q -> P: on_pre "v_post += 0.6; w_post += 0.6", on_post "u_pre += 1". P spikes at
2.1 ms; the input at 3 ms reaches v only in w. P's spike reaches Q[1]'s u but not
Q[0]'s (refractory since 2 ms). After 2.3 ms P.v is set to 0.5 (while refractory).

Run once with Debian's Brian2 (numpy target):
    /usr/bin/python3 tests/reference/snn_unless_refractory.py
Writes tests/reference/data/snn_unless_refractory.json: spike times (ms) and the
traces of P.v, P.w, Q.u[0], Q.u[1] at every step of the 12.3 ms.
"""
import json
import os

from brian2 import (NeuronGroup, Synapses, SpikeMonitor, StateMonitor, Network,
                    defaultclock, prefs, ms)

prefs.codegen.target = "numpy"
defaultclock.dt = 0.1 * ms
Q_SPIKES = ("i == 0 and ((t >= 1*ms and t < 1.05*ms) or (t >= 2*ms and t < 2.05*ms) or "
            "(t >= 3*ms and t < 3.05*ms) or (t >= 9*ms and t < 9.05*ms))")
P = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1 (unless refractory)\ndw/dt = -w/(10*ms) : 1",
                threshold="v > 1", reset="v = 0", refractory=5 * ms, method="exact")
Q = NeuronGroup(2, "du/dt = -u/(10*ms) : 1 (unless refractory)", threshold=Q_SPIKES,
                refractory=0.5 * ms, method="exact")
S = Synapses(Q, P, on_pre="v_post += 0.6\nw_post += 0.6", on_post="u_pre += 1")
S.connect(i=[0, 1], j=[0, 0])
MP = StateMonitor(P, ["v", "w"], record=True)
MQ = StateMonitor(Q, "u", record=True)
SP = SpikeMonitor(P)
net = Network(P, Q, S, MP, MQ, SP)
net.run(2.3 * ms)
P.v = 0.5
net.run(10 * ms)
out = {"p_spikes_ms": [float(t / ms) for t in SP.t],
       "v": [float(x) for x in MP.v[0]], "w": [float(x) for x in MP.w[0]],
       "u0": [float(x) for x in MQ.u[0]], "u1": [float(x) for x in MQ.u[1]]}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                    "snn_unless_refractory.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
print(out["p_spikes_ms"], len(out["v"]))
