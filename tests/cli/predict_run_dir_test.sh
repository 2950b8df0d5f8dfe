#!/bin/bash
# Issue 14, item 3: a run directory alone predicts. `soma train` saves the preprocessing it
# fitted (pipeline.json) with the model; `soma predict` must give the same predictions
# after the training CSV has moved away, and after another file took its place (re-fitting
# on that one would give other statistics). A run from before pipeline.json re-fits on its
# training CSV as soma used to, and without that file says to retrain.
# Usage: predict_run_dir_test.sh SOMA SOURCE_DIR
set -u
soma=$1 src=$2
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

mkdir "$dir/data"
for f in tiny.toml tiny_train.csv tiny_test.csv; do cp "$src/tests/cli/data/$f" "$dir/data/"; done
cp "$src/tests/cli/data/tiny_test.csv" "$dir/input.csv"
"$soma" train --config "$dir/data/tiny.toml" --runs "$dir/runs" --json >"$dir/train.out" 2>&1 ||
  fail "train: $(cat "$dir/train.out")"
run=$(ls -d "$dir"/runs/*)
[ -s "$run/pipeline.json" ] || fail "no pipeline.json in $run: $(ls "$run")"

predict() {  # OUTPUT
  "$soma" predict --model "$run" --input "$dir/input.csv" --output "$1" >"$dir/predict.out" 2>&1 ||
    fail "predict: $(cat "$dir/predict.out")"
}
predict "$dir/before.csv"
[ "$(wc -l <"$dir/before.csv")" = 3 ] || fail "expected a header and two rows: $(cat "$dir/before.csv")"

mv "$dir/data" "$dir/moved"
predict "$dir/moved.csv"
cmp -s "$dir/before.csv" "$dir/moved.csv" ||
  fail "training CSV moved: predictions changed: $(diff "$dir/before.csv" "$dir/moved.csv")"
echo "ok: same predictions with the training CSV moved away"

mkdir "$dir/data"
printf 'a,b,c,y\n100,x,1000,1\n-300,y,,0\n7,y,-50,1\n' >"$dir/data/tiny_train.csv"
predict "$dir/changed.csv"
cmp -s "$dir/before.csv" "$dir/changed.csv" ||
  fail "training CSV changed: predictions changed: $(diff "$dir/before.csv" "$dir/changed.csv")"
echo "ok: same predictions with another training CSV in its place"

# A run directory from before pipeline.json: the old way, the training CSV read again.
rm "$run/pipeline.json"
rm -r "$dir/data"
mv "$dir/moved" "$dir/data"
predict "$dir/old.csv"
cmp -s "$dir/before.csv" "$dir/old.csv" ||
  fail "run without pipeline.json: predictions differ: $(diff "$dir/before.csv" "$dir/old.csv")"
echo "ok: a run without pipeline.json re-fits on its training CSV, same predictions"
mv "$dir/data" "$dir/moved"
refuses "no pipeline.json.*train the model again" "a run without pipeline.json or its training CSV" \
  -- predict --model "$run" --input "$dir/input.csv"
echo "ok"
