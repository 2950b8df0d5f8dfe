#!/bin/bash
# Issue 13, items 4 to 6: no input exhausts the machine or writes where it should not.
# Non-regular files refused where a file is expected; ODE runs held to a step limit
# with their trajectory streamed (memory flat however long the run); a spiking network
# whose state turns NaN stops with the variable, neuron and time; a duration beyond the
# step count is an error; a model file's monitor cannot write outside -o.
# Usage: limits_test.sh SOMA JSON_FIELD SOURCE_DIR PEAK_RSS
set -u
soma=$1 json=$2 src=$3 peak_rss=$4
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

# Readers refuse what is not a regular file before reading a byte (/dev/zero never ends).
refuses "/dev/zero: is a character device, expected a file" "fit /dev/zero" -- \
  fit /dev/zero --x x --y y --model "a*x" --p0 a=1
refuses "$dir: is a directory, expected a file" "fit on a directory" -- \
  fit "$dir" --x x --y y --model "a*x" --p0 a=1
refuses "$dir: is a directory, expected a file" "snn run on a directory" -- snn run "$dir"
mkfifo "$dir/fifo"
refuses "fifo: is a pipe \(FIFO\), expected a file" "tsne on a FIFO" -- tsne "$dir/fifo"

# ODE: Euler at 1e-12 over [0, 1] is 10^12 steps; the default limit (10^6) stops it with
# a message naming the limit and the flag, and memory stays flat because rows are
# streamed to -o as they come (before: 700 MB after 15 s, growing).
"$peak_rss" "$dir/rss" "$soma" ode "dx/dt = -x" --y0 x=1 --t 0:1 --method Euler \
  --first-step 1e-12 -o "$dir/euler.csv" --json >"$dir/euler.json" 2>"$dir/euler.err"
status=$?
[ $status -eq 2 ] || fail "Euler 1e-12: exit status $status (expected 2): $(cat "$dir/euler.err")"
grep -q "after 1000000 steps, the step limit; raise it with --max-steps N" "$dir/euler.err" ||
  fail "Euler 1e-12: no step-limit message: $(cat "$dir/euler.err")"
[ "$(field "$dir/euler.json" nsteps)" = 1000000 ] || fail "nsteps: $(tail -n 1 "$dir/euler.json")"
[ "$(($(wc -l <"$dir/euler.csv") - 1))" = 1000001 ] || fail "rows: $(wc -l <"$dir/euler.csv")"
[ "$(cat "$dir/rss")" -lt 100000 ] || fail "Euler 1e-12 peak RSS $(cat "$dir/rss") KiB"
echo "ok: Euler at 1e-12 stops at the step limit, peak RSS $(cat "$dir/rss") KiB, 1000001 rows"
# --max-steps raises or lowers it; rows on stdout stream too.
"$soma" ode "dx/dt = -x" --y0 x=1 --t 0:1 --method Euler --first-step 1e-12 --max-steps 10 \
  >"$dir/ten.csv" 2>"$dir/ten.err"
[ $? -eq 2 ] && [ "$(wc -l <"$dir/ten.csv")" = 12 ] || fail "--max-steps 10: $(cat "$dir/ten.err")"
# An endless span (0 to 1e300) ends at the limit, not in memory exhaustion.
timeout 120 "$peak_rss" "$dir/rss" "$soma" ode "dx/dt = -x" --y0 x=1 --t 0:1e300 --json \
  >"$dir/long.json" 2>"$dir/long.err"
status=$?
[ $status -eq 0 ] || [ $status -eq 2 ] || fail "--t 0:1e300: exit status $status: $(cat "$dir/long.err")"
[ "$(cat "$dir/rss")" -lt 100000 ] || fail "--t 0:1e300 peak RSS $(cat "$dir/rss") KiB"
echo "ok: --t 0:1e300 ends (status $status, $(field "$dir/long.json" nsteps) steps), peak RSS $(cat "$dir/rss") KiB"
"$soma" ode "dx/dt = -x" --y0 x=1 --t 0:1 --max-steps -1 >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && grep -q -- "--max-steps: expected an integer from 0" "$dir/err" ||
  fail "--max-steps -1: $(cat "$dir/err")"

# snn: a state that becomes NaN stops the run naming the variable, the neuron and when.
model() {  # model EQUATIONS MONITOR_FILE DURATION
  cat <<TOML
[constants]
tau = "10*ms"
[[group]]
name = "G"
N = 4
equations = '''$1'''
init = { v = "0*mV", I = [0.0, 0.0, 0.01, 0.0] }
[[monitor]]
type = "state"
source = "G"
variables = ["v"]
file = "$2"
[[run]]
duration = "$3"
TOML
}
model 'dv/dt = (I - v)/(tau*0) : volt
I : volt' "v.csv" "10*ms" >"$dir/nan.toml"
refuses "nan.toml:[0-9]+:[0-9]+: neuron group 'G': v of neuron 0 became NaN between t = 0 ms and t = 6.4 ms" \
  "state turning NaN" -- snn run "$dir/nan.toml" -o "$dir/nan"
model 'dv/dt = (I - v)/tau : volt
I : volt' "v.csv" "1e300*second" >"$dir/long.toml"
refuses "long.toml:[0-9]+:[0-9]+: network: run duration 1e\+300 s is more than 2\^53 steps of dt = 0.0001 s" \
  "duration 1e300 s" -- \
  snn run "$dir/long.toml" -o "$dir/long"

# Monitor files stay inside -o/--output: "../" and absolute paths are refused before the run,
# at the file's position; a subdirectory of it is fine.
for bad in "../escaped.csv" "sub/../../escaped.csv" "/tmp/escaped-$$.csv"; do
  model 'dv/dt = (I - v)/tau : volt
I : volt' "$bad" "1*ms" >"$dir/bad.toml"
  refuses "bad.toml:[0-9]+:[0-9]+: monitor file '$bad' (leaves the output directory|is not a relative path)" \
    "monitor file $bad" -- snn run "$dir/bad.toml" -o "$dir/out"
  [ ! -e "$dir/escaped.csv" ] && [ ! -e "/tmp/escaped-$$.csv" ] || fail "$bad was written"
done
model 'dv/dt = (I - v)/tau : volt
I : volt' "sub/v.csv" "1*ms" >"$dir/sub.toml"
"$soma" snn run "$dir/sub.toml" -o "$dir/out" >/dev/null || fail "monitor file sub/v.csv"
[ -s "$dir/out/sub/v.csv" ] || fail "sub/v.csv not written inside -o"
# The command line may name any directory, absolute included.
"$soma" snn run "$dir/sub.toml" -o "$dir/abs" >/dev/null && [ -s "$dir/abs/sub/v.csv" ] ||
  fail "an absolute -o"
echo "OK"
