#!/usr/bin/python3
"""NumPy's own answers to tutorial 001's array section (tests/cli/tutorial_001/
numpy_basics_test.sh holds `soma example numpy-basics --json` to them).

Each case is one line of the tutorial: an operation on the tutorial's arrays, with the
shape and the values NumPy gives, or NumPy's error message where it refuses. Writes
tests/reference/data/numpy_basics.json: {"names": [...], "cases": {name: {"shape": [...], "values":
[...flat...]} or {"error": "..."}}}; names have no dots, as
tests/cli/tools/json_field splits its paths at dots.

Run: /usr/bin/python3 tests/reference/numpy_basics.py
"""
import json
import os

import numpy as np

vector_1D = np.array([4])
v6 = np.array([1, 2, 3, 4, 5, 6])
matrix = np.array([[1, 2, 3], [4, 5, 6]])
v1 = np.array([1, 2, 3, 4, 5])
v2_short = np.array([2, 4])
v2 = np.array([2, 4, 1, 1, 1])

CASES = {
    "vector_1D": lambda: vector_1D,
    "vector_6": lambda: v6,
    "vector_6_T": lambda: v6.T,
    "matrix": lambda: matrix,
    "matrix_T": lambda: matrix.T,
    "vector_1D_reshape(1,1)": lambda: vector_1D.reshape((1, 1)),
    "vector_1D_reshape(1,1,1)": lambda: vector_1D.reshape((1, 1, 1)),
    "vector_6_reshape(3,2)": lambda: v6.reshape(3, 2),
    "vector_6_reshape(2,3)": lambda: v6.reshape(2, 3),
    "vector_6_reshape(6,1)": lambda: v6.reshape(6, 1),
    "vector_6_reshape(1,6)": lambda: v6.reshape(1, 6),
    "dot([1-5],[2,4])": lambda: np.dot(v1, v2_short),
    "dot([1-5],[2,4,1,1,1])": lambda: np.dot(v1, v2),
    "dot(1x5,1x5)": lambda: np.dot(v1.reshape(1, 5), v2.reshape(1, 5)),
    "dot(1x5,(1x5)T)": lambda: np.dot(v1.reshape(1, 5), v2.reshape(1, 5).T),
    "matmul(1x5,(1x5)T)": lambda: np.matmul(v1.reshape(1, 5), v2.reshape(1, 5).T),
    "v1*v2": lambda: v1 * v2,
    "multiply(1x5,1x5)": lambda: np.multiply(v1.reshape(1, 5), v2.reshape(1, 5)),
    "[1,2,3]+[1,2,3]": lambda: np.array([1, 2, 3]) + np.array([1, 2, 3]),
    "[2]+[1,2,3]": lambda: np.array([2]) + np.array([1, 2, 3]),
    "tile([2],(3,))": lambda: np.tile(np.array([2]), reps=(3,)),
    "[[1]]+[1,2,3]": lambda: np.array([[1]]) + np.array([1, 2, 3]),
    "[[1],[2]]+[1,2,3]": lambda: np.array([[1], [2]]) + np.array([1, 2, 3]),
    "tile([1,2,3],(2,1))": lambda: np.tile(np.array([1, 2, 3]), reps=(2, 1)),
    "tile([[1],[2]],(1,3))": lambda: np.tile(np.array([[1], [2]]), reps=(1, 3)),
    "[[1,4,5],[2,2,5]]+[1,2]": lambda: np.array([[1, 4, 5], [2, 2, 5]]) + np.array([1, 2]),
}


def main():
    cases = {}
    for name, f in CASES.items():
        try:
            r = np.asarray(f())
            cases[name] = {"shape": list(r.shape), "values": [int(v) for v in r.ravel()]}
        except Exception as e:  # the tutorial's `except:` cells
            cases[name] = {"error": str(e)}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "numpy_basics.json")
    with open(out, "w") as f:
        json.dump({"numpy": np.__version__, "names": list(cases), "cases": cases}, f, indent=1)
        f.write("\n")
    print(out)


if __name__ == "__main__":
    main()
