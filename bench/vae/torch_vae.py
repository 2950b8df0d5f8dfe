# PyTorch side of bench/vae: one training epoch of examples/vae.cpp's convolutional VAE
# (conv 1→16→32 4x4 stride 2 pad 1, Linear(1568, 4); Linear(2, 1568), ConvTranspose2d
# 32→16→1; -ELBO = BCE-with-logits summed over pixels + KL, one reparameterised sample),
# Adam lr 1e-3, batch 128, the first IMAGES training images shuffled, the same IDX files as
# soma. Prints one JSON line like bench_vae.
#   /usr/bin/python3 torch_vae.py THREADS [IMAGES]
import gzip, json, resource, sys, time
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

threads = int(sys.argv[1])
torch.set_num_threads(threads)
torch.manual_seed(0)
d = "/usr/share/datasets/fashion-mnist/"
with gzip.open(d + "train-images-idx3-ubyte.gz") as f:
    x_all = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=16).astype(np.float32) / 255).reshape(-1, 1, 28, 28)
n = max(1, min(int(sys.argv[2]) if len(sys.argv) > 2 else 20000, len(x_all)))
latent, flat = 2, 32 * 7 * 7
c1 = nn.Conv2d(1, 16, 4, stride=2, padding=1)
c2 = nn.Conv2d(16, 32, 4, stride=2, padding=1)
head = nn.Linear(flat, 2 * latent)
fc = nn.Linear(latent, flat)
t1 = nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1)
t2 = nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1)
params = [p for m in (c1, c2, head, fc, t1, t2) for p in m.parameters()]
opt = torch.optim.Adam(params, lr=1e-3)


def loss_fn(x):
    h = head(F.relu(c2(F.relu(c1(x)))).reshape(-1, flat))
    mu, logvar = h[:, :latent], h[:, latent:]
    z = mu + torch.exp(logvar * 0.5) * torch.randn_like(mu)
    kl = (torch.exp(logvar) + mu * mu - logvar - 1.0).sum() * 0.5
    logits = t2(F.relu(t1(F.relu(fc(z)).reshape(-1, 32, 7, 7))))
    return F.binary_cross_entropy_with_logits(logits, x, reduction="sum") + kl


order = torch.randperm(n)
loss_sum = 0.0
t0 = time.perf_counter()
cpu0 = time.process_time()  # CPU time: steadier than wall time on a shared machine
for start in range(0, n, 128):
    x = x_all[order[start:min(start + 128, n)]]
    loss = loss_fn(x)
    opt.zero_grad()
    (loss / len(x)).backward()
    opt.step()
    loss_sum += loss.item()
s = time.perf_counter() - t0
cpu = time.process_time() - cpu0
print(json.dumps({"threads": threads, "images": n, "seconds": s, "images_per_s": n / s,
                  "cpu_seconds": cpu, "mean_loss": loss_sum / n,
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
