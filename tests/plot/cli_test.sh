#!/bin/sh
# `soma plot` end to end: a CSV becomes a PNG of the asked size and an HTML page holding
# the data and linking Plotly.js; a bad cell is reported by file, line and column with exit status 1.
# Usage: cli_test.sh SOMA_BINARY
set -u
soma=$1
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

printf 'epoch,train loss,test loss\n1,0.9,1.1\n2,0.5,0.7\n3,0.25,0.4375\n' >"$dir/log.csv"
"$soma" plot "$dir/log.csv" --ylog --title "loss" --width 640 --height 360 -o "$dir/log.png" ||
  fail "plot to PNG failed"
# PNG signature, then IHDR width and height as big-endian 32-bit numbers.
[ "$(od -An -tx1 -N8 "$dir/log.png" | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "not a PNG"
[ "$(od -An -tu1 -j16 -N8 "$dir/log.png" | tr -s ' ' | sed 's/^ //')" = "0 0 2 128 0 0 1 104" ] ||
  fail "PNG is not 640 x 360"

printf 'window.Plotly = {newPlot() {}}; /* stand-in */\n' >"$dir/plotly.js"
SOMA_PLOTLY_JS="$dir/plotly.js" "$soma" plot "$dir/log.csv" -o "$dir/log.html" || fail "HTML failed"
grep -q "0.4375" "$dir/log.html" || fail "HTML lacks the data"
grep -q '"name":"test loss"' "$dir/log.html" || fail "HTML lacks the series name"
# The page links Plotly.js where soma finds it rather than holding a copy of its 4-5 MB.
grep -qF "<script src=\"file://$dir/plotly.js\"></script>" "$dir/log.html" ||
  fail "HTML does not link Plotly.js: $(head -c 600 "$dir/log.html")"
grep -q "stand-in" "$dir/log.html" && fail "HTML holds a copy of Plotly.js"

printf 'a,b\n1,2\n3,x\n' >"$dir/bad.csv"
"$soma" plot "$dir/bad.csv" -o "$dir/bad.png" 2>"$dir/err"
[ $? -eq 1 ] || fail "bad cell did not exit 1"
grep -q "bad.csv:3:2: 'x' in column 'b' is not a number" "$dir/err" || fail "$(cat "$dir/err")"
[ ! -e "$dir/bad.png" ] || fail "a figure was written for bad input"
echo "OK"
