"""Brian2 side of bench/snn/run: the COBA network of examples/coba.cpp, timed.

    /usr/bin/python3 bench/snn/brian2_coba.py runtime|cpp_standalone NEURONS DURATION SEED

Prints one JSON line: rates, setup/sim (and for cpp_standalone, compile) seconds;
sim_cpu_seconds is the run's CPU time (robust on a busy machine).
cpp_standalone: Brian2 generates C++ and compiles it on the first run; the time of
its generated main loop is Brian2's own profile of the run, compile = the rest.
"""
import json
import sys
import tempfile
import time

from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock, prefs,
                    seed as b2seed, set_device, device, ms, mV, second)

mode, n, duration, s = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
if mode == "cpp_standalone":
    build_dir = tempfile.mkdtemp(prefix="brian2_coba_")
    set_device("cpp_standalone", directory=build_dir, build_on_run=False)
else:
    prefs.codegen.target = "numpy"
b2seed(s)
defaultclock.dt = 0.1 * ms
taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
Vt, Vr, El, Ee, Ei = -50 * mV, -60 * mV, -60 * mV, 0 * mV, -80 * mV
eqs = """
dv/dt = (ge*(Ee-v) + gi*(Ei-v) - (v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : 1
dgi/dt = -gi/taui : 1
"""
t0 = time.perf_counter()
P = NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * ms,
                method="exponential_euler")
ne = int(n * 0.8)
Ce = Synapses(P[:ne], P, on_pre="ge += 0.6")
Ci = Synapses(P[ne:], P, on_pre="gi += 6.7")
Ce.connect(p=0.02)
Ci.connect(p=0.02)
P.v = "El + (randn() * 5 - 5)*mV"
P.ge = "4 + 1.5 * randn()"
P.gi = "20 + 12 * randn()"
me, mi = SpikeMonitor(P[:ne]), SpikeMonitor(P[ne:])
net = Network(P, Ce, Ci, me, mi)
setup = time.perf_counter() - t0
t0 = time.perf_counter()
c0 = time.process_time()
net.run(duration * second, profile=(mode == "cpp_standalone"))
cpu = time.process_time() - c0
if mode == "cpp_standalone":
    device.build(directory=build_dir, compile=True, run=True, debug=False)
total = time.perf_counter() - t0
out = {"mode": mode, "neurons": n, "seed": s,
       "rate_exc_hz": me.num_spikes / ne / duration,
       "rate_inh_hz": mi.num_spikes / (n - ne) / duration}
if mode == "cpp_standalone":
    # Brian2's profiling info: time spent in each code object of the main loop.
    sim = sum(float(t) for _, t in net.profiling_info)
    # The generated program runs in a child process: its profile is the only timing
    # of the main loop there is, so it stands for CPU time too.
    out.update(sim_seconds=sim, sim_cpu_seconds=sim, compile_seconds=total - sim,
               setup_seconds=setup)
else:
    out.update(sim_seconds=total, sim_cpu_seconds=cpu, setup_seconds=setup)
print(json.dumps(out))
