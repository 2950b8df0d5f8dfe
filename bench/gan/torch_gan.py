# PyTorch side of bench/gan: one epoch of the conditional DCGAN of soma example gan
# (examples/gan_model.hpp: width 32, batch 128, Adam 2e-4, betas 0.5/0.999, the same
# initialisation and step), on the first IMAGES Fashion-MNIST training images, shuffled.
# Prints one JSON line like bench_gan.
#   /usr/bin/python3 torch_gan.py THREADS [IMAGES]
import gzip, json, sys, time
import numpy as np
import torch
from torch import nn

threads = int(sys.argv[1])
torch.set_num_threads(threads)
torch.manual_seed(0)
d = "/usr/share/datasets/fashion-mnist/"
with gzip.open(d + "train-images-idx3-ubyte.gz") as f:
    x_all = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=16).astype(np.float32) / 255).reshape(-1, 1, 28, 28)
with gzip.open(d + "train-labels-idx1-ubyte.gz") as f:
    y_all = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64))
n = min(int(sys.argv[2]), len(x_all)) if len(sys.argv) > 2 else len(x_all)
real_all = x_all * 2 - 1
W, NZ, NE = 32, 64, 16


def init(m):
    if isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)
    elif isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


class G(nn.Module):
    def __init__(self):
        super().__init__()
        self.label = nn.Embedding(10, NE)
        self.net = nn.Sequential(
            nn.ConvTranspose2d(NZ + NE, 2 * W, 7, bias=False), nn.BatchNorm2d(2 * W), nn.ReLU(),
            nn.ConvTranspose2d(2 * W, W, 4, 2, 1, bias=False), nn.BatchNorm2d(W), nn.ReLU(),
            nn.ConvTranspose2d(W, 1, 4, 2, 1), nn.Tanh())

    def forward(self, z, y):
        return self.net(torch.cat([z, self.label(y)], 1).reshape(-1, NZ + NE, 1, 1))


class D(nn.Module):
    def __init__(self):
        super().__init__()
        self.label = nn.Embedding(10, 784)
        self.net = nn.Sequential(
            nn.Conv2d(2, W, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(W, 2 * W, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * W), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * W, 1, 7))

    def forward(self, x, y):
        return self.net(torch.cat([x, self.label(y).reshape(-1, 1, 28, 28)], 1)).reshape(-1)


g, dis = G(), D()
g.apply(init)
dis.apply(init)
opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(dis.parameters(), lr=2e-4, betas=(0.5, 0.999))
bce = nn.BCEWithLogitsLoss()
order = torch.randperm(len(x_all))
sum_d = sum_g = 0.0
steps = 0
t0 = time.perf_counter()
cpu0 = time.process_time()
for at in range(0, n, 128):
    idx = order[at:min(at + 128, n)]
    real, labels = real_all[idx], y_all[idx]
    b = len(idx)
    ones, zeros = torch.ones(b), torch.zeros(b)
    z = torch.randn(b, NZ)
    fake_labels = torch.randint(0, 10, (b,))
    fake = g(z, fake_labels)
    opt_d.zero_grad()
    loss_d = bce(dis(real, labels), ones) + bce(dis(fake.detach(), fake_labels), zeros)
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad()
    loss_g = bce(dis(fake, fake_labels), ones)
    loss_g.backward()
    opt_g.step()
    sum_d += loss_d.item()
    sum_g += loss_g.item()
    steps += 1
s = time.perf_counter() - t0
cpu = time.process_time() - cpu0
print(json.dumps({"threads": threads, "images": n, "seconds": s, "cpu_seconds": cpu,
                  "images_per_s": n / s, "d_loss": sum_d / steps, "g_loss": sum_g / steps}))
