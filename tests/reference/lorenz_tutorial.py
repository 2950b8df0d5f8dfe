#!/usr/bin/python3
"""The tutorial's Lorenz programs (../shared/tutorials/000, "Differential Equations with
SciPy – odeint or solve_ivp"), run as written with Debian's SciPy, for
`soma example lorenz`:
    /usr/bin/python3 tests/reference/lorenz_tutorial.py
Writes tests/reference/data/lorenz_tutorial.json: the shapes the tutorial prints
(t.shape (4000,), result_odeint.shape (4000, 3), result_solve_ivp.t.shape (467,)) and
each run's point and evaluation counts. The text's "1989 elements" for solve_ivp matches
no run here: LSODA at the defaults gives 1,957 points with SciPy 1.10.
"""
import json
import os

import numpy as np
import scipy
from scipy.integrate import odeint, solve_ivp

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "lorenz_tutorial.json")


def lorenz(t, state, sigma, beta, rho):
    x, y, z = state
    return [sigma * (y - x), x * (rho - z) - y, x * y - beta * z]


def main():
    p = (10.0, 8.0 / 3.0, 28.0)
    y0 = [1.0, 1.0, 1.0]
    t_span = (0.0, 40.0)
    t = np.arange(0.0, 40.0, 0.01)
    result_odeint, info = odeint(lorenz, y0, t, p, tfirst=True, full_output=True)
    result_solve_ivp = solve_ivp(lorenz, t_span, y0, args=p)
    rk45 = solve_ivp(lorenz, t_span, y0, args=p, method="RK45")
    lsoda = solve_ivp(lorenz, t_span, y0, args=p, method="LSODA")
    t_eval = solve_ivp(lorenz, t_span, y0, args=p, method="LSODA", t_eval=t)
    diff = np.abs(result_odeint[:, 0] - t_eval.y[0])
    out = {
        "scipy": scipy.__version__,
        "t_shape": list(t.shape),
        "odeint_shape": list(result_odeint.shape),
        "odeint_nfev": int(info["nfe"][-1]),
        "points": {"solve_ivp": len(result_solve_ivp.t), "RK45": len(rk45.t),
                   "LSODA": len(lsoda.t), "LSODA_t_eval": len(t_eval.t)},
        "nfev": {"solve_ivp": int(result_solve_ivp.nfev), "RK45": int(rk45.nfev),
                 "LSODA": int(lsoda.nfev)},
        "t_eval_diverges_at": float(t[np.argmax(diff > 1.0)]),
    }
    print(json.dumps(out, indent=1))
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
