#!/usr/bin/python3
"""Reference values for tests/data/titanic_test.cpp, from the Python standard library
alone (Debian's python3 has no pandas): the Titanic preprocessing of the tutorial done
by hand, written to tests/reference/data/titanic_*.csv.

Pipeline (the tutorial's final code): Age and Fare missing -> the train median;
"Cabin Letter" = first letter of Cabin (missing stays missing); one-hot columns with a
NaN column for the tutorial's categorical_cols, Pclass, Sex, Embarked, Cabin Letter and
SibSp, categories taken from train only (a test value train never had counts as
missing, as pandas does with a fixed category list). Kept as numbers: Age, Parch, Fare.

Run: /usr/bin/python3 tests/reference/titanic_features.py /work/shared/data/titanic
"""
import csv
import os
import statistics
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/titanic"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def load(name):
    with open(os.path.join(src, name), newline="") as f:
        return list(csv.DictReader(f))


train, test = load("train.csv"), load("test.csv")
age_median = statistics.median(float(r["Age"]) for r in train if r["Age"])
fare_median = statistics.median(float(r["Fare"]) for r in train if r["Fare"])
for rows in (train, test):
    for r in rows:
        r["Age"] = float(r["Age"]) if r["Age"] else age_median
        r["Fare"] = float(r["Fare"]) if r["Fare"] else fare_median
        r["Cabin Letter"] = r["Cabin"][:1] if r["Cabin"] else None
        r["Embarked"] = r["Embarked"] or None


def key(column, value):
    # Category order as pandas: numbers ascending, text in byte order.
    return int(value) if column in ("Pclass", "SibSp") else value


encoded = ["Pclass", "Sex", "Embarked", "Cabin Letter", "SibSp"]
features = ["Age", "Parch", "Fare"]
categories = {}
for c in encoded:
    cats = sorted({key(c, r[c]) for r in train if r[c] is not None})
    categories[c] = cats
    features += [f"{c}_{v}" for v in cats] + [f"{c}_nan"]


def value(r, feature):
    if feature in ("Age", "Parch", "Fare"):
        return float(r[feature])
    column, label = feature.rsplit("_", 1)
    v = r[column]
    v = None if v is None else key(column, v)
    if v not in categories[column]:
        v = None
    return 1.0 if (label == "nan" and v is None) or (v is not None and str(v) == label) else 0.0


with open(os.path.join(out, "titanic_features.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["feature", "train_sum", "test_sum"])
    for feat in features:
        w.writerow([feat, repr(sum(value(r, feat) for r in train)),
                    repr(sum(value(r, feat) for r in test))])

with open(os.path.join(out, "titanic_stats.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["name", "value"])
    w.writerow(["age_median", repr(age_median)])
    w.writerow(["fare_median", repr(fare_median)])
    w.writerow(["age_mean_raw", repr(statistics.mean(
        float(r["Age"]) for r in load("train.csv") if r["Age"]))])
    w.writerow(["survived", sum(int(r["Survived"]) for r in train)])
    w.writerow(["rows_train", len(train)])
    w.writerow(["rows_test", len(test)])
    w.writerow(["features", len(features)])
print(len(features), "features")
