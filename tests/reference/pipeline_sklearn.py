#!/usr/bin/python3
"""Reference values for tests/data/pipeline_test.cpp: soma::data::Pipeline against
scikit-learn's own preprocessing (sklearn 1.2) on a small frame with missing values, text
and integer categories and a category that only the test rows have.

The steps, in soma's terms and scikit-learn's:
  fillna age, strategy median   SimpleImputer(strategy="median")
  fillna port, strategy mode    SimpleImputer(strategy="most_frequent")
  fillna fare, value 10         SimpleImputer(strategy="constant", fill_value=10)
  drop id                       (the column left out)
  one_hot sex, port, pclass     OneHotEncoder(handle_unknown="ignore"), fitted on train
  standardize age, fare         StandardScaler() (population standard deviation)
Each fitted on the training rows only and applied to the test rows.

Writes tests/reference/data/pipeline_train.csv and pipeline_test.csv (the inputs) and
pipeline_sklearn.txt: "train.COLUMN v1 v2 ..." and "test.COLUMN ..." for every output
column (one-hot columns named COLUMN_CATEGORY), and the fitted statistics.

Run: /usr/bin/python3 tests/reference/pipeline_sklearn.py
"""
import os

import numpy as np
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
header = ["id", "age", "fare", "sex", "port", "pclass", "y"]
# "" is a missing value. The test rows have port Q and pclass 4, which train never had.
train_rows = [
    ["1", "22", "7.25", "male", "S", "3", "0"],
    ["2", "38", "71.2833", "female", "C", "1", "1"],
    ["3", "", "7.925", "female", "S", "3", "1"],
    ["4", "35", "", "female", "S", "1", "1"],
    ["5", "54", "8.05", "male", "", "1", "0"],
    ["6", "2", "21.075", "male", "C", "2", "0"],
    ["7", "", "11.1333", "female", "S", "3", "1"],
    ["8", "14", "30.0708", "female", "C", "2", "1"],
]
test_rows = [
    ["9", "", "16.7", "male", "Q", "3", "0"],
    ["10", "58", "", "female", "", "4", "1"],
    ["11", "20", "8.05", "male", "S", "2", "0"],
]


def write_csv(name, rows):
    with open(os.path.join(out, name), "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def column(rows, name, numeric):
    j = header.index(name)
    if numeric:
        return np.array([[float(r[j]) if r[j] else np.nan] for r in rows])
    return np.array([[r[j] if r[j] else np.nan] for r in rows], dtype=object)


write_csv("pipeline_train.csv", train_rows)
write_csv("pipeline_test.csv", test_rows)

age = SimpleImputer(strategy="median").fit(column(train_rows, "age", True))
port = SimpleImputer(strategy="most_frequent").fit(column(train_rows, "port", False))
fare = SimpleImputer(strategy="constant", fill_value=10.0).fit(column(train_rows, "fare", True))


def filled(rows):
    pclass = np.array([[int(r[header.index("pclass")])] for r in rows], dtype=object)
    return {
        "age": age.transform(column(rows, "age", True)),
        "fare": fare.transform(column(rows, "fare", True)),
        "sex": column(rows, "sex", False),
        "port": port.transform(column(rows, "port", False)),
        "pclass": pclass,
    }


train_f, test_f = filled(train_rows), filled(test_rows)
cats = np.hstack([train_f["sex"], train_f["port"], train_f["pclass"]])
onehot = OneHotEncoder(handle_unknown="ignore").fit(cats)
names = list(onehot.get_feature_names_out(["sex", "port", "pclass"]))
scaler = StandardScaler().fit(np.hstack([train_f["age"], train_f["fare"]]))


def transformed(f):
    num = scaler.transform(np.hstack([f["age"], f["fare"]]))
    oh = onehot.transform(np.hstack([f["sex"], f["port"], f["pclass"]])).toarray()
    cols = {"age": num[:, 0], "fare": num[:, 1]}
    for k, n in enumerate(names):
        cols[n] = oh[:, k]
    return cols


with open(os.path.join(out, "pipeline_sklearn.txt"), "w") as f:
    f.write("# tests/reference/pipeline_sklearn.py, scikit-learn %s, numpy %s\n"
            % (sklearn.__version__, np.__version__))
    f.write("stat.age_median %r\n" % age.statistics_[0])
    f.write("# the most frequent port, as an index into the categories C, S\n")
    f.write("stat.port_mode %d\n" % ["C", "S"].index(port.statistics_[0]))
    f.write("stat.mean %r %r\n" % tuple(scaler.mean_))
    f.write("stat.scale %r %r\n" % tuple(scaler.scale_))
    for split, f_ in (("train", train_f), ("test", test_f)):
        for name, values in transformed(f_).items():
            f.write("%s.%s %s\n" % (split, name, " ".join(repr(float(v)) for v in values)))
