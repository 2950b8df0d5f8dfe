"""SciPy's side of bench/fit/run: scipy.optimize.curve_fit on the same decay data
(written by bench_fit) from p0 = (1, 1), and on every NIST StRD problem and start
(default method lm, finite-difference Jacobian, default tolerances; the decay also with
its analytic Jacobian, jac=). CPU time
(time.process_time), median over repetitions. Prints one JSON object."""
import json
import math
import os
import sys
import time

import numpy as np
from scipy.optimize import curve_fit

reps = 15


def median_seconds(fn):
    inner = 1
    while True:
        t0 = time.process_time()
        for _ in range(inner):
            fn()
        if time.process_time() - t0 > 0.02 or inner > 1 << 16:
            break
        inner *= 2
    t = []
    for _ in range(reps):
        t0 = time.process_time()
        for _ in range(inner):
            fn()
        t.append((time.process_time() - t0) / inner)
    return sorted(t)[len(t) // 2]


E, pi = np.exp, math.pi
MODELS = {
    "Misra1a": lambda x, b1, b2: b1 * (1 - E(-b2 * x)),
    "Chwirut1": lambda x, b1, b2, b3: E(-b1 * x) / (b2 + b3 * x),
    "Chwirut2": lambda x, b1, b2, b3: E(-b1 * x) / (b2 + b3 * x),
    "Lanczos1": lambda x, b1, b2, b3, b4, b5, b6: b1 * E(-b2 * x) + b3 * E(-b4 * x) + b5 * E(-b6 * x),
    "Gauss1": lambda x, b1, b2, b3, b4, b5, b6, b7, b8: b1 * E(-b2 * x) + b3 * E(-(x - b4) ** 2 / b5 ** 2) + b6 * E(-(x - b7) ** 2 / b8 ** 2),
    "DanWood": lambda x, b1, b2: b1 * x ** b2,
    "Misra1b": lambda x, b1, b2: b1 * (1 - (1 + b2 * x / 2) ** (-2)),
    "Kirby2": lambda x, b1, b2, b3, b4, b5: (b1 + b2 * x + b3 * x ** 2) / (1 + b4 * x + b5 * x ** 2),
    "Hahn1": lambda x, b1, b2, b3, b4, b5, b6, b7: (b1 + b2 * x + b3 * x ** 2 + b4 * x ** 3) / (1 + b5 * x + b6 * x ** 2 + b7 * x ** 3),
    "Nelson": lambda x, b1, b2, b3: b1 - b2 * x[0] * E(-b3 * x[1]),
    "MGH17": lambda x, b1, b2, b3, b4, b5: b1 + b2 * E(-x * b4) + b3 * E(-x * b5),
    "Misra1c": lambda x, b1, b2: b1 * (1 - (1 + 2 * b2 * x) ** (-.5)),
    "Misra1d": lambda x, b1, b2: b1 * b2 * x * ((1 + b2 * x) ** (-1)),
    "Roszman1": lambda x, b1, b2, b3, b4: b1 - b2 * x - np.arctan(b3 / (x - b4)) / pi,
    "ENSO": lambda x, b1, b2, b3, b4, b5, b6, b7, b8, b9: b1 + b2 * np.cos(2 * pi * x / 12) + b3 * np.sin(2 * pi * x / 12) + b5 * np.cos(2 * pi * x / b4) + b6 * np.sin(2 * pi * x / b4) + b8 * np.cos(2 * pi * x / b7) + b9 * np.sin(2 * pi * x / b7),
    "MGH09": lambda x, b1, b2, b3, b4: b1 * (x ** 2 + x * b2) / (x ** 2 + x * b3 + b4),
    "Thurber": lambda x, b1, b2, b3, b4, b5, b6, b7: (b1 + b2 * x + b3 * x ** 2 + b4 * x ** 3) / (1 + b5 * x + b6 * x ** 2 + b7 * x ** 3),
    "BoxBOD": lambda x, b1, b2: b1 * (1 - E(-b2 * x)),
    "Rat42": lambda x, b1, b2, b3: b1 / (1 + E(b2 - b3 * x)),
    "MGH10": lambda x, b1, b2, b3: b1 * E(b2 / (x + b3)),
    "Eckerle4": lambda x, b1, b2, b3: (b1 / b2) * E(-0.5 * ((x - b3) / b2) ** 2),
    "Rat43": lambda x, b1, b2, b3, b4: b1 / ((1 + E(b2 - b3 * x)) ** (1 / b4)),
    "Bennett5": lambda x, b1, b2, b3: b1 * (b2 + x) ** (-1 / b3),
}
for k in ("Lanczos2", "Lanczos3"):
    MODELS[k] = MODELS["Lanczos1"]
for k in ("Gauss2", "Gauss3"):
    MODELS[k] = MODELS["Gauss1"]


def read_nist(path):
    lines = open(path).read().splitlines()
    starts, y, x = ([], []), [], []
    data_from = None
    for i, l in enumerate(lines):
        t = l.split()
        if len(t) == 6 and t[1] == "=" and t[0].startswith("b"):
            starts[0].append(float(t[2]))
            starts[1].append(float(t[3]))
        if l.startswith("Data:") and "y" in t and data_from is None and i > 40:
            data_from = i + 1
    for l in lines[data_from:]:
        t = l.split()
        if t:
            y.append(float(t[0]))
            x.append([float(v) for v in t[1:]])
    return starts, np.array(y), np.array(x)


def main():
    data, nist_dir = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    xy = np.loadtxt(data, delimiter=",", skiprows=1)
    x, y = xy[:, 0], xy[:, 1]
    f = lambda x, tau, init: init * np.exp(-x / tau)
    popt, _ = curve_fit(f, x, y, p0=(1, 1))
    # Like for like with soma's exact (dual-number) derivatives: the analytic Jacobian too.
    def jac(x, tau, init):
        e = np.exp(-x / tau)
        return np.column_stack((init * e * x / tau**2, e))
    popt_jac, _ = curve_fit(f, x, y, p0=(1, 1), jac=jac)
    out = {"decay": {"popt": list(popt), "seconds": median_seconds(lambda: curve_fit(f, x, y, p0=(1, 1))),
                     "popt_jac": list(popt_jac),
                     "seconds_jac": median_seconds(lambda: curve_fit(f, x, y, p0=(1, 1), jac=jac))},
           "nist": {}}
    if nist_dir and os.path.isdir(nist_dir):
        import warnings
        warnings.simplefilter("ignore")
        for name in sorted(n[:-4] for n in os.listdir(nist_dir) if n.endswith(".dat")):
            starts, yy, xx = read_nist(os.path.join(nist_dir, name + ".dat"))
            if name == "Nelson":
                yy, xx = np.log(yy), xx.T
            else:
                xx = xx[:, 0]
            for s in (1, 2):
                p0 = starts[s - 1]

                def run():
                    try:
                        return curve_fit(MODELS[name], xx, yy, p0=p0)
                    except RuntimeError:
                        return None
                ok = run() is not None
                out["nist"][f"{name}/{s}"] = {"seconds": median_seconds(run), "converged": ok}
    print(json.dumps(out))


main()
