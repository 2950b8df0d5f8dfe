#!/bin/bash
# `soma example stdp` (100 s, Brian2's examples/synapses/STDP.py) against Brian2 over
# five seeds: for each statistic (fraction of weights above gmax/2, mean w/gmax, output
# rate) the mean over soma's five seeds must lie within Brian2's seed spread, taken as
# Brian2's mean +- 3 standard errors of a difference of two five-seed means:
# 3*sqrt(sd_brian2^2/5 + sd_soma^2/5). The two simulators draw different random numbers,
# so only the distributions can agree, and 3 standard errors leave a false alarm rate
# below 0.3 %. Reference: tests/reference/snn_stdp.py -> data/snn_stdp_stats.json.
# Usage: snn_stdp_brian2_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
ref="$src/tests/reference/data/snn_stdp_stats.json"

for s in 1 2 3 4 5; do
  "$soma" --threads 1 example stdp --seed $((s + 100)) --json >"$dir/seed$s.json" ||
    fail "example stdp --seed $((s + 100)) failed"
done
for f in fraction_above_half mean_w_over_gmax output_rate_hz; do
  for s in 1 2 3 4 5; do field "$dir/seed$s.json" $f; done >"$dir/$f"
  read -r mean sd < <(awk '{ s += $1; q += $1 * $1; n++ }
    END { m = s / n; v = (q - n * m * m) / (n - 1); if (v < 0) v = 0; printf "%.17g %.17g\n", m, sqrt(v) }' "$dir/$f")
  want=$("$json" --whole "summary.$f.mean" <"$ref") || fail "no summary.$f.mean in $ref"
  want_sd=$("$json" --whole "summary.$f.std" <"$ref") || fail "no summary.$f.std in $ref"
  tol=$(awk -v a="$want_sd" -v b="$sd" 'BEGIN { printf "%.17g", 3 * sqrt(a * a / 5 + b * b / 5) }')
  near "$mean" "$want" 0 "$tol" "$f: soma's mean over 5 seeds (sd $sd) vs Brian2's (sd $want_sd)"
  echo "ok: $f: soma $mean (sd $sd), Brian2 $want (sd $want_sd), tolerance $tol"
done
