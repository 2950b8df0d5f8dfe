"""Reference values for tests/fit/test_minpack_cases.cpp that SciPy's own
test_minpack.py does not state (the cases it does state are quoted there with
their decimals). Run once with Debian's SciPy: /usr/bin/python3
tests/reference/fit_minpack_cases.py; the test stores what it prints.

A trial point where the model is not finite: b*log(x - a) on 20 points of
[1, 5] (a = 0.5, b = 2, no noise), started at a = -3, b = 1 without a Jacobian
(MINPACK lmdif). The first trial step lands where x - a < 0 for every x;
MINPACK rejects it, shrinks the trust region and converges to (0.5, 2)."""
import warnings

import numpy as np
import scipy
from scipy.optimize import curve_fit

warnings.simplefilter("ignore", RuntimeWarning)
x = np.linspace(1.0, 5.0, 20)
y = 2.0 * np.log(x - 0.5)
nonfinite = []


def f(x, a, b):
    v = b * np.log(x - a)
    nonfinite.append(not np.all(np.isfinite(v)))
    return v


popt, pcov, info, msg, ier = curve_fit(f, x, y, p0=(-3.0, 1.0), full_output=True)
print(f"scipy {scipy.__version__}: popt {popt.tolist()} ier {ier} nfev {info['nfev']} "
      f"non-finite evaluations {sum(nonfinite)}")
