#!/usr/bin/python3
"""Reference numbers for tests/nn/torch_layers_test.cpp, from Debian's torch 1.13.

Inputs come from closed formulas mirrored in the C++ test (float64). For each layer
the forward output and the gradients of sum(output * weights) are written, with
weights w[i] = cos(0.37 * i) over the flattened output.

Run:  /usr/bin/python3 tests/reference/torch_layers.py > tests/reference/data/torch_layers.txt
Format: one line per record, "name value value ...", values printed with repr().
"""
import math

import torch
import torch.nn.functional as F

D = torch.float64


def filled(shape, a, b):
    n = math.prod(shape)
    return torch.tensor([math.sin(a * i + b) for i in range(n)], dtype=D).reshape(shape).requires_grad_(True)


def out_weights(y):
    return torch.tensor([math.cos(0.37 * i) for i in range(y.numel())], dtype=D).reshape(y.shape)


def emit(name, t):
    print(name + " " + " ".join(repr(v) for v in t.detach().flatten().tolist()))


def check(name, fn, inputs):
    y = fn(*inputs)
    (y * out_weights(y)).sum().backward()
    emit(name + ".y", y)
    for k, x in enumerate(inputs):
        emit(f"{name}.d{k}", x.grad)


def main():
    x = lambda: filled((2, 3, 7, 6), 0.31, 0.2)
    w = lambda: filled((4, 3, 3, 2), 0.53, 1.1)
    b = lambda: filled((4,), 0.7, 0.4)
    check("conv2d", lambda x_, w_, b_: F.conv2d(x_, w_, b_, stride=(2, 1), padding=(1, 2), dilation=(2, 1)),
          [x(), w(), b()])
    check("max_pool2d", lambda x_: F.max_pool2d(x_, (3, 2), stride=(2, 2), padding=(1, 1)), [x()])
    check("avg_pool2d", lambda x_: F.avg_pool2d(x_, (3, 3), stride=(2, 1), padding=(1, 1)), [x()])
    rm = torch.zeros(3, dtype=D)
    rv = torch.ones(3, dtype=D)
    g = lambda: filled((3,), 0.9, 0.5)
    check("batch_norm", lambda x_, g_, b_: F.batch_norm(x_, rm, rv, g_, b_, training=True, momentum=0.1, eps=1e-5),
          [x(), g(), filled((3,), 0.3, 0.1)])
    emit("batch_norm.running_mean", rm)
    emit("batch_norm.running_var", rv)


if __name__ == "__main__":
    main()
