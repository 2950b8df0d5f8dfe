#!/bin/bash
# `soma example neuron-callback` (tutorial 001's Keras callback and FuncAnimation):
# - the callback's record has one row per step, epochs x batches (the tutorial's 495),
#   in (epoch, batch) order, and its last row is the model's final weights;
# - with --batches 1 each step is full-batch gradient descent on standardised x, whose
#   path is known in closed form from the start and the OLS fit of the same rows:
#   W_k = c + (W_0 - c)(1 - 2 lr)^k, B_k = ybar + (B_0 - ybar)(1 - 2 lr)^k;
# - --plot writes a GIF89a animation with one frame per epoch, and the weight path.
# Usage: neuron_callback_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

"$soma" example neuron-callback --json >"$dir/a.json" || fail "neuron-callback failed"
[ "$(field "$dir/a.json" records)" = 495 ] || fail "records $(field "$dir/a.json" records), expected 99 x 5"
[ "$(field "$dir/a.json" record.494.0)" = 99 ] || fail "last record's epoch is not 99"
[ "$(field "$dir/a.json" record.494.1)" = 5 ] || fail "last record's batch is not 5"
[ "$(field "$dir/a.json" record.5.0)" = 2 ] || fail "record 5 is not epoch 2's first"
[ "$(field "$dir/a.json" last_record_equals_model)" = true ] || fail "last record != model"
[ "$(field "$dir/a.json" final_weight)" = "$(field "$dir/a.json" record.494.2)" ] ||
  fail "record.494 weight != final weight"
[ "$(field "$dir/a.json" final_bias)" = "$(field "$dir/a.json" record.494.3)" ] ||
  fail "record.494 bias != final bias"
# 99 epochs of 5 steps at lr 0.01 land near least squares (the tutorial: 257.5 / 457.9
# against OLS on its data); within 2 % of this data's OLS.
near "$(field "$dir/a.json" final_weight)" "$(field "$dir/a.json" ols_weight)" 0.02 0 "final W vs OLS"
near "$(field "$dir/a.json" final_bias)" "$(field "$dir/a.json" ols_bias)" 0.02 0 "final B vs OLS"
echo "ok: 495 records, last = the model's weights, near OLS"

"$soma" example neuron-callback --batches 1 --epochs 20 --lr 0.05 --json >"$dir/b.json" ||
  fail "neuron-callback --batches 1 failed"
[ "$(field "$dir/b.json" records)" = 20 ] || fail "full batch: $(field "$dir/b.json" records) records, expected 20"
for k in 0 9 19; do
  for p in weight:2:ols_weight:start_weight bias:3:ols_bias:start_bias; do
    IFS=: read -r what col opt start <<<"$p"
    want=$(awk -v c="$(field "$dir/b.json" "$opt")" -v s="$(field "$dir/b.json" "$start")" -v k=$k \
      'BEGIN { printf "%.12g", c + (s - c) * (1 - 2 * 0.05) ^ (k + 1) }')
    near "$(field "$dir/b.json" "record.$k.$col")" "$want" 1e-9 1e-9 "full-batch $what at step $((k + 1))"
  done
done
echo "ok: full-batch record follows W_k = c + (W_0 - c)(1 - 2 lr)^k"

"$soma" example neuron-callback --epochs 4 --plot "$dir/plots" --json >"$dir/c.json" ||
  fail "neuron-callback --plot failed"
[ "$(field "$dir/c.json" frames)" = 4 ] || fail "frames $(field "$dir/c.json" frames), expected 4"
[ "$(head -c 6 "$dir/plots/neuron_fit.gif")" = GIF89a ] || fail "neuron_fit.gif is not a GIF89a"
[ -s "$dir/plots/neuron_callback.png" ] || fail "no neuron_callback.png"
echo "ok: --plot writes neuron_fit.gif (4 frames) and neuron_callback.png"

# A pipe gets no progress bar: stderr stays empty.
"$soma" example neuron-callback --epochs 2 >"$dir/text" 2>"$dir/err" || fail "text run failed"
[ -s "$dir/err" ] && fail "stderr in a pipe: $(cat "$dir/err")"
grep -q "{'verbose': 0, 'epochs': 2, 'steps': 5}" "$dir/text" || fail "no history.params line"
refuses "--batches 0: expected 1 to 600" "zero batches" -- example neuron-callback --batches 0
exit 0
