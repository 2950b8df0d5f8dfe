#!/bin/sh
# Nothing beyond the x86-64 baseline leaks out of the CPU dispatch: the default build's CLI
# runs under qemu-user emulating older CPUs — Nehalem (SSE4.2, no AVX) and Haswell (AVX2 +
# FMA, no AVX-512) — through four examples, and `soma info` names the level each one gets.
# An illegal instruction (status 132, or qemu's SIGILL message) fails the test.
# Usage: qemu_cpu_test.sh SOMA_BINARY
set -u
soma=$1
fail() { echo "FAIL: $*"; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "SKIP: not an x86-64 host"; exit 77; }
command -v qemu-x86_64 >/dev/null 2>&1 ||
  fail "qemu-x86_64 not found (Debian package qemu-user; scripts/bootstrap installs it)"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

# OpenBLAS picks its kernel table from the (emulated) CPUID unless OPENBLAS_CORETYPE pins
# one: a table pinned for the host could itself be beyond the emulated CPU.
run() {  # run CPU LABEL ARGS...
  cpu=$1 label=$2
  shift 2
  env -u OPENBLAS_CORETYPE -u SOMA_CPU qemu-x86_64 -cpu "$cpu" "$soma" --threads 1 "$@" \
    >"$dir/out" 2>"$dir/err"
  status=$?
  if [ $status -ne 0 ] || grep -qi 'illegal instruction' "$dir/err"; then
    echo "--- stdout"; tail -n 20 "$dir/out"; echo "--- stderr"; tail -n 20 "$dir/err"
    fail "$label on -cpu $cpu exited with status $status"
  fi
  tail -n 1 "$dir/out" | grep -q '^{.*}$' || fail "$label on -cpu $cpu: last line is not JSON"
  echo "ok: $label on -cpu $cpu"
}

for pair in Nehalem:baseline Haswell:avx2; do
  cpu=${pair%%:*} level=${pair#*:}
  run "$cpu" info info --json
  tail -n 1 "$dir/out" | grep -q "\"kernels\":\"$level\"" ||
    fail "soma info on -cpu $cpu: expected kernels $level, got $(tail -n 1 "$dir/out")"
  run "$cpu" titanic example titanic --epochs 20 --json
  run "$cpu" lorenz example lorenz --json
  run "$cpu" curve-fit example curve-fit --json
  run "$cpu" snn-3 example snn-3 --json
done
echo "qemu: every example ran on Nehalem (baseline) and Haswell (avx2)"
