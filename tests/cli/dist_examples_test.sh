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

vae=(example vae --json --epochs 1 --train 512 --test 128)
"$soma" "${vae[@]}" --shards 2 >"$dir/one" 2>"$dir/err" || fail "vae --shards 2: $(cat "$dir/err")"
"$soma" "${vae[@]}" >"$dir/plain" 2>"$dir/err" || fail "vae: $(cat "$dir/err")"
timeout 300 "${mpirun[@]}" -np 2 "$soma" "${vae[@]}" >"$dir/two" 2>"$dir/err" ||
  fail "mpirun -np 2 vae: $(cat "$dir/err")"
[ "$(grep -c '^{' "$dir/two")" = 1 ] || fail "expected one JSON line from two ranks: $(cat "$dir/two")"
[ "$(field "$dir/two" ranks)" = 2 ] || fail "ranks: $(field "$dir/two" ranks), expected 2"
[ "$(field "$dir/one" shards)" = 2 ] || fail "shards: $(field "$dir/one" shards), expected 2"
a=$(field "$dir/one" weights_sha256) b=$(field "$dir/two" weights_sha256)
[ -n "$a" ] && [ "$a" = "$b" ] || fail "vae: one rank with --shards 2 gave $a, two ranks $b"
[ "$a" != "$(field "$dir/plain" weights_sha256)" ] ||
  fail "vae: one shard and two shards gave the same weights (the shard count is not used)"
[ "$(field "$dir/one" test_elbo)" = "$(field "$dir/two" test_elbo)" ] ||
  fail "vae: test ELBO differs between one and two ranks"
# Arguments that cannot be split between the ranks are refused, on every rank.
"${mpirun[@]}" -np 2 "$soma" "${vae[@]}" --shards 3 >"$dir/out" 2>"$dir/err" &&
  fail "--shards 3 on two ranks was accepted"
grep -q "shards 3: expected 0 (one per rank) or a multiple of the 2 ranks" "$dir/err" || fail "--shards 3: $(cat "$dir/err")"

rnn=(example sine-rnn --json --epochs 2 --train 256 --test 64)
"$soma" "${rnn[@]}" --shards 2 >"$dir/one" 2>"$dir/err" || fail "sine-rnn --shards 2: $(cat "$dir/err")"
timeout 300 "${mpirun[@]}" -np 2 "$soma" "${rnn[@]}" >"$dir/two" 2>"$dir/err" ||
  fail "mpirun -np 2 sine-rnn: $(cat "$dir/err")"
[ "$(grep -c '^{' "$dir/two")" = 1 ] || fail "sine-rnn: expected one JSON line from two ranks"
[ "$(field "$dir/two" ranks)" = 2 ] || fail "sine-rnn ranks: $(field "$dir/two" ranks), expected 2"
c=$(field "$dir/one" weights_sha256) d=$(field "$dir/two" weights_sha256)
[ -n "$c" ] && [ "$c" = "$d" ] || fail "sine-rnn: one rank with --shards 2 gave $c, two ranks $d"

prelu=(example regression-prelu --json --epochs 5)
"$soma" "${prelu[@]}" --shards 2 >"$dir/one" 2>"$dir/err" || fail "regression-prelu --shards 2: $(cat "$dir/err")"
timeout 300 "${mpirun[@]}" -np 2 "$soma" "${prelu[@]}" >"$dir/two" 2>"$dir/err" ||
  fail "mpirun -np 2 regression-prelu: $(cat "$dir/err")"
[ "$(grep -c '^{' "$dir/two")" = 1 ] || fail "regression-prelu: expected one JSON line from two ranks"
p=$(field "$dir/one" weights_sha256) q=$(field "$dir/two" weights_sha256)
[ -n "$p" ] && [ "$p" = "$q" ] || fail "regression-prelu: one rank with --shards 2 gave $p, two ranks $q"
[ "$(field "$dir/one" step_loss)" = "$(field "$dir/two" step_loss)" ] ||
  fail "regression-prelu: the step losses differ between one and two ranks"

# char-lstm: each shard carries its own tracks' LSTM state from batch to batch.
lstm=(example char-lstm --json --epochs 1 --hidden 16 --max-chars 8000 --samples 2)
"$soma" "${lstm[@]}" --shards 2 >"$dir/one" 2>"$dir/err" || fail "char-lstm --shards 2: $(cat "$dir/err")"
timeout 300 "${mpirun[@]}" -np 2 "$soma" "${lstm[@]}" >"$dir/two" 2>"$dir/err" ||
  fail "mpirun -np 2 char-lstm: $(cat "$dir/err")"
[ "$(grep -c '^{' "$dir/two")" = 1 ] || fail "char-lstm: expected one JSON line from two ranks"
l=$(field "$dir/one" weights_sha256) m=$(field "$dir/two" weights_sha256)
[ -n "$l" ] && [ "$l" = "$m" ] || fail "char-lstm: one rank with --shards 2 gave $l, two ranks $m"
[ "$(field "$dir/one" samples)" = "$(field "$dir/two" samples)" ] ||
  fail "char-lstm: the sampled words differ between one and two ranks"
# gan: BatchNorm's running statistics (in weights_sha256) are averaged over the shards
# after every step, so they too equal one rank's with --shards 2.
gan=(example gan --json --epochs 1 --train 192 --test 64 --batch 64 --width 8)
"$soma" "${gan[@]}" --shards 2 >"$dir/one" 2>"$dir/err" || fail "gan --shards 2: $(cat "$dir/err")"
"$soma" "${gan[@]}" >"$dir/plain" 2>"$dir/err" || fail "gan: $(cat "$dir/err")"
timeout 300 "${mpirun[@]}" -np 2 "$soma" "${gan[@]}" >"$dir/two" 2>"$dir/err" ||
  fail "mpirun -np 2 gan: $(cat "$dir/err")"
[ "$(grep -c '^{' "$dir/two")" = 1 ] || fail "gan: expected one JSON line from two ranks"
[ "$(field "$dir/two" ranks)" = 2 ] || fail "gan ranks: $(field "$dir/two" ranks), expected 2"
g=$(field "$dir/one" weights_sha256) h=$(field "$dir/two" weights_sha256)
[ -n "$g" ] && [ "$g" = "$h" ] || fail "gan: one rank with --shards 2 gave $g, two ranks $h"
[ "$g" != "$(field "$dir/plain" weights_sha256)" ] ||
  fail "gan: one shard and two shards gave the same weights (the shard count is not used)"
[ "$(field "$dir/one" d_loss_per_epoch)" = "$(field "$dir/two" d_loss_per_epoch)" ] ||
  fail "gan: the discriminator's losses differ between one and two ranks"

# titanic (needs Kaggle's files from the shared data): the default loop and the printed
# one that never zeroes the gradients (--accumulate-grad).
titanic_data="$src/../shared/data/titanic"
needs_data "$titanic_data/train.csv" "Titanic (the shared data's titanic/)"
for variant in "" --accumulate-grad; do
  titanic=(example titanic --json --epochs 4 --data "$titanic_data" $variant)
  "$soma" "${titanic[@]}" --shards 2 >"$dir/one" 2>"$dir/err" ||
    fail "titanic $variant --shards 2: $(cat "$dir/err")"
  "$soma" "${titanic[@]}" >"$dir/plain" 2>"$dir/err" || fail "titanic $variant: $(cat "$dir/err")"
  timeout 300 "${mpirun[@]}" -np 2 "$soma" "${titanic[@]}" >"$dir/two" 2>"$dir/err" ||
    fail "mpirun -np 2 titanic $variant: $(cat "$dir/err")"
  [ "$(grep -c '^{' "$dir/two")" = 1 ] || fail "titanic $variant: expected one JSON line from two ranks"
  [ "$(field "$dir/two" ranks)" = 2 ] || fail "titanic ranks: $(field "$dir/two" ranks), expected 2"
  [ "$(field "$dir/two" accumulate_grad)" = "$([ -n "$variant" ] && echo true || echo false)" ] ||
    fail "titanic $variant: accumulate_grad is $(field "$dir/two" accumulate_grad)"
  u=$(field "$dir/one" weights_sha256) v=$(field "$dir/two" weights_sha256)
  [ -n "$u" ] && [ "$u" = "$v" ] || fail "titanic $variant: one rank with --shards 2 gave $u, two ranks $v"
  [ "$u" != "$(field "$dir/plain" weights_sha256)" ] ||
    fail "titanic $variant: one shard and two shards gave the same weights"
  [ "$(field "$dir/one" final_valid_loss)" = "$(field "$dir/two" final_valid_loss)" ] ||
    fail "titanic $variant: the validation losses differ between one and two ranks"
  echo "ok: titanic $variant ($u)"
done
echo "ok: vae ($a), sine-rnn ($c), regression-prelu ($p), char-lstm ($l), gan ($g), titanic:" \
  "2 ranks = 1 rank with --shards 2"
