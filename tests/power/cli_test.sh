#!/bin/sh
# `soma power` end to end with the stand-in NVML library: the no-sensor exit status,
# wrapping a command (its exit status, the JSON line, the CSV) and watching for a while.
# Usage: cli_test.sh SOMA_BINARY FAKE_NVML_LIBRARY
set -u
soma=$1 fake=$2
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# No sensor: exit status 3 and the list of what was tried.
"$soma" power --nvml-library "$dir/none.so" --powercap-root "$dir/none" >"$dir/out" 2>"$dir/err"
[ $? -eq 3 ] || fail "no-sensor exit status is not 3"
grep -q "NVML ($dir/none.so): not loaded" "$dir/err" || fail "NVML attempt not listed"
grep -q "RAPL ($dir/none): no such directory" "$dir/err" || fail "RAPL attempt not listed"

# Wrapping: 100 W throughout; the counter is probed (0), then reads 1000 mJ, then 5000 mJ.
export SOMA_FAKE_NVML="gpus=1;power_mw=100000;energy_mj=0,1000,5000"
"$soma" power --nvml-library "$fake" --powercap-root "$dir/none" --interval 20 --json \
  -o "$dir/p.csv" -- sh -c 'sleep 0.2; echo from-the-command; exit 4' >"$dir/out" 2>"$dir/err"
status=$?
[ $status -eq 4 ] || fail "the wrapped command's exit status 4 was not passed on (got $status)
stdout: $(cat "$dir/out")
stderr: $(cat "$dir/err")"
grep -q "^from-the-command$" "$dir/out" || fail "the command's stdout was not kept"
last=$(tail -n 1 "$dir/out")
echo "$last" | grep -q '"energy_j":4.0' || fail "counter energy 4 J missing in: $last"
echo "$last" | grep -q '"exit_status":4' || fail "exit_status missing in: $last"
echo "$last" | grep -q '"mean_w":100.0' || fail "mean power 100 W missing in: $last"
head -n 1 "$dir/p.csv" | grep -q '^t_s,gpu0 Fake GPU A W,gpu0 Fake GPU A counter J$' ||
  fail "CSV header wrong: $(head -n 1 "$dir/p.csv")"
rows=$(($(wc -l <"$dir/p.csv") - 1))
[ "$rows" -ge 5 ] || fail "only $rows samples in 0.2 s at 20 ms"
grep -q "^# t_s" "$dir/err" || fail "no per-sample lines in a pipe"

# Watching for a fixed time: a line per sample on stdout, then the JSON line.
"$soma" power --nvml-library "$fake" --powercap-root "$dir/none" --interval 50 --duration 0.3 \
  --json --grid-intensity 400 >"$dir/out" 2>"$dir/err" || fail "watch mode failed"
tail -n 1 "$dir/out" | grep -q '"co2_g":' || fail "co2_g missing"
[ "$(grep -c '^[0-9]' "$dir/out")" -ge 4 ] || fail "too few sample lines while watching"
echo "OK"
