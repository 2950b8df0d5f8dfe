#!/usr/bin/python3
"""SciPy's times on the problems of bench_ode.cpp (median of repetitions), as JSON."""
import json
import time

import numpy as np
from scipy.integrate import odeint, solve_ivp


def median_seconds(f, reps):
    s = []
    for _ in range(reps):
        t0 = time.process_time()  # CPU time, as bench_ode.cpp: the machine is shared
        r = f()
        s.append(time.process_time() - t0)
    return float(np.median(s)), r


def lorenz(t, y):
    return [10 * (y[1] - y[0]), y[0] * (28 - y[2]) - y[1], y[0] * y[1] - 8 / 3 * y[2]]


def robertson(t, y):
    return [-0.04 * y[0] + 1e4 * y[1] * y[2],
            0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] ** 2, 3e7 * y[1] ** 2]


out = {}
sec, r = median_seconds(lambda: solve_ivp(lorenz, (0, 40), [1, 1, 1], rtol=1e-6, atol=1e-9), 7)
out["lorenz_rk45"] = {"seconds": sec, "nfev": int(r.nfev), "nsteps": len(r.t) - 1}
t = np.arange(4001) * 0.01
sec, (y, info) = median_seconds(
    lambda: odeint(lorenz, [1, 1, 1], t, rtol=1e-6, atol=1e-9, tfirst=True, full_output=True), 9)
# odeint is LSODA on both sides: the work is comparable step for step.
out["lorenz_odeint"] = {"seconds": sec, "x10": float(y[1000, 0]), "nsteps": int(info["nst"][-1]),
                        "nfev": int(info["nfe"][-1])}
for tf, tag in [(40, "40"), (4e10, "4e10")]:
    for m in ["BDF", "LSODA"]:
        tol = {} if tf == 40 else {"rtol": 1e-6, "atol": 1e-10}
        sec, r = median_seconds(
            lambda: solve_ivp(robertson, (0, tf), [1, 0, 0], method=m, **tol), 21 if tf == 40 else 7)
        out[f"robertson_{tag}_{m}"] = {"seconds": sec, "nfev": int(r.nfev), "nsteps": len(r.t) - 1}
mu = 1000.0


def vdp(t, y):
    return [y[1], mu * (1 - y[0] ** 2) * y[1] - y[0]]


def vdp_jac(t, y):
    return [[0, 1], [-2 * mu * y[0] * y[1] - 1, mu * (1 - y[0] ** 2)]]


def robertson_jac(t, y):
    return [[-0.04, 1e4 * y[2], 1e4 * y[1]],
            [0.04, -1e4 * y[2] - 6e7 * y[1], -1e4 * y[1]],
            [0, 6e7 * y[1], 0]]


# Radau on the stiff problems (tests/ode/radau_test.cpp's tolerances), the Jacobian by
# finite differences (the default) and given.
for tag, rj, vj in [("", None, None), ("_jac", robertson_jac, vdp_jac)]:
    for key, fun, span, y0, tol, jac in [
            ("robertson_4e10_Radau", robertson, (0, 4e10), [1, 0, 0],
             {"rtol": 1e-6, "atol": 1e-10}, rj),
            ("vdp_Radau", vdp, (0, 3000), [2, 0], {"rtol": 1e-6, "atol": 1e-6}, vj)]:
        sec, r = median_seconds(
            lambda: solve_ivp(fun, span, y0, method="Radau", jac=jac, **tol), 7)
        out[key + tag] = {"seconds": sec, "nfev": int(r.nfev), "nsteps": len(r.t) - 1,
                          "njev": int(r.njev), "nlu": int(r.nlu)}
# A complex system (the two-level Schrodinger system of tests/ode/complex_test.cpp).
H = np.array([[1.0, 0.5], [0.5, -1.0]])
for m in ["RK45", "DOP853", "BDF"]:
    sec, r = median_seconds(
        lambda: solve_ivp(lambda t, y: -1j * (H @ y), (0, 10), np.array([1 + 0j, 0j]), method=m,
                          rtol=1e-6, atol=1e-9, jac=(lambda t, y: -1j * H) if m == "BDF" else None),
        7)
    out[f"schrodinger_{m}"] = {"seconds": sec, "nfev": int(r.nfev), "nsteps": len(r.t) - 1,
                               "nlu": int(r.nlu)}
print(json.dumps(out))
