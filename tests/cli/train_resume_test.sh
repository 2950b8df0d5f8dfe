#!/bin/bash
# Issue 13, item 7: runs that stop early. `soma train` on tiny_dropout.toml (Dropout,
# shuffling, Adam): a run stopped by SIGTERM, SIGINT or SIGKILL and resumed with
# --resume ends with the same weights (weights_sha256, = sha256sum of model.soma) and
# history as the run never stopped; a stopped or failed run is refused by predict; an
# unwritable --runs fails before any training.
set -uo pipefail
soma="$1" json="$2" data="$3" dir="$4"
. "$(dirname "$0")/common.sh"
rm -rf "$dir"
mkdir -p "$dir"
config="$data/tiny_dropout.toml"
epochs=200  # long enough (a second on disk: a checkpoint per epoch) for a signal to land mid-run

# history.csv without its timing column (the last).
figures() { awk -F, '{ NF--; print }' OFS=, "$1/history.csv"; }

# reference EPOCHS: one uninterrupted run of EPOCHS (once per count): $want is its
# weights_sha256, $full its directory.
declare -A want_for full_for
reference() {
  local e=$1 out="$dir/full-$1.out"
  if [ -z "${want_for[$e]:-}" ]; then
    "$soma" train --config "$config" --runs "$dir/full-$e" --epochs "$e" --json >"$out" ||
      fail "uninterrupted run: $(tail -n 3 "$out")"
    full_for[$e]=$(field "$out" run_dir)
    want_for[$e]=$(field "$out" weights_sha256)
    local f=${full_for[$e]} w=${want_for[$e]}
    [ "$(field "$out" resumed_from_epoch)" = 0 ] || fail "a fresh run says it was resumed"
    [ "${#w}" = 64 ] || fail "weights_sha256 is not 64 hex digits: $w"
    if command -v sha256sum >/dev/null; then
      [ "$(sha256sum "$f/model.soma" | cut -d' ' -f1)" = "$w" ] ||
        fail "weights_sha256 $w is not the SHA-256 of model.soma"
    fi
    grep -q '"status": "complete"' "$f/status.json" || fail "status: $(cat "$f/status.json")"
    [ -s "$f/checkpoint.soma" ] || fail "no checkpoint in $f"
    echo "ok: uninterrupted, $e epochs, weights_sha256 $w"
  fi
  want=${want_for[$e]} full=${full_for[$e]}
}

# stop SIGNAL STATUS NAME [FLAGS...]: start a run, send SIGNAL once its first checkpoint
# is on disk, expect exit STATUS; leaves the run directory in $run and its epochs in
# $stopped_epochs. A run that finished before the signal (a fast disk) is tried again
# with four times the epochs.
stop() {
  local signal=$1 expected=$2 name=$3 status pid
  shift 3
  stopped_epochs=$epochs
  while :; do
    rm -rf "${dir:?}/$name"
    set -m  # the job gets its own process group and does not ignore SIGINT
    "$soma" train --config "$config" --runs "$dir/$name" --epochs $stopped_epochs --json "$@" \
      >"$dir/$name.out" 2>"$dir/$name.err" &
    pid=$!
    set +m
    for _ in $(seq 1 3000); do  # up to a minute: CI machines can be slow
      ls "$dir/$name"/*/checkpoint.soma >/dev/null 2>&1 && break
      sleep 0.02
    done
    if [ "$name" = sigterm ]; then
      refuses "another soma train is running this run" "--resume of a run still training" -- \
        train --resume "$(ls -d "$dir/$name"/*)"
    fi
    kill "-$signal" "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    status=$?
    [ "$status" = 0 ] && [ "$stopped_epochs" -lt 100000 ] || break
    stopped_epochs=$((stopped_epochs * 4))
    echo "note: $signal came after the run ended; again with $stopped_epochs epochs"
  done
  [ "$status" = "$expected" ] ||
    fail "$signal: exit status $status, expected $expected: $(cat "$dir/$name.err")"
  run=$(ls -d "$dir/$name"/*)
  [ -s "$run/checkpoint.soma" ] || fail "$signal: no checkpoint in $run"
  echo "ok: $signal -> exit $status, checkpoint in $run"
}

# resume NAME: --resume $run must finish with the uninterrupted run's weights and history.
resume() {
  reference "$stopped_epochs"
  "$soma" train --resume "$run" --json >"$dir/$1.resumed.out" 2>"$dir/$1.resumed.err" ||
    fail "$1: resume failed: $(cat "$dir/$1.resumed.err")"
  local got from
  got=$(field "$dir/$1.resumed.out" weights_sha256)
  from=$(field "$dir/$1.resumed.out" resumed_from_epoch)
  [ "$got" = "$want" ] || fail "$1: resumed after epoch $from: weights_sha256 $got, uninterrupted $want"
  [ "$(field "$dir/$1.resumed.out" run_dir)" = "$run" ] || fail "$1: resumed into another directory"
  figures "$run" >"$dir/$1.history"
  figures "$full" | cmp -s - "$dir/$1.history" ||
    fail "$1: history differs from the uninterrupted run's: $(figures "$full" | diff - "$dir/$1.history" | head -n 4)"
  grep -q '"status": "complete"' "$run/status.json" || fail "$1: status: $(cat "$run/status.json")"
  echo "ok: $1 resumed after epoch $from with the same weights_sha256 and history"
}

stop TERM 143 sigterm
grep -q '"status": "interrupted"' "$run/status.json" || fail "SIGTERM: status: $(cat "$run/status.json")"
grep -q 'soma train --resume' "$dir/sigterm.err" || fail "SIGTERM: no resume hint: $(cat "$dir/sigterm.err")"
refuses "not complete .*interrupted.*--resume" "predict on an interrupted run" -- \
  predict --model "$run" --input "$data/tiny_test.csv"
resume sigterm
refuses "already complete" "resuming a complete run" -- train --resume "$run"

stop INT 130 sigint
grep -q '"status": "interrupted"' "$run/status.json" || fail "SIGINT: status: $(cat "$run/status.json")"
resume sigint

# SIGKILL: no chance to save; the last per-epoch checkpoint is what is left.
stop KILL 137 sigkill
grep -q '"status": "running"' "$run/status.json" || fail "SIGKILL: status: $(cat "$run/status.json")"
refuses "not complete .*killed" "predict on a killed run" -- \
  predict --model "$run" --input "$data/tiny_test.csv"
resume sigkill

# Checkpoints after every batch (--checkpoint-seconds 0), the last one mid-epoch.
stop KILL 137 every_batch --checkpoint-seconds 0
resume every_batch

# A write that fails (a file-size limit: EFBIG, as a full disk gives ENOSPC): the run
# stops with an error naming the file, is marked incomplete, and predict refuses it.
(
  trap '' XFSZ
  ulimit -f 2  # KiB: the configuration and status fit, the checkpoint does not
  exec "$soma" train --config "$config" --runs "$dir/full_disk" --epochs 2
) >"$dir/full_disk.out" 2>"$dir/full_disk.err"
status=$?
[ "$status" = 1 ] || fail "failed write: exit status $status: $(cat "$dir/full_disk.err")"
grep -q "^soma: error: .*checkpoint.soma.*File too large" "$dir/full_disk.err" ||
  fail "failed write: message: $(cat "$dir/full_disk.err")"
run=$(ls -d "$dir/full_disk"/*)
grep -q '"status": "incomplete"' "$run/status.json" || fail "failed write: status: $(cat "$run/status.json")"
refuses "not complete .*writing it failed" "predict on a run whose writes failed" -- \
  predict --model "$run" --input "$data/tiny_test.csv"

# An unwritable --runs fails at once, before the data is read or a step is trained.
touch "$dir/a_file"
refuses "--runs .*a_file/runs: cannot create the directory" "--runs under a file" -- \
  train --config "$config" --runs "$dir/a_file/runs" --epochs 100000
mkdir -p "$dir/readonly"
chmod 555 "$dir/readonly"
if [ "$(id -u)" = 0 ]; then
  # root writes anywhere: run as nobody (who may read the build and the data).
  as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
  command -v setpriv >/dev/null || as_user=""
else
  as_user=""
fi
if [ "$(id -u)" != 0 ] || [ -n "$as_user" ]; then
  start=$(date +%s)
  $as_user "$soma" train --config "$config" --runs "$dir/readonly" --epochs 100000 \
    >"$dir/ro.out" 2>"$dir/ro.err"
  status=$?
  [ "$status" = 1 ] || fail "read-only --runs: exit status $status: $(cat "$dir/ro.err")"
  grep -Eq "^soma: error: --runs .*readonly: cannot create a run directory: .*Permission denied" \
    "$dir/ro.err" || fail "read-only --runs: message: $(cat "$dir/ro.err")"
  [ $(($(date +%s) - start)) -le 5 ] || fail "read-only --runs: failed only after training"
  echo "ok: read-only --runs: $(cat "$dir/ro.err")"
else
  echo "skipped: read-only --runs (root, and no setpriv to drop privileges)"
fi

# Usage: --resume takes its settings from the run directory.
"$soma" train --resume "$run" --epochs 3 >/dev/null 2>"$dir/usage.err"
[ $? = 2 ] || fail "--resume with --epochs: $(cat "$dir/usage.err")"
refuses "--resume .*nowhere: not a directory" "--resume of a missing directory" -- \
  train --resume "$dir/nowhere"
echo "ok"
