#!/bin/bash
# Spiking networks under mpirun (issue 16): `mpirun -np 2 soma snn run` and
# `mpirun -np 2 soma example coba` give the spikes of one rank, spike for spike
# (spikes_sha256 in --json; soma/snn/ranks.hpp), rank 0 alone writes and prints, and a
# rank that stops answering ends the job within --dist-timeout.
#   dist_snn_test.sh SOMA JSON_FIELD MODEL.toml WORKDIR
set -uo pipefail
soma="$1" json="$2" model="$3" dir="$4"
. "$(dirname "$0")/common.sh"
rm -rf "$dir" && mkdir -p "$dir"

command -v mpirun >/dev/null || { echo "SKIP: no mpirun (openmpi-bin)"; exit 77; }
mpi=$("$soma" info --json | "$json" mpi) || fail "soma info --json has no mpi field"
[ -n "$mpi" ] || { echo "SKIP: soma built without MPI"; exit 77; }
# As in dist_train_test.sh: root in a container, ranks sharing fewer cores, no CMA.
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
mpirun=(mpirun --allow-run-as-root --oversubscribe)

# The model file: split groups, synapses with per-synapse and common delays, a
# PoissonGroup run whole on every rank, a state monitor, two runs.
"$soma" snn run "$model" -o "$dir/one" --json >"$dir/one.out" 2>"$dir/one.err" ||
  fail "one rank: $(tail -n 3 "$dir/one.err")"
"${mpirun[@]}" -np 2 "$soma" snn run "$model" -o "$dir/two" --json >"$dir/two.out" \
  2>"$dir/two.err" || fail "mpirun -np 2: $(tail -n 3 "$dir/two.err")"
[ "$(field "$dir/one.out" ranks)" = 1 ] || fail "one rank: ranks $(field "$dir/one.out" ranks)"
[ "$(field "$dir/two.out" ranks)" = 2 ] || fail "-np 2: ranks $(field "$dir/two.out" ranks)"
[ "$(grep -c '^{' "$dir/two.out")" = 1 ] || fail "mpirun -np 2 printed more than one JSON line"
spikes=$(field "$dir/one.out" spikes)
[ "$spikes" -gt 1000 ] || fail "one rank: only $spikes spikes (the comparison would say little)"
sha1=$(field "$dir/one.out" spikes_sha256)
# The digest is that of the spike monitor's CSV lines (one monitor here).
[ "$(tail -n +2 "$dir/one/spikes.csv" | sha256sum | cut -c1-64)" = "$sha1" ] ||
  fail "spikes_sha256 is not the SHA-256 of spikes.csv's lines"
[ "$(field "$dir/two.out" spikes_sha256)" = "$sha1" ] ||
  fail "-np 2 spiked otherwise: $(field "$dir/two.out" spikes) spikes, one rank $spikes"
for f in spikes.csv state.csv; do
  cmp -s "$dir/one/$f" "$dir/two/$f" || fail "-np 2 wrote another $f: $(diff "$dir/one/$f" "$dir/two/$f" | head -n 4)"
done
echo "ok: snn run, -np 2 = one rank: $spikes spikes, $sha1; state.csv the same"
# G's spikes feed EE (1 to 3 ms) and IE (0.5 ms = 5 steps); P runs whole on every rank.
# So the ranks exchange once per 5 steps: 200 exchanges in each run of 1000 steps, each
# one collective where the slots hold it (a few more while they grow, one per run to
# agree on the window), not one or two every step.
[ "$(field "$dir/two.out" exchange_every)" = 5 ] ||
  fail "-np 2: exchange every $(field "$dir/two.out" exchange_every) steps (expected 5)"
[ "$(field "$dir/two.out" exchanges)" = 400 ] ||
  fail "-np 2: $(field "$dir/two.out" exchanges) exchanges (expected 2 x 1000 / 5)"
collectives=$(field "$dir/two.out" collectives)
[ "$collectives" -ge 402 ] && [ "$collectives" -le 420 ] ||
  fail "-np 2: $collectives collectives for 400 exchanges and 2 runs"
[ "$(field "$dir/one.out" exchanges)" = 0 ] || fail "one rank exchanged spikes"
echo "ok: snn run -np 2: 400 exchanges (every 5 steps), $collectives collectives"

# COBA: another seed is another digest (the digest sees the spikes), two ranks the same.
coba() {  # coba NAME [LAUNCHER...] -- [ARGS...]
  local name=$1 launcher=()
  shift
  while [ "$1" != -- ]; do launcher+=("$1"); shift; done
  shift
  "${launcher[@]}" "$soma" example coba --neurons 4000 --duration 0.1 --json "$@" \
    >"$dir/$name.out" 2>"$dir/$name.err" || fail "coba $name: $(tail -n 3 "$dir/$name.err")"
}
coba c1 --
coba c2 "${mpirun[@]}" -np 2 --
coba seed -- --seed 43
[ "$(field "$dir/c2.out" ranks)" = 2 ] || fail "coba -np 2: ranks $(field "$dir/c2.out" ranks)"
c1=$(field "$dir/c1.out" spikes_sha256)
[ "$(field "$dir/c1.out" spikes)" -gt 1000 ] || fail "coba: $(field "$dir/c1.out" spikes) spikes"
[ "$(field "$dir/c2.out" spikes_sha256)" = "$c1" ] ||
  fail "coba -np 2: $(field "$dir/c2.out" spikes) spikes, one rank $(field "$dir/c1.out" spikes)"
[ "$(field "$dir/seed.out" spikes_sha256)" != "$c1" ] || fail "coba --seed 43 gave seed 42's digest"
echo "ok: coba 4000, -np 2 = one rank: $(field "$dir/c1.out" spikes) spikes, $c1"

# COBA with a delay of 1.5 ms (15 steps): 1000 steps in ceil(1000 / 15) = 67 exchanges,
# the spikes still those of one rank (and not those without the delay).
coba d1 -- --delay 1.5
coba d2 "${mpirun[@]}" -np 2 -- --delay 1.5
d1=$(field "$dir/d1.out" spikes_sha256)
[ "$d1" != "$c1" ] || fail "coba --delay 1.5 spiked as without a delay"
[ "$(field "$dir/d2.out" spikes_sha256)" = "$d1" ] ||
  fail "coba --delay 1.5 -np 2: $(field "$dir/d2.out" spikes) spikes, one rank $(field "$dir/d1.out" spikes)"
[ "$(field "$dir/d2.out" exchange_every)" = 15 ] ||
  fail "coba --delay 1.5 -np 2: exchange every $(field "$dir/d2.out" exchange_every) steps"
[ "$(field "$dir/d2.out" exchanges)" = 67 ] ||
  fail "coba --delay 1.5 -np 2: $(field "$dir/d2.out" exchanges) exchanges (expected 67)"
collectives=$(field "$dir/d2.out" collectives)
[ "$collectives" -ge 69 ] && [ "$collectives" -le 80 ] ||
  fail "coba --delay 1.5 -np 2: $collectives collectives for 67 exchanges"
# Without a delay: every step, one collective each (plus the few while the slots grow).
collectives=$(field "$dir/c2.out" collectives)
[ "$(field "$dir/c2.out" exchanges)" = 1000 ] && [ "$collectives" -le 1020 ] ||
  fail "coba -np 2: $(field "$dir/c2.out" exchanges) exchanges, $collectives collectives"
echo "ok: coba --delay 1.5, -np 2 = one rank: $(field "$dir/d1.out" spikes) spikes in 67 exchanges ($collectives collectives without a delay)"

# A rank that stops answering (SIGSTOP: alive, silent) ends the job after --dist-timeout
# with a message, never a hang; `timeout` is the test's own bound.
# The model without its monitors and runs, then one long run.
sed '/^\[\[monitor\]\]/,$d' "$model" >"$dir/long.toml"
printf '[[run]]\nduration = "1000*second"\n' >>"$dir/long.toml"
timeout 60 "${mpirun[@]}" -np 2 "$soma" snn run "$dir/long.toml" -o "$dir/hang" \
  --dist-timeout 2 >"$dir/hang.out" 2>"$dir/hang.err" &
launcher=$!
sleep 5
victim=$(pgrep -P "$(pgrep -P $launcher mpirun)" -f "soma snn run" | tail -n 1)
[ -n "$victim" ] || fail "no rank to stop under mpirun: $(cat "$dir/hang.err")"
kill -STOP "$victim"
wait $launcher
status=$?
kill -CONT "$victim" 2>/dev/null
[ "$status" -ne 124 ] || fail "the job hung past 60 s with a rank stopped"
[ "$status" -ne 0 ] || fail "the job ended with status 0 with a rank stopped"
grep -q "no answer from the other ranks within 2 s during the spike exchange" "$dir/hang.err" ||
  fail "no timeout message: $(cat "$dir/hang.err")"
echo "ok: a stopped rank ended the job (status $status): $(grep 'no answer' "$dir/hang.err")"
