#!/usr/bin/python3
"""Reference numbers for tests/nn/torch_recurrent_test.cpp, from Debian's torch 1.13.

RNN (tanh, relu), LSTM and GRU in several configurations (layers, directions,
batch_first, initial states, per-sample lengths through pack_padded_sequence), plus
Embedding and LayerNorm. Inputs and parameters come from closed formulas mirrored in
the C++ test (float64): the k-th parameter in named_parameters() order is
0.5 * sin((0.41 + 0.07 k) * i + 0.3 k) over its flattened entries. For each case the
outputs and the gradients of
    sum(output * cos(0.37 i)) + sum(h_n * cos(0.23 i + 1)) + sum(c_n * cos(0.19 i + 2))
with respect to the input, the initial states and every parameter are written.

Run:  /usr/bin/python3 tests/reference/torch_recurrent.py > tests/reference/data/torch_recurrent.txt
Format: one line per record, "name value value ...", values printed with repr().
"""
import math

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

D = torch.float64


def filled(shape, a, b, scale=1.0):
    n = math.prod(shape)
    return torch.tensor([scale * math.sin(a * i + b) for i in range(n)], dtype=D).reshape(shape)


def weights(t, a, b):
    return torch.tensor([math.cos(a * i + b) for i in range(t.numel())], dtype=D).reshape(t.shape)


def emit(name, t):
    print(name + " " + " ".join(repr(v) for v in t.detach().flatten().tolist()))


# name, cell, nonlinearity, input_size, hidden, layers, bidirectional, batch_first, bias,
# initial states given, lengths (None: full length). L = 5 steps, N = 3 samples.
CASES = [
    ("rnn_tanh", "RNN", "tanh", 4, 3, 1, False, False, True, True, None),
    ("rnn_relu_bi", "RNN", "relu", 4, 3, 2, True, True, True, False, None),
    ("rnn_tanh_len", "RNN", "tanh", 4, 3, 2, True, False, True, True, [5, 2, 4]),
    ("lstm", "LSTM", None, 4, 3, 2, False, False, True, True, None),
    ("lstm_bi_len", "LSTM", None, 4, 3, 2, True, True, True, True, [3, 5, 1]),
    ("lstm_nobias_len", "LSTM", None, 4, 3, 1, False, False, False, False, [5, 2, 4]),
    ("gru", "GRU", None, 4, 3, 2, True, False, True, True, None),
    ("gru_len", "GRU", None, 4, 3, 1, True, True, True, True, [2, 5, 3]),
]
L, N = 5, 3


def run_case(name, cell, nonlinearity, input_size, hidden, layers, bidir, batch_first, bias, init,
             lengths):
    kwargs = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias)
    if cell == "RNN":
        kwargs["nonlinearity"] = nonlinearity
    module = getattr(torch.nn, cell)(input_size, hidden, **kwargs).to(D)
    with torch.no_grad():
        for k, (_, p) in enumerate(module.named_parameters()):
            p.copy_(filled(p.shape, 0.41 + 0.07 * k, 0.3 * k, 0.5))
    dirs = 2 if bidir else 1
    x_shape = (N, L, input_size) if batch_first else (L, N, input_size)
    x = filled(x_shape, 0.31, 0.2).requires_grad_(True)
    states = []
    if init:
        h0 = filled((layers * dirs, N, hidden), 0.53, 1.1).requires_grad_(True)
        states.append(h0)
        if cell == "LSTM":
            states.append(filled((layers * dirs, N, hidden), 0.29, 0.7).requires_grad_(True))
    hx = None
    if states:
        hx = tuple(states) if cell == "LSTM" else states[0]
    if lengths is not None:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first,
                                      enforce_sorted=False)
        y, state = module(packed, hx)
        y, _ = pad_packed_sequence(y, batch_first=batch_first, total_length=L)
    else:
        y, state = module(x, hx)
    h_n, c_n = state if cell == "LSTM" else (state, None)
    loss = (y * weights(y, 0.37, 0.0)).sum() + (h_n * weights(h_n, 0.23, 1.0)).sum()
    if c_n is not None:
        loss = loss + (c_n * weights(c_n, 0.19, 2.0)).sum()
    loss.backward()
    emit(name + ".y", y)
    emit(name + ".h_n", h_n)
    if c_n is not None:
        emit(name + ".c_n", c_n)
    emit(name + ".dx", x.grad)
    for k, s in enumerate(states):
        emit(f"{name}.d{'hc'[k]}0", s.grad)
    for pname, p in module.named_parameters():
        emit(f"{name}.d.{pname}", p.grad)


def main():
    for case in CASES:
        run_case(*case)
    # Embedding with a padding row and repeated indices; gradient of sum(y * cos(0.37 i)).
    w = filled((7, 4), 0.41, 0.0).requires_grad_(True)
    idx = torch.tensor([[1, 3, 3, 0], [6, 2, 1, 3]])
    y = torch.nn.functional.embedding(idx, w, padding_idx=3)
    (y * weights(y, 0.37, 0.0)).sum().backward()
    emit("embedding.y", y)
    emit("embedding.dweight", w.grad)
    # LayerNorm over the last two dimensions.
    x = filled((2, 3, 4, 5), 0.31, 0.2).requires_grad_(True)
    g = filled((4, 5), 0.53, 1.1).requires_grad_(True)
    b = filled((4, 5), 0.7, 0.4).requires_grad_(True)
    y = torch.nn.functional.layer_norm(x, (4, 5), g, b, eps=1e-5)
    (y * weights(y, 0.37, 0.0)).sum().backward()
    emit("layer_norm.y", y)
    emit("layer_norm.dx", x.grad)
    emit("layer_norm.dweight", g.grad)
    emit("layer_norm.dbias", b.grad)


if __name__ == "__main__":
    main()
