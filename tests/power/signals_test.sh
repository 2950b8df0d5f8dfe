#!/bin/sh
# `soma power -- CMD` as a wrapper must be: the command always runs (with or without a
# power sensor) and its exit status comes back; SIGTERM, SIGINT and SIGHUP sent to soma
# reach the command, soma waits for it, writes -o and --json, and exits 128 + the
# signal (before: soma died at once, leaving `sleep` running under PID 1, no CSV).
# Usage: signals_test.sh SOMA_BINARY FAKE_NVML_LIBRARY
set -u
soma=$1 fake=$2
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
none="--nvml-library $dir/none.so --powercap-root $dir/none"

# No sensor: the command runs, its status passes through, and the report says what it can.
# shellcheck disable=SC2086
"$soma" power $none --json -o "$dir/none.csv" -- sh -c 'echo RAN >"$1"; exit 5' sh "$dir/ran" \
  >"$dir/out" 2>"$dir/err"
status=$?
[ $status -eq 5 ] || fail "no sensor: exit status $status (expected the command's 5): $(cat "$dir/err")"
[ "$(cat "$dir/ran" 2>/dev/null)" = RAN ] || fail "no sensor: the command did not run"
grep -q "energy: unknown (no sensor: NVML ($dir/none.so): not loaded" "$dir/err" ||
  fail "no sensor: no 'energy: unknown' line: $(cat "$dir/err")"
grep -q "^wall [0-9.]* s, CPU [0-9.]* s (user [0-9.]* s, system [0-9.]* s), peak memory [0-9.]* MB$" \
  "$dir/err" || fail "no sensor: no wall/CPU/memory line: $(cat "$dir/err")"
last=$(tail -n 1 "$dir/out")
for key in '"energy_j":null' '"exit_status":5' '"wall_s":' '"cpu_user_s":' '"peak_rss_bytes":' \
  '"energy":"unknown (no sensor: '; do
  echo "$last" | grep -q "$key" || fail "no sensor: $key missing in the JSON line: $last"
done
[ "$(head -n 1 "$dir/none.csv")" = t_s ] || fail "no sensor: CSV $(cat "$dir/none.csv")"
echo "ok: no sensor: the command ran, status 5, $(grep '^wall' "$dir/err")"

# No sensor with --live: the page still opens, and its power tab gets what was tried.
if command -v curl >/dev/null; then
  # shellcheck disable=SC2086
  timeout 60 "$soma" power $none --live --port 0 -- sleep 4 >"$dir/live.out" 2>"$dir/live.err" &
  live=$!
  tries=100
  until grep -q 'live view at http' "$dir/live.err" 2>/dev/null; do
    tries=$((tries - 1))
    [ $tries -gt 0 ] || fail "no sensor, --live: no URL: $(cat "$dir/live.err")"
    sleep 0.1
  done
  url=$(sed -n 's|^soma power: live view at \(http://127\.0\.0\.1:[0-9]*/\)#power.*|\1|p' "$dir/live.err")
  [ -n "$url" ] || fail "no sensor, --live: $(cat "$dir/live.err")"
  grep -q "no power sensor: the page lists what was tried" "$dir/live.err" ||
    fail "no sensor, --live: $(cat "$dir/live.err")"
  curl -sN --max-time 3 "${url}api/events" >"$dir/live.events" 2>/dev/null
  grep -A1 '^event: power_sensors$' "$dir/live.events" | grep -q "NVML ($dir/none.so): not loaded" ||
    fail "no sensor, --live: the page was not told what was tried: $(head -c 400 "$dir/live.events")"
  wait $live || fail "no sensor, --live: status $?: $(cat "$dir/live.err")"
  echo "ok: no sensor, --live: the page at $url lists what was tried"
fi

# sleeping PATTERN: whether a process with exactly this command line exists.
sleeping() { ps -eo args= | grep -qx "$1"; }

# A signal sent to soma (not to its process group) while it wraps `sleep`: forwarded,
# waited for, reported. With the stand-in NVML sensor, so the CSV has samples.
export SOMA_FAKE_NVML="gpus=1;power_mw=100000"
for sig in TERM INT HUP; do
  case $sig in TERM) num=15 ;; INT) num=2 ;; HUP) num=1 ;; esac
  nap="sleep 37.$$$num"
  "$soma" power --nvml-library "$fake" --powercap-root "$dir/none" --interval 20 --json \
    -o "$dir/$sig.csv" -- $nap >"$dir/$sig.out" 2>"$dir/$sig.err" &
  pid=$!
  sleep 1
  sleeping "$nap" || fail "$sig: the command is not running after 1 s: $(cat "$dir/$sig.err")"
  kill -s "$sig" $pid
  wait $pid
  status=$?
  [ $status -eq $((128 + num)) ] ||
    fail "SIG$sig: exit status $status (expected $((128 + num))): $(cat "$dir/$sig.err")"
  sleeping "$nap" && fail "SIG$sig: '$nap' still runs after soma ended"
  grep -q "was killed by signal $num" "$dir/$sig.err" || fail "SIG$sig: $(cat "$dir/$sig.err")"
  rows=$(($(wc -l <"$dir/$sig.csv") - 1))
  [ "$rows" -ge 20 ] || fail "SIG$sig: $rows samples in the CSV after 1 s at 20 ms"
  tail -n 1 "$dir/$sig.out" | grep -q "\"exit_status\":$((128 + num))" ||
    fail "SIG$sig: JSON line: $(tail -n 1 "$dir/$sig.out")"
  echo "ok: SIG$sig forwarded: status $status, command gone, $rows samples in the CSV"
done

# Without a sensor too: SIGTERM reaches the command, the CSV is written, status 143.
nap="sleep 37.$$0"
# shellcheck disable=SC2086
"$soma" power $none -o "$dir/term-none.csv" -- $nap >/dev/null 2>"$dir/term-none.err" &
pid=$!
sleep 1
kill -s TERM $pid
wait $pid
status=$?
[ $status -eq 143 ] || fail "no sensor, SIGTERM: status $status: $(cat "$dir/term-none.err")"
sleeping "$nap" && fail "no sensor, SIGTERM: the command still runs"
[ -f "$dir/term-none.csv" ] || fail "no sensor, SIGTERM: no CSV"
echo "OK"
