#!/usr/bin/python3
"""Reference figures for soma's t-SNE: scikit-learn's Barnes-Hut TSNE on the first N
Fashion-MNIST test images (pixels / 255), N = 1000, 5000, 10000.

Writes tests/reference/data/tsne_sklearn_fashion.json with, per N and seed, the final
KL divergence (sklearn's kl_divergence_), the 10-nearest-neighbour leave-one-out label
accuracy in the 2-D embedding (ties to the smallest label, as soma's knn_accuracy) and
the wall time. Run once with Debian's python3-sklearn:
    /usr/bin/python3 tests/reference/tsne_sklearn.py
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors

DATA = "/usr/share/datasets/fashion-mnist"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tsne_sklearn_fashion.json")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def knn_accuracy(Y, labels, k=10):
    nn = NearestNeighbors(n_neighbors=k + 1).fit(Y)
    _, idx = nn.kneighbors(Y)
    correct = 0
    for i in range(len(Y)):
        neigh = [j for j in idx[i] if j != i][:k]
        votes = np.bincount(labels[neigh], minlength=10)
        correct += int(np.argmax(votes) == labels[i])  # argmax: ties to the smallest label
    return correct / len(Y)


def main():
    images = read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz").reshape(10000, -1).astype(np.float32) / 255.0
    labels = read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 5000, 10000]
    runs = []
    for n in sizes:
        seeds = [0, 1, 2] if n <= 1000 else [0]
        for seed in seeds:
            t0 = time.perf_counter()
            tsne = TSNE(n_components=2, perplexity=30.0, early_exaggeration=12.0,
                        learning_rate="auto", n_iter=1000, init="pca", method="barnes_hut",
                        angle=0.5, random_state=seed)
            Y = tsne.fit_transform(images[:n])
            seconds = time.perf_counter() - t0
            acc = knn_accuracy(Y, labels[:n])
            runs.append({"n": n, "seed": seed, "kl_divergence": float(tsne.kl_divergence_),
                         "knn_accuracy": acc, "seconds": seconds})
            print(runs[-1], flush=True)
    with open(OUT, "w") as f:
        json.dump({"sklearn": sklearn.__version__, "data": "Fashion-MNIST t10k, first n images, pixels/255",
                   "tsne": "perplexity 30, early_exaggeration 12, learning_rate auto, n_iter 1000, init pca, barnes_hut angle 0.5",
                   "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
