#!/usr/bin/python3
"""Reference numbers for tests/optim/torch_reference_test.cpp, from Debian's torch 1.13.

A fixed problem: a 3->4->2 MLP (Linear, Tanh, Linear) fitted by MSE to 5 samples.
Weights and data come from closed formulas mirrored in the C++ test. For every
optimizer configuration below, 5 steps are taken (zero_grad, forward, backward,
step) in float64 and in float32, and the parameters after the last step are written
(W1, b1, W2, b2 flattened in that order), together with the learning-rate sequences
of three schedulers.

Run:  /usr/bin/python3 tests/reference/torch_optim.py > tests/reference/data/torch_optim.txt
Format: one line per record, "name value value ...", values printed with repr().
"""
import math

import torch

torch.set_num_threads(1)
STEPS = 5


def initial(dtype):
    w1 = [[0.5 * math.sin(1.0 + 3 * i + j) for j in range(3)] for i in range(4)]
    b1 = [0.1 * math.cos(float(i)) for i in range(4)]
    w2 = [[0.5 * math.sin(0.7 * (4 * i + j) + 0.3) for j in range(4)] for i in range(2)]
    b2 = [0.05 * (i + 1) for i in range(2)]
    x = [[math.cos(0.9 * (3 * n + k)) for k in range(3)] for n in range(5)]
    y = [[math.sin(0.4 * (2 * n + o)) for o in range(2)] for n in range(5)]
    t = lambda v: torch.tensor(v, dtype=torch.float64).to(dtype)
    params = [t(w1), t(b1), t(w2), t(b2)]
    for p in params:
        p.requires_grad_(True)
    return params, t(x), t(y)


CONFIGS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1, foreach=False),
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, foreach=False),
    "sgd_dampening": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.3, foreach=False),
    "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, foreach=False),
    "sgd_weight_decay": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5, weight_decay=0.01, foreach=False),
    "adam": lambda p: torch.optim.Adam(p, lr=0.01, foreach=False),
    "adam_weight_decay": lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1, foreach=False),
    "adam_amsgrad": lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), amsgrad=True, foreach=False),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1, foreach=False),
}


def run(make, dtype):
    params, x, y = initial(dtype)
    opt = make(params)
    for _ in range(STEPS):
        opt.zero_grad()
        w1, b1, w2, b2 = params
        out = torch.tanh(x @ w1.T + b1) @ w2.T + b2
        loss = torch.nn.functional.mse_loss(out, y)
        loss.backward()
        opt.step()
    return [v for p in params for v in p.detach().to(torch.float64).flatten().tolist()]


def schedule(make, epochs=25):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def main():
    for name, make in CONFIGS.items():
        for dtype, suffix in ((torch.float64, "f64"), (torch.float32, "f32")):
            print(f"{name}.{suffix} " + " ".join(repr(v) for v in run(make, dtype)))
    sched = torch.optim.lr_scheduler
    print("StepLR " + " ".join(repr(v) for v in schedule(lambda o: sched.StepLR(o, step_size=3, gamma=0.5))))
    print("ExponentialLR " + " ".join(repr(v) for v in schedule(lambda o: sched.ExponentialLR(o, gamma=0.9))))
    print("CosineAnnealingLR " + " ".join(
        repr(v) for v in schedule(lambda o: sched.CosineAnnealingLR(o, T_max=10, eta_min=0.001))))


if __name__ == "__main__":
    main()
