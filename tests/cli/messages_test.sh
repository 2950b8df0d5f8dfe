#!/bin/bash
# Issue 13, item 9: messages that say what is wrong. A directory is not an empty file;
# an expression error quotes a window around the column, not a 120 KB equation; a flat
# sum of hundreds of terms is an expression, not "nested too deeply"; an IDX set with
# no images is refused when it is read.
# Usage: messages_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

# (before: "/tmp:1: empty input")
refuses "$dir: is a directory, expected a file" "plot DIR" -- plot "$dir" --output "$dir/p.png"
refuses "$dir: is a directory, expected a file" "tsne DIR" -- tsne "$dir"

# 12,000 terms and a typo at the end: the message is one line of at most ~200 bytes
# that shows the typo (before: the whole 120 KB equation).
long=$(awk 'BEGIN { for (i = 0; i < 12000; ++i) printf "x*%d + ", i; printf "x $ 1" }')
"$soma" ode "dx/dt = $long" --y0 x=1 --t 0:1 >/dev/null 2>"$dir/err"
[ $? -eq 1 ] || fail "a long equation with a typo was accepted"
[ "$(wc -c <"$dir/err")" -lt 300 ] || fail "message of $(wc -c <"$dir/err") bytes: $(head -c 400 "$dir/err")"
grep -q 'in "\.\.\..*x \$ 1"' "$dir/err" || fail "the window misses the column: $(cat "$dir/err")"
echo "ok: a 120 KB equation's error is $(wc -c <"$dir/err") bytes: $(cat "$dir/err")"

# A flat sum of 250 (and 5,000) terms parses and sums right: 1 + 2 + ... + n.
for n in 250 5000; do
  sum=$(awk -v n=$n 'BEGIN { for (i = 1; i <= n; ++i) printf "%s%d", (i > 1 ? " + " : ""), i }')
  "$soma" ode "dx/dt = $sum" --y0 x=0 --t 0:1 --method RK4 --first-step 1 --json \
    >"$dir/sum.json" 2>"$dir/err" || fail "a flat sum of $n terms: $(cat "$dir/err")"
  near "$(field "$dir/sum.json" final.x)" $((n * (n + 1) / 2)) 1e-12 0 "sum of 1..$n"
  # The same with products and quotients: 2 * 3 / 3 * 3 ... = 2 or 6.
  prod=$(awk -v n=$n 'BEGIN { printf "2"; for (i = 1; i < n; ++i) printf " %s 3", (i % 2 ? "*" : "/") }')
  "$soma" ode "dx/dt = $prod" --y0 x=0 --t 0:1 --method RK4 --first-step 1 --json \
    >"$dir/prod.json" 2>"$dir/err" || fail "a flat product of $n factors: $(cat "$dir/err")"
  near "$(field "$dir/prod.json" final.x)" $(((n - 1) % 2 ? 6 : 2)) 1e-12 0 "product of $n factors"
done
echo "ok: flat sums and products of 250 and 5,000 terms"
# Real nesting still has its limit.
deep=$(awk 'BEGIN { for (i = 0; i < 300; ++i) printf "("; printf "x"; for (i = 0; i < 300; ++i) printf ")" }')
refuses "nested too deeply" "300 parentheses" -- ode "dx/dt = $deep" --y0 x=1 --t 0:1

# An IDX set with no images (and its labels) is refused when read, naming the file.
printf '\0\0\10\3\0\0\0\0\0\0\0\34\0\0\0\34' >"$dir/empty-images-idx3-ubyte"
printf '\0\0\10\1\0\0\0\0' >"$dir/empty-labels-idx1-ubyte"
refuses "empty-images-idx3-ubyte: holds 0 samples, expected at least one" "tsne on 0 images" -- \
  tsne "$dir/empty-images-idx3-ubyte"
cat >"$dir/empty.toml" <<TOML
[data]
format = "idx"
train_images = "$dir/empty-images-idx3-ubyte"
train_labels = "$dir/empty-labels-idx1-ubyte"
test_images = "$dir/empty-images-idx3-ubyte"
test_labels = "$dir/empty-labels-idx1-ubyte"
[model]
layers = [{ type = "linear", in = 784, out = 10 }]
[training]
epochs = 1
TOML
refuses "empty-images-idx3-ubyte: holds 0 images, expected at least one" "train on 0 images" -- \
  train --config "$dir/empty.toml" --runs "$dir/runs"
echo "OK"
