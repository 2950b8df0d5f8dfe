#!/bin/bash
# Issue 17, item 2: command lines soma cannot understand get soma's own message
# ("soma: error: ...", the nearest name, which --help to read) and exit status 2, the
# convention of argparse; `soma --version`.
# Usage: usage_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

# usage WANT ARGS...: `soma ARGS` exits 2, prints nothing on stdout, and its standard
# error starts with exactly the lines of WANT.
usage() {
  local want=$1 status
  shift
  "$soma" "$@" >"$dir/out" 2>"$dir/err"
  status=$?
  [ "$status" -eq 2 ] || fail "soma $*: exit status $status (expected 2): $(cat "$dir/err")"
  [ ! -s "$dir/out" ] || fail "soma $*: wrote on stdout: $(cat "$dir/out")"
  [ "$(head -n "$(printf '%s\n' "$want" | wc -l)" "$dir/err")" = "$want" ] ||
    fail "soma $*: stderr was
$(cat "$dir/err")
expected
$want"
  echo "ok: soma $* -> $(head -n 1 "$dir/err")"
}

# The names under "Subcommands:" in `soma ARGS --help`.
subcommands() { "$soma" "$@" --help | awk '/^Subcommands:/ { on = 1; next } on && NF { print $1 }'; }

# Mistyped and missing commands and examples.
usage "soma: error: unknown command 'trian'; did you mean 'train'? (see soma --help)" trian
usage "soma: error: unknown command 'trian'; did you mean 'train'? (see soma --help)" \
  --threads 2 trian --epochs 3
usage "soma: error: unknown command 'frobnicate' (see soma --help)" frobnicate
usage "soma: error: no command given (see soma --help)
commands:" --threads 2
usage "soma: error: unknown command 'snn rn'; did you mean 'snn run'? (see soma snn --help)
commands of soma snn:" snn rn
usage "soma: error: unknown example 'titnic'; did you mean 'titanic'? (see soma example --help)
examples:" example titnic
# A missing example name lists the examples: every one that --help lists, each with its help.
usage "soma: error: which example? soma example NAME (see soma example --help)
examples:" example
examples=$(subcommands example)
[ "$(printf '%s\n' "$examples" | wc -l)" -ge 10 ] || fail "too few examples in --help: $examples"
[ "$(tail -n +3 "$dir/err" | awk '{ print $1 }')" = "$examples" ] ||
  fail "the listed examples differ from --help's: $(cat "$dir/err")"
grep -q '^  titanic  *Tutorial 000' "$dir/err" || fail "no help beside titanic: $(cat "$dir/err")"

# Options: unknown ones get the nearest of the command's own (and the global) options.
usage "soma: error: unknown option '--epoch' for soma train; did you mean '--epochs'? (see soma train --help)" \
  train --epoch 1
usage "soma: error: unknown option '--jsn' for soma example lorenz; did you mean '--json'? (see soma example lorenz --help)" \
  example lorenz --jsn
usage "soma: error: unknown option '--thread' for soma; did you mean '--threads'? (see soma --help)" \
  --thread 2 info
usage "soma: error: unknown option '--frobnicate' for soma info (see soma info --help)" info --frobnicate
usage "soma: error: unknown option '-x' for soma plot (see soma plot --help)" plot a.csv -x
# Bad values, missing values, missing and unexpected arguments.
usage "soma: error: --epochs: expected an integer from 0 to 10000000, got 'abc' (see soma example titanic --help)" \
  example titanic --epochs abc
usage "soma: error: --epochs: expected an integer from 1 to 10000000, got 'abc' (see soma train --help)" \
  train --epochs=abc
usage "soma: error: option --epochs needs a value (see soma train --help)" train --epochs
usage "soma: error: --model is required (see soma predict --help)" predict --input "$src/CMakeLists.txt"
usage "soma: error: unexpected argument 'extra' (see soma info --help)" info extra
usage "soma: error: --seed: expected an integer of at least 0, got 'abc' (see soma example titanic --help)" \
  example titanic --seed abc
usage "soma: error: --config cannot be used with --resume (see soma train --help)" \
  train --resume x --config "$src/examples/titanic.toml"
usage "soma: error: --port: expected an integer from 0 to 65535, got '70000' (see soma train --help)" \
  train --port 70000

# --version: the project's version, the git commit when built from a checkout, and the
# CPU kernels `soma info` names; still answers with a bad SOMA_CPU.
version=$(sed -n 's/^project(soma VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || fail "no project version in $src/CMakeLists.txt"
"$soma" --version >"$dir/out" 2>"$dir/err" || fail "--version: exit status $?: $(cat "$dir/err")"
[ ! -s "$dir/err" ] || fail "--version wrote on stderr: $(cat "$dir/err")"
head -n 1 "$dir/out" | grep -Eqx "soma $version( \(git [0-9a-zA-Z._-]+\))?" ||
  fail "--version's first line: $(cat "$dir/out")"
"$soma" info --json >"$dir/info.json" || fail "soma info --json"
kernels=$(field "$dir/info.json" kernels)
sed -n 2p "$dir/out" | grep -q "^kernels: $kernels " || fail "--version's kernels (info: $kernels): $(cat "$dir/out")"
[ "$(wc -l <"$dir/out")" -eq 2 ] || fail "--version: $(cat "$dir/out")"
echo "ok: --version: $(tr '\n' '|' <"$dir/out")"
SOMA_CPU=bogus "$soma" --version >"$dir/out" 2>&1 || fail "--version with SOMA_CPU=bogus: $(cat "$dir/out")"
grep -q "^kernels: none chosen (.*bogus" "$dir/out" || fail "--version with SOMA_CPU=bogus: $(cat "$dir/out")"

# Every --help stating its defaults is checked with the rest of the flag convention:
# flags_convention_test.sh.
echo "OK"
