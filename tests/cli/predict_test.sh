#!/bin/bash
# Issue 17, item 8: soma predict writes each class's probability (p_CLASS columns; each row
# sums to 1 and its largest is the predicted class), reports the accuracy that the CSV and
# the labels give (stdout with --output, the JSON line with --json), takes a run directory,
# its model.soma or `latest`, and says "not a run directory: X" for anything else.
# Three small problems trained here: three classes from a CSV (cross-entropy), two from
# a CSV (one logit, bce_with_logits) and Fashion-MNIST's file layout with 20 images.
# Usage: predict_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

# Two features on a grid, the class from their sums, every 7th label moved on by one so
# that no line separates them (an accuracy below 1 to compare).
make_csv() {  # FILE ROWS OFFSET CLASSES
  awk -v n="$2" -v o="$3" -v k="$4" 'BEGIN {
    print "a,b,y"
    for (i = o; i < o + n; ++i) {
      a = (i * 37) % 101 / 10 - 5; b = (i * 53) % 97 / 10 - 5
      y = k == 3 ? (a + b > 1 ? 2 : (a - b > 0 ? 1 : 0)) : (a + b > 0)
      if (i % 7 == 0) y = (y + 1) % k
      print a "," b "," y
    } }' >"$1"
}
config() {  # NAME LOSS OUTPUTS
  cat >"$dir/$1.toml" <<TOML
[data]
format = "csv"
train = "$1_train.csv"
test = "$1_test.csv"
target = "y"
[model]
layers = [{ type = "linear", in = 2, out = $3 }]
[training]
loss = "$2"
optimizer = "sgd"
lr = 0.1
epochs = 3
batch_size = 8
seed = 1
TOML
}
make_csv "$dir/three_train.csv" 90 0 3
make_csv "$dir/three_test.csv" 45 1000 3
make_csv "$dir/two_train.csv" 90 0 2
make_csv "$dir/two_test.csv" 45 1000 2
config three cross_entropy 3
config two bce_with_logits 1

# train CONFIG RUNS: trains, prints the run directory.
train() {
  "$soma" train --config "$1" --runs "$2" --json >"$dir/train.out" 2>"$dir/train.err" ||
    fail "soma train --config $1: $(cat "$dir/train.err")"
  field "$dir/train.out" run_dir
}

# check_probabilities CSV FIRST_P_COLUMN CLASSES: every row's p_ columns lie in [0, 1],
# sum to 1 (9 digits printed: within 1e-8) and their largest is the prediction (column 2).
check_probabilities() {
  awk -F, -v c="$2" -v k="$3" 'NR > 1 {
    s = 0; best = 0
    for (j = 0; j < k; ++j) {
      p = $(c + j); s += p
      if (p < 0 || p > 1) { print "row " NR ": p = " p; exit 1 }
      if (p > $(c + best)) best = j
    }
    if (s < 1 - 1e-8 || s > 1 + 1e-8) { print "row " NR ": probabilities sum to " s; exit 1 }
    if (best != $2) { print "row " NR ": largest p is class " best ", predicted " $2; exit 1 }
    rows++ }
    END { if (rows == 0) { print "no rows"; exit 1 } }' "$1" || fail "probabilities in $1"
}

# accuracy_of PREDICTIONS LABELS: the share of rows whose prediction (column 2) equals the
# label (one per line).
accuracy_of() {
  paste -d, <(tail -n +2 "$1" | cut -d, -f2) "$2" |
    awk -F, '{ n++; right += $1 == $2 } END { printf "%.17g %d %d\n", right / n, right, n }'
}

# Three classes: the header, the probabilities, the accuracy against the CSV's labels.
run3=$(train "$dir/three.toml" "$dir/runs3")
"$soma" predict --model "$run3" --input "$dir/three_test.csv" --output "$dir/p3.csv" --json \
  >"$dir/p3.json" 2>"$dir/err" || fail "predict: $(cat "$dir/err")"
[ "$(head -n 1 "$dir/p3.csv")" = "row,prediction,p_0,p_1,p_2" ] || fail "header: $(head -n 1 "$dir/p3.csv")"
[ "$(wc -l <"$dir/p3.csv")" -eq 46 ] || fail "expected 45 rows: $(wc -l <"$dir/p3.csv")"
check_probabilities "$dir/p3.csv" 3 3
tail -n +2 "$dir/three_test.csv" | cut -d, -f3 >"$dir/three_labels"
read -r acc right n < <(accuracy_of "$dir/p3.csv" "$dir/three_labels")
near "$(field "$dir/p3.json" accuracy)" "$acc" 1e-15 0 "--json accuracy against the CSV"
[ "$(field "$dir/p3.json" correct)" = "$right" ] || fail "correct: $(cat "$dir/p3.json")"
[ "$(field "$dir/p3.json" examples)" = 45 ] || fail "examples: $(cat "$dir/p3.json")"
[ "$(field "$dir/p3.json" model)" = "$run3" ] || fail "model: $(cat "$dir/p3.json")"
echo "ok: three classes, accuracy $acc ($right of $n) as the CSV gives it"
# Without --json the accuracy is on stdout ("wrote" on stderr, docs/flags.md); with the CSV
# on stdout it goes to stderr and stdout stays a CSV.
"$soma" predict --model "$run3" --input "$dir/three_test.csv" -o "$dir/p3b.csv" \
  >"$dir/out" 2>"$dir/err" || fail "predict: $(cat "$dir/err")"
printf -v want 'accuracy: %.4f (%d of %d)' "$acc" "$right" "$n"
[ "$(cat "$dir/out")" = "$want" ] || fail "stdout: $(cat "$dir/out"), expected $want"
[ "$(cat "$dir/err")" = "wrote $dir/p3b.csv" ] || fail "stderr: $(cat "$dir/err")"
cmp -s "$dir/p3.csv" "$dir/p3b.csv" || fail "--json changed the predictions"
"$soma" predict --model "$run3" --input "$dir/three_test.csv" >"$dir/out" 2>"$dir/err" ||
  fail "predict: $(cat "$dir/err")"
cmp -s "$dir/out" "$dir/p3.csv" || fail "the CSV on stdout differs from --output's"
printf -v want 'accuracy: %.4f (%d of %d)' "$acc" "$right" "$n"
[ "$(cat "$dir/err")" = "$want" ] || fail "stderr: $(cat "$dir/err"), expected $want"
# model.soma stands for its run directory.
"$soma" predict --model "$run3/model.soma" --input "$dir/three_test.csv" >"$dir/out" 2>/dev/null ||
  fail "predict --model RUN/model.soma"
cmp -s "$dir/out" "$dir/p3.csv" || fail "--model RUN/model.soma predicts otherwise"

# One logit (bce_with_logits): p_1 is its sigmoid, p_0 = 1 - p_1.
run2=$(train "$dir/two.toml" "$dir/runs2")
"$soma" predict --model "$run2" --input "$dir/two_test.csv" --output "$dir/p2.csv" --json \
  >"$dir/p2.json" 2>"$dir/err" || fail "predict: $(cat "$dir/err")"
[ "$(head -n 1 "$dir/p2.csv")" = "row,prediction,p_0,p_1" ] || fail "header: $(head -n 1 "$dir/p2.csv")"
check_probabilities "$dir/p2.csv" 3 2
tail -n +2 "$dir/two_test.csv" | cut -d, -f3 >"$dir/two_labels"
read -r acc right n < <(accuracy_of "$dir/p2.csv" "$dir/two_labels")
near "$(field "$dir/p2.json" accuracy)" "$acc" 1e-15 0 "--json accuracy (two classes)"
echo "ok: two classes from one logit, accuracy $acc ($right of $n)"

# Fashion-MNIST's layout (20 images of 28 x 28, labels 0..9 twice): columns named after
# the classes, and the accuracy against the IDX labels.
fm=$dir/fmnist
mkdir -p "$fm"
for split in train t10k; do
  { printf '\0\0\10\3\0\0\0\24\0\0\0\34\0\0\0\34'
    LC_ALL=C awk 'BEGIN { for (i = 0; i < 20 * 784; ++i) printf "%c", 1 + (i * 7 + int(i / 784) * 13) % 120 }'
  } >"$fm/$split-images-idx3-ubyte"
  printf '\0\0\10\1\0\0\0\24\0\1\2\3\4\5\6\7\10\11\0\1\2\3\4\5\6\7\10\11' >"$fm/$split-labels-idx1-ubyte"
done
cat >"$dir/fm.toml" <<TOML
[data]
format = "fashion-mnist"
dir = "fmnist"
[model]
layers = [{ type = "flatten" }, { type = "linear", in = 784, out = 10 }]
[training]
epochs = 1
batch_size = 10
seed = 3
TOML
runf=$(train "$dir/fm.toml" "$dir/runsf")
"$soma" predict --model "$runf" --input "$fm/t10k-images-idx3-ubyte" \
  --labels "$fm/t10k-labels-idx1-ubyte" --output "$dir/pf.csv" --json >"$dir/pf.json" 2>"$dir/err" ||
  fail "predict (Fashion-MNIST): $(cat "$dir/err")"
[ "$(head -n 1 "$dir/pf.csv")" = "row,prediction,class,p_T-shirt/top,p_Trouser,p_Pullover,p_Dress,p_Coat,p_Sandal,p_Shirt,p_Sneaker,p_Bag,p_Ankle boot" ] ||
  fail "header: $(head -n 1 "$dir/pf.csv")"
check_probabilities "$dir/pf.csv" 4 10
# The class column names the predicted class: its p_ column is that row's largest.
awk -F, 'NR == 1 { for (j = 4; j <= NF; ++j) name[j - 4] = $j; next }
  name[$2] != "p_" $3 { print "row " NR ": class " $3 ", prediction " $2; exit 1 }' \
  "$dir/pf.csv" || fail "class names"
for i in 0 1; do seq 0 9; done >"$dir/fm_labels"
read -r acc right n < <(accuracy_of "$dir/pf.csv" "$dir/fm_labels")
near "$(field "$dir/pf.json" accuracy)" "$acc" 1e-15 0 "--json accuracy (Fashion-MNIST)"
echo "ok: Fashion-MNIST layout, columns named after the classes, accuracy $acc"

# latest: the newest complete run under --runs, by the time in its name; a newer run that
# is still running (or was killed) is passed over.
newer=$(train "$dir/three.toml" "$dir/runs3")
"$soma" predict --model latest --runs "$dir/runs3" --input "$dir/three_test.csv" --json \
  >"$dir/out" 2>"$dir/err" || fail "predict --model latest: $(cat "$dir/err")"
[ "$(field "$dir/out" model)" = "$newer" ] || fail "latest chose $(field "$dir/out" model), not $newer"
[ "$(cat "$dir/err")" = "model: $newer" ] || fail "latest: stderr $(cat "$dir/err")"
cp -r "$run3" "$dir/runs3/three-29991231-235959-1"
printf '{"status": "running"}\n' >"$dir/runs3/three-29991231-235959-1/status.json"
cp -r "$run3" "$dir/runs3/three-29991231-235958-7"
"$soma" predict --model latest --runs "$dir/runs3" --input "$dir/three_test.csv" --json \
  >"$dir/out" 2>/dev/null || fail "predict --model latest"
[ "$(field "$dir/out" model)" = "$dir/runs3/three-29991231-235958-7" ] ||
  fail "latest chose $(field "$dir/out" model)"
echo "ok: --model latest"

# Not a run directory: the parent of runs, a missing directory, a directory of something
# else, an empty --runs for latest.
refuses "not a run directory: $dir/runs3 \(it holds 4 runs, such as $dir/runs3/three-.*; name one, or use --model latest --runs $dir/runs3\)$" \
  "the runs directory" -- predict --model "$dir/runs3" --input "$dir/three_test.csv"
refuses "not a run directory: $dir/nowhere \(no such directory; expected a directory written by .soma train., such as runs/NAME, or --model latest\)$" \
  "a missing directory" -- predict --model "$dir/nowhere" --input "$dir/three_test.csv"
refuses "not a run directory: $fm \(no config.toml; " \
  "a data directory" -- predict --model "$fm" --input "$dir/three_test.csv"
mkdir "$dir/empty"
refuses "--model latest: no complete run under $dir/empty " \
  "latest without runs" -- predict --model latest --runs "$dir/empty" --input "$dir/three_test.csv"
echo "OK"
