#!/bin/bash
# `soma example sine-rnn` (issue 15): RNN, GRU and LSTM each learn to predict a noisy sum
# of sines 5 steps ahead. The baseline is computed here, not taken from the program: the
# signal sin(2 pi t / 20 + p1) + 0.5 sin(2 pi t / 7.3 + p2) + 0.1 N(0, 1) with uniform
# phases has mean 0 and variance 1/2 + 1/8 + 0.01 = 0.635, the mean squared error of
# predicting the mean. Each model must reach a quarter of that; none can beat the noise
# variance 0.01 by much (a test MSE below it would mean the targets leaked).
# Usage: sine_rnn_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

baseline=$(awk 'BEGIN { printf "%.6f", 0.5 + 0.5 * 0.5 / 2 + 0.1 * 0.1 }')
"$soma" example sine-rnn --json --epochs 6 --train 1024 --test 400 --hidden 24 --plot "$dir" \
  >"$dir/out" 2>"$dir/err" || fail "sine-rnn failed: $(cat "$dir/err")"
# The program's own baseline (the test targets' variance) agrees with the formula.
near "$(field "$dir/out" baseline_mse)" "$baseline" 0.15 0 "variance of the test targets"
for m in RNN GRU LSTM; do
  mse=$(field "$dir/out" "models.$m.test_mse")
  awk -v m="$mse" -v b="$baseline" 'BEGIN { exit !(m < 0.25 * b && m > 0.005) }' ||
    fail "$m: test MSE $mse, expected below a quarter of the baseline $baseline (and above 0.005)"
  [ "$("$json" "models.$m.test_mse_per_epoch" <"$dir/out" | wc -l)" = 6 ] ||
    fail "$m: expected 6 epochs of test MSE"
  awk -v s="$(field "$dir/out" "models.$m.seconds_per_step")" 'BEGIN { exit !(s > 0) }' ||
    fail "$m: seconds_per_step not positive"
  echo "ok: $m test MSE $mse (predicting the mean: $baseline)"
done
[ -s "$dir/sine_rnn.png" ] || fail "no sine_rnn.png"

refuses "--hidden 0: expected 1 to 4096" "--hidden 0" -- example sine-rnn --hidden 0
refuses "--batch 64: expected at most --train" "--batch over --train" -- \
  example sine-rnn --train 10 --batch 64
