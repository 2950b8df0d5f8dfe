#!/usr/bin/env bash
# Runs the commands of the user guide (docs/guide/*.md) so that the guide cannot rot.
#
#   run_guide.sh SOMA_BINARY SOURCE_DIR SHARED_DIR MODE [PAGES_DIR]
#
# Every fenced block tagged ```sh in PAGES_DIR/*.md (default SOURCE_DIR/docs/guide) is run,
# one command per line, the way a user types it at the repository root: blank lines and
# lines starting with '#' are skipped, a line ending in '\' continues on the next. Blocks
# tagged anything else (```text, ```toml, ```cpp) are not run. A command fails the test
# when it exits non-zero; the message names the page and the line.
#
# A block tagged file=NAME (```toml file=my.toml) is a file the page asks the user to
# save: its text is written to NAME in the scratch directory when the runner reaches it,
# so the commands after it run on exactly what the page shows.
#
# Where the commands run: each page gets a fresh scratch directory laid out as a checkout
# with its shared folder beside it,
#     SCRATCH/repo/<entry>  -> SOURCE_DIR/<entry>   (every top-level entry but build* and .git)
#     SCRATCH/repo/build/bin -> the directory of SOMA_BINARY (also first on PATH: `soma`)
#     SCRATCH/shared        -> SHARED_DIR              (when it exists)
# and the commands run in SCRATCH/repo, so examples/..., tests/... and ../shared/data/...
# resolve as in a checkout while whatever a command writes (runs/, figs/, out.csv) lands
# in the scratch directory, not in the source tree. The blocks of one page run in order
# in the same directory, so a later block may use what an earlier one wrote.
#
# MODE: `light` runs every block except the heavy ones; `heavy` runs the pages that have
# a heavy block, all their blocks in order (a heavy block may need a light one before
# it). A block is heavy when tagged ```sh heavy, or when its page holds the line
# <!-- guide: heavy -->.
#
# Data from outside the repository: a command naming a path under ../shared/ that does
# not exist, or a block tagged needs=PATH (e.g. ```sh needs=/usr/share/datasets/fashion-mnist)
# whose PATH does not exist, is skipped with its message, and so is the rest of its block
# (which may depend on it); the test then exits 77 (skipped) once all else has passed.
# With CI=true a missing data set fails instead (the project's rule, tests/required_data.hpp).
set -u
soma=$1 src=$2 shared=$3 mode=$4 pages=${5:-$2/docs/guide}
case $mode in light | heavy) ;; *) echo "run_guide.sh: MODE must be light or heavy, got '$mode'"; exit 2 ;; esac
[ -x "$soma" ] || { echo "run_guide.sh: no soma binary at $soma"; exit 2; }
soma_dir=$(cd "$(dirname "$soma")" && pwd)
in_ci() { case ${CI:-} in "" | 0 | false) return 1 ;; *) return 0 ;; esac; }
per_command_limit=${GUIDE_COMMAND_TIMEOUT:-900}  # a guard against a hang, not a speed check

scratch_root=$(mktemp -d "${TMPDIR:-/tmp}/soma-guide.XXXXXX")
trap 'rm -rf "$scratch_root"' EXIT

# blocks PAGE: one record per command, "cmd<TAB>LINE<TAB>HEAVY<TAB>NEEDS<TAB>BLOCK<TAB>COMMAND",
# and per line of a file block, "file:NAME<TAB>LINE<TAB>HEAVY<TAB>-<TAB>BLOCK<TAB>TEXT" (the
# opening fence first, with no TEXT). NEEDS is "-" when there is none: read(1) would merge
# the tabs around an empty field.
blocks() {
  awk -v OFS='\t' '
    /<!-- guide: heavy -->/ { page_heavy = 1 }
    { lines[NR] = $0 }
    END {
      fence = ""; block = 0
      for (n = 1; n <= NR; ++n) {
        l = lines[n]
        if (fence == "") {
          if (l ~ /^[ \t]*```/) {
            info = l; sub(/^[ \t]*```[ \t]*/, "", info)
            fence = "other"; file = ""
            split(info, words, /[ \t]+/)
            ++block; heavy = page_heavy; needs = ""
            for (w = 2; w in words; ++w) {
              if (words[w] == "heavy") heavy = 1
              else if (words[w] ~ /^needs=/) needs = substr(words[w], 7)
              else if (words[w] ~ /^file=/) file = substr(words[w], 6)
            }
            if (words[1] == "sh") fence = "sh"
            else if (file != "") { fence = "file"; print "file:" file, n, heavy + 0, "-", block, "" }
            delete words
          }
          continue
        }
        if (l ~ /^[ \t]*```[ \t]*$/) { fence = ""; continue }
        if (fence == "file") { print "file:" file, n, heavy + 0, "-", block, l; continue }
        if (fence != "sh") continue
        if (l ~ /^[ \t]*(#|$)/) continue
        start = n; cmd = l
        while (cmd ~ /\\$/ && n < NR) { sub(/\\$/, "", cmd); cmd = cmd " " lines[++n] }
        sub(/^[ \t]+/, "", cmd)
        print "cmd", start, heavy + 0, needs == "" ? "-" : needs, block, cmd
      }
      if (fence != "") print "unclosed", 0, 0, "-", 0, ""
    }' "$1"
}

# missing_data CMD NEEDS: prints the first data path the command needs that is absent.
missing_data() {
  local word
  for word in $1; do  # word splitting on purpose: the command's words, unexpanded
    case $word in ../shared/*) [ -e "${word%%[\"\']}" ] || { echo "$word"; return; } ;; esac
  done
  local IFS=,
  [ "$2" = - ] && return
  for word in $2; do [ -e "$word" ] || { echo "$word"; return; }; done
}

failures=0 ran=0 skipped=0
shopt -s nullglob
page_files=("$pages"/*.md)
[ ${#page_files[@]} -gt 0 ] || { echo "FAIL: no pages in $pages"; exit 1; }
for page in "${page_files[@]}"; do
  name=$(basename "$page")
  records=$(blocks "$page")
  if grep -q '^unclosed' <<<"$records"; then
    echo "FAIL: $name: a fenced block is not closed"; failures=$((failures + 1)); continue
  fi
  [ -n "$records" ] || continue
  if [ "$mode" = heavy ]; then
    awk -F'\t' '$1 == "cmd" && $3 == 1 { found = 1 } END { exit !found }' <<<"$records" || continue
  fi
  # A fresh checkout-like directory for this page (see the top of this file).
  dir="$scratch_root/${name%.md}"
  mkdir -p "$dir/repo/build"
  for entry in "$src"/* "$src"/.[!.]*; do
    base=$(basename "$entry")
    case $base in build* | .git) continue ;; esac
    ln -s "$(cd "$(dirname "$entry")" && pwd)/$base" "$dir/repo/$base"
  done
  ln -s "$soma_dir" "$dir/repo/build/bin"
  [ -d "$shared" ] && ln -s "$(cd "$shared" && pwd)" "$dir/shared"
  skip_block=""
  declare -A written=()
  while IFS=$'\t' read -r kind line heavy needs block cmd; do
    where="$name:$line"
    if [ "$kind" != cmd ]; then  # a line of a file block: the file is written as shown
      file=${kind#file:}
      case $file in "" | */* | .*) echo "FAIL: $where: file=$file must be a plain file name"
        failures=$((failures + 1)); continue ;; esac
      if [ -z "$cmd" ] && [ "${written[$file]:-}" != "$block" ]; then
        : >"$dir/repo/$file"; written[$file]=$block  # the block's opening fence
      else
        printf '%s\n' "$cmd" >>"$dir/repo/$file"
      fi
      continue
    fi
    [ "$mode" = light ] && [ "$heavy" = 1 ] && continue
    if [ "$skip_block" = "$block" ]; then
      echo "SKIP: $where (an earlier command of its block was skipped): $cmd"
      skipped=$((skipped + 1)); continue
    fi
    absent=$(cd "$dir/repo" && missing_data "$cmd" "$needs")
    if [ -n "$absent" ]; then
      if in_ci; then
        echo "FAIL: $where: $absent not found (CI=true: missing data is a failure): $cmd"
        failures=$((failures + 1))
      else
        echo "SKIP: $where: $absent not found: $cmd"
        skipped=$((skipped + 1))
      fi
      skip_block=$block; continue
    fi
    log="$dir/command.log"
    start=$(date +%s.%N)
    (cd "$dir/repo" && PATH="$soma_dir:$PATH" timeout "$per_command_limit" \
      bash -o pipefail -c "$cmd") </dev/null >"$log" 2>&1
    status=$?
    seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    ran=$((ran + 1))
    if [ "$status" -ne 0 ]; then
      echo "FAIL: $where: exit status $status after ${seconds} s: $cmd"
      tail -n 20 "$log" | sed 's/^/  | /'
      failures=$((failures + 1))
    else
      echo "ok: $where (${seconds} s): $cmd"
    fi
  done <<<"$records"
done
echo "$ran commands run, $failures failed, $skipped skipped (mode $mode, pages in $pages)"
[ "$failures" -eq 0 ] || exit 1
[ "$skipped" -eq 0 ] || exit 77
exit 0
