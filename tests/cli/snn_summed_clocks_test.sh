#!/bin/bash
# `soma snn run` with (summed) variables and a group with its own dt
# (tests/snn/models/summed_clocks.toml): the gap-junction network and the two-clock
# network spike as in Brian2 (tests/reference/snn_summed_clocks.py, spike for spike over
# its 100 ms and 20 ms), and G's state monitor records on G's clock (every 0.2 ms).
# Then the errors bad sections must give.
# Usage: snn_summed_clocks_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
model="$src/tests/snn/models/summed_clocks.toml" ref="$src/tests/reference/data/snn_summed_clocks.json"

"$soma" snn run "$model" --out "$dir/out" --json >"$dir/run.json" || fail "summed_clocks.toml failed"
# spikes NAME CSV PART STEPS: neuron and step of every spike in the first STEPS steps
# (the reference's run), as Brian2's.
spikes() {
  awk -F, -v n="$4" 'NR > 1 && $2 / 1e-4 + 0.5 < n { printf "%d %d\n", $1, $2 / 1e-4 + 0.5 }' \
    "$dir/out/$2" >"$dir/got"
  paste -d' ' <("$json" --whole "$3.i.*" <"$ref") <("$json" --whole "$3.step.*" <"$ref") >"$dir/want"
  [ -s "$dir/want" ] || fail "no reference spikes for $1 in $ref"
  cmp -s "$dir/got" "$dir/want" || fail "$1's spikes differ from Brian2's: $(diff "$dir/got" "$dir/want" | head -5)"
  echo "ok: $1: $(wc -l <"$dir/got") spikes as Brian2's"
}
spikes "gap junctions" gap_spikes.csv gap 1000
spikes "G on 0.2 ms" slow_spikes.csv clocks 200
# G's clock: 500 rows in 100 ms, at multiples of 0.2 ms.
rows=$(awk 'NR > 1' "$dir/out/slow_state.csv" | wc -l)
[ "$rows" -eq 500 ] || fail "G's state monitor has $rows rows (expected 500, one per 0.2 ms)"
awk -F, 'NR > 1 { k = $1 / 2e-4; if (k - int(k + 0.5) > 1e-6 || int(k + 0.5) - k > 1e-6) exit 1 }' \
  "$dir/out/slow_state.csv" || fail "G's state monitor records off its clock"
echo "ok: G's monitor records every 0.2 ms"

# broken SECTION_TEXT PATTERN WHAT: a model with one bad section must be refused with
# the file, the position and what was expected.
broken() {
  { printf '[[group]]\nname = "G"\nN = 2\nequations = "dv/dt = -v/(10*ms) : volt\\nI : amp"\n'
    printf '%s\n' "$1"
    printf '[[run]]\nduration = "1*ms"\n'; } >"$dir/broken.toml"
  refuses "broken.toml:$2" "$3" -- snn run "$dir/broken.toml" --out "$dir/broken"
}
broken $'[[group]]\nname = "H"\nN = 1\ndt = "0.15*ms"\nequations = "v : 1"' \
  '[0-9]+:[0-9]+: H dt: .*whole multiple' "dt not a multiple"
broken $'[[synapses]]\nname = "S"\nsource = "G"\ntarget = "G"\nmodel = "J_post = 1*nA : amp (summed)"' \
  "[0-9]+:[0-9]+: .*no parameter 'J'" "sum into nothing"
broken $'[[synapses]]\nname = "S"\nsource = "G"\ntarget = "G"\nmodel = "I_post = 1*mV : volt (summed)"' \
  '[0-9]+:[0-9]+: .*expected the same units' "sum in other units"
broken $'[[synapses]]\nname = "S"\nsource = "G"\ntarget = "G"\nmodel = "I_post = 1*nA : amp (summed)"\nconnect = { p = 1 }\n[[synapses]]\nname = "T"\nsource = "G"\ntarget = "G"\nmodel = "I_post = 2*nA : amp (summed)"' \
  "[0-9]+:[0-9]+: T: .*sums into G.I" "two sums into one parameter"
echo "ok: snn run summed and clocks"
