#!/bin/sh
# `soma example mlp-dragons --trace DIR` writes what tests/reference/dragons_mlp_replay.py
# needs to replay the first epoch in torch; a file with the wrong number of values, or an
# order that is not a permutation of the training rows, would make that replay compare
# other computations. Usage: mlp_dragons_trace_test.sh SOMA_BINARY
set -u
soma=$1
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
"$soma" example mlp-dragons --epochs 0 --json --trace "$dir/trace" >"$dir/out" 2>"$dir/err" ||
  { echo "FAIL: soma example mlp-dragons --trace: $(cat "$dir/err")"; exit 1; }
fail=0
# 480 dragons: 288 train, 192 test; layers 2-10-20-1000-3 (Sequential names 0, 2, 4, 6).
for entry in x_train.txt:576 y_train.txt:288 x_test.txt:384 y_test.txt:192 x_demo.txt:3 \
  order.txt:288 demo_loss.txt:1 epoch_loss.txt:288 epoch_test_logits.txt:576 \
  init/0.weight.txt:20 init/0.bias.txt:10 init/2.weight.txt:200 init/2.bias.txt:20 \
  init/4.weight.txt:20000 init/4.bias.txt:1000 init/6.weight.txt:3000 init/6.bias.txt:3; do
  file=${entry%:*} want=${entry#*:}
  got=$(wc -l <"$dir/trace/$file" 2>/dev/null || echo missing)
  [ "$got" = "$want" ] || { echo "FAIL: $file has $got lines, expected $want"; fail=1; }
done
sort -n "$dir/trace/order.txt" | awk '$1 != NR - 1 { bad = 1 } END { exit bad }' ||
  { echo "FAIL: order.txt is not a permutation of 0..287"; fail=1; }
grep -qvE "^[0-9][0-9.eE+-]*$" "$dir/trace/epoch_loss.txt" &&
  { echo "FAIL: epoch_loss.txt holds a value that is not a finite loss"; fail=1; }
[ $fail = 0 ] && echo "ok: mlp-dragons --trace"
exit $fail
