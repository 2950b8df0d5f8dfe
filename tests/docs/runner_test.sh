#!/usr/bin/env bash
# The guide's runner (run_guide.sh) on pages made to pass, fail and skip: it must run the
# ```sh blocks and only those, save file= blocks as shown, fail naming the page and line of a failing command (also
# inside a pipe), skip commands whose data are absent (exit 77), and fail instead under
# CI=true. Without this, a runner that ran nothing would pass every guide.
#   runner_test.sh SOMA_BINARY SOURCE_DIR
set -u
soma=$1 src=$2
here=$src/tests/docs
fail() { echo "FAIL: $*"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/soma-guide-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/shared" && echo marker >"$work/shared/marker.txt"

run() {  # run MODE PAGES [ENV...]: the runner's output in $work/out, its status in $status
  local mode=$1 pages=$2
  shift 2
  env "$@" bash "$here/run_guide.sh" "$soma" "$src" "$work/shared" "$mode" "$pages" \
    >"$work/out" 2>&1
  status=$?
}

run light "$here/selftest/pass" CI=
[ "$status" -eq 0 ] || fail "pass page, light: status $status: $(cat "$work/out")"
grep -q '^7 commands run, 0 failed, 0 skipped' "$work/out" ||
  fail "pass page, light: expected 7 commands (the sh blocks less the heavy one): $(cat "$work/out")"
grep -q 'heavy-ran' "$work/out" && fail "light mode ran the heavy block: $(cat "$work/out")"
echo "ok: pass page, light mode: 7 commands, text/toml blocks and the heavy block not run"

run heavy "$here/selftest/pass" CI=
[ "$status" -eq 0 ] || fail "pass page, heavy: status $status: $(cat "$work/out")"
grep -q '^9 commands run, 0 failed' "$work/out" ||
  fail "pass page, heavy: expected all 9 commands of the page: $(cat "$work/out")"
echo "ok: pass page, heavy mode: all 9 commands"

run light "$here/selftest/fail" CI=
[ "$status" -eq 1 ] || fail "broken page: status $status (expected 1): $(cat "$work/out")"
grep -q '^FAIL: broken.md:9: exit status [1-9]' "$work/out" ||
  fail "broken page: no failure named broken.md:9: $(cat "$work/out")"
grep -q '^4 commands run, 1 failed' "$work/out" ||
  fail "broken page: expected 4 commands run, 1 failed: $(cat "$work/out")"
echo "ok: broken page fails at broken.md:9 (a pipe) and runs the rest"

run light "$here/selftest/skip" CI=
[ "$status" -eq 77 ] || fail "skip page: status $status (expected 77): $(cat "$work/out")"
grep -q '^SKIP: needs.md:5: ../shared/data/no-such-data/x.csv not found' "$work/out" ||
  fail "skip page: no skip message for needs.md:5: $(cat "$work/out")"
grep -q '^1 commands run, 0 failed, 3 skipped' "$work/out" ||
  fail "skip page: expected 1 run, 3 skipped (the rest of each block): $(cat "$work/out")"
echo "ok: absent data skips the command and the rest of its block (exit 77)"

run light "$here/selftest/skip" CI=true
[ "$status" -eq 1 ] || fail "skip page under CI=true: status $status (expected 1): $(cat "$work/out")"
grep -q '^FAIL: needs.md:5: .*CI=true' "$work/out" ||
  fail "skip page under CI=true: no failure for needs.md:5: $(cat "$work/out")"
echo "ok: under CI=true absent data fails"
