#!/usr/bin/python3
"""The tutorial's curve_fit programs (../shared/tutorials/000, "A Curve Fitting Guide for
the Busy Experimentalist"), run as written with Debian's NumPy and SciPy, for
`soma example curve-fit`:
    /usr/bin/python3 tests/reference/curve_fit_tutorial.py
Writes tests/reference/data/curve_fit_tutorial.json.

One notebook run in the tutorial's order draws three blocks of 1,000 normals from
np.random.seed(100): the decay's noise, the growth's (its code is not shown; the text's
fits, -30.4 and 20.6 from p0 = (-5, 1), come out of this second block and of no other
order tried), and the SSR landscape's, whose cell draws `noise` once more. The 20-point
sparse fit's code is not shown either: drawing its points from the global stream before
the growth would change the growth's noise (its fit would give -30.13, 20.24), so here
they come from a fresh RandomState(100).choice(1000, 20, replace=False), on the decay data.
"""
import json
import os

import numpy as np
import scipy
import scipy.optimize

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "curve_fit_tutorial.json")


def exp_decay(x, tau, init):
    return init * np.e ** (-x / tau)


def ssr(y, fy):
    """Sum of squared residuals"""
    return ((y - fy) ** 2).sum()


def main():
    np.random.seed(100)
    dt = 0.1
    x = np.arange(0, 100, dt)
    noise = np.random.normal(scale=50, size=x.shape[0])
    y_noisy = exp_decay(x, 30, 250) + noise
    decay, _ = scipy.optimize.curve_fit(exp_decay, x, y_noisy)

    noise = np.random.normal(scale=50, size=x.shape[0])
    y_growth = exp_decay(x, -30.0, 20.0) + noise
    growth_1, _ = scipy.optimize.curve_fit(exp_decay, x, y_growth)
    growth_5, _ = scipy.optimize.curve_fit(exp_decay, x, y_growth, p0=[-5, 1])

    real_tau, real_init = -30.0, 20.0
    noise = np.random.normal(scale=50, size=x.shape[0])
    y_land = exp_decay(x, real_tau, real_init) + noise
    dtau = 0.1
    guess_tau_n = np.arange(-60, -4.9, dtau)
    guess_tau_p = np.arange(1, 60, dtau)
    loss_n = np.array([ssr(y_land, exp_decay(x, tau, real_init)) for tau in guess_tau_n])
    loss_p = np.array([ssr(y_land, exp_decay(x, tau, real_init)) for tau in guess_tau_p])

    idx = np.sort(np.random.RandomState(100).choice(x.shape[0], 20, replace=False))
    sparse, _ = scipy.optimize.curve_fit(exp_decay, x[idx], y_noisy[idx])

    out = {
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "decay_popt": decay.tolist(),
        "growth_p0_1_popt": growth_1.tolist(),
        "growth_p0_minus5_popt": growth_5.tolist(),
        "landscape": {
            "negative_points": int(len(guess_tau_n)),
            "positive_points": int(len(guess_tau_p)),
            "argmin_tau_negative": float(guess_tau_n[np.argmin(loss_n)]),
            "min_ssr_negative": float(loss_n.min()),
            "ssr_real_tau": float(ssr(y_land, exp_decay(x, real_tau, real_init))),
            "ssr_at_minus5": float(loss_n[-1]),
            "ssr_at_plus1": float(loss_p[0]),
            "ssr_at_plus59_9": float(loss_p[-1]),
            "positive_decreasing": bool(np.all(np.diff(loss_p) < 0)),
        },
        "sparse_indices": idx.tolist(),
        "sparse_popt": sparse.tolist(),
    }
    print(json.dumps(out, indent=1))
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
