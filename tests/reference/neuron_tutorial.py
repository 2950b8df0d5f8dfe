#!/usr/bin/python3
"""Reference ranges for tutorial 001's figures (tests/cli/tutorial_001_test.sh).

Runs the tutorial's own code -- its data recipes, LinearRegression and StandardScaler,
algo_simple_linreg's grid and its Neuron class, verbatim but for plotting -- with
np.random seeded 0..SEEDS-1 (the tutorial seeds nothing), and writes, per figure, the
range over the seeds to tests/reference/data/neuron_tutorial.txt as lines
"example name min max tutorial" (the tutorial's printed value last, nan where it prints
none), the format tests/cli/tutorial_ranges_test.sh reads. Every printed value must
itself lie inside its range, or the recipe here is not the tutorial's: checked below.

Run: /usr/bin/python3 tests/reference/neuron_tutorial.py [SEEDS]   (default 200)
"""
import os
import sys

import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def split_n_batch_indexes(X, nb_chunks=5):
    indexes = np.arange(len(X))
    shuffled_indexes = np.random.shuffle(indexes)  # noqa: F841 (the tutorial's line)
    return np.array_split(indexes, nb_chunks)


class Neuron:
    def __init__(self, X, y, nb_epochs=100, nb_batches=5, learning_rate=0.01,
                 activation="linear"):
        self.X, self.y = X, y
        self.W = np.random.random(size=(X.shape[1], 1))
        self.B = np.random.random(size=(1, 1))
        self.nb_epochs = nb_epochs
        self.nb_batches = nb_batches
        self.learning_rate = learning_rate
        if activation == "linear":
            self.activation = lambda x: x
            self.derivative = lambda x: 1
        self.records = {}

    def forward_pass(self, is_batch):
        self.y_pred_batch = self.activation(self.X[is_batch] @ self.W + self.B)
        self.y_pred = self.activation(self.X @ self.W + self.B)

    def compute_mse_on_whole_dataset(self):
        self.mse = np.mean((self.y - self.y_pred)**2)

    def backpropagation(self, is_batch):
        dE_dout = 2 * (self.y_pred_batch - self.y[is_batch, np.newaxis])
        dout_dz = self.derivative(self.X[is_batch])
        dz_dw = self.X[is_batch]
        self.dE_dw = dE_dout * dout_dz * dz_dw
        self.dE_db = dE_dout * dout_dz * 1

    def update_weights_and_biases(self):
        dE_dw = self.dE_dw.mean(axis=0)[:, np.newaxis]
        dE_db = self.dE_db.mean(axis=0)[:, np.newaxis]
        self.W = self.W - self.learning_rate * dE_dw
        self.B = self.B - self.learning_rate * dE_db

    def run(self):
        for i in range(1, self.nb_epochs):
            for batch_i, indices in enumerate(split_n_batch_indexes(self.X, self.nb_batches)):
                self.forward_pass(indices)
                self.compute_mse_on_whole_dataset()
                self.backpropagation(indices)
                self.update_weights_and_biases()
                self.records[(i, batch_i)] = [self.W, self.B, self.mse]
        return self.records


def one(seed):
    np.random.seed(seed)
    out = {}
    x = np.linspace(0, 100, 100)
    y = 8 * x + np.random.normal(x, 100)
    lm = LinearRegression().fit(x[:, np.newaxis], y)
    out["ols100_raw_intercept"], out["ols100_raw_coef"] = lm.intercept_, lm.coef_[0]
    xs = StandardScaler().fit_transform(x[:, np.newaxis])
    lm = LinearRegression(fit_intercept=True).fit(xs, y)
    out["ols100_scaled_intercept"], out["ols100_scaled_coef"] = lm.intercept_, lm.coef_[0]
    # algo_simple_linreg, vectorised: the same grid, the same first minimum.
    grid = np.linspace(-5000, 5000, 100)
    b0, b1 = np.meshgrid(grid, grid, indexing="ij")
    mse = ((b0[..., None] + b1[..., None] * xs[:, 0] - y) ** 2).mean(axis=2)
    i, j = np.unravel_index(np.argmin(mse), mse.shape)
    out["grid_beta0"], out["grid_beta1"] = grid[i], grid[j]
    assert np.isclose(mse[i, j], mean_squared_error(grid[i] + grid[j] * xs[:, 0], y))

    x = np.linspace(0, 100, 800)
    y = 8 * x + np.random.normal(x, 200)
    x = x[:, np.newaxis]
    X_train, X_test, y_train, y_test = train_test_split(x, y)
    scaler = StandardScaler().fit(X_train)
    X_train = scaler.transform(X_train)
    neuron = Neuron(X_train, y_train)
    records = neuron.run()
    first, last = records[(1, 0)], records[(99, 4)]
    out["records"] = len(records)
    out["train_size"] = len(y_train)
    out["first_weight"], out["first_bias"] = first[0][0, 0], first[1][0, 0]
    out["first_mse_train"] = first[2]
    out["final_weight"], out["final_bias"] = last[0][0, 0], last[1][0, 0]
    out["final_mse_train"] = last[2]
    return out


# The tutorial's printed figures.
TUTORIAL = {
    "ols100_raw_intercept": 37.18580177143173, "ols100_raw_coef": 8.22801749,
    "ols100_scaled_intercept": 448.5866764712714, "ols100_scaled_coef": 239.90962559,
    "grid_beta0": 454.54545454545496, "grid_beta1": 252.52525252525265,
    "records": 495, "first_weight": 4.443509449033136, "first_bias": 9.644383787235665,
    "first_mse_train": 316078.087993, "final_weight": 257.4797445493716,
    "final_bias": 457.8868223084108, "final_mse_train": 173026.140104,
}


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    runs = [one(s) for s in range(seeds)]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "neuron_tutorial.txt")
    with open(path, "w") as f:
        f.write(f"# tests/reference/neuron_tutorial.py, {seeds} seeds: example name min max tutorial\n")
        for k in runs[0]:
            v = [r[k] for r in runs]
            t = TUTORIAL.get(k, float("nan"))
            if k in TUTORIAL:
                assert min(v) <= t <= max(v), f"{k}: the tutorial's {t} is outside [{min(v)}, {max(v)}]"
            f.write(f"neuron {k} {min(v)!r} {max(v)!r} {t!r}\n")
            print(f"{k:26s} {min(v):14.6f} {max(v):14.6f}   tutorial {t}")


if __name__ == "__main__":
    main()
