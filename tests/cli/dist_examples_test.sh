#!/bin/bash
# Training examples under mpirun (issue 16): `mpirun -np 2 soma example NAME` (vae,
# sine-rnn, regression-prelu, char-lstm, gan, titanic) trains data-parallel and ends with
# the weights of one rank with --shards 2, bit for bit (weights_sha256), reports ranks 2,
# and rank 0 alone prints its JSON line.
# Usage: dist_examples_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
command -v mpirun >/dev/null || { echo "SKIP: no mpirun (openmpi-bin)"; exit 77; }
mpi=$("$soma" info --json | "$json" mpi) || fail "soma info --json has no mpi field"
[ -n "$mpi" ] || { echo "SKIP: soma built without MPI"; exit 77; }
fashion=/usr/share/datasets/fashion-mnist
needs_data "$fashion/t10k-images-idx3-ubyte.gz" "Fashion-MNIST (Debian package dataset-fashion-mnist)"
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
mpirun=(mpirun --allow-run-as-root --oversubscribe)
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

# Runs `soma ARGS...` as one rank with --shards 2 ($dir/one) and on two ranks ($dir/two);
# checks one JSON line from the two ranks and the same weights in both. Sets $weights.
same_on_two_ranks() {
  local name=$1
  shift
  "$soma" "$@" --shards 2 >"$dir/one" 2>"$dir/err" || fail "$name --shards 2: $(cat "$dir/err")"
  timeout 300 "${mpirun[@]}" -np 2 "$soma" "$@" >"$dir/two" 2>"$dir/err" ||
    fail "mpirun -np 2 $name: $(cat "$dir/err")"
  [ "$(grep -c '^{' "$dir/two")" = 1 ] || fail "$name: expected one JSON line from two ranks: $(cat "$dir/two")"
  weights=$(field "$dir/one" weights_sha256)
  local two
  two=$(field "$dir/two" weights_sha256)
  [ -n "$weights" ] && [ "$weights" = "$two" ] ||
    fail "$name: one rank with --shards 2 gave $weights, two ranks $two"
}
ranks_are_two() {
  [ "$(field "$dir/two" ranks)" = 2 ] || fail "$1 ranks: $(field "$dir/two" ranks), expected 2"
}
# Runs `soma ARGS...` unsharded: its weights differ from $weights (the shard count is used).
shards_are_used() {
  local name=$1
  shift
  "$soma" "$@" >"$dir/plain" 2>"$dir/err" || fail "$name: $(cat "$dir/err")"
  [ "$weights" != "$(field "$dir/plain" weights_sha256)" ] ||
    fail "$name: one shard and two shards gave the same weights (the shard count is not used)"
}
# The same figure in the one-rank and the two-rank run.
same_field() {
  [ "$(field "$dir/one" "$2")" = "$(field "$dir/two" "$2")" ] ||
    fail "$1: $2 differs between one and two ranks"
}

vae=(example vae --json --epochs 1 --train 512 --test 128)
same_on_two_ranks vae "${vae[@]}"
a=$weights
ranks_are_two vae
shards_are_used vae "${vae[@]}"
[ "$(field "$dir/one" shards)" = 2 ] || fail "shards: $(field "$dir/one" shards), expected 2"
same_field vae test_elbo
# Arguments that cannot be split between the ranks are refused, on every rank.
"${mpirun[@]}" -np 2 "$soma" "${vae[@]}" --shards 3 >"$dir/out" 2>"$dir/err" &&
  fail "--shards 3 on two ranks was accepted"
grep -q "shards 3: expected 0 (one per rank) or a multiple of the 2 ranks" "$dir/err" || fail "--shards 3: $(cat "$dir/err")"

same_on_two_ranks sine-rnn example sine-rnn --json --epochs 2 --train 256 --test 64
c=$weights
ranks_are_two sine-rnn

same_on_two_ranks regression-prelu example regression-prelu --json --epochs 5
p=$weights
same_field regression-prelu step_loss

# char-lstm: each shard carries its own tracks' LSTM state from batch to batch.
same_on_two_ranks char-lstm example char-lstm --json --epochs 1 --hidden 16 --max-chars 8000 --samples 2
l=$weights
same_field char-lstm samples
# gan: BatchNorm's running statistics (in weights_sha256) are averaged over the shards
# after every step, so they too equal one rank's with --shards 2.
gan=(example gan --json --epochs 1 --train 192 --test 64 --batch 64 --width 8)
same_on_two_ranks gan "${gan[@]}"
g=$weights
ranks_are_two gan
shards_are_used gan "${gan[@]}"
same_field gan d_loss_per_epoch

# titanic (needs Kaggle's files from the shared data): the default loop and the printed
# one that never zeroes the gradients (--accumulate-grad).
titanic_data="$src/../shared/data/titanic"
needs_data "$titanic_data/train.csv" "Titanic (the shared data's titanic/)"
for variant in "" --accumulate-grad; do
  titanic=(example titanic --json --epochs 4 --data "$titanic_data" $variant)
  same_on_two_ranks "titanic $variant" "${titanic[@]}"
  ranks_are_two titanic
  [ "$(field "$dir/two" accumulate_grad)" = "$([ -n "$variant" ] && echo true || echo false)" ] ||
    fail "titanic $variant: accumulate_grad is $(field "$dir/two" accumulate_grad)"
  shards_are_used "titanic $variant" "${titanic[@]}"
  same_field "titanic $variant" final_valid_loss
  echo "ok: titanic $variant ($weights)"
done
echo "ok: vae ($a), sine-rnn ($c), regression-prelu ($p), char-lstm ($l), gan ($g), titanic:" \
  "2 ranks = 1 rank with --shards 2"
