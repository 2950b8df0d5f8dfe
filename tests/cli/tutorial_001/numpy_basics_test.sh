#!/bin/bash
# `soma example numpy-basics` against NumPy itself: for every line of tutorial 001's array
# section, the shape and values soma gives equal NumPy's (tests/reference/numpy_basics.py
# wrote them to tests/reference/data/numpy_basics.json), and where NumPy refuses soma
# refuses too; for broadcasting, with NumPy's own message naming both shapes.
# Usage: numpy_basics_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
ref="$src/tests/reference/data/numpy_basics.json"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
"$soma" example numpy-basics --json >"$dir/out.json" || fail "numpy-basics failed"
names=$("$json" --whole names <"$ref") || fail "no names in $ref"
count=0
while IFS= read -r name; do
  [ -n "$name" ] || continue
  count=$((count + 1))
  key="cases.$name"
  if "$json" --whole "$key.error" <"$ref" >"$dir/ref_err" 2>/dev/null; then
    "$json" "$key.error" <"$dir/out.json" >"$dir/got_err" 2>/dev/null ||
      fail "$name: NumPy refuses ($(cat "$dir/ref_err")) but soma gives a result"
    echo "ok: $name refused: $(cat "$dir/got_err")"
    continue
  fi
  for part in shape values; do
    want=$("$json" --whole "$key.$part" <"$ref" | tr '\n' ' ')
    got=$("$json" "$key.$part" <"$dir/out.json" 2>/dev/null | tr '\n' ' ') ||
      fail "$name: no $part from soma: $("$json" "$key" <"$dir/out.json" 2>&1)"
    [ "$got" = "$want" ] || fail "$name: $part [$got], NumPy [$want]"
  done
done <<<"$names"
[ "$count" -ge 20 ] || fail "only $count cases read from $ref"
# Broadcasting's refusal: NumPy's sentence, both shapes named in NumPy's notation.
want=$("$json" --whole 'cases.[[1,4,5],[2,2,5]]+[1,2].error' <"$ref" | sed 's/ *$//')
got=$("$json" 'cases.[[1,4,5],[2,2,5]]+[1,2].error' <"$dir/out.json")
[ "$got" = "$want" ] || fail "broadcast error '$got', NumPy '$want'"
echo "ok: $count cases equal NumPy's shapes and values; broadcast error: $got"
