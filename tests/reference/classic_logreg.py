#!/usr/bin/python3
"""Reference values for tests/classic: scikit-learn's LogisticRegression with the
default objective (L2 penalty, unpenalised intercept) at C = 1 and C = 0.1, solved to
round-off by its newton-cholesky solver (lbfgs even at tol 1e-12 stops with a gradient
near 5e-5, so it cannot serve as an exact reference), plus the plain default
LogisticRegression() fit (lbfgs, tol 1e-4) as a user would get it; and
numpy.linalg.lstsq for ordinary least squares, on small fixed data.

Run once with Debian's python:  /usr/bin/python3 tests/reference/classic_logreg.py
Writes tests/reference/data/classic_logreg.txt and classic_ols.txt.
Format: "n d", n rows of "x_1 .. x_d y", then one line per fit.
"""
import os

import numpy as np
from sklearn.linear_model import LogisticRegression

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)


def write(name, x, y, fits):
    with open(os.path.join(here, "data", name), "w") as f:
        f.write(f"{x.shape[0]} {x.shape[1]}\n")
        for row, target in zip(x, y):
            f.write(" ".join(repr(float(v)) for v in row) + f" {target!r}\n")
        for line in fits:
            f.write(line + "\n")


# Logistic regression: 3 features, overlapping classes (not separable, finite optimum).
n, d = 60, 3
x = rng.normal(size=(n, d)) * np.array([1.0, 2.0, 0.5]) + np.array([0.5, -1.0, 2.0])
logit = 1.5 * x[:, 0] - 0.8 * x[:, 1] + 0.3 * x[:, 2] - 0.5
y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
fits = []
for C in (1.0, 0.1):
    m = LogisticRegression(C=C, tol=1e-14, max_iter=1000, solver="newton-cholesky").fit(x, y)
    fits.append(f"C {C!r} intercept {m.intercept_[0]!r} coef " +
                " ".join(repr(float(v)) for v in m.coef_[0]))
m = LogisticRegression().fit(x, y)
fits.append(f"default {1.0!r} intercept {m.intercept_[0]!r} coef " +
            " ".join(repr(float(v)) for v in m.coef_[0]))
write("classic_logreg.txt", x, [int(v) for v in y], fits)

# OLS: 2 features plus noise.
n, d = 40, 2
x = rng.normal(size=(n, d))
y = 3.0 * x[:, 0] - 2.0 * x[:, 1] + 0.7 + 0.3 * rng.normal(size=n)
a = np.hstack([x, np.ones((n, 1))])
sol, *_ = np.linalg.lstsq(a, y, rcond=None)
sol0, *_ = np.linalg.lstsq(x, y, rcond=None)
write("classic_ols.txt", x, [float(v) for v in y],
      ["intercept " + repr(float(sol[-1])) + " coef " + " ".join(repr(float(v)) for v in sol[:-1]),
       "nointercept coef " + " ".join(repr(float(v)) for v in sol0)])
