#!/bin/bash
# soma train on a tiny CSV configuration, twice (two distinct run directories, nothing
# overwritten), then soma predict with the saved run; checks the files and JSON lines.
set -euo pipefail
soma="$1" data="$2" work="$3"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

out1=$("$soma" train --config "$data/tiny.toml" --runs "$work/runs" --json)
out2=$("$soma" train --config "$data/tiny.toml" --runs "$work/runs" --epochs 1 --json)
json1=$(tail -n 1 <<<"$out1")
for key in test_accuracy train_seconds images_per_second peak_rss_bytes run_dir; do
  grep -q "\"$key\"" <<<"$json1" || fail "no $key in $json1"
done
[ "$(ls "$work/runs" | wc -l)" = 2 ] || fail "expected two run directories, got: $(ls "$work/runs")"
run=$(ls -d "$work"/runs/* | head -n 1)
for f in model.soma config.toml history.csv report.json report.md; do
  [ -s "$run/$f" ] || fail "missing $run/$f"
done
# history.csv: a header and one line per epoch.
[ "$(wc -l <"$run/history.csv")" -ge 2 ] || fail "history.csv too short"

pred=$("$soma" predict --model "$run" --input "$data/tiny_test.csv" --json)
[ "$(head -n 1 <<<"$pred")" = "row,prediction,p_0,p_1" ] || fail "predict header: $pred"
[ "$(grep -Ec '^[01],[01],[0-9.e-]+,[0-9.e-]+$' <<<"$pred")" = 2 ] || fail "expected two labelled rows: $pred"
tail -n 1 <<<"$pred" | grep -q '"examples":2' || fail "predict JSON: $pred"

# A config error names the file, line and key, and exits 1.
printf '[model]\nlayers = [{ type = "relu" }]\n[training]\nepochs = "x"\n' >"$work/bad.toml"
if err=$("$soma" train --config "$work/bad.toml" --runs "$work/runs" 2>&1); then fail "bad config accepted"; fi
grep -q "bad.toml:4:.*training.epochs" <<<"$err" || fail "error message: $err"
echo "ok"
