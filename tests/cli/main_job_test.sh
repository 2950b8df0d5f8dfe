#!/bin/sh
# The main job's headline (README: `make run` reaches at least 90 % test accuracy on
# Fashion-MNIST in under three minutes on two cores): the default `soma train`, run as
# `make run` runs it, must reach 0.90 on the 10,000 test images. The run was 0.911 when
# this floor was set; a change that costs more than one point fails here. Holding out a
# tenth of the training images for validation (issue 17) left it at 0.9101.
set -eu
soma="$1" work="$2"
fail() { echo "FAIL: $*" >&2; exit 1; }
fashion=/usr/share/datasets/fashion-mnist
if [ ! -f "$fashion/t10k-images-idx3-ubyte.gz" ]; then
  [ "${CI:-}" = true ] && fail "$fashion is missing, and CI=true: a missing data set fails the run"
  echo "SKIP: $fashion not installed (Debian package dataset-fashion-mnist)"
  exit 77
fi
rm -rf "$work"
mkdir -p "$work"
out=$("$soma" train --runs "$work/runs" --json) || fail "soma train failed: $out"
json=$(printf '%s\n' "$out" | tail -n 1)
acc=$(printf '%s\n' "$json" | sed -n 's/.*"test_accuracy":\([0-9.eE+-]*\).*/\1/p')
[ -n "$acc" ] || fail "no test_accuracy in: $json"
awk -v a="$acc" 'BEGIN { exit !(a >= 0.90) }' || fail "test accuracy $acc is below the 0.90 floor"
echo "ok: test accuracy $acc >= 0.90"
