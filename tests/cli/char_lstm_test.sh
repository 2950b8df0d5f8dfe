#!/bin/bash
# `soma example char-lstm` (issue 15): a short run on the word list learns — the
# held-out cross-entropy falls well below the untrained model's (about ln 58 = 4.1 nats
# for the list's printable ASCII symbols) — reports what --json promises, draws its
# figure, and refuses bad flags and a missing word list as user errors.
# Usage: char_lstm_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
needs_data /usr/share/dict/words "Debian's word list (package wamerican)"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

"$soma" example char-lstm --json --epochs 2 --hidden 64 --max-chars 96000 --samples 4 \
  --plot "$dir" >"$dir/out" 2>"$dir/err" || fail "char-lstm failed: $(cat "$dir/err")"
test_nats=$(field "$dir/out" test_nats_per_char)
untrained=$(field "$dir/out" untrained_nats_per_char)
[ "$(field "$dir/out" steps)" = 120 ] || fail "steps $(field "$dir/out" steps), expected 2 x 60"
[ "$("$json" samples <"$dir/out" | wc -l)" = 4 ] || fail "expected 4 samples"
[ "$("$json" test_nats_per_char_per_epoch <"$dir/out" | wc -l)" = 2 ] || fail "expected 2 epochs"
awk -v u="$untrained" 'BEGIN { exit !(u > 3.8 && u < 4.6) }' ||
  fail "untrained model at $untrained nats per character, expected about ln(vocab)"
awk -v t="$test_nats" -v u="$untrained" 'BEGIN { exit !(t < u - 1.2) }' ||
  fail "held-out $test_nats nats per character after 120 steps, untrained $untrained"
awk -v s="$(field "$dir/out" seconds_per_step)" 'BEGIN { exit !(s > 0) }' ||
  fail "seconds_per_step not positive"
[ -s "$dir/char_lstm.png" ] || fail "no char_lstm.png"
echo "ok: held-out $test_nats nats per character after 120 steps (untrained $untrained)"

refuses "--hidden 0: expected 1 to 65536" "--hidden 0" -- example char-lstm --hidden 0
refuses "$dir/none" "a missing word list" -- example char-lstm --words "$dir/none"
