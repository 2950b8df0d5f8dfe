#!/bin/bash
# `soma tsne` on the first 1,000 Fashion-MNIST test images against scikit-learn 1.2
# (tests/reference/tsne_sklearn.py -> tests/reference/data/tsne_sklearn_fashion.json),
# with the bounds tests/embed/heavy/tsne_fashion_test.cpp puts on the library: KL at most
# 2 % above sklearn's mean, 10-NN label accuracy at most one point below, perplexity 30.
# Then a CSV input with a label column (three separated clusters, which must stay apart),
# the output CSV and --json fields, and the errors bad input must give.
# Usage: tsne_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

# Three clusters of 40 points in 5-D, centred 50 apart with spread +-1, the label in the
# middle column: every point's 10 nearest neighbours in any faithful embedding are its own.
awk 'BEGIN { srand(7); print "a,b,class,c,d,e"
  for (i = 0; i < 120; ++i) { k = i % 3; c = 50 * k
    printf "%.4f,%.4f,%d,%.4f,%.4f,%.4f\n", c + 2 * rand() - 1, c + 2 * rand() - 1, k,
      c + 2 * rand() - 1, -c + 2 * rand() - 1, 2 * rand() - 1 } }' >"$dir/clusters.csv"
"$soma" tsne "$dir/clusters.csv" --label-column class --perplexity 10 --max-iter 500 --seed 3 \
  -o "$dir/clusters_emb.csv" --json >"$dir/clusters.json" || fail "clusters failed"
[ "$(field "$dir/clusters.json" n)" = 120 ] || fail "n: $(tail -n 1 "$dir/clusters.json")"
[ "$(field "$dir/clusters.json" features)" = 5 ] || fail "features (the label column is not one)"
[ "$(field "$dir/clusters.json" method)" = exact ] || [ "$(field "$dir/clusters.json" method)" = barnes_hut ] ||
  fail "method: $(field "$dir/clusters.json" method)"
near "$(field "$dir/clusters.json" knn_accuracy)" 1 0 0 "clusters: 10-NN accuracy"
near "$(field "$dir/clusters.json" mean_perplexity)" 10 1e-4 0 "clusters: mean perplexity"
[ "$(field "$dir/clusters.json" output)" = "$dir/clusters_emb.csv" ] || fail "output field"
[ "$(head -n 1 "$dir/clusters_emb.csv")" = "x,y,label" ] || fail "embedding header"
[ "$(tail -n +2 "$dir/clusters_emb.csv" | cut -d, -f3 | paste -sd' ')" = \
  "$(tail -n +2 "$dir/clusters.csv" | cut -d, -f3 | paste -sd' ')" ] || fail "labels not in input order"
# The same seed gives the same embedding.
"$soma" tsne "$dir/clusters.csv" --label-column class --perplexity 10 --max-iter 500 --seed 3 \
  -o "$dir/again.csv" >/dev/null || fail "clusters (again) failed"
cmp -s "$dir/clusters_emb.csv" "$dir/again.csv" || fail "same seed, different embedding"
echo "ok: three clusters stay apart"

# Text labels (Iris's species): each name a class, numbered in order of first appearance;
# the embedding CSV keeps the names, in input order, and --json lists them.
iris="$src/../shared/data/iris/iris_seaborn.csv"
if [ -f "$iris" ]; then
  "$soma" tsne "$iris" --label-column species --max-iter 300 --seed 1 --out "$dir/iris_emb.csv" \
    --json >"$dir/iris.json" || fail "iris with text labels failed"
  [ "$(field "$dir/iris.json" n) $(field "$dir/iris.json" features)" = "150 4" ] ||
    fail "iris n, features: $(tail -n 1 "$dir/iris.json")"
  [ "$(field "$dir/iris.json" classes | paste -sd' ')" = "setosa versicolor virginica" ] ||
    fail "iris classes: $(tail -n 1 "$dir/iris.json")"
  [ "$(tail -n +2 "$dir/iris_emb.csv" | cut -d, -f3 | paste -sd' ')" = \
    "$(tail -n +2 "$iris" | cut -d, -f5 | paste -sd' ')" ] || fail "iris: names not in input order"
  echo "ok: iris with text labels"
else
  echo "skipped iris: $iris not found"
fi
printf 'a,b,kind\n1,2,cat\n3,4,\n' >"$dir/nolabel.csv"
refuses "nolabel.csv:3:3: expected a label, found an empty field" "empty label" -- \
  tsne "$dir/nolabel.csv" --label-column kind --out "$dir/e.csv"

# Errors name the file, the line (and column) and what was expected.
printf 'a,b\n1,2\n3,x\n' >"$dir/cell.csv"
refuses "cell.csv:3:2: expected a number, found 'x'" "bad cell" -- tsne "$dir/cell.csv" -o "$dir/e.csv"
printf 'a,b\n1,2\n3\n' >"$dir/ragged.csv"
refuses "ragged.csv:3: expected 2 fields, found 1" "ragged row" -- tsne "$dir/ragged.csv" -o "$dir/e.csv"
refuses "clusters.csv:1: no column named 'label' in the header" "label column" -- \
  tsne "$dir/clusters.csv" --label-column label -o "$dir/e.csv"
: >"$dir/empty.csv"
refuses "empty.csv: no data rows" "empty file" -- tsne "$dir/empty.csv" -o "$dir/e.csv"
refuses "perplexity = 200.*less than the number of samples \(120\)" "perplexity" -- \
  tsne "$dir/clusters.csv" --label-column class --perplexity 200 -o "$dir/e.csv"
refuses "--init 'svd': expected pca or random" "init" -- \
  tsne "$dir/clusters.csv" --label-column class --perplexity 10 --init svd -o "$dir/e.csv"
refuses "tree" "method" -- tsne "$dir/clusters.csv" --label-column class --method tree -o "$dir/e.csv"
refuses "nothing.csv: cannot open" "missing file" -- tsne "$dir/nothing.csv" -o "$dir/e.csv"
# scikit-learn takes 'auto' or a number > 0; 0 was soma's old spelling of auto.
"$soma" tsne "$dir/clusters.csv" --learning-rate 0 -o "$dir/e.csv" >/dev/null 2>"$dir/err" &&
  fail "--learning-rate 0 accepted"
grep -q -- "--learning-rate.*expected auto or a positive number, got '0'" "$dir/err" ||
  fail "--learning-rate 0: $(cat "$dir/err")"
"$soma" tsne "$dir/clusters.csv" --n -5 -o "$dir/e.csv" >/dev/null 2>"$dir/err" &&
  fail "--n -5 accepted"
grep -q -- "--n" "$dir/err" || fail "--n -5: $(cat "$dir/err")"

fashion=/usr/share/datasets/fashion-mnist
needs_data "$fashion/t10k-images-idx3-ubyte.gz" "Fashion-MNIST (Debian package dataset-fashion-mnist)"
images="$fashion/t10k-images-idx3-ubyte.gz" labels="$fashion/t10k-labels-idx1-ubyte.gz"
reference="$src/tests/reference/data/tsne_sklearn_fashion.json"
# sklearn's mean over its seeds for n = 1000.
mean_1000() { "$json" --whole runs <"$reference" | grep '"n":1000,' | while read -r run; do
  "$json" "$1" <<<"$run"; done | awk '{ s += $1 } END { if (NR) printf "%.17g", s / NR }'; }
kl_ref=$(mean_1000 kl_divergence) acc_ref=$(mean_1000 knn_accuracy)
[ -n "$kl_ref" ] && [ -n "$acc_ref" ] || fail "no n = 1000 runs in $reference"
# (The fft method is left to the library's heavy test: at n = 1,000 it takes ~20 s of CPU.)
for method in barnes_hut; do
  "$soma" tsne "$images" --labels "$labels" --n 1000 --seed 0 --method $method \
    -o "$dir/fashion.csv" --json >"$dir/fashion.json" || fail "fashion $method failed"
  kl=$(field "$dir/fashion.json" kl_divergence) acc=$(field "$dir/fashion.json" knn_accuracy)
  awk -v kl="$kl" -v ref="$kl_ref" 'BEGIN { exit !(kl <= ref * 1.02) }' ||
    fail "$method: KL $kl, more than 2 % above sklearn's $kl_ref"
  awk -v a="$acc" -v ref="$acc_ref" 'BEGIN { exit !(a >= ref - 0.01) }' ||
    fail "$method: 10-NN accuracy $acc, more than a point below sklearn's $acc_ref"
  near "$(field "$dir/fashion.json" mean_perplexity)" 30 1e-5 0 "$method: mean perplexity"
  [ "$(field "$dir/fashion.json" method)" = $method ] || fail "method field"
  [ "$(field "$dir/fashion.json" n) $(field "$dir/fashion.json" features) $(field "$dir/fashion.json" n_iter)" = \
    "1000 784 1000" ] || fail "n, features, n_iter: $(tail -n 1 "$dir/fashion.json")"
  echo "ok: fashion $method: KL $kl (sklearn $kl_ref), 10-NN accuracy $acc (sklearn $acc_ref)"
done
# The label column holds the IDX labels of the first 1,000 images, in order.
[ "$(tail -n +2 "$dir/fashion.csv" | cut -d, -f3 | paste -sd' ')" = \
  "$(gzip -dc "$labels" | tail -c +9 | head -c 1000 | od -An -tu1 -v | xargs)" ] ||
  fail "embedding labels are not the IDX labels"
refuses "t10k-images-idx3-ubyte.gz: expected one label per sample \(a 1-D array\), found a 10000 x 28 x 28 array" \
  "images as labels" -- tsne "$images" --labels "$images" --n 100 -o "$dir/e.csv"
head -c 1000 "$images" >"$dir/truncated.gz"
refuses "truncated.gz: invalid IDX file: .*the gzip stream is truncated" "truncated IDX" -- \
  tsne "$dir/truncated.gz" -o "$dir/e.csv"
printf '3\n1\n' >"$dir/two.csv"
refuses "two.csv: 2 labels for 100 samples" "too few labels" -- \
  tsne "$images" --labels "$dir/two.csv" --n 100 -o "$dir/e.csv"
# As many labels as --n uses are enough.
"$soma" tsne "$images" --labels "$dir/two.csv" --n 2 --perplexity 0.5 --max-iter 250 --init random \
  -o "$dir/e.csv" --json >"$dir/two.json" || fail "--n 2 with 2 labels: $(tail -n 1 "$dir/two.json")"
echo "ok: soma tsne"
