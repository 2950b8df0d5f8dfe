#!/usr/bin/env bash
# Every public header compiles alone, as the first and only include of a user's file,
# with a strict user's warnings as errors: a header that leans on what another soma
# header or a standard header happened to include breaks here, not in users' builds.
# (Their compile time is measured in bench/headers, never asserted here.)
#   alone.sh SOURCE_DIR CXX
set -euo pipefail
source_dir="$(cd "$1" && pwd)" cxx="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$source_dir/include"
find soma -name '*.hpp' | sort > "$work/headers"
[[ -s "$work/headers" ]] || { echo "FAIL: no headers under $source_dir/include" >&2; exit 1; }
check() {
  local header="$1" src
  src="$work/$(echo "$header" | tr '/.' '__').cpp"
  printf '#include <%s>\n' "$header" > "$src"
  "$cxx" -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I "$source_dir/include" \
    "$src" > "$src.log" 2>&1 || { echo "FAIL: <$header> does not compile alone:"; head -n 20 "$src.log"; }
}
export -f check
export work source_dir cxx
xargs -P "$(nproc)" -I{} bash -c 'check {}' < "$work/headers" > "$work/failures"
if [[ -s "$work/failures" ]]; then
  cat "$work/failures" >&2
  exit 1
fi
echo "$(wc -l < "$work/headers") headers compile alone"
