"""PyTorch side of bench/nn: the same three training loops as bench_nn.cpp, on the CSV
files bench_nn wrote (same numbers), one thread, median seconds of REPS runs as JSON.
Seconds are process CPU time (time.process_time), as bench_nn measures its side.

    /usr/bin/python3 torch_nn.py DIR REPS EPOCHS_TITANIC EPOCHS_DRAGONS EPOCHS_REGRESSION
"""
import json
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)


def load(path, label_dtype):
    a = np.loadtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
    x = torch.from_numpy(np.ascontiguousarray(a[:, :-1]))
    y = torch.from_numpy(np.ascontiguousarray(a[:, -1]))
    return x, y.to(label_dtype)


def loop(model, opt, loss_fn, x, y, batch, epochs):
    g = torch.Generator().manual_seed(7)
    n = x.shape[0]
    start = time.process_time()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            loss = loss_fn(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return time.process_time() - start


def titanic(x, y, epochs):
    torch.manual_seed(7)
    m = nn.Sequential(nn.Linear(31, 50), nn.ReLU(), nn.Linear(50, 1), nn.Sigmoid())
    opt = torch.optim.Adam(m.parameters(), lr=1e-3, weight_decay=1e-4)
    return loop(m, opt, nn.BCELoss(), x, y.reshape(-1, 1), 13, epochs)


def dragons(x, y, epochs):
    torch.manual_seed(7)
    m = nn.Sequential(nn.Linear(2, 10), nn.ReLU(), nn.Linear(10, 20), nn.ReLU(),
                      nn.Linear(20, 1000), nn.ReLU(), nn.Linear(1000, 3))
    opt = torch.optim.Adam(m.parameters(), lr=2e-4)
    return loop(m, opt, nn.CrossEntropyLoss(), x, y, 1, epochs)


def regression(x, y, epochs):
    torch.manual_seed(7)
    m = nn.Sequential(nn.Linear(1, 3), nn.PReLU(), nn.Linear(3, 2), nn.PReLU(), nn.Linear(2, 1))
    opt = torch.optim.SGD(m.parameters(), lr=0.05)
    return loop(m, opt, nn.MSELoss(), x, y.reshape(-1, 1), 100, epochs)


def main():
    d, reps = sys.argv[1], int(sys.argv[2])
    e_ti, e_dr, e_re = (int(v) for v in sys.argv[3:6])
    ti = load(f"{d}/titanic.csv", torch.float32)
    dr = load(f"{d}/dragons.csv", torch.int64)
    re = load(f"{d}/regression.csv", torch.float32)
    out = {
        "titanic": {"epochs": e_ti,
                    "seconds": statistics.median(titanic(*ti, e_ti) for _ in range(reps))},
        "dragons": {"epochs": e_dr,
                    "seconds": statistics.median(dragons(*dr, e_dr) for _ in range(reps))},
        "regression": {"epochs": e_re,
                       "seconds": statistics.median(regression(*re, e_re) for _ in range(reps))},
        "torch": torch.__version__,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
