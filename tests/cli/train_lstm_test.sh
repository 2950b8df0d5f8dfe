#!/bin/bash
# `soma train` with a recurrent layer (issue 15 item 4): an LSTM classifier over a
# sequence CSV. Each row is T = 24 samples of a wave and its label: 0 for a sine, 1 for a
# square wave, with a random period (6 to 12 samples), phase and amplitude (0.5 to 1.5)
# and uniform noise of +-0.2; written here by awk with fixed seeds (train and test apart).
#
# The threshold, from the test file itself: the classes are balanced by construction, so
# chance is the larger class's share (computed below, 0.5). A square wave's samples sit
# at +-A while a sine's spread over [-A, A], so an order-free rule, mean|x| / max|x| above
# (1 + 2/pi) / 2, tells them apart often but not always (the noise moves max|x|): 0.79 on
# this file. The LSTM reads the raw sequence and must do clearly better than that rule:
# at least halfway from its accuracy to 1 (0.895 here; seed 3 reached 0.9975), which is
# also required to be at least 0.3 above chance.
# Usage: train_lstm_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

waves() { # SEED ROWS
  awk -v seed="$1" -v n="$2" 'BEGIN {
    srand(seed); T = 24; pi = 3.141592653589793
    for (t = 0; t < T; t++) printf "x%d,", t; print "label"
    for (i = 0; i < n; i++) {
      c = i % 2; p = 6 + 6 * rand(); ph = 2 * pi * rand(); a = 0.5 + rand()
      for (t = 0; t < T; t++) {
        s = sin(2 * pi * t / p + ph); if (c) s = s < 0 ? -1 : 1
        printf "%.4f,", a * s + 0.4 * (rand() - 0.5)
      }
      print c
    } }'
}
waves 1 800 >"$dir/train.csv"
waves 2 400 >"$dir/test.csv"
cat >"$dir/lstm.toml" <<'TOML'
[data]
format = "csv"
train = "train.csv"
test = "test.csv"
target = "label"

[model]
layers = [
  { type = "lstm", in = 1, out = 32 },
  { type = "linear", in = 32, out = 2 },
]

[training]
loss = "cross_entropy"
optimizer = "adam"
lr = 0.01
epochs = 30
batch_size = 32
seed = 3
TOML

chance=$(awk -F, 'NR > 1 { n[$NF]++; k++ } END { m = 0; for (c in n) if (n[c] > m) m = n[c]; printf "%.4f", m / k }' "$dir/test.csv")
rule=$(awk -F, 'NR > 1 { s = 0; m = 0
    for (t = 1; t < NF; t++) { v = $t < 0 ? -$t : $t; s += v; if (v > m) m = v }
    r = s / (NF - 1) / m; ok += ((r > (1 + 2 / 3.14159) / 2) == $NF); k++ }
  END { printf "%.4f", ok / k }' "$dir/test.csv")

"$soma" train --config "$dir/lstm.toml" --runs "$dir/runs" --json >"$dir/out" 2>"$dir/err" ||
  fail "train failed: $(cat "$dir/err")"
acc=$(field "$dir/out" test_accuracy)
need=$(awk -v r="$rule" 'BEGIN { printf "%.4f", r + (1 - r) / 2 }')
awk -v a="$acc" -v n="$need" -v c="$chance" 'BEGIN { exit !(a >= n && n >= c + 0.3) }' ||
  fail "LSTM test accuracy $acc: expected >= $need (chance $chance, order-free rule $rule)"
echo "ok: LSTM test accuracy $acc >= $need (chance $chance, order-free rule mean|x|/max|x| $rule)"

# The same file with a GRU and a plain RNN builds and trains (one epoch).
for type in gru rnn; do
  sed "s/\"lstm\"/\"$type\"/; s/epochs = 30/epochs = 1/" "$dir/lstm.toml" >"$dir/$type.toml"
  "$soma" train --config "$dir/$type.toml" --runs "$dir/runs" --json >"$dir/$type.out" \
    2>"$dir/err" || fail "$type failed: $(cat "$dir/err")"
  field "$dir/$type.out" test_accuracy >/dev/null
done
echo "ok: gru and rnn layers train"

# A row that is not a whole number of steps is named as such.
sed 's/in = 1, out = 32/in = 5, out = 32/; s/in = 32, out = 2/in = 32, out = 2/' "$dir/lstm.toml" >"$dir/bad.toml"
refuses "not a whole number of steps of in = 5" "24 values in steps of 5" -- \
  train --config "$dir/bad.toml" --runs "$dir/runs"
printf '[model]\nlayers = [{ type = "lstm", in = 1 }]\n' >"$dir/missing.toml"
refuses "missing.toml:2:.*out" "an lstm without out" -- train --config "$dir/missing.toml" --runs "$dir/runs"
