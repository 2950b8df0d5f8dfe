#!/bin/bash
# `soma example gan` (issue 15): a short run of the conditional DCGAN on a subset of
# Fashion-MNIST. Checks: the JSON fields (losses per epoch, the last epoch's equal to
# d_loss / g_loss, seconds_per_epoch), that the classifier judging the generated images
# learnt (test accuracy well above chance, 0.1), that the untrained generator's images are
# put in their conditioning class at about chance, and that after training the
# generator's are far more often (the conditioning works), and the figures: one sample
# grid per epoch and the loss curves, as `figures` lists them.
# Usage: gan_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
fashion=/usr/share/datasets/fashion-mnist
needs_data "$fashion/t10k-images-idx3-ubyte.gz" "Fashion-MNIST (Debian package dataset-fashion-mnist)"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

"$soma" --threads 2 example gan --json --epochs 2 --train 6000 --test 2000 --plot "$dir/plots" \
  >"$dir/out" 2>"$dir/err" || fail "gan failed: $(cat "$dir/err")"
acc=$(field "$dir/out" generated_accuracy)
acc0=$(field "$dir/out" untrained_generated_accuracy)
judge=$(field "$dir/out" classifier_test_accuracy)
d=$(field "$dir/out" d_loss)
g=$(field "$dir/out" g_loss)
sec=$(field "$dir/out" seconds_per_epoch)
[ "$(field "$dir/out" epochs)" = 2 ] || fail "epochs: $(field "$dir/out" epochs)"
[ "$("$json" d_loss_per_epoch <"$dir/out" | wc -l)" = 2 ] || fail "expected 2 D losses"
[ "$("$json" generated_accuracy_per_epoch <"$dir/out" | wc -l)" = 2 ] || fail "expected 2 accuracies"
near "$d" "$("$json" d_loss_per_epoch <"$dir/out" | tail -n 1)" 1e-9 1e-9 "d_loss = last epoch's"
near "$g" "$("$json" g_loss_per_epoch <"$dir/out" | tail -n 1)" 1e-9 1e-9 "g_loss = last epoch's"
near "$acc" "$("$json" generated_accuracy_per_epoch <"$dir/out" | tail -n 1)" 1e-9 1e-9 \
  "generated_accuracy = last epoch's"
# Losses are binary cross-entropies: D's is two of them (real and generated), both positive.
awk -v d="$d" -v g="$g" -v s="$sec" 'BEGIN { exit !(d > 0 && d < 4 && g > 0 && g < 10 && s > 0) }' ||
  fail "d_loss $d, g_loss $g, seconds_per_epoch $sec out of range"
awk -v j="$judge" 'BEGIN { exit !(j > 0.6) }' || fail "classifier test accuracy $judge"
near "$acc0" 0.1 0 0.1 "untrained generator's accuracy (chance)"
awk -v a="$acc" -v a0="$acc0" 'BEGIN { exit !(a > 0.25 && a > a0 + 0.15) }' ||
  fail "generated accuracy $acc after 2 epochs (untrained $acc0): expected > 0.25 (seed 42: 0.39)"
echo "ok: generated accuracy $acc (untrained $acc0, classifier $judge), D $d, G $g, ${sec} s/epoch"

for f in gan_epoch_01 gan_epoch_02 gan_loss; do
  [ -s "$dir/plots/$f.png" ] || fail "no $f.png"
  grep -q "^wrote $dir/plots/$f.png$" "$dir/err" || fail "$f.png not announced on stderr"
done
[ "$(ls "$dir/plots" | wc -l)" = 3 ] || fail "unexpected figures: $(ls "$dir/plots")"
[ "$("$json" figures <"$dir/out" | wc -l)" = 3 ] || fail "figures: $(tail -n 1 "$dir/out")"
echo "ok: figures $(ls "$dir/plots" | tr '\n' ' ')"

refuses "--train 0: expected 1 to 60000" "--train 0" -- example gan --train 0
refuses "--width 0: expected 1 to 512" "--width 0" -- example gan --width 0
refuses "$dir/none" "a missing data folder" -- example gan --data "$dir/none"
