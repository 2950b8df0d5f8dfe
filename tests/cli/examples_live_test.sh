#!/bin/bash
# `--live` on every example that trains (issue 11 item 2: tutorial 003's live loss plot for
# any example). Each runs with a few epochs, --live on a free port (--port 0; the URL
# read from stderr) and --live-hold, and the dashboard's own event stream (/api/events,
# read with curl) must hold what the run reports in its --json line: one train_begin, a
# batch event per step and an epoch event per epoch, steps numbered 0, 1, ... in order,
# each epoch at its last step (tutorial 003's x = (epoch + 1) * steps_per_epoch - 1 with
# epochs from 0) and a train_end with the epoch count. Then SIGTERM closes the page held
# open and the example must exit 0.
# Also: the losses on the page are the run's own (regression-prelu's --json), --live
# changes no number, a run in a pipe without --live-hold does not wait, --help names
# --live, and regression-prelu --plot writes the tutorial's steps figure.
# Every command runs under a time limit, so that nothing can hang the suite.
# Usage: examples_live_test.sh SOMA JSON_FIELD SOURCE_DIR SHARED_DATA
set -u
soma=$1 json=$2 src=$3 shared=$4
. "$src/tests/cli/common.sh"
command -v curl >/dev/null || fail "curl not found (scripts/bootstrap installs it)"
dir=$(mktemp -d) || exit 1
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT

# wait_for FILE REGEX SECONDS [PID]: until a line of FILE matches; status 1 after SECONDS,
# or as soon as PID has ended without the line.
wait_for() {
  local tries=$(($3 * 10))
  until grep -Eq -- "$2" "$1" 2>/dev/null; do
    if [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; then
      grep -Eq -- "$2" "$1" 2>/dev/null
      return
    fi
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || return 1
    sleep 0.1
  done
}

# The JSON of each event of one kind in $dir/$name.events, a line each, in order.
events() { grep -A1 "^event: $2\$" "$dir/$1.events" | sed -n 's/^data: //p'; }
# A field of those events, a line each (plain integers only).
ints() { events "$1" "$2" | sed -n "s/.*\"$3\":\(-\{0,1\}[0-9]*\)[,}].*/\1/p"; }

# live NAME STEPS EPOCHS -- ARGS...: `soma example NAME --live ... ARGS` as described above;
# STEPS and EPOCHS are shell arithmetic over fields of its --json line, each as $(f KEY).
live() {
  local name=$1 steps_expr=$2 epochs_expr=$3
  shift 4
  local out=$dir/$name
  timeout 300 "$soma" example "$name" --json --live --port 0 --live-hold 120 "$@" \
    >"$out.json" 2>"$out.err" </dev/null &
  local pid=$!
  pids+=("$pid")
  # The results are printed before the page is held open: the run is over by then.
  wait_for "$out.json" '^\{' 240 "$pid" || fail "$name: no JSON line: $(cat "$out.err")"
  local url
  url=$(sed -n 's|^live dashboard: \(http://127\.0\.0\.1:[0-9][0-9]*/\)$|\1|p' "$out.err")
  [ -n "$url" ] || fail "$name: no dashboard URL on stderr: $(cat "$out.err")"
  [ "$url" != "http://127.0.0.1:0/" ] || fail "$name: port 0 in the URL"
  curl -sN --max-time 60 "${url}api/events" >"$out.events" 2>/dev/null &
  local curl_pid=$!
  pids+=("$curl_pid")
  wait_for "$out.events" '^event: train_end$' 30 "$curl_pid" ||
    fail "$name: no train_end event from $url: $(head -c 400 "$out.events")"
  kill -TERM "$pid"
  wait "$pid"
  local status=$?
  [ "$status" -eq 0 ] || fail "$name: exit status $status after SIGTERM in the hold: $(cat "$out.err")"
  kill "$curl_pid" 2>/dev/null
  wait "$curl_pid" 2>/dev/null

  f() { field "$out.json" "$1"; }
  local steps epochs
  eval "steps=\$(( $steps_expr )) epochs=\$(( $epochs_expr ))"
  [ "$steps" -gt 0 ] && [ "$epochs" -gt 0 ] || fail "$name: $steps steps, $epochs epochs"
  local per_epoch=$((steps / epochs))
  [ "$(grep -c '^event: train_begin$' "$out.events")" -eq 1 ] || fail "$name: not one train_begin"
  [ "$(grep -c '^event: batch$' "$out.events")" -eq "$steps" ] ||
    fail "$name: $(grep -c '^event: batch$' "$out.events") batch events, the run made $steps steps"
  [ "$(grep -c '^event: epoch$' "$out.events")" -eq "$epochs" ] ||
    fail "$name: $(grep -c '^event: epoch$' "$out.events") epoch events, the run made $epochs epochs"
  [ "$(ints "$name" train_end epochs)" = "$epochs" ] || fail "$name: train_end's epochs"
  [ "$(ints "$name" batch step | tr '\n' ' ')" = "$(seq -s ' ' 0 $((steps - 1))) " ] ||
    fail "$name: the batch events' steps are not 0 to $((steps - 1)) in order"
  [ "$(ints "$name" batch batches | sort -u)" = "$per_epoch" ] ||
    fail "$name: batches per epoch $(ints "$name" batch batches | sort -u | tr '\n' ' '), expected $per_epoch"
  local e want=""
  for e in $(seq 1 "$epochs"); do want="$want$((e * per_epoch - 1)) "; done
  [ "$(ints "$name" epoch step | tr '\n' ' ')" = "$want" ] ||
    fail "$name: the epochs' steps are not each epoch's last ($want)"
  [ "$(ints "$name" epoch epoch | tr '\n' ' ')" = "$(seq -s ' ' 1 "$epochs") " ] ||
    fail "$name: the epoch events are not 1 to $epochs"
  echo "ok: $name --live: $steps steps ($per_epoch an epoch) and $epochs epochs on $url, exit 0"
}

# Each example's --help names the flags.
for name in perceptron multiclass-perceptron neuron neuron-callback neuron-multi mlp-dragons \
  titanic regression-prelu gan vae sine-rnn char-lstm cartpole; do
  timeout 60 "$soma" example "$name" --help >"$dir/help" 2>&1 || fail "$name --help failed"
  for flag in --live --port --live-hold; do
    grep -q -- "$flag" "$dir/help" || fail "$name --help does not mention $flag"
  done
done
echo "ok: every training example's --help names --live, --port and --live-hold"

# A pass is a step and an epoch for the perceptrons (they stop when a pass changes little).
live perceptron '$(f perceptron_passes)' '$(f perceptron_passes)' -- --epochs 30
live multiclass-perceptron '$(f multiclass_passes)' '$(f multiclass_passes)' -- --epochs 30
live neuron '$(f epochs) * $(f batches)' '$(f epochs)' -- --epochs 3
live neuron-callback '$(f epochs) * $(f batches)' '$(f epochs)' -- --epochs 3
# neuron-multi's Keras-style part trains through train::fit: one full batch an epoch.
live neuron-multi '$(f epochs)' '$(f epochs)' -- --epochs 3
# The page counts mlp-dragons' first epoch and the --epochs after it: one dragon a step.
live mlp-dragons '($(f epochs) + 1) * $(f train_size)' '$(f epochs) + 1' -- --epochs 2
if [ -f "$shared/titanic/train.csv" ]; then
  live titanic '$(f epochs) * $(f batches_per_epoch)' '$(f epochs)' -- --epochs 3 \
    --data "$shared/titanic" -o "$dir/titanic"
elif [ "${CI:-}" = true ]; then
  fail "titanic data not found at $shared/titanic (CI=true: missing data is a failure)"
else
  echo "SKIP: titanic --live (no data at $shared/titanic)"
fi
live regression-prelu '$(f epochs) * $(f steps_per_epoch)' '$(f epochs)' -- --epochs 3 \
  --plot "$dir/prelu"
if [ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]; then
  live gan '$(f epochs) * $(f steps_per_epoch)' '$(f epochs)' -- --epochs 2 --train 512 \
    --test 64 --width 8
  live vae '2 * $(f epochs) * $(f steps_per_epoch)' '2 * $(f epochs)' -- --epochs 1 --train 256 \
    --test 64
else
  echo "SKIP: gan and vae --live (no Fashion-MNIST)"
fi
# sine-rnn's page shows the RNN's, GRU's and LSTM's epochs one after another.
live sine-rnn '3 * $(f epochs) * $(f steps_per_epoch)' '3 * $(f epochs)' -- --epochs 2 \
  --train 64 --test 16 --hidden 8
if [ -f /usr/share/dict/words ]; then
  live char-lstm '$(f epochs) * $(f steps_per_epoch)' '$(f epochs)' -- --epochs 2 \
    --max-chars 3200 --hidden 16 --samples 1
else
  echo "SKIP: char-lstm --live (no /usr/share/dict/words)"
fi
# cartpole's epoch and step is an episode; each epoch carries the episode's return.
live cartpole '$(f episodes)' '$(f episodes)' -- --episodes 12 --hidden 8
events cartpole epoch | grep -c '"return"' | grep -qx 12 ||
  fail "cartpole: not every epoch event has the episode's return: $(events cartpole epoch | head -2)"

# regression-prelu's page has the run's own numbers: every step's training loss and every
# epoch's validation loss, as its --json line has them.
"$json" step_loss <"$dir/regression-prelu.json" >"$dir/want_steps" || fail "no step_loss"
events regression-prelu batch | while read -r line; do printf '%s\n' "$line" | "$json" loss; done \
  >"$dir/got_steps"
paste "$dir/want_steps" "$dir/got_steps" | awk 'NF != 2 || $1 != $2 { bad = 1 } END { exit bad }' ||
  fail "regression-prelu: the page's step losses differ from --json's step_loss"
"$json" valid_loss <"$dir/regression-prelu.json" >"$dir/want_valid" || fail "no valid_loss"
events regression-prelu epoch | while read -r line; do printf '%s\n' "$line" | "$json" valid_loss; done \
  >"$dir/got_valid"
paste "$dir/want_valid" "$dir/got_valid" | awk 'NF != 2 || $1 != $2 { bad = 1 } END { exit bad }' ||
  fail "regression-prelu: the page's validation losses differ from --json's valid_loss"
echo "ok: regression-prelu's page holds its $(wc -l <"$dir/got_steps") step and $(wc -l <"$dir/got_valid") validation losses"

# The tutorial's graph_steps figure: a 750 x 500 PNG (signature, then IHDR's size).
png=$dir/prelu/regression_prelu_steps.png
[ -s "$png" ] || fail "regression-prelu --plot wrote no regression_prelu_steps.png"
[ "$(od -An -tx1 -N8 "$png" | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$png is not a PNG"
[ "$(od -An -tu1 -j16 -N8 "$png" | tr -s ' ' | sed 's/^ //;s/ $//')" = "0 0 2 238 0 0 1 244" ] ||
  fail "$png is not 750 x 500"
echo "ok: regression-prelu --plot writes regression_prelu_steps.png (750 x 500)"

# --live changes no number: the same run without it prints the same JSON, timing aside.
# (and figures: only the run with --live had --plot)
untimed() { tail -n 1 "$1" | sed 's/"train_seconds":[^,}]*//; s/"figures":\[[^]]*\],\{0,1\}//'; }
timeout 300 "$soma" example regression-prelu --json --epochs 3 >"$dir/plain.json" ||
  fail "regression-prelu without --live failed"
[ "$(untimed "$dir/plain.json")" = "$(untimed "$dir/regression-prelu.json")" ] ||
  fail "regression-prelu's figures differ with --live"
timeout 300 "$soma" example mlp-dragons --json --epochs 2 >"$dir/plain.json" ||
  fail "mlp-dragons without --live failed"
[ "$(untimed "$dir/plain.json")" = "$(untimed "$dir/mlp-dragons.json")" ] ||
  fail "mlp-dragons' figures differ with --live"
echo "ok: --live leaves regression-prelu's and mlp-dragons' figures as they are"

# Outside a terminal the page closes when the run ends unless --live-hold says otherwise,
# and a hold ends by itself.
timeout 120 "$soma" example neuron --epochs 2 --live --port 0 --json </dev/null \
  >"$dir/pipe.json" 2>"$dir/pipe.err" || fail "neuron --live in a pipe: status $? ($(cat "$dir/pipe.err"))"
grep -q '^live dashboard: http://127.0.0.1:' "$dir/pipe.err" || fail "no URL: $(cat "$dir/pipe.err")"
timeout 120 "$soma" example perceptron --live --live-hold 1 --json </dev/null \
  >"$dir/hold.json" 2>"$dir/hold.err" || fail "perceptron --live-hold 1: status $? ($(cat "$dir/hold.err"))"
grep -q 'stays at http://127.0.0.1:[0-9]*/ for 1 s' "$dir/hold.err" ||
  fail "no hold message: $(cat "$dir/hold.err")"
echo "ok: --live in a pipe ends with the run; --live-hold 1 ends after a second"
# A command line that cannot be parsed exits 2, saying what was expected.
timeout 60 "$soma" example neuron --live --live-hold -1 >/dev/null 2>"$dir/refused.err"
status=$?
[ "$status" -eq 2 ] || fail "--live-hold -1: exit status $status, expected 2"
grep -q -- "--live-hold: expected a finite number of at least 0, got '-1'" "$dir/refused.err" ||
  fail "--live-hold -1: $(cat "$dir/refused.err")"
echo "ok: --live-hold -1 refused: $(cat "$dir/refused.err")"
exit 0
