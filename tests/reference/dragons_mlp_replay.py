#!/usr/bin/python3
"""Replays `soma example mlp-dragons --trace DIR` in PyTorch (a diagnosis, not a test).

The trace holds soma's data, initial weights, the first epoch's order and soma's loss at
each step. This script runs tutorial 002's own code (softmax, mean(-log p[label]), Adam
lr 2e-4, one dragon per step, a fresh Adam for the demonstration step and for the epoch)
from the same weights on the same dragons in the same order, and prints how far torch's
losses and test logits are from soma's: float32 rounding (~1e-5 relative after 289
steps) means that soma computes what torch computes.
It then runs the same epoch from torch's own initial draws (torch.manual_seed(2021 +
k)), which tells the data's part in the first-epoch accuracy from the init draw's.

  build/bin/soma example mlp-dragons --epochs 0 --trace /tmp/trace
  /usr/bin/python3 tests/reference/dragons_mlp_replay.py /tmp/trace [TORCH_SEEDS]
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

LAYERS = ((2, 10), (10, 20), (20, 1000), (1000, 3))
NAMES = ("0", "2", "4", "6")  # soma's Sequential names its layers by position


def load(trace, name):
    return np.loadtxt(os.path.join(trace, name), ndmin=1)


def network(state=None):
    layers = [nn.Linear(i, o) for i, o in LAYERS]
    if state is not None:
        with torch.no_grad():
            for name, layer in zip(NAMES, layers):
                for key in ("weight", "bias"):
                    p = getattr(layer, key)
                    p.copy_(torch.tensor(state[f"{name}.{key}"], dtype=torch.float32).reshape(p.shape))
    return layers


def forward(layers, x):  # the tutorial's forward_pass
    relu = nn.ReLU()
    for layer in layers[:-1]:
        x = relu(layer(x))
    return torch.softmax(layers[-1](x), dim=1)


def ce_loss(probs, label):  # the tutorial's ce_loss
    return torch.mean(-torch.log(probs[:, label]))


def step(layers, optimizer, x, label):
    loss = ce_loss(forward(layers, x), label)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def epoch(layers, data, demo):
    """The demonstration step and one epoch, each with a new Adam; the losses."""
    x_train, y_train, order = data
    params = [p for layer in layers for p in layer.parameters()]
    losses = [step(layers, torch.optim.Adam(params, lr=2e-4), demo[0], demo[1])]
    optimizer = torch.optim.Adam(params, lr=2e-4)
    losses += [step(layers, optimizer, x_train[i:i + 1], y_train[i]) for i in order]
    return np.array(losses)


def main():
    torch.set_num_threads(1)
    trace = sys.argv[1]
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    x_train = torch.tensor(load(trace, "x_train.txt").reshape(-1, 2), dtype=torch.float32)
    y_train = torch.tensor(load(trace, "y_train.txt"), dtype=torch.long)
    x_test = torch.tensor(load(trace, "x_test.txt").reshape(-1, 2), dtype=torch.float32)
    y_test = load(trace, "y_test.txt").astype(np.int64)
    demo = load(trace, "x_demo.txt")
    demo = (torch.tensor(demo[:2], dtype=torch.float32).reshape(1, 2), int(demo[2]))
    data = (x_train, y_train, load(trace, "order.txt").astype(np.int64))
    state = {f"{n}.{k}": load(os.path.join(trace, "init"), f"{n}.{k}.txt")
             for n in NAMES for k in ("weight", "bias")}

    layers = network(state)
    torch_losses = epoch(layers, data, demo)
    soma_losses = np.concatenate([load(trace, "demo_loss.txt"), load(trace, "epoch_loss.txt")])
    rel = np.abs(torch_losses - soma_losses) / np.abs(soma_losses)
    with torch.no_grad():
        torch_logits = layers[-1](nn.ReLU()(layers[2](nn.ReLU()(layers[1](nn.ReLU()(
            layers[0](x_test))))))).numpy()
    soma_logits = load(trace, "epoch_test_logits.txt").reshape(-1, 3)
    print(f"same weights, data and order: {len(rel)} steps, loss relative difference "
          f"max {rel.max():.2e} (step {rel.argmax()}), test logits max relative difference "
          f"{np.abs(torch_logits - soma_logits).max() / np.abs(soma_logits).max():.2e}")
    for name, logits in (("torch", torch_logits), ("soma", soma_logits)):
        predicted = logits.argmax(axis=1)
        print(f"  {name}: first-epoch test accuracy {np.mean(predicted == y_test):.6f}, "
              f"predicted Blue/Red/Yellow {np.bincount(predicted, minlength=3)}")
    print(f"test colours {np.bincount(y_test, minlength=3)}, "
          f"training colours {np.bincount(y_train.numpy(), minlength=3)}")

    print("the same data and order from torch's own initial weights:")
    for k in range(seeds):
        torch.manual_seed(2021 + k)
        layers = network()
        epoch(layers, data, demo)
        with torch.no_grad():
            predicted = forward(layers, x_test).argmax(dim=1).numpy()
        print(f"  manual_seed({2021 + k}): test accuracy {np.mean(predicted == y_test):.6f}, "
              f"predicted {np.bincount(predicted, minlength=3)}")


if __name__ == "__main__":
    main()
