#!/bin/bash
# `soma snn run` with [[timed_array]], [[poisson_group]] and [[poisson_input]]
# (tests/snn/models/poisson_inputs.toml): the TimedArray-driven neurons spike as in
# Brian2 (tests/reference/snn_inputs.py's "timed", spike for spike), the PoissonGroup's
# counts per row of its rate table are within 5 Poisson standard deviations of
# 1000 neurons * 400 steps * rate * dt, and the PoissonInput holds L's v near its
# stationary mean 0.1 mV / (1 - exp(-dt/tau)), and run_regularly copies the table into
# L's drive. Then the errors bad sections must give.
# Usage: snn_inputs_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
model="$src/tests/snn/models/poisson_inputs.toml" ref="$src/tests/reference/data/snn_inputs.json"

"$soma" snn run "$model" -o "$dir/out" --json >"$dir/run.json" || fail "poisson_inputs.toml failed"
# Spike for spike: neuron and step of every spike, in order.
awk -F, 'NR > 1 { printf "%d %d\n", $1, $2 / 1e-4 + 0.5 }' "$dir/out/timed_spikes.csv" >"$dir/got"
paste -d' ' <("$json" --whole 'timed.i.*' <"$ref") <("$json" --whole 'timed.step.*' <"$ref") >"$dir/want"
[ -s "$dir/want" ] || fail "no reference spikes in $ref"
cmp -s "$dir/got" "$dir/want" || fail "G's spikes differ from Brian2's: $(diff "$dir/got" "$dir/want" | head -5)"
echo "ok: TimedArray-driven neurons: $(wc -l <"$dir/got") spikes as Brian2's"
k=0
for rate in 10 40 5 60; do
  got=$(awk -F, -v k=$k 'NR > 1 && int($2 / 0.04 + 1e-6) == k' "$dir/out/poisson_spikes.csv" | wc -l)
  want=$(awk -v r=$rate 'BEGIN { printf "%.17g", 1000 * 400 * r * 1e-4 }')
  near "$got" "$want" 0 "$(awk -v w="$want" 'BEGIN { print 5 * sqrt(w) }')" "P's spikes in row $k"
  k=$((k + 1))
done
echo "ok: PoissonGroup counts follow the rate table"
mean=$(awk -F, 'NR > 1 && $1 >= 0.1 { for (c = 2; c <= 6; c++) { s += $c; n++ } }
  END { printf "%.17g", s / n }' "$dir/out/lif_v.csv")
near "$mean" "$(awk 'BEGIN { printf "%.17g", 1e-4 / (1 - exp(-0.01)) }')" 0 3e-4 "L's mean v"
echo "ok: PoissonInput mean v $mean V"
# run_regularly copies stim(t) into L's drive every 10 ms: 40 Hz (row 1) at 45 ms.
drive=$(awk -F, 'NR > 1 && $1 > 0.0449 && $1 < 0.0451 { print $7 }' "$dir/out/lif_v.csv")
near "$drive" 40 0 0 "L's drive at 45 ms"
echo "ok: run_regularly"

# broken SECTION_TEXT PATTERN WHAT: a model with one bad section must be refused with
# the file, the position and what was expected.
broken() {
  { printf '[[group]]\nname = "G"\nN = 2\nequations = "dv/dt = -v/(10*ms) : volt"\n'
    printf '%s\n' "$1"
    printf '[[run]]\nduration = "1*ms"\n'; } >"$dir/broken.toml"
  refuses "broken.toml:$2" "$3" -- snn run "$dir/broken.toml" -o "$dir/broken"
}
broken $'[[timed_array]]\nname = "f"\nvalues = [1, 2]' '[0-9]+:[0-9]+: timed_array .f. needs a dt' "no dt"
broken $'[[timed_array]]\nname = "f"\ndt = "1*ms"\nvalues = [[1, 2], [3]]' '[0-9]+:[0-9]+: .*rows must be' "ragged rows"
broken $'[[timed_array]]\nname = "f"\ndt = "1*mV"\nvalues = [1]' '[0-9]+:[0-9]+: .*expected second' "dt in volts"
broken $'[[timed_array]]\nname = "f"\ndt = "1*ms"\nvalues = ["a"]' '[0-9]+:[0-9]+: expected a number' "not a number"
broken $'[[poisson_group]]\nname = "P"\nN = 2\nrates = "5*mV"' '[0-9]+:[0-9]+: .*(units|Hz)' "rates in volts"
broken $'[[poisson_group]]\nname = "P"\nN = 2' '[0-9]+:[0-9]+: poisson_group .P. needs rates' "no rates"
broken $'[[poisson_input]]\ntarget = "G"\nvariable = "u"\nN = 5\nrate = "1*Hz"\nweight = "1*mV"' \
  "[0-9]+:[0-9]+: .*no variable 'u'" "no such variable"
broken $'[[poisson_input]]\ntarget = "H"\nvariable = "v"\nN = 5\nrate = "1*Hz"\nweight = "1*mV"' \
  "[0-9]+:[0-9]+: no group named 'H'" "no such group"
broken $'[[poisson_input]]\ntarget = "G"\nvariable = "v"\nN = 5\nrate = "1*Hz"\nweight = "1*nS"' \
  '[0-9]+:[0-9]+: .*weight' "weight in siemens"
broken $'[[poisson_input]]\ntarget = "G"\nvariable = "v"\nN = 5\nrate = "1*ms"\nweight = "1*mV"' \
  '[0-9]+:[0-9]+: .*expected Hz' "rate in seconds"
broken $'[[group]]\nname = "H"\nN = 1\nequations = "v : 1"\nrun_regularly = [{ code = "v = 1", dt = "0.15*ms" }]' \
  '[0-9]+:[0-9]+: .*whole number' "run_regularly dt"
broken $'[[group]]\nname = "H"\nN = 1\nequations = "v : 1"\nrun_regularly = "v = 1"' \
  '[0-9]+:[0-9]+: run_regularly must be' "run_regularly not a list"
echo "ok: snn run inputs"
