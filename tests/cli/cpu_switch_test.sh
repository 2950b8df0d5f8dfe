#!/bin/sh
# SOMA_CPU: every level this CPU runs can be forced and `soma info` reports it; an unknown
# name, or a level beyond the CPU, is a clear error (status 1, "soma: error: SOMA_CPU=...").
# The Titanic example gives the same accuracy on every level (its arithmetic differs only
# in rounding between levels).
# Usage: cpu_switch_test.sh SOMA_BINARY
set -u
soma=$1
fail() { echo "FAIL: $*"; exit 1; }
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
field() { tail -n 1 "$1" | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"; }

"$soma" info --json >"$dir/info" || fail "soma info failed"
runnable=$(field "$dir/info" kernels_runnable | tr -d ' ' | tr ',' ' ')
[ -n "$runnable" ] || fail "soma info lists no runnable level: $(cat "$dir/info")"
echo "runnable levels: $runnable"
for level in $runnable; do
  SOMA_CPU=$level "$soma" info --json >"$dir/info" || fail "SOMA_CPU=$level soma info failed"
  [ "$(field "$dir/info" kernels)" = "$level" ] || fail "SOMA_CPU=$level: info says $(cat "$dir/info")"
  SOMA_CPU=$level "$soma" --threads 1 example titanic --epochs 10 --json >"$dir/titanic.$level" ||
    fail "SOMA_CPU=$level titanic failed"
  acc=$(tail -n 1 "$dir/titanic.$level" | sed -n 's/.*"valid_accuracy":\([0-9.eE+-]*\).*/\1/p')
  [ -n "$acc" ] || fail "SOMA_CPU=$level titanic: no valid_accuracy in $(tail -n 1 "$dir/titanic.$level")"
  echo "ok: SOMA_CPU=$level, titanic valid_accuracy $acc"
  [ -z "${first_acc:-}" ] && first_acc=$acc
  [ "$acc" = "$first_acc" ] || fail "titanic accuracy differs between levels: $first_acc vs $acc"
done

SOMA_CPU=pentium "$soma" info >"$dir/out" 2>"$dir/err" && fail "SOMA_CPU=pentium accepted"
grep -q "soma: error: SOMA_CPU=pentium: expected one of baseline, avx2, avx512" "$dir/err" ||
  fail "SOMA_CPU=pentium: unexpected message: $(cat "$dir/err")"
for level in avx2 avx512; do
  case " $runnable " in *" $level "*) continue ;; esac
  SOMA_CPU=$level "$soma" info >"$dir/out" 2>"$dir/err" && fail "SOMA_CPU=$level accepted on a CPU without it"
  grep -q "soma: error: SOMA_CPU=$level" "$dir/err" || fail "SOMA_CPU=$level: $(cat "$dir/err")"
  echo "ok: SOMA_CPU=$level refused: $(cat "$dir/err")"
done
# SOMA_ONEDNN (built with oneDNN): off, plain or blocked; anything else is an error.
if "$soma" info | grep -q "^conv *oneDNN"; then
  SOMA_ONEDNN=fast "$soma" info >"$dir/out" 2>"$dir/err" && fail "SOMA_ONEDNN=fast accepted"
  grep -q "soma: error: SOMA_ONEDNN=fast: expected off (or 0), plain or blocked" "$dir/err" ||
    fail "SOMA_ONEDNN=fast: unexpected message: $(cat "$dir/err")"
  SOMA_ONEDNN=off "$soma" info | grep -q "turned off by SOMA_ONEDNN=off" || fail "SOMA_ONEDNN=off not reported"
  echo "ok: SOMA_ONEDNN=fast refused"
fi
echo "ok: SOMA_CPU switch"
