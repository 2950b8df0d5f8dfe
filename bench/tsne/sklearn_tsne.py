#!/usr/bin/python3
"""scikit-learn's Barnes-Hut TSNE on the first N Fashion-MNIST test (or all 70,000)
images; prints one JSON line with wall and CPU seconds (all threads), KL and 10-NN accuracy. Threads follow
OMP_NUM_THREADS (set by bench/tsne/run)."""
import gzip, json, sys, time
import numpy as np
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors

def read_idx(path):
    raw = gzip.open(path, "rb").read()
    nd = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * nd).reshape(dims)

n = int(sys.argv[1])
d = "/usr/share/datasets/fashion-mnist"
X = read_idx(f"{d}/t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32)[:n] / 255.0
y = read_idx(f"{d}/t10k-labels-idx1-ubyte.gz").astype(np.int64)[:n]
t0, c0 = time.perf_counter(), time.process_time()
t = TSNE(n_components=2, perplexity=30.0, learning_rate="auto", n_iter=1000, init="pca",
         method="barnes_hut", random_state=0, n_jobs=int(sys.argv[2]))
Y = t.fit_transform(X)
sec, cpu = time.perf_counter() - t0, time.process_time() - c0
_, idx = NearestNeighbors(n_neighbors=11).fit(Y).kneighbors(Y)
acc = np.mean([np.argmax(np.bincount(y[[j for j in idx[i] if j != i][:10]], minlength=10)) == y[i]
               for i in range(n)])
print(json.dumps({"embed_seconds": sec, "embed_cpu_seconds": cpu, "kl_divergence": float(t.kl_divergence_), "knn_accuracy": float(acc)}))
