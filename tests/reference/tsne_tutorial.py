#!/usr/bin/python3
"""The tutorial's t-SNE programs (../shared/tutorials/000, "Introduction to t-SNE in Python
with scikit-learn") run with Debian's NumPy, SciPy and scikit-learn 1.2, for
`soma example tsne` and `soma example tsne --steps`:
    /usr/bin/python3 tests/reference/tsne_tutorial.py
Writes tests/reference/data/tsne_tutorial.json.

No MNIST digits are packaged here (fetch_openml needs the network), so the data is
Fashion-MNIST as fetch_openml('Fashion-MNIST') orders it: the 60,000 training images, then
the 10,000 test images, raw pixels 0-255 as float, drawn as the tutorial draws MNIST:
np.random.seed(100); np.random.choice(70000, 1000, replace=False).

TSNE(n_components) with the defaults of the tutorial's day (scikit-learn 0.22-0.24:
perplexity 30, early_exaggeration 12, learning_rate 200, n_iter 1000, init 'random',
Barnes-Hut at angle 0.5); the tutorial leaves random_state unset, so three seeds are run.
The steps as written: pairwise_distances (not squared) passed to _joint_probabilities,
the Student-t perplexities 2**entropy of distance_matrix[0, 1:], the initial embedding
1e-4 * np.random.randn(1000, 2).astype(np.float32) from the same global stream, and
_gradient_descent(_kl_divergence, ...) from iteration 0 to 1000 with its defaults (no
early exaggeration, momentum 0.8, learning rate 200).
"""
import gzip
import json
import os

import numpy as np
import sklearn
from scipy.stats import entropy, t as t_dist
from sklearn.manifold import TSNE, _t_sne
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import NearestNeighbors

DATA = "/usr/share/datasets/fashion-mnist"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tsne_tutorial.json")


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
        correct += int(np.argmax(votes) == labels[i])
    return correct / len(Y)


def main():
    X = np.concatenate([read_idx(f"{DATA}/train-images-idx3-ubyte.gz").reshape(60000, -1),
                        read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz").reshape(10000, -1)])
    X = X.astype(np.float64)
    y = np.concatenate([read_idx(f"{DATA}/train-labels-idx1-ubyte.gz"),
                        read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz")]).astype(np.int64)
    np.random.seed(100)
    subsample_idc = np.random.choice(X.shape[0], 1000, replace=False)
    X = X[subsample_idc, :]
    y = y[subsample_idc]
    out = {"sklearn": sklearn.__version__, "first_indices": subsample_idc[:5].tolist(),
           "X_shape": list(X.shape), "label_counts": np.bincount(y, minlength=10).tolist()}

    # The steps, on the global stream as the tutorial runs them.
    distance_matrix = pairwise_distances(X, metric="euclidean")
    x = distance_matrix[0, 1:]
    P_01 = t_dist(df=1.0, loc=0.0, scale=1.0).pdf(x)
    P_10 = t_dist(df=1.0, loc=0.0, scale=10.0).pdf(x)
    out["distance_0_mean"] = float(x.mean())
    out["perplexity_01"] = float(2 ** entropy(P_01))
    out["perplexity_10"] = float(2 ** entropy(P_10))
    p = _t_sne._joint_probabilities(distances=distance_matrix, desired_perplexity=30,
                                    verbose=False)
    out["p_len"] = int(len(p))
    out["p_sum"] = float(p.sum())
    out["p_max"] = float(p.max())
    X_embedded = 1e-4 * np.random.randn(1000, 2).astype(np.float32)
    out["init_first_row"] = X_embedded[0].astype(float).tolist()
    embedding_init = X_embedded.ravel()
    kl_kwargs = {"P": p, "degrees_of_freedom": 1, "n_samples": 1000, "n_components": 2}
    out["steps_kl_init"] = float(_t_sne._kl_divergence(embedding_init, **kl_kwargs)[0])
    embedding_done = _t_sne._gradient_descent(_t_sne._kl_divergence, embedding_init, 0, 1000,
                                              kwargs=kl_kwargs)
    out["steps_kl_final"] = float(embedding_done[1])
    out["steps_iterations"] = int(embedding_done[2])
    out["steps_knn_accuracy"] = knn_accuracy(embedding_done[0].reshape(1000, 2), y)

    runs = []
    for seed in [0, 1, 2]:
        tsne = TSNE(2, perplexity=30.0, early_exaggeration=12.0, learning_rate=200.0,
                    n_iter=1000, init="random", method="barnes_hut", angle=0.5,
                    random_state=seed)
        Y = tsne.fit_transform(X)
        runs.append({"seed": seed, "kl_divergence": float(tsne.kl_divergence_),
                     "knn_accuracy": knn_accuracy(Y, y), "shape": list(Y.shape)})
    out["tsne"] = runs
    print(json.dumps(out, indent=1))
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
