"""What SciPy's solve_ivp returns in edge cases its own test_ivp.py checks only in
part; printed once with Debian's SciPy (/usr/bin/python3
tests/reference/ode_scipy_edge_cases.py) for tests/ode/scipy_ivp_cases_test.cpp.

SciPy 1.10.1 printed, for each of RK45, BDF and LSODA:
  [4, 4] dense:        t [4. 4.], sol(4) [2. 3.], sol([4, 5, 6]) y0 in every column
  y0 = [] over [0, 10]:    t [0. 10.], y shape (0, 2), status 0, sol(10) shape (0,)
  y0 = [] over [0, inf]:   t [0. inf], y shape (0, 2), status 0
  y0 = [] with t_eval [0, 5, 10]: t [0 5 10], y shape (0, 3)
  dy/dt = -y over [0, inf] with a terminal event at t = 2: status 1, t[-1] 2.0
soma differs on purpose in one place: for t0 == tf without t_eval its t holds t0 once
(SciPy repeats it: [4, 4]); and with t_eval at t0 == tf soma returns those times with
y0 where SciPy 1.10 returns nothing."""
import numpy as np
import scipy
from scipy.integrate import solve_ivp

print("scipy", scipy.__version__)
for m in ["RK45", "BDF", "LSODA"]:
    s = solve_ivp(lambda t, y: -y, [4, 4], [2, 3], method=m, dense_output=True)
    print(m, "[4, 4]:", s.t, s.sol(4), s.sol([4, 5, 6]).tolist())
    for tf in (10, np.inf):
        e = solve_ivp(lambda t, y: np.zeros(0), [0, tf], np.zeros(0), method=m,
                      dense_output=True)
        print(f"  y0 = [] over [0, {tf}]:", e.t, e.y.shape, e.status, e.sol(10).shape)
    e = solve_ivp(lambda t, y: np.zeros(0), [0, 10], np.zeros(0), method=m, t_eval=[0, 5, 10])
    print("  y0 = [] with t_eval:", e.t, e.y.shape)

    def at_two(t, y):
        return t - 2.0

    at_two.terminal = True
    s = solve_ivp(lambda t, y: -y, [0, np.inf], [1.0], method=m, events=at_two)
    print("  [0, inf] with a terminal event at 2:", s.status, s.t[-1])
