#!/bin/bash
# Issue 17 item 3: `soma train`'s log, as Keras and Lightning print one. On a small CSV
# problem (generated below, three classes in the plane; each run takes well under a second):
# - the model summary comes before the first epoch line, with the parameter counts worked
#   out by hand: Linear(2, 8) 2*8 + 8 = 24, ReLU 0, Linear(8, 3) 8*3 + 3 = 27, total 51;
# - one line per epoch, also in a pipe, with the validation figures; history.csv's
#   validation columns are numbers;
# - early stopping is announced with the best epoch, which --json reports too;
# - "1 epoch", not "1 epochs"; no internal names in the run's files;
# - loss.png, accuracy.png and confusion_matrix.png in the run directory, listed in --json;
# - on a terminal the bar shows the epoch's mean loss and an ETA; in a pipe there is none;
# - `soma plot history.csv` keeps the seconds column off the loss axis (issue 17 item 4).
set -uo pipefail
soma="$1" json="$2" dir="$3"
. "$(dirname "$0")/common.sh"
rm -rf "$dir"
mkdir -p "$dir"

# Points on two incommensurate grids; the class is the band x1 + x2 falls in.
points() {
  awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN {
    print "x1,x2,y"
    for (i = 0; i < n; i++) {
      x1 = (i * a % 101) / 100; x2 = (i * b % 97) / 96; s = x1 + x2
      printf "%.4f,%.4f,%d\n", x1, x2, (s < 0.7 ? 0 : (s < 1.3 ? 1 : 2))
    }
  }'
}
points 200 37 53 >"$dir/train.csv"
points 60 41 29 >"$dir/test.csv"
config() {  # config FILE EPOCHS [EXTRA TOML]
  cat >"$1" <<EOF
[data]
format = "csv"
train = "train.csv"
test = "test.csv"
target = "y"

[model]
layers = [
  { type = "linear", in = 2, out = 8 },
  { type = "relu" },
  { type = "linear", in = 8, out = 3 },
]

[training]
optimizer = "adam"
lr = 0.05
epochs = $2
batch_size = 16
validation_split = 0.25
seed = 3
${3:-}
EOF
}
config "$dir/log.toml" 4

# PNG signature.
png() {
  [ -s "$1" ] || fail "$1 missing"
  [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$1 is not a PNG"
}

# --- a run in a pipe: summary, epoch lines, history, figures, JSON
"$soma" train --config "$dir/log.toml" --runs "$dir/runs" --json >"$dir/log.out" 2>"$dir/log.err" ||
  fail "soma train: $(cat "$dir/log.err")"
out="$dir/log.out"
tail -n 1 "$out" | grep -q '^{.*}$' || fail "the last line is not one JSON object: $(tail -n 1 "$out")"
grep -q $'\r\|ETA' "$dir/log.err" && fail "a progress bar in a pipe: $(cat "$dir/log.err")"
summary_at=$(grep -n '^total: 51 parameters$' "$out" | cut -d: -f1)
first_epoch_at=$(grep -n '^epoch 1/4: ' "$out" | cut -d: -f1)
[ -n "$summary_at" ] || fail "no 'total: 51 parameters' line: $(cat "$out")"
[ -n "$first_epoch_at" ] || fail "no line for epoch 1/4: $(cat "$out")"
[ "$summary_at" -lt "$first_epoch_at" ] || fail "the summary comes after the first epoch"
grep -Eq '^0 +\[N, 8\] +24  Linear\(in_features=2, out_features=8' "$out" ||
  fail "layer 0 is not [N, 8] with 24 parameters: $(cat "$out")"
grep -Eq '^1 +\[N, 8\] +0  ReLU\(\)$' "$out" || fail "layer 1 is not [N, 8] with 0"
grep -Eq '^2 +\[N, 3\] +27  Linear\(in_features=8, out_features=3' "$out" ||
  fail "layer 2 is not [N, 3] with 27"
grep -Eq '^input +\[N, 2\]$' "$out" || fail "no input row [N, 2]"
grep -q '^data: 150 training examples, 50 held out for validation' "$out" ||
  fail "data line: $(grep '^data' "$out")"
number='[0-9]+\.[0-9]{4}'
for e in 1 2 3 4; do
  grep -Eq "^epoch $e/4: train loss $number, valid loss $number, valid accuracy $number \([0-9.]+ s\)$" \
    "$out" || fail "epoch line $e: $(grep "^epoch $e/" "$out")"
done
grep -q '^trained 4 epochs on 150 examples' "$out" || fail "summary line: $(grep '^trained' "$out")"
run=$(field "$out" run_dir)
# history.csv: every validation figure a finite number (the default once wrote nan).
awk -F, 'NR == 1 { if ($3 != "valid_loss" || $4 != "valid_accuracy") exit 1; next }
  { if ($3 !~ /^[0-9.e+-]+$/ || $4 !~ /^[0-9.e+-]+$/) exit 1; rows++ }
  END { exit rows != 4 }' "$run/history.csv" || fail "history.csv: $(cat "$run/history.csv")"
[ "$(field "$out" epochs)" = 4 ] || fail "epochs"
[ "$(field "$out" parameters)" = 51 ] || fail "parameters: $(field "$out" parameters)"
best=$(field "$out" best_epoch)
[ "$best" -ge 1 ] && [ "$best" -le 4 ] || fail "best_epoch $best"
[ "$(field "$out" best_monitor)" = valid_loss ] || fail "best_monitor"
# The best epoch is the one with the lowest validation loss in history.csv.
lowest=$(awk -F, 'NR > 1 && (NR == 2 || $3 < min) { min = $3; e = $1 } END { print e }' "$run/history.csv")
[ "$best" = "$lowest" ] || fail "best_epoch $best, history.csv's lowest valid_loss is epoch $lowest"
grep -Eq "^best epoch: $best of 4 \(valid loss $number\); saved the weights of epoch 4$" "$out" ||
  fail "best epoch line: $(grep '^best' "$out")"
[ "$(field "$out" weights_epoch)" = 4 ] || fail "weights_epoch (no early stopping: the last)"
[ "$(field "$out" early_stopped)" = false ] || fail "early_stopped"
for f in loss accuracy confusion_matrix; do
  png "$run/$f.png"
  tail -n 1 "$out" | grep -q "\"figures\":\[[^]]*$f.png" || fail "$f.png not in --json figures"
  grep -q "($f.png)" "$run/report.md" || fail "report.md does not show $f.png"
done
grep -q '^total: 51 parameters$' "$run/report.md" || fail "report.md has no model summary"
echo "ok: summary (51 parameters) before 4 epoch lines, history with validation, 3 PNGs"

# --- one epoch: singular
"$soma" train --config "$dir/log.toml" --runs "$dir/runs" --epochs 1 --json >"$dir/one.out" ||
  fail "one epoch"
grep -q '^trained 1 epoch on ' "$dir/one.out" || fail "plural: $(grep '^trained' "$dir/one.out")"
grep -q '^best epoch: 1 of 1 ' "$dir/one.out" || fail "best epoch of one"
png "$(field "$dir/one.out" run_dir)/loss.png"
echo "ok: trained 1 epoch"

# --- early stopping: no improvement of the validation loss counts (min_delta 1000), so
# patience 2 stops the run at epoch 3 and gives back epoch 1's weights.
config "$dir/stop.toml" 50 $'\n[training.early_stopping]\nmonitor = "valid_loss"\npatience = 2\nmin_delta = 1000'
"$soma" train --config "$dir/stop.toml" --runs "$dir/runs" --json >"$dir/stop.out" 2>"$dir/stop.err" ||
  fail "early stopping run: $(cat "$dir/stop.err")"
stop="$dir/stop.out"
grep -Eq "^early stopping at epoch 3 of 50: valid loss has not improved by more than 1000 for 2 epochs; restored the weights of epoch 1 \(valid loss $number\)$" \
  "$stop" || fail "early stopping message: $(cat "$stop")"
grep -q '^epoch 4/50' "$stop" && fail "an epoch after early stopping"
grep -q '^trained 3 of 50 epochs (early stopping) on 150 examples' "$stop" ||
  fail "summary: $(grep '^trained' "$stop")"
grep -q '^best epoch: 1 of 3 (valid loss .*); saved the weights of epoch 1$' "$stop" ||
  fail "best epoch line: $(grep '^best' "$stop")"
[ "$(field "$stop" early_stopped)" = true ] || fail "early_stopped"
[ "$(field "$stop" best_epoch)" = 1 ] || fail "best_epoch"
[ "$(field "$stop" weights_epoch)" = 1 ] || fail "weights_epoch"
[ "$(field "$stop" epochs)" = 3 ] || fail "epochs"
# The valid loss it names is epoch 1's in history.csv.
srun=$(field "$stop" run_dir)
v1=$(awk -F, 'NR == 2 { print $3 }' "$srun/history.csv")
near "$(field "$stop" best_value)" "$v1" 1e-9 0 "best_value against history.csv"
grep -q '^early stopping at epoch 3 of 50' "$srun/report.md" || fail "report.md lacks early stopping"
echo "ok: early stopping at epoch 3 of 50 announced, best epoch 1 restored"

# --- no internal jargon in what a run leaves for a user to read
if grep -l 'W5' "$run"/*.json "$run"/*.md "$run"/*.toml; then fail "internal name W5 in a run's files"; fi

# --- on a terminal (script(1) gives it one): the bar's mean loss and ETA. The bar is
# drawn again under each epoch line, so a run of two epochs shows it whatever its speed.
if command -v script >/dev/null; then
  TERM=xterm script -qec "'$soma' train --config '$dir/log.toml' --runs '$dir/runs' --epochs 2" \
    /dev/null >"$dir/tty.raw" 2>&1 || fail "train on a terminal: $(cat "$dir/tty.raw")"
  # Each redraw of the bar starts with a carriage return and an erase-line code.
  tr '\r' '\n' <"$dir/tty.raw" | sed 's/\x1b\[K//g' >"$dir/tty.out"
  grep -Eq "ETA [0-9hms]+ epoch [12]/2 mean loss $number" "$dir/tty.out" ||
    fail "no bar with an ETA and the mean loss: $(cat "$dir/tty.out")"
  grep -q '^epoch 1/2: train loss' "$dir/tty.out" ||
    fail "the epoch line does not stay on a terminal: $(cat "$dir/tty.out")"
  echo "ok: the terminal's bar shows the mean loss and an ETA"
else
  echo "note: script(1) not found, the terminal's bar is not checked"
fi

# --- soma plot history.csv: losses and accuracy, no seconds (SVG text holds the legend)
"$soma" plot "$run/history.csv" -o "$dir/history.svg" || fail "soma plot history.csv"
grep -q 'validation loss' "$dir/history.svg" || fail "no validation loss curve in the plot"
grep -q 'validation accuracy' "$dir/history.svg" || fail "no validation accuracy panel"
grep -q 'seconds' "$dir/history.svg" && fail "soma plot draws the seconds column of history.csv"
"$soma" plot "$run/history.csv" --y seconds -o "$dir/seconds.svg" || fail "--y seconds"
grep -q 'seconds' "$dir/seconds.svg" || fail "--y seconds does not draw the seconds"
echo "ok: soma plot history.csv draws losses and accuracy, not seconds"
