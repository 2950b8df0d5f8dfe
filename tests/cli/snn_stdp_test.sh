#!/bin/bash
# STDP (Song, Miller & Abbott 2000) through the command line: the model file
# tests/snn/models/stdp.toml, with event-driven traces in its [[synapses]] model, builds
# the network of `soma example stdp` and draws random numbers in the same order, so both
# must give the same output spikes (seed 4, 2 s); the example's --json fields and
# --plot figure; the errors for synaptic equations Brian2 refuses.
# Usage: snn_stdp_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
model="$src/tests/snn/models/stdp.toml"

"$soma" snn run "$model" --out "$dir/out" --json >"$dir/run.json" || fail "stdp.toml failed"
file_spikes=$(($(wc -l <"$dir/out/output_spikes.csv") - 1))
"$soma" example stdp --duration 2 --seed 4 --json >"$dir/example.json" || fail "example stdp failed"
example_spikes=$(field "$dir/example.json" output_spikes)
[ "$file_spikes" = "$example_spikes" ] ||
  fail "stdp.toml: $file_spikes output spikes, soma example stdp --seed 4: $example_spikes"
# The input drives the neuron far above threshold at first (mean w = gmax/2): tens of Hz.
[ "$file_spikes" -gt 40 ] || fail "only $file_spikes output spikes in 2 s"
near "$(field "$dir/example.json" output_rate_hz)" "$(awk -v n="$example_spikes" 'BEGIN { print n / 2 }')" \
  1e-12 0 "output_rate_hz"
# ge jumps by w at each input spike: its state record has the neuron's conductance.
[ "$(head -n 1 "$dir/out/ge.csv")" = "t,ge[0]" ] || fail "ge header: $(head -n 1 "$dir/out/ge.csv")"
echo "ok: stdp.toml spikes as soma example stdp: $file_spikes output spikes"

for f in fraction_above_half mean_w_over_gmax; do
  v=$(field "$dir/example.json" $f)
  awk -v v="$v" 'BEGIN { exit !(v >= 0 && v <= 1) }' || fail "$f = $v (expected in [0, 1])"
done
field "$dir/example.json" seconds >/dev/null
"$soma" example stdp --duration 0.5 --seed 1 --plot "$dir/fig" --json >"$dir/plot.json" ||
  fail "example stdp --plot failed"
[ -s "$dir/fig/stdp.png" ] || fail "no stdp.png"
[ "$(field "$dir/plot.json" 'figures.0')" = "$dir/fig/stdp.png" ] || fail "figures: $(tail -n 1 "$dir/plot.json")"
echo "ok: --json fields and --plot figure"

# A trace that is not linear cannot be event-driven (Brian2: use clock-driven).
sed 's|dApre/dt = -Apre / taupre : 1 (event-driven)|dApre/dt = -Apre*Apre / taupre : 1 (event-driven)|' \
  "$model" >"$dir/nonlinear.toml"
grep -q 'Apre\*Apre' "$dir/nonlinear.toml" || fail "could not rewrite the trace"
refuses "S model.*event-driven equations must be linear.*clock-driven" "a nonlinear event-driven trace" -- \
  snn run "$dir/nonlinear.toml" --out "$dir/x"
sed 's|(event-driven)|(event-driven, sometimes)|' "$model" >"$dir/flag.toml"
refuses "unknown flag 'sometimes'" "an unknown flag" -- snn run "$dir/flag.toml" --out "$dir/x"
