#!/usr/bin/python3
"""PyTorch side of bench_lstm.cpp: the same char-LSTM training step (Embedding(64, 32),
LSTM(32, H), Linear(H, 64), cross-entropy over 32 x 50 positions, Adam), median process
CPU seconds per step, one JSON object.

    torch_lstm.py [STEPS] [REPS] [HIDDEN]
"""
import json
import sys
import time

import torch


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    hidden = int(sys.argv[3]) if len(sys.argv) > 3 else 256
    torch.manual_seed(1)
    vocab, embed_dim, batch, seq = 64, 32, 32, 50
    embed = torch.nn.Embedding(vocab, embed_dim)
    lstm = torch.nn.LSTM(embed_dim, hidden, batch_first=True)
    head = torch.nn.Linear(hidden, vocab)
    params = list(embed.parameters()) + list(lstm.parameters()) + list(head.parameters())
    adam = torch.optim.Adam(params, lr=2e-3)
    x = torch.randint(0, vocab, (batch, seq))
    y = torch.randint(0, vocab, (batch * seq,))

    def step():
        logits = head(lstm(embed(x))[0]).reshape(batch * seq, vocab)
        loss = torch.nn.functional.cross_entropy(logits, y)
        adam.zero_grad()
        loss.backward()
        adam.step()

    step()
    per_step = []
    for _ in range(reps):
        t0 = time.process_time()
        for _ in range(steps):
            step()
        per_step.append((time.process_time() - t0) / steps)
    per_step.sort()
    print(json.dumps({"seconds_per_step": per_step[len(per_step) // 2], "hidden": hidden,
                      "steps": steps, "reps": reps, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
