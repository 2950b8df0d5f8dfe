#!/bin/sh
# `soma example NAME --plot DIR` for the ODE, SNN, t-SNE and curve-fitting tutorials: each
# figure is a PNG of the size its example asks for, the interactive pages hold the data
# the example printed, and COBA's spike CSV holds every spike the model counted.
# Kept small (--neurons, --duration, --n) so the whole test takes a few seconds.
# Usage: example_plots_test.sh SOMA_BINARY
set -u
# Every figure must name its axes: Figure::save refuses blemishes under this.
export SOMA_PLOT_STRICT=1
soma=$1
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# PNG signature, then the IHDR chunk's width and height (big-endian 32-bit).
png() {
  [ -s "$1" ] || fail "$1 missing"
  [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$1 is not a PNG"
  size=$(od -An -tu1 -j16 -N8 "$1" | tr -s ' ' | sed 's/^ //;s/ $//')
  want=$(printf '0 0 %d %d 0 0 %d %d' $(($2 / 256)) $(($2 % 256)) $(($3 / 256)) $(($3 % 256)))
  [ "$size" = "$want" ] || fail "$1 is not $2 x $3 (IHDR bytes $size)"
}
# A JSON number from the example's last line, by a jq-less path: "key":[a,b,c] -> a.
first_of() { tail -n 1 "$1" | sed -n "s/.*\"$2\":\[\([^],]*\).*/\1/p"; }
have_plotly() { [ -f "$(dirname "$0")/../../web/node_modules/plotly.js-dist-min/plotly.min.js" ] ||
  [ -n "${SOMA_PLOTLY_JS:-}" ]; }

# Lorenz: odeint beside solve_ivp in 3-D (the page holds odeint's final state), RK45 beside
# LSODA, and the t_eval run with x(t) of both overlaid.
"$soma" example lorenz --json --plot "$dir/lorenz" >"$dir/lorenz.out" || fail "lorenz failed"
png "$dir/lorenz/lorenz.png" 1200 520
png "$dir/lorenz/lorenz_methods.png" 1200 520
png "$dir/lorenz/lorenz_t_eval.png" 1500 480
if have_plotly; then
  x40=$(tail -n 1 "$dir/lorenz.out" | sed -n 's/.*"odeint":\[\([^],]*\).*/\1/p')
  [ -n "$x40" ] || fail "no odeint final state in: $(tail -n 1 "$dir/lorenz.out")"
  grep -q -- "$x40" "$dir/lorenz/lorenz.html" || fail "lorenz.html lacks x(40) = $x40"
  grep -q '"scatter3d"' "$dir/lorenz/lorenz.html" || fail "lorenz.html has no 3-D trace"
fi

# snn-3: the three voltage traces.
"$soma" example snn-3 --json --plot "$dir/snn3" >"$dir/snn3.out" || fail "snn-3 failed"
png "$dir/snn3/snn_3.png" 900 800
grep -q '"figures":\[".*snn_3.png"\]' "$dir/snn3.out" || fail "snn-3 JSON lacks its figure"

# COBA: raster PNG, and as many rows in the spike CSV as spikes the model reports.
"$soma" example coba --neurons 200 --duration 0.2 --json --plot "$dir/coba" >"$dir/coba.out" ||
  fail "coba failed"
png "$dir/coba/coba_raster.png" 1000 760
spikes=$(tail -n 1 "$dir/coba.out" | sed -n 's/.*"spikes":\([0-9]*\).*/\1/p')
[ "$(head -n 1 "$dir/coba/coba_spikes.csv")" = "i,t,group" ] || fail "coba_spikes.csv header"
# The group column: neurons below 80 % of --neurons (160) excitatory, the rest inhibitory.
awk -F, 'NR > 1 && (($1 < 160) != ($3 == "excitatory")) { bad = 1 } END { exit bad }' \
  "$dir/coba/coba_spikes.csv" || fail "coba_spikes.csv: a neuron in the wrong group"
grep -q ',inhibitory$' "$dir/coba/coba_spikes.csv" || fail "coba_spikes.csv: no inhibitory spike"
rows=$(($(wc -l <"$dir/coba/coba_spikes.csv") - 1))
[ -n "$spikes" ] && [ "$rows" -eq "$spikes" ] || fail "coba_spikes.csv has $rows rows, model $spikes"
[ "$rows" -gt 0 ] || fail "COBA did not spike"

# curve-fit: the decay fit, the two growth fits, the 1-D SSR landscape, the sparse fit.
"$soma" example curve-fit --json --plot "$dir/fit" >"$dir/fit.out" || fail "curve-fit failed"
png "$dir/fit/curve_fit.png" 1200 500
png "$dir/fit/curve_fit_growth.png" 1200 500
png "$dir/fit/curve_fit_landscape.png" 1200 500
png "$dir/fit/curve_fit_sparse.png" 900 500

# t-SNE (needs Debian's dataset-fashion-mnist, training and test images: the tutorial's
# draw is from all 70,000): scatter, page and sorted distances.
fashion=/usr/share/datasets/fashion-mnist
if [ -f "$fashion/t10k-images-idx3-ubyte.gz" ] && [ -f "$fashion/train-images-idx3-ubyte.gz" ]; then
  "$soma" example tsne --n 120 --max-iter 300 --json -o "$dir/tsne.csv" --plot "$dir/tsne" \
    >"$dir/tsne.out" || fail "tsne failed"
  png "$dir/tsne/tsne.png" 900 750
  png "$dir/tsne/tsne_distances.png" 820 750
  if have_plotly; then
    grep -q '"name":"Ankle boot"' "$dir/tsne/tsne.html" || fail "tsne.html lacks the class names"
    grep -q '"name":"T-shirt/top"' "$dir/tsne/tsne.html" || fail "tsne.html lacks the class names"
  fi
  # The CSV names the classes as the figures do (the dashboard's legend reads it).
  [ "$(tail -n +2 "$dir/tsne.csv" | cut -d, -f3 | sort -u | wc -l)" -ge 2 ] &&
    ! tail -n +2 "$dir/tsne.csv" | cut -d, -f3 | grep -qv -e '^T-shirt/top$' -e '^Trouser$' \
      -e '^Pullover$' -e '^Dress$' -e '^Coat$' -e '^Sandal$' -e '^Shirt$' -e '^Sneaker$' \
      -e '^Bag$' -e '^Ankle boot$' || fail "tsne.csv labels are not the class names"
elif [ "${CI:-}" = true ]; then
  fail "tsne: $fashion is missing, and CI=true: a missing data set fails the run"
else
  echo "skipped tsne: $fashion not installed"
fi
echo "OK"
