#!/bin/bash
# soma train data-parallel (issue 16): `mpirun -np 2 soma train` ends with the same
# weights, bit for bit, and the same test accuracy as one rank with --shards 2 (the same
# sums in the same order; dist/data_parallel.hpp), rank 0 alone writes the run
# directory, and a rank that stops answering ends the job within --dist-timeout.
#   dist_train_test.sh SOMA JSON_FIELD WORKDIR
set -uo pipefail
soma="$1" json="$2" dir="$3"
. "$(dirname "$0")/common.sh"
rm -rf "$dir" && mkdir -p "$dir"

command -v mpirun >/dev/null || { echo "SKIP: no mpirun (openmpi-bin)"; exit 77; }
mpi=$("$soma" info --json | "$json" mpi) || fail "soma info --json has no mpi field"
[ -n "$mpi" ] || { echo "SKIP: soma built without MPI"; exit 77; }
# As root in a container OpenMPI wants --allow-run-as-root; --oversubscribe lets two
# ranks share fewer cores; vader's single-copy (CMA) needs ptrace rights a container
# may lack, and plain shared memory is enough here.
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
mpirun=(mpirun --allow-run-as-root --oversubscribe)

# Two Gaussian blobs whose classes overlap a little: 400 training and 100 test rows, made
# here (awk's Box-Muller over its seeded rand), so that the test needs no data set.
awk 'BEGIN { srand(16); print "x1,x2,y" > "'"$dir"'/train.csv"; print "x1,x2,y" > "'"$dir"'/test.csv"
  for (i = 0; i < 500; i++) {
    y = i % 2; r = sqrt(-2 * log(1 - rand())); a = 6.283185307 * rand()
    f = (i < 400) ? "'"$dir"'/train.csv" : "'"$dir"'/test.csv"
    printf "%.5f,%.5f,%d\n", (y ? 1 : -1) + r * cos(a), (y ? 0.5 : -0.5) + r * sin(a), y > f } }'
cat >"$dir/dist.toml" <<'TOML'
[data]
format = "csv"
train = "train.csv"
test = "test.csv"
target = "y"

[model]
layers = [
  { type = "linear", in = 2, out = 16 },
  { type = "relu" },
  { type = "dropout", p = 0.2 },
  { type = "linear", in = 16, out = 2 },
]

[training]
loss = "cross_entropy"
optimizer = "adam"
lr = 0.02
epochs = 2
batch_size = 30
validation_split = 0.2
seed = 3
TOML

train() {  # train NAME [LAUNCHER...] -- [ARGS...]: the run's output in $dir/NAME.out
  local name=$1 launcher=()
  shift
  while [ "$1" != -- ]; do launcher+=("$1"); shift; done
  shift
  "${launcher[@]}" "$soma" train --config "$dir/dist.toml" --runs "$dir/$name" --threads 1 \
    --json "$@" >"$dir/$name.out" 2>"$dir/$name.err" ||
    fail "$name: exit status $?: $(tail -n 5 "$dir/$name.err")"
}
train one -- --shards 2
train two "${mpirun[@]}" -np 2 --
train plain --  # whole batches: another sum, other weights

for run in one two; do
  [ "$(ls "$dir/$run" | wc -l)" = 1 ] || fail "$run: expected one run directory: $(ls "$dir/$run")"
  model=$(ls -d "$dir/$run"/*)/model.soma
  [ "$(sha256sum <"$model" | cut -c1-64)" = "$(field "$dir/$run.out" weights_sha256)" ] ||
    fail "$run: weights_sha256 is not the SHA-256 of $model"
  [ "$(field "$dir/$run.out" shards)" = 2 ] || fail "$run: shards"
done
[ "$(field "$dir/one.out" ranks)" = 1 ] || fail "one rank: ranks $(field "$dir/one.out" ranks)"
[ "$(field "$dir/two.out" ranks)" = 2 ] || fail "mpirun -np 2: ranks $(field "$dir/two.out" ranks)"
sha1=$(field "$dir/one.out" weights_sha256) sha2=$(field "$dir/two.out" weights_sha256)
[ "$sha1" = "$sha2" ] || fail "weights differ: one rank $sha1, two ranks $sha2"
acc1=$(field "$dir/one.out" test_accuracy) acc2=$(field "$dir/two.out" test_accuracy)
[ "$acc1" = "$acc2" ] || fail "test accuracy differs: one rank $acc1, two ranks $acc2"
# The task is learnable (two blobs 2 apart): a run that did not train fails here.
near "$acc1" 0.85 0 0.1 "test accuracy"
[ "$(field "$dir/plain.out" weights_sha256)" != "$sha1" ] ||
  fail "whole batches gave the weights of 2 shards: the shards were not summed apart"
# The gradient bytes each rank sends per step: its partner's half of the gradient in the
# all-to-all and its own summed half in the all-gather, 2 (R-1)/R * 4P = 4P at R = 2
# (docs/DISTRIBUTED.md's cost model).
p=$(field "$dir/two.out" dist.parameters)
[ "$p" = 82 ] || fail "dist.parameters $p: the network has 2*16+16 + 16*2+2 = 82"
near "$(field "$dir/two.out" dist.bytes_sent_per_step)" $((4 * p)) 0 0 "bytes sent per step"
# Only rank 0 prints: one JSON line.
[ "$(grep -c '^{' "$dir/two.out")" = 1 ] || fail "mpirun -np 2 printed more than one JSON line"
echo "ok: -np 2 and one rank with --shards 2: weights $sha1, test accuracy $acc1"

# A shard count the ranks do not divide is refused before training, and the job ends.
"${mpirun[@]}" -np 2 "$soma" train --config "$dir/dist.toml" --runs "$dir/bad" --shards 3 \
  >"$dir/bad.out" 2>"$dir/bad.err" && fail "--shards 3 on 2 ranks was accepted"
# Every rank finds the error; whichever reports first ends the job.
grep -Eq "soma: error: rank [01] of 2: --shards 3: not a multiple of the 2 ranks" "$dir/bad.err" ||
  fail "--shards 3 on 2 ranks: $(cat "$dir/bad.err")"
[ ! -e "$dir/bad" ] || fail "--shards 3 on 2 ranks left a run directory: $(ls "$dir/bad")"
echo "ok: refused --shards 3 on 2 ranks"

# A rank that stops answering (SIGSTOP: alive, silent) ends the job after --dist-timeout,
# with a message, never a hang; `timeout` is the test's own bound.
timeout 60 "${mpirun[@]}" -np 2 "$soma" train --config "$dir/dist.toml" --runs "$dir/hang" \
  --threads 1 --epochs 100000 --dist-timeout 2 >"$dir/hang.out" 2>"$dir/hang.err" &
launcher=$!
sleep 3
victim=$(pgrep -P "$(pgrep -P $launcher mpirun)" -f "soma train" | tail -n 1)
[ -n "$victim" ] || fail "no rank to stop under mpirun: $(cat "$dir/hang.err")"
kill -STOP "$victim"
wait $launcher
status=$?
kill -CONT "$victim" 2>/dev/null
[ "$status" -ne 124 ] || fail "the job hung past 60 s with a rank stopped"
[ "$status" -ne 0 ] || fail "the job ended with status 0 with a rank stopped"
grep -q "no answer from the other ranks within 2 s" "$dir/hang.err" ||
  fail "no timeout message: $(cat "$dir/hang.err")"
echo "ok: a stopped rank ended the job (status $status): $(grep 'no answer' "$dir/hang.err")"

# Rank 0's checkpoint resumes the run on any rank count that divides its shards: two ranks
# stopped by SIGTERM (every rank stops after the same batch), the rest on one rank, end
# with the weights of one uninterrupted one-rank run with 2 shards. The ranks get the
# signal themselves, as Ctrl-C on a terminal sends it to the whole foreground process
# group: OpenMPI 4.1's mpirun, signalled alone, kills its ranks about 2 s later whatever
# they are doing, so a checkpoint is saved only if they got the signal too.
"${mpirun[@]}" -np 2 "$soma" train --config "$dir/dist.toml" --runs "$dir/stopped" \
  --threads 1 --epochs 400 >"$dir/stopped.out" 2>"$dir/stopped.err" &
job=$!
# Stopped once its first epoch is saved, not after a fixed sleep: on a quiet machine the
# 400 epochs take well under a second.
for _ in $(seq 1000); do
  compgen -G "$dir/stopped/*/checkpoint.soma" >/dev/null && break
  kill -0 $job 2>/dev/null || break
  sleep 0.01
done
ranks=$(pgrep -P "$job" -f "soma train")
[ -n "$ranks" ] || fail "no ranks to stop under mpirun: $(tail -n 3 "$dir/stopped.err")"
# shellcheck disable=SC2086
kill -TERM $ranks
wait $job
run=$(ls -d "$dir"/stopped/*)
grep -q '"status": "interrupted"' "$run/status.json" ||
  fail "two ranks were not interrupted: $(cat "$run/status.json") $(tail -n 3 "$dir/stopped.err")"
"$soma" train --resume "$run" --threads 1 --json >"$dir/resumed.out" 2>"$dir/resumed.err" ||
  fail "--resume on one rank: $(tail -n 3 "$dir/resumed.err")"
train whole -- --shards 2 --epochs 400
[ "$(field "$dir/resumed.out" weights_sha256)" = "$(field "$dir/whole.out" weights_sha256)" ] ||
  fail "resumed on one rank after epoch $(field "$dir/resumed.out" resumed_from_epoch): other weights than a run never stopped"
echo "ok: stopped on 2 ranks after epoch $(field "$dir/resumed.out" resumed_from_epoch), resumed on 1: the same weights"
