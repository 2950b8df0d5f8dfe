#!/bin/sh
# Numeric flags are parsed strictly and their errors say what was expected: an integer
# too large for 64 bits once became 2^63 - 1 silently (`--epochs 99999999999999999999`
# trained forever), NaN seconds ran a dashboard forever, and --threads 100000 started
# thousands of threads.
set -u
soma="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
# refused EXPECTED ARGS...: the command exits 1 (soma::Error) or 2 (a command line that
# could not be parsed), not a crash, and its message holds EXPECTED.
refused() {
  want=$1
  shift
  out=$("$soma" "$@" 2>&1) && fail "accepted: soma $*"
  status=$?
  [ "$status" -eq 1 ] || [ "$status" -eq 2 ] || fail "soma $*: exit status $status: $out"
  case "$out" in *"$want"*) ;; *) fail "soma $*: message lacks '$want': $out" ;; esac
  echo "ok: soma $* -> $(printf '%s\n' "$out" | tail -n 1)"
}
refused "expected an integer from 1 to 10000000, got '99999999999999999999'" \
  train --epochs 99999999999999999999
refused "expected an integer from 0 to 10000000, got 'abc'" example titanic --epochs abc
refused "expected an integer from 0 to 10000000, got '-3'" example neuron --epochs -3
refused "expected a finite number of at least 0, got 'nan'" dashboard --seconds nan
refused "expected an integer from 0 to 65535, got '70000'" dashboard --port 70000
refused "expected a finite number of at least 0, got '-1'" fit x.csv --ftol -1
refused "more than 16 per core" --threads 65536 info
refused "expected an integer from 1 to 65536, got '100000'" --threads 100000 info
# OMP_NUM_THREADS is the default thread count, as in PyTorch; --threads overrides it.
threads() { "$@" info --json | tail -n 1 | sed -n 's/.*"threads":\([0-9]*\).*/\1/p'; }
[ "$(OMP_NUM_THREADS=1 threads "$soma")" = 1 ] || fail "OMP_NUM_THREADS=1 not the default"
[ "$(OMP_NUM_THREADS=1 threads "$soma" --threads 2)" = 2 ] || fail "--threads 2 lost to OMP_NUM_THREADS"
echo "ok: OMP_NUM_THREADS"
echo "OK"
