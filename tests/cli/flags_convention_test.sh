#!/bin/bash
# Issue 17 item 5: every command and every example follows docs/flags.md, checked
# mechanically. The commands and examples come from `soma --help` and `soma example
# --help`, so an example added later is held to the same rules without editing this file.
#  - --help: no old spellings (--out, --live-port, --csv as output), any port is --port,
#    an output file is -o/--output, every option with a value states its default,
#    --epochs exactly where something trains (where --live streams the training).
#  - Every example runs with --json (and --plot DIR where offered) in an empty working
#    directory: exit 0, nothing written outside DIR, the JSON line's `figures` lists
#    exactly the files in DIR, each announced as "wrote PATH" on stderr, and every
#    figure passes SOMA_PLOT_STRICT=1 (no unlabelled axes, no clipped text: issue 17
#    item 6's blemishes, checked where each figure is written).
#  - The commands that write files do the same with -o (a table below; a command with
#    --json that is missing from it fails the test), and the old spellings still work
#    with a warning. dashboard --open starts xdg-open with a display, says why not
#    without one; --print-url prints the URL.
# Usage: flags_convention_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
export SOMA_PLOT_STRICT=1
. "$src/tests/cli/common.sh"
soma=$(cd "$(dirname "$soma")" && pwd)/$(basename "$soma") # the runs change directory
dir=$(mktemp -d) || exit 1
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT

# The names under "Subcommands:" in `soma ARGS --help`.
subcommands() { "$soma" "$@" --help | awk '/^Subcommands:/ { on = 1; next } on && NF { print $1 }'; }

# ---- --help ------------------------------------------------------------------------
# has_option HELP NAME: the help text lists option NAME ("  -o,--output", "  --port").
has_option() { grep -Eq -- "^  (-[a-zA-Z],)?$2( |$)" "$1"; }

# check_help ARGS...: the rules every `soma ARGS --help` keeps.
check_help() {
  local help=$dir/help what="soma $*"
  "$soma" "$@" --help >"$help" || fail "$what --help"
  # Option lines: "  NAMES TYPE ... DESCRIPTION", continued on lines of 6 spaces.
  local names
  names=$(grep -E -- '^  -' "$help" | awk '{ print $1 }')
  for old in --out --live-port --csv; do
    printf '%s\n' "$names" | tr ',' '\n' | grep -qx -- "$old" && fail "$what --help offers $old"
  done
  printf '%s\n' "$names" | tr ',' '\n' | grep -i port | grep -vqx -- --port &&
    fail "$what: a port option not named --port: $(printf '%s\n' "$names" | grep -i port)"
  if printf '%s\n' "$names" | tr ',' '\n' | grep -qx -- --output; then
    printf '%s\n' "$names" | grep -qx -- '-o,--output' || fail "$what: --output without -o"
  fi
  # Every option that takes a value and is not required says its default.
  awk -v cmd="$what" '
    function flush() {
      if (block != "" && takes_value && block !~ /REQUIRED/ && block !~ /\(default: [^)]/)
        { print cmd ": " block; bad = 1 }
      block = ""
    }
    /^  -/ { flush(); block = $0; takes_value = substr($0, length($1) + 3, 2) ~ /^ [^ ]/; next }
    /^      / && block != "" { block = block " " $0; next }
    { flush() }
    END { flush(); exit bad }' "$help" || fail "options without a stated default (above)"
  grep -q ':INT ' "$help" && fail "$what --help repeats a type: $(grep ':INT ' "$help")"
  # An example that trains (--live streams its training) takes --epochs (cartpole:
  # --episodes, its unit of training); the runs below check that every example taking
  # --epochs trains that many.
  if has_option "$help" --live && ! has_option "$help" --epochs &&
    ! has_option "$help" --episodes && [ "${1:-}" = example ]; then
    fail "$what trains (--live) without --epochs or --episodes"
  fi
  return 0
}

commands=$(subcommands)
examples=$(subcommands example)
[ "$(printf '%s\n' "$examples" | wc -l)" -ge 15 ] || fail "too few examples: $examples"
checked=0
check_help
for c in $commands; do
  check_help "$c"
  checked=$((checked + 1))
  for s in $(subcommands "$c"); do check_help "$c" "$s"; checked=$((checked + 1)); done
done
echo "ok: --help of $checked commands and examples: no old spellings, --port, -o/--output," \
  "defaults stated"
# The defaults issue 17 named, with their values.
"$soma" dashboard --help | grep -Eq -- '--port INT 0\.\.65535 .*\(default: 8050\)' || fail "dashboard --port"
"$soma" dashboard --help | grep -q -- '--bind TEXT .*(default: 127.0.0.1)' || fail "dashboard --bind"
epochs=$(sed -n 's/^epochs = \([0-9]*\)$/\1/p' "$src/src/train/config.cpp")
[ -n "$epochs" ] || fail "no epochs in the default configuration"
"$soma" train --help | grep -A1 -- '--epochs' |
  grep -q "(default: the configuration's; $epochs without --config)" ||
  fail "train --epochs: $("$soma" train --help | grep -A1 -- --epochs)"
"$soma" example titanic --help | grep -Eq -- '--epochs INT .*\(default: 2000\)' ||
  fail "example titanic --epochs does not show 2000"

# ---- running: nothing outside DIR, figures listed and announced -------------------
# check_run NAME PLOT_DIR FILES...: the run in $dir/cwd/NAME (stdout $dir/NAME.out,
# stderr $dir/NAME.err) wrote nothing in its working directory; its last line is a JSON
# object whose `figures` lists exactly the files under PLOT_DIR (with no PLOT_DIR, figures
# among FILES, the files it was asked for with -o); each file listed or in FILES exists
# and was announced as "wrote PATH" on stderr, and nothing else was.
check_run() {
  local name=$1 plot=$2 out=$dir/$1.out err=$dir/$1.err f
  shift 2
  [ -z "$(ls -A "$dir/cwd/$name")" ] ||
    fail "$name wrote into its working directory: $(ls -A "$dir/cwd/$name")"
  tail -n 1 "$out" | grep -q '^{.*}$' || fail "$name: the last line is not a JSON object: $(tail -n 1 "$out")"
  "$json" figures <"$out" >/dev/null || fail "$name: no figures in $(tail -n 1 "$out")"
  "$json" figures <"$out" | sort >"$dir/listed"
  if [ -n "$plot" ]; then
    : >"$dir/present"
    [ -d "$plot" ] && find "$plot" -type f | sort >"$dir/present"
    cmp -s "$dir/listed" "$dir/present" ||
      fail "$name: figures lists [$(tr '\n' ' ' <"$dir/listed")], $plot holds [$(tr '\n' ' ' <"$dir/present")]"
  else
    for f in $(cat "$dir/listed"); do
      printf '%s\n' "$@" | grep -qxF "$f" || fail "$name: figure $f was not asked for"
    done
  fi
  { cat "$dir/listed"; [ $# -gt 0 ] && printf '%s\n' "$@"; } | sort -u >"$dir/expected"
  grep '^wrote ' "$err" | sed 's/^wrote //' | sort >"$dir/announced"
  cmp -s "$dir/expected" "$dir/announced" ||
    fail "$name: wrote [$(tr '\n' ' ' <"$dir/expected")], announced [$(tr '\n' ' ' <"$dir/announced")]"
  for f in $(cat "$dir/expected"); do [ -s "$f" ] || fail "$name: $f is empty or missing"; done
  grep -q '^wrote ' "$out" && fail "$name: 'wrote' on stdout: $(grep '^wrote ' "$out")"
  return 0
}

# Arguments that keep the slow examples short; any other example runs with --epochs 1
# where it trains, else as it is. Data an example needs and this machine lacks: skipped.
fast_args() {
  case $1 in
    coba) echo --neurons 200 --duration 0.05 ;;
    tsne) echo --n 100 --max-iter 250 ;;
    char-lstm) echo --epochs 1 --hidden 16 --max-chars 4000 --samples 2 ;;
    vae) echo --epochs 1 --train 128 --test 64 ;;
    gan) echo --epochs 1 --train 256 --test 64 --width 8 ;;
    sine-rnn) echo --epochs 1 --train 32 --test 16 ;;
    titanic) echo --epochs 2 --data "$src/../shared/data/titanic" ;;
    perceptron | multiclass-perceptron) echo --epochs 3 ;;
    cartpole) echo --episodes 30 ;;
    stdp) echo --duration 2 ;;
    *) has_option "$dir/ex.help" --epochs && echo --epochs 1 ;;
  esac
}
needs() {
  case $1 in
    tsne | vae | gan) echo /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ;;
    char-lstm) echo /usr/share/dict/words ;;
    titanic) echo "$src/../shared/data/titanic/train.csv" ;;
  esac
}

# check_fingerprint WHAT OUT: OUT's JSON line has weights_sha256 (64 lower-case hex
# digits, as sha256sum prints them) and ranks (a positive integer).
check_fingerprint() {
  local sha ranks
  sha=$("$json" weights_sha256 <"$2") || fail "$1: no weights_sha256 in $(tail -n 1 "$2")"
  [[ $sha =~ ^[0-9a-f]{64}$ ]] || fail "$1: weights_sha256 '$sha' is not 64 hex digits"
  ranks=$("$json" ranks <"$2") || fail "$1: no ranks in $(tail -n 1 "$2")"
  [[ $ranks =~ ^[1-9][0-9]*$ ]] || fail "$1: ranks '$ranks'"
}

ran=0 skipped="" trained=""
for ex in $examples; do
  "$soma" example "$ex" --help >"$dir/ex.help"
  has_option "$dir/ex.help" --json || fail "example $ex has no --json"
  need=$(needs "$ex")
  if [ -n "$need" ] && [ ! -e "$need" ]; then
    [ "${CI:-}" = true ] && fail "example $ex: $need missing (CI=true)"
    skipped="$skipped $ex"
    continue
  fi
  plot=""
  args=(--json $(fast_args "$ex"))
  if has_option "$dir/ex.help" --plot; then
    plot=$dir/plots/$ex
    args+=(--plot "$plot")
  fi
  mkdir -p "$dir/cwd/$ex"
  (cd "$dir/cwd/$ex" && timeout 300 "$soma" --threads 2 example "$ex" "${args[@]}" \
    </dev/null >"$dir/$ex.out" 2>"$dir/$ex.err") ||
    fail "soma example $ex ${args[*]}: status $? ($(tail -n 3 "$dir/$ex.err"))"
  check_run "$ex" "$plot"
  # --epochs only where something trains: the run reports the epochs it was given.
  if has_option "$dir/ex.help" --epochs; then
    want=$(printf '%s\n' "${args[@]}" | sed -n '/^--epochs$/{n;p;}')
    [ "$("$json" epochs <"$dir/$ex.out")" = "$want" ] ||
      fail "example $ex --epochs $want: the run reports epochs '$("$json" epochs <"$dir/$ex.out")'"
  fi
  if [ -n "$plot" ]; then
    [ -s "$dir/listed" ] || fail "example $ex --plot wrote no figure"
  fi
  # Issue 16: whatever trains (--epochs, or cartpole's --episodes) fingerprints its
  # final weights and says how many ranks trained them, so that runs can be compared.
  if has_option "$dir/ex.help" --epochs || has_option "$dir/ex.help" --episodes; then
    check_fingerprint "example $ex" "$dir/$ex.out"
    trained="$trained $ex"
  fi
  ran=$((ran + 1))
  echo "ok: example $ex ${args[*]}: $(wc -l <"$dir/listed") figures, nothing elsewhere"
done
[ "$ran" -ge 12 ] || fail "only $ran examples ran (skipped:$skipped)"
[ -z "$skipped" ] || echo "SKIPPED (data missing):$skipped"
[ "$(wc -w <<<"$trained")" -ge 10 ] || fail "only$trained fingerprinted their weights"
echo "ok: weights_sha256 and ranks from every example that trains:$trained"

# Commands that write files, with -o; each command whose --help offers --json must be
# here, so that a new one is not left unchecked.
ode=(ode "dx/dt = -x" --y0 x=1 --t 0:1)
printf 'a,b\n1,2\n2,3.5\n3,3\n4,5\n' >"$dir/small.csv"
awk 'BEGIN { srand(3); print "f1,f2,f3"; for (i = 0; i < 40; i++) printf "%f,%f,%f\n", rand(), rand(), rand() + (i % 2) }' >"$dir/points.csv"
run_command() { # NAME PLOT EXTRA_FILES... -- ARGS...
  local name=$1 plot=$2 files=()
  shift 2
  while [ "$1" != -- ]; do files+=("$1"); shift; done
  shift
  launch "$name" "$@"
  check_run "$name" "$plot" "${files[@]}"
  echo "ok: soma $1: ${files[*]:-no file} announced, nothing elsewhere"
}
launch() { # NAME ARGS...: soma ARGS in the empty $dir/cwd/NAME
  local name=$1
  shift
  mkdir -p "$dir/cwd/$name"
  (cd "$dir/cwd/$name" && timeout 120 "$soma" "$@" </dev/null >"$dir/$name.out" 2>"$dir/$name.err") ||
    fail "soma $*: status $? ($(tail -n 3 "$dir/$name.err"))"
}
covered=""
run_command ode "" "$dir/ode.csv" -- "${ode[@]}" -o "$dir/ode.csv" --json
[ "$(field "$dir/ode.out" output)" = "$dir/ode.csv" ] || fail "ode: output field"
covered="$covered ode"
run_command tsne "" "$dir/emb.csv" -- tsne "$dir/points.csv" --max-iter 250 --perplexity 5 \
  -o "$dir/emb.csv" --json
[ "$(field "$dir/tsne.out" output)" = "$dir/emb.csv" ] || fail "tsne: output field"
covered="$covered tsne"
run_command diagram "" "$dir/d.svg" "$dir/d.dot" -- diagram --layers 3,2 -o "$dir/d.svg" --dot --json
[ "$(field "$dir/diagram.out" figures)" = "$dir/d.svg" ] || fail "diagram: figures"
grep -qxF "wrote $dir/d.svg" "$dir/diagram.err" || fail "diagram: no 'wrote' of the picture"
covered="$covered diagram"
# snn run: the monitors' files, as its JSON names them, all inside -o.
launch snn snn run "$src/tests/snn/models/three_neurons.toml" -o "$dir/snn" --json
mapfile -t files < <("$json" 'files.*' <"$dir/snn.out")
[ "${#files[@]}" -eq 3 ] || fail "snn run: files ${files[*]}"
check_run snn "" "${files[@]}"
for f in "${files[@]}"; do case $f in "$dir/snn/"*) ;; *) fail "snn run: $f outside -o" ;; esac; done
echo "ok: soma snn run: ${files[*]} announced, nothing elsewhere"
covered="$covered snn"
run_command power "" "$dir/power.csv" -- power --json --interval 20 -o "$dir/power.csv" -- true
covered="$covered power"
run_command fit "" -- fit "$dir/small.csv" --x a --y b --model "m*a+c" --p0 m=1,c=0 --json
covered="$covered fit"
run_command info "" -- info --json
covered="$covered info"
# train: its figures go into the run directory, under --runs.
launch train train --config "$src/tests/cli/data/tiny.toml" --runs "$dir/runs" --json
mapfile -t files < <("$json" figures <"$dir/train.out")
[ "${#files[@]}" -ge 1 ] || fail "train: no figures: $(tail -n 1 "$dir/train.out")"
for f in "${files[@]}"; do
  case $f in "$(field "$dir/train.out" run_dir)"/*) ;; *) fail "train: figure $f outside the run" ;; esac
done
check_run train "" "${files[@]}"
check_fingerprint train "$dir/train.out"
[ "$(sha256sum <"$(field "$dir/train.out" run_dir)/model.soma" | cut -c1-64)" = \
  "$(field "$dir/train.out" weights_sha256)" ] || fail "train: weights_sha256 is not model.soma's"
echo "ok: soma train: ${files[*]} announced, nothing elsewhere"
covered="$covered train"
run_command predict "" "$dir/pred.csv" -- predict --model "$(field "$dir/train.out" run_dir)" \
  --input "$src/tests/cli/data/tiny_test.csv" -o "$dir/pred.csv" --json
covered="$covered predict"
# plot has no --json: its one figure, announced, nothing else.
mkdir -p "$dir/cwd/plot"
(cd "$dir/cwd/plot" && "$soma" plot "$dir/small.csv" -o "$dir/small.png" 2>"$dir/plot.err" >/dev/null) ||
  fail "plot: $(cat "$dir/plot.err")"
[ -s "$dir/small.png" ] && [ "$(cat "$dir/plot.err")" = "wrote $dir/small.png" ] &&
  [ -z "$(ls -A "$dir/cwd/plot")" ] || fail "plot: $(cat "$dir/plot.err")"
for c in $commands; do
  [ "$c" = example ] && continue
  "$soma" "$c" --help >"$dir/c.help"
  for s in $(subcommands "$c"); do "$soma" "$c" "$s" --help >>"$dir/c.help"; done
  if has_option "$dir/c.help" --json; then
    case " $covered " in *" $c "*) ;; *) fail "soma $c has --json but no run in this test" ;; esac
  fi
done
echo "ok: every command with --json ran:$covered"

# ---- old spellings: hidden, working, warned about ------------------------------------
"$soma" "${ode[@]}" --out "$dir/old.csv" >/dev/null 2>"$dir/old.err" || fail "ode --out: $(cat "$dir/old.err")"
[ -s "$dir/old.csv" ] || fail "ode --out wrote nothing"
grep -qx "soma: warning: --out is deprecated; use -o/--output" "$dir/old.err" ||
  fail "ode --out: no warning: $(cat "$dir/old.err")"
"$soma" ode --ot x 2>&1 | grep -q "did you mean '--out'" && fail "did-you-mean offers the hidden --out"
"$soma" example neuron --epochs 1 --live-port 70000 >/dev/null 2>"$dir/old.err"
[ $? -eq 2 ] && grep -q -- "--live-port: expected an integer from 0 to 65535" "$dir/old.err" ||
  fail "--live-port is not checked as --port is: $(cat "$dir/old.err")"
"$soma" example lorenz --epochs 3 >/dev/null 2>"$dir/old.err"
[ $? -eq 2 ] && grep -q "unknown option '--epochs' for soma example lorenz" "$dir/old.err" ||
  fail "lorenz accepted --epochs: $(cat "$dir/old.err")"
echo "ok: --out and --live-port still work, hidden and warned about; --epochs refused where nothing trains"

# ---- dashboard --open and --print-url ----------------------------------------------
mkdir -p "$dir/bin"
printf '#!/bin/sh\necho "$@" >"%s"\n' "$dir/opened" >"$dir/bin/xdg-open"
chmod +x "$dir/bin/xdg-open"
# dashboard ENV...: starts it on a free port for 3 s with --open --print-url.
dashboard() {
  env "$@" timeout 20 "$soma" dashboard --port 0 --open --print-url --seconds 3 \
    >"$dir/dash.out" 2>"$dir/dash.err" </dev/null
}
dashboard -u DISPLAY -u WAYLAND_DISPLAY PATH="$dir/bin:$PATH" || fail "dashboard: $(cat "$dir/dash.err")"
url=$(head -n 1 "$dir/dash.out")
case $url in http://127.0.0.1:*/) ;; *) fail "--print-url: '$url'" ;; esac
[ ! -e "$dir/opened" ] || fail "--open without a display started xdg-open"
grep -q "not opening a browser (no display: DISPLAY and WAYLAND_DISPLAY are unset); open $url yourself" \
  "$dir/dash.err" || fail "--open without a display: $(cat "$dir/dash.err")"
dashboard -u WAYLAND_DISPLAY DISPLAY=:99 PATH="$dir/bin:$PATH" || fail "dashboard: $(cat "$dir/dash.err")"
url=$(head -n 1 "$dir/dash.out")
[ "$(cat "$dir/opened" 2>/dev/null)" = "$url" ] || fail "--open with a display: xdg-open got '$(cat "$dir/opened" 2>/dev/null)', expected $url"
grep -q "not opening" "$dir/dash.err" && fail "--open with a display: $(cat "$dir/dash.err")"
echo "ok: dashboard --open runs xdg-open URL with a display, says why not without; --print-url"
echo "OK"
