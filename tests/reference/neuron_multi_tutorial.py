#!/usr/bin/python3
"""Tutorial 001's "Let's try with multiple features" (../shared/tutorials/001), run with its
own code -- train_test_split, StandardScaler, LinearRegression and its Neuron class, verbatim
but for plotting -- on the Boston-shaped data of `soma example neuron-multi`, for
tests/cli/tutorial_001/neuron_multi_test.sh:
    /usr/bin/python3 tests/reference/neuron_multi_tutorial.py
Writes tests/reference/data/neuron_multi_tutorial.json.

The Boston housing data (load_boston) left scikit-learn in 1.2 and is packaged nowhere
here, so the data come from the recipe below, which examples/boston_like.hpp draws from
soma's NumpyRandomState in the same order: np.random.seed(42) makes every draw -- the data,
train_test_split's permutation (the tutorial passes no random_state, so it draws from the
global stream), the Neuron's W and B and its per-epoch shuffles -- the one soma draws.

Keras is not installed: its add-on (Dense(1) on 13 inputs, SGD lr 0.02, the whole training
set as one batch, 99 epochs, validation on the test set) runs here in PyTorch float64, the
Glorot-uniform kernel drawn from np.random.RandomState(43) (Keras draws it from
TensorFlow's generator, which no seed here reproduces) and the bias zero, as Keras starts it.
"""
import json
import os

import numpy as np
import torch
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                   "neuron_multi_tutorial.json")
SEED = 42

# ---- The Boston-shaped recipe (examples/boston_like.hpp says why each number) ----
NAMES = ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO",
         "B", "LSTAT"]
MEAN = [3.61, 11.36, 11.14, 0.0, 0.555, 6.285, 68.57, 3.795, 9.549, 408.2, 18.46, 356.7, 12.65]
SD = [8.60, 23.32, 6.86, 1.0, 0.116, 0.703, 28.15, 2.106, 8.707, 168.5, 2.165, 91.29, 7.141]
LOAD1 = [0.6, -0.6, 0.85, 0.0, 0.85, -0.3, 0.75, -0.8, 0.7, 0.75, 0.45, -0.4, 0.6]
LOAD2 = [0.1, 0.3, 0.0, 0.0, 0.0, 0.7, 0.0, 0.2, 0.3, 0.3, -0.3, 0.1, -0.55]
BETA = [-0.72, 1.33, 0.14, 0.32, -1.96, 2.39, 0.03, -3.10, 2.23, -1.52, -1.95, 1.19, -3.80]
CHAS_CUT, CHAS_P, CHAS_SD = 1.4758, 0.07, 0.2551
Y_MEAN, Y_NOISE = 22.53, 4.7


def boston_like():
    z = np.random.standard_normal((506, 16))  # per row: f1, f2, e_0..e_12, noise
    X = np.empty((506, 13))
    y = np.full(506, Y_MEAN)
    for j in range(13):
        e = z[:, 2 + j]
        if NAMES[j] == "CHAS":
            X[:, j] = (e > CHAS_CUT).astype(float)
            s = (X[:, j] - CHAS_P) / CHAS_SD
        else:
            u = np.sqrt(1.0 - LOAD1[j] * LOAD1[j] - LOAD2[j] * LOAD2[j])
            s = LOAD1[j] * z[:, 0] + LOAD2[j] * z[:, 1] + u * e
            X[:, j] = MEAN[j] + SD[j] * s
        y = y + BETA[j] * s
    y = y + Y_NOISE * z[:, 15]
    return X, y


# ---- The tutorial's code ----
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


def keras_addon(X_train, y_train, X_test, y_test, kernel):
    model = torch.nn.Linear(13, 1).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor(kernel).reshape(1, 13))
        model.bias.zero_()
    sgd = torch.optim.SGD(model.parameters(), lr=0.02)
    xt, yt = torch.tensor(X_train), torch.tensor(y_train).reshape(-1, 1)
    xv, yv = torch.tensor(X_test), torch.tensor(y_test).reshape(-1, 1)
    loss, val_loss, weights = [], [], []
    for _ in range(99):  # epochs=99, batch_size=X_train.shape[0]: one step per epoch
        sgd.zero_grad()
        batch_loss = torch.nn.functional.mse_loss(model(xt), yt)
        batch_loss.backward()
        sgd.step()
        loss.append(batch_loss.item())
        with torch.no_grad():
            val_loss.append(torch.nn.functional.mse_loss(model(xv), yv).item())
        weights.append(model.weight.detach().reshape(-1).tolist())  # on_epoch_end
    return loss, val_loss, weights, model.bias.item()


def main():
    np.random.seed(SEED)
    X, y = boston_like()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    scaler = StandardScaler()
    X_train = scaler.fit_transform(X_train)
    X_test = scaler.transform(X_test)
    lm = LinearRegression().fit(X_train, y_train)

    neuron_on_boston = Neuron(X_train, y_train, learning_rate=0.1, nb_batches=1)
    start_w, start_b = neuron_on_boston.W.ravel().tolist(), float(neuron_on_boston.B[0, 0])
    records = neuron_on_boston.run()
    # save = df.drop("bias_0", ...).stack().unstack(level=0).loc[0].T: rows epochs 1..99,
    # so save.iloc[10] is epoch 11's record and save.iloc[98] epoch 99's (the last).
    save = [records[(i, 0)][0].ravel().tolist() for i in range(1, 100)]
    last_w, last_b = records[(99, 0)][0], records[(99, 0)][1]
    pred = X_train @ last_w + last_b
    true_mse = float(np.mean((y_train - pred[:, 0]) ** 2))
    tutorial_mse_after = float(np.mean((y_train - pred) ** 2))  # the (n, n) broadcast

    limit = np.sqrt(6.0 / (13 + 1))  # glorot_uniform on a (13, 1) kernel
    kernel = np.random.RandomState(SEED + 1).uniform(-limit, limit, size=13)
    loss, val_loss, kweights, kbias = keras_addon(X_train, y_train, X_test, y_test, kernel)

    out = {
        "numpy": np.__version__,
        "torch": torch.__version__,
        "seed": SEED,
        "train_rows": int(len(y_train)),
        "test_rows": int(len(y_test)),
        "x_train_first_row": X_train[0].tolist(),
        "y_train_first": float(y_train[0]),
        "y_test_first": float(y_test[0]),
        "ols_coef": lm.coef_.tolist(),
        "ols_intercept": float(lm.intercept_),
        "neuron_start_weights": start_w,
        "neuron_start_bias": start_b,
        "neuron_records": len(records),
        "neuron_at_10": save[10],
        "neuron_at_50": save[50],
        "neuron_at_98": save[98],
        "neuron_final_bias": float(last_b[0, 0]),
        "neuron_first_mse_train": float(records[(1, 0)][2]),
        "neuron_final_mse_train": float(records[(99, 0)][2]),
        "neuron_mse_after": true_mse,
        "neuron_tutorial_mse_after": tutorial_mse_after,
        "keras_start_kernel": kernel.tolist(),
        "keras_loss": loss,
        "keras_val_loss": val_loss,
        "keras_at_98": kweights[98],
        "keras_final_bias": kbias,
    }
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print("OLS coefficients", np.round(lm.coef_, 4))
    print("neuron at 98    ", np.round(save[98], 4))
    print("keras at 98     ", np.round(kweights[98], 4))
    print("mse_train", records[(99, 0)][2], "true", true_mse, "val_loss", val_loss[-1])


if __name__ == "__main__":
    main()
