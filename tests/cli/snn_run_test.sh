#!/bin/bash
# `soma snn run` on model files against the Brian2 references the library tests use:
# the tutorial's three neurons (tests/snn/models/three_neurons.toml; spike times from
# tests/reference/snn_3.py, as tests/snn/snn_test.cpp compares them) in both of the
# tutorial's inhibitory terms, and COBA (tests/snn/models/coba.toml; Brian2's mean rates
# over ten seeds from tests/reference/snn_coba.py, within 10 % as tests/snn/coba). Then
# the monitors' files, the --json fields, and the errors a broken model file must give.
# Usage: snn_run_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
models="$src/tests/snn/models" refs="$src/tests/reference/data"

# same_spikes SPIKES_CSV REFERENCE_JSON: every neuron's spike train as Brian2's, each spike
# within one step (0.1 ms) of Brian2's time.
same_spikes() {
  for n in 0 1 2; do
    "$json" --whole "spikes_ms.$n" <"$2" >"$dir/want" || fail "$2 has no neuron $n"
    awk -F, -v n=$n 'NR > 1 && $1 == n { printf "%.17g\n", $2 * 1000 }' "$1" >"$dir/got"
    [ "$(wc -l <"$dir/got")" = "$(wc -l <"$dir/want")" ] ||
      fail "$1: neuron $n fired $(wc -l <"$dir/got") times, Brian2 $(wc -l <"$dir/want")"
    paste -d' ' "$dir/got" "$dir/want" | awk -v n=$n '{ d = $1 - $2; if (d < 0) d = -d
      if (d > 0.1 + 1e-9) { print "neuron " n " spike " NR ": " $1 " ms, Brian2 " $2 " ms"; exit 1 } }' ||
      fail "$1 differs from $2"
  done
}

# The three neurons, as the tutorial's text describes the inhibitory term: gi*(v - vi).
three="$models/three_neurons.toml"
"$soma" snn run "$three" -o "$dir/described" --json >"$dir/described.json" ||
  fail "three_neurons.toml failed"
same_spikes "$dir/described/spikes.csv" "$refs/snn_3_described.json"
want_spikes=$("$json" --whole 'spikes_ms.*' <"$refs/snn_3_described.json" | wc -l)
[ "$(field "$dir/described.json" spikes)" = "$want_spikes" ] ||
  fail "JSON spikes $(field "$dir/described.json" spikes), Brian2 $want_spikes"
[ "$(field "$dir/described.json" steps)" = 2000 ] || fail "steps: $(tail -n 1 "$dir/described.json")"
near "$(field "$dir/described.json" t_end_s)" 0.2 0 1e-12 "t_end_s"
[ "$(field "$dir/described.json" files | paste -sd' ')" = \
  "$dir/described/spikes.csv $dir/described/neuron2.csv $dir/described/rate_G_0_2_.csv" ] ||
  fail "files: $(field "$dir/described.json" files | paste -sd' ')"
echo "ok: three neurons (described) spike as in Brian2: $want_spikes spikes"
# The state monitor: neuron 2's v and ge at every step's start, from v = vl = -70 mV.
state="$dir/described/neuron2.csv"
[ "$(head -n 1 "$state")" = "t,v[2],ge[2]" ] || fail "state header: $(head -n 1 "$state")"
[ "$(($(wc -l <"$state") - 1))" = 2000 ] || fail "state rows: $(wc -l <"$state")"
IFS=, read -r t0 v0 ge0 < <(sed -n 2p "$state")
near "$t0" 0 0 0 "first state time" && near "$v0" -0.07 1e-12 0 "v[2] at t = 0" && near "$ge0" 0 0 0 "ge[2] at 0"
# v stays at or below the threshold (the tutorial's -40 mV, three_neurons.toml) at every
# recorded step (reset follows a crossing).
awk -F, 'NR > 1 && $2 > -0.04 { exit 1 }' "$state" || fail "v[2] above threshold at a step's start"
# The rate monitor of G[0:2]: rate * 2 neurons * dt summed is neurons 0 and 1's spikes.
n01=$(awk -F, 'NR > 1 && $1 < 2' "$dir/described/spikes.csv" | wc -l)
near "$(awk -F, 'NR > 1 { s += $2 } END { printf "%.17g", s * 2 * 1e-4 }' "$dir/described/rate_G_0_2_.csv")" \
  "$n01" 1e-9 0 "rate monitor total"

# --plot DIR: a figure per monitor, named after its CSV, listed in the JSON in the
# monitors' order (a raster, the state traces, the rate).
"$soma" snn run "$three" --out "$dir/plotted" --plot "$dir/figs" --json >"$dir/plotted.json" ||
  fail "three_neurons.toml --plot failed"
[ "$(field "$dir/plotted.json" figures | paste -sd' ')" = \
  "$dir/figs/spikes.png $dir/figs/neuron2.png $dir/figs/rate_G_0_2_.png" ] ||
  fail "figures: $(field "$dir/plotted.json" figures | paste -sd' ')"
for f in spikes neuron2 rate_G_0_2_; do
  [ "$(od -An -tx1 -N8 "$dir/figs/$f.png" | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    fail "$f.png is not a PNG"
done
cmp -s "$dir/plotted/spikes.csv" "$dir/described/spikes.csv" || fail "--plot changed the spikes"
echo "ok: --plot draws every monitor"

# As the tutorial's code writes it: gi*(ve - vi).
sed 's/gi\*(v - vi)/gi*(ve - vi)/' "$three" >"$dir/written.toml"
grep -q 'gi\*(ve - vi)' "$dir/written.toml" || fail "could not rewrite the inhibitory term"
"$soma" snn run "$dir/written.toml" -o "$dir/written" --json >"$dir/written.json" ||
  fail "written variant failed"
same_spikes "$dir/written/spikes.csv" "$refs/snn_3_written.json"
echo "ok: three neurons (written) spike as in Brian2"
# Without --json: a summary line, and the files written on stderr (docs/flags.md).
"$soma" snn run "$three" -o "$dir/plain" >"$dir/plain.txt" 2>"$dir/plain.err" ||
  fail "three neurons (text) failed"
grep -q "^wrote $dir/plain/spikes.csv$" "$dir/plain.err" || fail "stderr: $(cat "$dir/plain.err")"
grep -q "^simulated 0.2 s in 2000 steps" "$dir/plain.txt" || fail "text output: $(cat "$dir/plain.txt")"

# COBA over Brian2's ten seeds: the mean rates within 10 % of Brian2's.
sum_exc=0 sum_inh=0
for seed in 1 2 3 4 5 6 7 8 9 10; do
  sed "s/^seed = .*/seed = $seed/" "$models/coba.toml" >"$dir/coba.toml"
  "$soma" snn run "$dir/coba.toml" -o "$dir/coba" --json >"$dir/coba.json" || fail "coba seed $seed"
  exc=$(($(wc -l <"$dir/coba/excitatory.csv") - 1)) inh=$(($(wc -l <"$dir/coba/inhibitory.csv") - 1))
  [ "$(field "$dir/coba.json" spikes)" = $((exc + inh)) ] || fail "coba JSON spikes vs the CSVs"
  if [ $seed = 1 ]; then
    # The model file is the library's model: the same seed gives the same spikes.
    "$soma" example coba --seed 1 --json >"$dir/example.json" || fail "soma example coba failed"
    [ "$(field "$dir/example.json" spikes)" = $((exc + inh)) ] ||
      fail "coba.toml seed 1: $((exc + inh)) spikes, soma example coba $(field "$dir/example.json" spikes)"
    near "$(field "$dir/example.json" rate_exc_hz)" "$(awk -v n=$exc 'BEGIN { printf "%.17g", n / 3200 }')" \
      1e-12 0 "coba.toml's excitatory rate vs soma example coba's"
  fi
  sum_exc=$((sum_exc + exc)) sum_inh=$((sum_inh + inh))
done
rate_exc=$(awk -v n=$sum_exc 'BEGIN { printf "%.6f", n / 3200 / 10 }')
rate_inh=$(awk -v n=$sum_inh 'BEGIN { printf "%.6f", n / 800 / 10 }')
brian_exc=$("$json" --whole 'runs.*.rate_exc_hz' <"$refs/snn_coba_rates.json" | awk '{ s += $1 } END { printf "%.6f", s / NR }')
brian_inh=$("$json" --whole 'runs.*.rate_inh_hz' <"$refs/snn_coba_rates.json" | awk '{ s += $1 } END { printf "%.6f", s / NR }')
near "$rate_exc" "$brian_exc" 0.1 0 "COBA excitatory rate (Hz) vs Brian2"
near "$rate_inh" "$brian_inh" 0.1 0 "COBA inhibitory rate (Hz) vs Brian2"
echo "ok: COBA rates $rate_exc / $rate_inh Hz, Brian2 $brian_exc / $brian_inh Hz"

# Broken model files: status 1 and a message with the file, line and column, and what
# was expected. Each is three_neurons.toml with one change.
broken() {
  local pattern=$1 what=$2
  sed "$3" "$three" >"$dir/broken.toml"
  cmp -s "$three" "$dir/broken.toml" && fail "$what: the edit changed nothing"
  refuses "broken.toml:$pattern" "$what" -- snn run "$dir/broken.toml" -o "$dir/broken"
}
# Initial values are unit-checked as statements (issue 12), plain numbers are SI.
broken "29:8: G.v:1:1: in \"v = 3\*nS\": 'v' has units V, but the value has units S" \
  "init in siemens" 's/init = { v = "vl"/init = { v = "3*nS"/'
broken "29:8: G.v:1:1: in \"v = 0\": 'v' has units V, but the value has units 1" \
  "init without units" 's/init = { v = "vl"/init = { v = "0"/'
broken "4:6: \"0.1\*mV\" has units V, expected second" "dt in volts" 's/^dt = .*/dt = "0.1*mV"/'
broken "62:12: \"100\*mV\" has units V, expected second" "duration in volts" \
  '0,/duration = "100\*ms"/s//duration = "100*mV"/'
broken "61:1: network: run duration .* is more than 2\^53 steps" "duration too long" \
  '0,/duration = "100\*ms"/s//duration = "1e30*second"/'
broken "4:6: network: dt = .* \(expected > 0\)" "dt zero" 's/^dt = .*/dt = 0/'
broken "29:8: G: setting 'I' expected 3 values, got 2" "init list too short" \
  's/I = \[0.7e-9, 0.5e-9, 0.0\]/I = [0.7e-9, 0.5e-9]/'
broken "17:1: group needs an integer N" "N not a number" 's/^N = 3/N = "three"/'
broken "17:1: G: expected a positive number of neurons of at most 2147483647, got 3000000000000" "N too large" \
  's/^N = 3/N = 3000000000000/'
broken "31:1: no group named 'H'" "unknown source" '0,/source = "G"/s//source = "H"/'
broken "57:1: subgroup \[0, 9\) of G: expected 0 <= start <= stop <= 3" "slice past the end" \
  's/source = "G\[0:2\]"/source = "G[0:9]"/'
broken "57:1: 'G\[0:99999999999999999999\]': 99999999999999999999 is out of range" "slice overflow" \
  's/source = "G\[0:2\]"/source = "G[0:99999999999999999999]"/'
broken "36:11: Se.connect: j\[0\] = 7 \(expected 0 <= j < 3\)" "connect index" \
  's/connect = { i = \[0\], j = \[2\] }/connect = { i = [0], j = [7] }/'
broken "57:1: monitor type 'voltage' \(expected spike, state or rate\)" "monitor type" \
  's/type = "rate"/type = "voltage"/'
broken "50:1: state monitor: G has no variable 'q'" "monitored variable" \
  's/variables = \["v", "ge"\]/variables = ["v", "q"]/'
broken "7:5: constant c:1:9: in \"100\*pF \+\": expected" "constant syntax" \
  's/^c = "100\*pF"/c = "100*pF +"/'
broken "[0-9]+:1: condition: in \"v > -40\*nS\": cannot compare V with S" "threshold units" \
  's/threshold = "v > -40\*mV"/threshold = "v > -40*nS"/'
broken "21:3: .*expected '='" "TOML syntax" 's/^equations = .*/equations = 3/'
# Constants may use those above them: the file's order, not the keys' sorted order.
sed 's/^w_gi = "0\*nS"/w_gi = "0*nS"\na_tau = "2*ge_tau"/' "$three" >"$dir/order.toml"
"$soma" snn run "$dir/order.toml" -o "$dir/order" --json >"$dir/order.json" ||
  fail "a constant using one defined above it: $(tail -n 1 "$dir/order.json")"
printf 'dt = "0.1*ms"\n' >"$dir/norun.toml"
refuses "norun.toml: no \[\[run\]\] with a duration" "no run" -- snn run "$dir/norun.toml" -o "$dir/x"
refuses "nothing.toml: cannot open" "missing file" -- snn run "$dir/nothing.toml" -o "$dir/x"
echo "ok: soma snn run"
