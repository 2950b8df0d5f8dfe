#!/bin/bash
# Issue 16: the examples' weights_sha256 fingerprints the trained weights: the same seed
# gives the same digest (a run is reproducible bit for bit, so two runs can be compared
# by it), another seed or another number of epochs another one (it is taken after
# training, of the weights, not of a constant or of the untrained model).
# flags_convention_test.sh checks that every training example prints one.
#   weights_fingerprint_test.sh SOMA JSON_FIELD
set -uo pipefail
# shellcheck disable=SC2034  # json: read by common.sh's field
soma="$1" json="$2"
. "$(dirname "$0")/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

sha() { # sha NAME ARGS...: the weights_sha256 of `soma example ARGS --json`
  local name=$1
  shift
  "$soma" --threads 1 example "$@" --json </dev/null >"$dir/$name.out" 2>"$dir/$name.err" ||
    fail "soma example $*: $(tail -n 3 "$dir/$name.err")"
  field "$dir/$name.out" weights_sha256
}
for args in "regression-prelu --epochs 2" "mlp-dragons --epochs 1" "perceptron --epochs 3" \
  "neuron-callback --epochs 3"; do
  # shellcheck disable=SC2086
  set -- $args
  ex=$1
  a=$(sha a "$@" --seed 1) b=$(sha b "$@" --seed 1) c=$(sha c "$@" --seed 2)
  [ "$a" = "$b" ] || fail "$ex: the same seed gave $a, then $b"
  [ "$a" != "$c" ] || fail "$ex: seeds 1 and 2 gave the same weights $a"
  [ "$(field "$dir/a.out" ranks)" = 1 ] || fail "$ex: ranks $(field "$dir/a.out" ranks)"
  echo "ok: $ex: seed 1 twice $a, seed 2 $c"
done
# One epoch more, other weights: the digest is taken after training.
a=$(sha a regression-prelu --epochs 2 --seed 1) d=$(sha d regression-prelu --epochs 3 --seed 1)
[ "$a" != "$d" ] || fail "regression-prelu: 2 and 3 epochs gave the same weights $a"
echo "ok: regression-prelu: 2 epochs $a, 3 epochs $d"
echo OK
