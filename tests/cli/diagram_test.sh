#!/bin/bash
# `soma diagram` end to end (Graphviz's dot, which scripts/bootstrap installs):
# - tutorial 003's quiz, --layers 4,1 --activation sigmoid: an SVG of 4 input nodes and a
#   bias into one sigmoid unit; its DOT (--dot) has exactly those nodes and 6 edges;
# - a `soma train` configuration and a run directory: one box per layer with its name,
#   output shape and parameter count (titanic.toml's network, counted by hand below);
# - bad specs and sources: exit status 1 with the item and column named; a missing dot
#   names the Debian package.
# Usage: diagram_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

svg_ok() {  # FILE: an SVG document as dot writes it
  head -c 200 "$1" | grep -q '<?xml' || fail "$1 does not start as XML: $(head -c 100 "$1")"
  grep -q '<svg' "$1" || fail "$1 has no <svg> element"
  grep -q '</svg>' "$1" || fail "$1 is not a whole SVG"
}

"$soma" diagram --layers 4,1 --activation sigmoid -o "$dir/quiz.svg" --dot --json \
  >"$dir/quiz.json" || fail "diagram --layers 4,1 failed"
svg_ok "$dir/quiz.svg"
[ "$(field "$dir/quiz.json" level)" = neurons ] || fail "the quiz is not drawn neuron by neuron"
[ "$(field "$dir/quiz.json" parameters)" = 5 ] || fail "parameters $(field "$dir/quiz.json" parameters), expected 4 + 1"
for x in x1 x2 x3 x4 w1 w4 sigmoid '+1'; do
  grep -q ">$x</text>" "$dir/quiz.svg" || fail "no '$x' text in the quiz's SVG"
done
edges=$(grep -cE '^  [[:alnum:]_]+ -> [[:alnum:]_]+( \[.*\])?;$' "$dir/quiz.dot")
[ "$edges" = 6 ] || fail "quiz.dot: $edges edges, expected 4 weights + bias + output"
grep -q 'x5' "$dir/quiz.dot" && fail "quiz.dot has a fifth input"
echo "ok: the quiz's answer, 4 inputs + bias -> 1 sigmoid unit, 6 edges, 5 parameters"

"$soma" diagram --layers 4,1 --activation sigmoid --level layers -o "$dir/quiz_layers.svg" \
  >"$dir/text" || fail "diagram --level layers failed"
svg_ok "$dir/quiz_layers.svg"
grep -q 'Linear(in_features=4, out_features=1, bias=true)' "$dir/quiz_layers.svg" ||
  fail "no Linear box in the layer picture"
grep -q 'Sigmoid()' "$dir/quiz_layers.svg" || fail "no Sigmoid box in the layer picture"
grep -q 'output \[N, 1\]' "$dir/quiz_layers.svg" || fail "no output shape in the layer picture"
grep -q '5 parameters; layer-level picture' "$dir/text" || fail "text summary: $(cat "$dir/text")"
echo "ok: the layer picture names Linear and Sigmoid with shapes"

# titanic.toml: Linear(in, hidden), ReLU, Linear(hidden, 1), Sigmoid; 12 -> 16 -> 1 in the
# file, more units than the neuron picture draws (10), so one box per layer.
"$soma" diagram --config "$src/examples/titanic.toml" -o "$dir/titanic.svg" --json \
  >"$dir/titanic.json" || fail "diagram --config titanic.toml failed"
svg_ok "$dir/titanic.svg"
in=$(field "$dir/titanic.json" input.0)
hidden=$(field "$dir/titanic.json" layers.0.output.0)
want=$((in * hidden + hidden + hidden + 1))
[ "$(field "$dir/titanic.json" parameters)" = "$want" ] ||
  fail "titanic parameters $(field "$dir/titanic.json" parameters), expected $want"
[ "$(field "$dir/titanic.json" level)" = layers ] || fail "titanic's $hidden units drawn one by one"
grep -q "Linear(in_features=$in, out_features=$hidden" "$dir/titanic.svg" ||
  fail "titanic.svg lacks its first Linear layer"
echo "ok: titanic.toml, $in -> $hidden -> 1, $want parameters"

mkdir "$dir/run" && cp "$src/examples/titanic.toml" "$dir/run/config.toml"
"$soma" diagram --run "$dir/run" -o "$dir/run.svg" --json >"$dir/run.json" ||
  fail "diagram --run failed"
[ "$(field "$dir/run.json" parameters)" = "$want" ] || fail "the run directory's model differs"
svg_ok "$dir/run.svg"
echo "ok: a run directory's config.toml"

# W5, `soma train`'s default CNN on Fashion-MNIST images, [1, 28, 28]: conv 1->32 (3x3,
# padding 1) 320 parameters, conv 32->64 18,496, Linear(3136, 128) 401,536, Linear(128, 10)
# 1,290: 421,642 in all; the second pool leaves [64, 7, 7].
cat >"$dir/w5.toml" <<'TOML'
[data]
format = "fashion-mnist"
[model]
layers = [
  { type = "conv2d", in = 1, out = 32, kernel = 3, padding = 1 },
  { type = "relu" },
  { type = "maxpool2d", kernel = 2 },
  { type = "conv2d", in = 32, out = 64, kernel = 3, padding = 1 },
  { type = "relu" },
  { type = "maxpool2d", kernel = 2 },
  { type = "flatten" },
  { type = "linear", in = 3136, out = 128 },
  { type = "relu" },
  { type = "linear", in = 128, out = 10 },
]
TOML
"$soma" diagram --config "$dir/w5.toml" -o "$dir/w5.svg" --json >"$dir/w5.json" ||
  fail "diagram of W5 failed"
svg_ok "$dir/w5.svg"
[ "$(field "$dir/w5.json" parameters)" = 421642 ] || fail "W5 parameters $(field "$dir/w5.json" parameters), expected 421642"
[ "$(field "$dir/w5.json" layers.3.parameters)" = 18496 ] || fail "W5's second conv parameters"
[ "$("$json" layers.5.output <"$dir/w5.json" | tr '\n' ' ')" = "64 7 7 " ] || fail "W5's second pool output"
grep -q 'output \[N, 64, 7, 7\]' "$dir/w5.svg" || fail "no [N, 64, 7, 7] in w5.svg"
grep -q 'Conv2d(1, 32' "$dir/w5.svg" || fail "no Conv2d box in w5.svg"
echo "ok: W5 from a configuration, 421642 parameters, [N, 64, 7, 7] after the second pool"
printf 'a,y\n1,0\n' >"$dir/t.csv"
sed -i 's/format = "fashion-mnist"/format = "csv"\ntrain = "t.csv"\ntarget = "y"/' "$dir/w5.toml"
refuses "w5.toml:[0-9]+: the first layer \(conv2d\) does not say its input shape: give --input-shape" \
  "a conv network on CSV data" -- diagram --config "$dir/w5.toml" -o "$dir/bad.svg"
refuses "layer 0 \(Conv2d.*cannot take input \[N, 3, 28, 28\]" "a wrong --input-shape" -- \
  diagram --config "$dir/w5.toml" --input-shape 3,28,28 -o "$dir/bad.svg"

refuses "--layers '4,x,1': item 2 \('x', at column 3\): expected an integer" "a bad size" -- \
  diagram --layers 4,x,1 -o "$dir/bad.svg"
refuses "--layers '4': expected at least two sizes" "one size" -- diagram --layers 4 -o "$dir/bad.svg"
refuses "--layers '4,,1': item 2 \('', at column 3\)" "an empty item" -- diagram --layers 4,,1 -o "$dir/bad.svg"
refuses "--activation 'relu,soft': item 2 \('soft', at column 6\): expected one of" "a bad activation" -- \
  diagram --layers 4,3,1 --activation relu,soft -o "$dir/bad.svg"
refuses "3 names for 2 layers" "too many activations" -- \
  diagram --layers 4,3,1 --activation relu,relu,sigmoid -o "$dir/bad.svg"
refuses "expected exactly one of --layers, --config or --run, got 0" "no model" -- diagram -o "$dir/bad.svg"
refuses "expected a file ending in .svg, .png or .pdf" "an unknown format" -- \
  diagram --layers 4,1 -o "$dir/bad.txt"
refuses "cannot draw every neuron" "neurons of a large layer" -- \
  diagram --layers 4,100 --level neurons -o "$dir/bad.svg"
export SOMA_DOT=/nonexistent/dot
refuses "cannot run '/nonexistent/dot'.*Debian package graphviz" "no dot" -- \
  diagram --layers 4,1 -o "$dir/bad.svg"
unset SOMA_DOT
[ -e "$dir/bad.svg" ] && fail "a refused diagram left a file behind"
exit 0
