#!/bin/sh
# `soma example regression-prelu` against tutorial 003, which prints no figures of its
# run (its cells have no output), so the test holds the port to the tutorial's code:
# three PReLUs (the output layer's included), the split at floor(0.7 n) / floor(0.85 n)
# (2000 points: 1400 / 300 / 300), batches of 100 (14 steps an epoch), a training loss
# per step and a validation loss per epoch; and the fit must beat predicting the mean,
# whose MSE on standardised y is 1.
# Usage: tutorial_003_test.sh SOMA_BINARY
set -u
soma=$1
fail() { echo "FAIL: $*"; exit 1; }
out=$("$soma" example regression-prelu --epochs 40 --json) || fail "regression-prelu failed"
json=$(printf '%s\n' "$out" | tail -n 1)
num() { printf '%s\n' "$json" | sed -n "s/.*\"$1\":\(-\{0,1\}[0-9][0-9.eE+-]*\).*/\1/p"; }
count() { printf '%s\n' "$json" | sed -n "s/.*\"$1\":\[\([^]]*\)\].*/\1/p" | tr ',' '\n' | grep -c .; }
[ "$(num train_size)" = 1400 ] || fail "train_size $(num train_size), expected 1400"
[ "$(num valid_size)" = 300 ] || fail "valid_size $(num valid_size), expected 300"
[ "$(num test_size)" = 300 ] || fail "test_size $(num test_size), expected 300"
[ "$(num steps_per_epoch)" = 14 ] || fail "steps_per_epoch $(num steps_per_epoch), expected 14"
[ "$(count step_loss)" -eq 560 ] || fail "$(count step_loss) step losses, expected 40 x 14"
[ "$(count valid_loss)" -eq 40 ] || fail "$(count valid_loss) validation losses, expected 40"
[ "$(count prelu_slopes)" -eq 3 ] || fail "$(count prelu_slopes) PReLUs, expected 3"
mse=$(num test_mse_standardised)
awk -v m="$mse" 'BEGIN { exit !(m < 1) }' || fail "test MSE $mse does not beat the mean's 1"
echo "ok: 1400/300/300, 14 steps an epoch, 3 PReLUs, standardised test MSE $mse < 1"
