"""Reference fits for tests/fit/test_scipy_reference.cpp, computed once with
Debian's SciPy (run: /usr/bin/python3 tests/reference/fit_scipy.py). A noisy
decay init*exp(-x/tau) (tau 30, init 250) at 50 points, fitted by
scipy.optimize.curve_fit: plain (lm), with relative sigma, with absolute_sigma,
with bounds (trf) that hold tau below its best value, and with neither p0 nor jac. Writes
tests/reference/data/fit_scipy.txt: one "name v1 v2 ..." line per array."""
import os

import numpy as np
import scipy
from scipy.optimize import curve_fit

rng = np.random.default_rng(2024)
x = np.linspace(0.0, 100.0, 50)
sigma = 5.0 + 0.1 * x
y = 250.0 * np.exp(-x / 30.0) + rng.normal(0.0, 1.0, x.size) * sigma


def f(x, tau, init):
    return init * np.exp(-x / tau)


def jac(x, tau, init):
    e = np.exp(-x / tau)
    return np.stack([init * e * x / tau**2, e], axis=1)


out = {"x": x, "y": y, "sigma": sigma}
tight = dict(ftol=1e-14, xtol=1e-14, gtol=0.0)
for name, kw in {
    "lm": dict(p0=(1.0, 1.0)),
    "lm_sigma": dict(p0=(1.0, 1.0), sigma=sigma),
    "lm_abs": dict(p0=(1.0, 1.0), sigma=sigma, absolute_sigma=True),
    "trf": dict(p0=(10.0, 100.0), bounds=([1.0, 0.0], [25.0, 1000.0]), method="trf"),
}.items():
    popt, pcov = curve_fit(f, x, y, jac=jac, **kw, **tight)
    out[name + "_popt"], out[name + "_pcov"] = popt, pcov.ravel()

# SciPy's plainest call: no p0 (all ones), no jac (forward differences).
popt, pcov = curve_fit(f, x, y, **tight)
out["nop0_popt"], out["nop0_pcov"] = popt, pcov.ravel()

path = os.path.join(os.path.dirname(__file__), "data", "fit_scipy.txt")
with open(path, "w") as fh:
    fh.write(f"# scipy {scipy.__version__}, numpy {np.__version__}; see fit_scipy.py\n")
    for k, v in out.items():
        fh.write(k + " " + " ".join(repr(float(e)) for e in v) + "\n")
