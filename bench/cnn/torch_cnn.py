# PyTorch side of bench/cnn: one Fashion-MNIST epoch of W4 (MLP) or W5 (CNN), batch 64,
# Adam lr 1e-3, shuffled, the same IDX files as soma. Prints one JSON line like bench_cnn.
#   /usr/bin/python3 torch_cnn.py mlp|cnn THREADS [IMAGES]
import gzip, json, resource, sys, time
import numpy as np
import torch
from torch import nn

kind, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)
d = "/usr/share/datasets/fashion-mnist/"
with gzip.open(d + "train-images-idx3-ubyte.gz") as f:
    x_all = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=16).astype(np.float32) / 255).reshape(-1, 1, 28, 28)
with gzip.open(d + "train-labels-idx1-ubyte.gz") as f:
    y_all = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64))
n = min(int(sys.argv[3]), len(x_all)) if len(sys.argv) > 3 else len(x_all)
if kind == "mlp":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
else:
    model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
order = torch.randperm(len(x_all))
loss_fn = nn.CrossEntropyLoss()
loss_sum, batches = 0.0, 0
t0 = time.perf_counter()
cpu0 = time.process_time()  # CPU time: steadier than wall time on a shared machine
for start in range(0, n, 64):
    idx = order[start:min(start + 64, n)]
    x, y = x_all[idx], y_all[idx]
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    loss_sum += loss.item()
    batches += 1
s = time.perf_counter() - t0
cpu = time.process_time() - cpu0
print(json.dumps({"model": kind, "threads": threads, "images": n, "seconds": s, "images_per_s": n / s,
                  "cpu_seconds": cpu,
                  "mean_loss": loss_sum / batches,
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
