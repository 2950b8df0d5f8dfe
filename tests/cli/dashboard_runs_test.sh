#!/bin/bash
# Issue 17 item 4: runs are first-class. Two `soma train` runs on the tiny CSV config, the
# second with --live: its page stays up after training (--live-hold, as the examples'),
# still serving the run's events, and SIGTERM closes it with exit status 0. Then
# `soma dashboard RUNS` lists both runs as complete, serves each history.csv with the
# epochs and final train loss the run's --json reported, refuses names outside the
# directory (404) and reports a malformed history.csv as 422 naming file, line and field
# while the server goes on answering. Every command runs under a time limit.
# Usage: dashboard_runs_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
command -v curl >/dev/null || fail "curl not found (scripts/bootstrap installs it)"
dir=$(mktemp -d) || exit 1
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
data=$src/tests/cli/data
runs=$dir/runs

# wait_for FILE REGEX SECONDS PID: until a line of FILE matches, or PID ends without it.
wait_for() {
  local tries=$(($3 * 10))
  until grep -Eq -- "$2" "$1" 2>/dev/null; do
    kill -0 "$4" 2>/dev/null || { grep -Eq -- "$2" "$1" 2>/dev/null; return; }
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || return 1
    sleep 0.1
  done
}

timeout 120 "$soma" train --config "$data/tiny.toml" --runs "$runs" --epochs 3 --json \
  >"$dir/a.json" 2>"$dir/a.err" || fail "train a: $(cat "$dir/a.err")"

# The live run: its results come out first, then the page is held open.
timeout 120 "$soma" train --config "$data/tiny.toml" --runs "$runs" --epochs 2 --json \
  --live --port 0 --live-hold 60 >"$dir/b.json" 2>"$dir/b.err" </dev/null &
pid=$!
pids+=("$pid")
wait_for "$dir/b.json" '^\{' 60 "$pid" || fail "train --live: no JSON line: $(cat "$dir/b.err")"
url=$(sed -n 's|^live dashboard: \(http://127\.0\.0\.1:[0-9][0-9]*/\)$|\1|p' "$dir/b.err")
[ -n "$url" ] || fail "train --live: no dashboard URL on stderr: $(cat "$dir/b.err")"
sleep 1
kill -0 "$pid" 2>/dev/null || fail "train --live: the page closed when training ended"
curl -sN --max-time 5 "${url}api/events" >"$dir/b.events" 2>/dev/null
grep -q '^event: train_end$' "$dir/b.events" ||
  fail "train --live: the held page has no train_end event: $(head -c 300 "$dir/b.events")"
kill -TERM "$pid"
wait "$pid"
status=$?
[ "$status" -eq 0 ] || fail "train --live: exit status $status after SIGTERM in the hold"
echo "ok: soma train --live keeps its page after training until SIGTERM, then exits 0"

name_a=$(basename "$(field "$dir/a.json" run_dir)")
name_b=$(basename "$(field "$dir/b.json" run_dir)")
[ "$name_a" != "$name_b" ] || fail "one run directory for both runs: $name_a"

timeout 120 "$soma" dashboard "$runs" --port 0 --print-url --seconds 100 \
  >"$dir/dash.out" 2>"$dir/dash.err" </dev/null &
dpid=$!
pids+=("$dpid")
wait_for "$dir/dash.out" '^http://' 20 "$dpid" || fail "dashboard: no URL: $(cat "$dir/dash.err")"
base=$(head -n 1 "$dir/dash.out")
get() { curl -s --path-as-is --max-time 10 -o "$dir/body" -w '%{http_code}' "$base$1"; }

[ "$(get api/runs)" = 200 ] || fail "/api/runs: $(cat "$dir/body")"
listed=$("$json" --whole 'runs.*.name' <"$dir/body" | tr '\n' ' ')
[ "$listed" = "$name_a $name_b " ] || fail "/api/runs lists '$listed', expected '$name_a $name_b '"
[ "$("$json" --whole 'runs.*.status' <"$dir/body" | sort -u)" = complete ] ||
  fail "/api/runs: not every run complete: $(cat "$dir/body")"
echo "ok: /api/runs lists $listed"

for run in a b; do
  name=$(basename "$(field "$dir/$run.json" run_dir)")
  [ "$(get "api/runs/$name/history")" = 200 ] || fail "history of $name: $(cat "$dir/body")"
  epochs=$("$json" --whole 'values.epoch' <"$dir/body" | wc -l)
  [ "$epochs" -eq "$(field "$dir/$run.json" epochs)" ] ||
    fail "$name: $epochs epochs in the history, the run reported $(field "$dir/$run.json" epochs)"
  last=$("$json" --whole 'values.train_loss' <"$dir/body" | tail -n 1)
  near "$last" "$(field "$dir/$run.json" final_train_loss)" 1e-8 0 "$name: last train loss"
  echo "ok: history of $name: $epochs epochs, last train loss $last"
done

for bad in '../history' "$name_a/../$name_a/history" '%2e%2e/history' "..%2f..%2fetc/history" \
  "$name_a/model.soma" "$name_a/history.csv" "$(printf '%s' "${runs#/}")/$name_a/history"; do
  code=$(get "api/runs/$bad")
  [ "$code" = 404 ] || fail "api/runs/$bad: status $code (expected 404): $(head -c 200 "$dir/body")"
done
echo "ok: names outside the listing are 404"

mkdir -p "$runs/broken"
printf 'epoch,train_loss,seconds\n1,0.5,1\n2,oops,2\n' >"$runs/broken/history.csv"
[ "$(get api/runs/broken/history)" = 422 ] || fail "malformed history not 422: $(cat "$dir/body")"
grep -q "broken/history.csv:3:2: expected a number, found 'oops'" "$dir/body" ||
  fail "malformed history: $(cat "$dir/body")"
echo "ok: a malformed history is 422: $(cat "$dir/body")"
[ "$(get api/runs)" = 200 ] || fail "the server stopped answering after a malformed history"
kill -TERM "$dpid"
wait "$dpid" || fail "dashboard: exit status $? after SIGTERM"

refuses "is a directory and --runs gives" "two directories of runs" -- dashboard "$runs" --runs "$runs"
# A usage error (CLI11's check, in soma's words): status 2.
"$soma" dashboard --runs "$data/tiny.toml" --seconds 1 >/dev/null 2>"$dir/err"
status=$?
[ "$status" -eq 2 ] && grep -q -- "^soma: error: --runs" "$dir/err" ||
  fail "--runs naming a file: status $status: $(cat "$dir/err")"
echo "ok: --runs naming a file refused: $(cat "$dir/err")"
