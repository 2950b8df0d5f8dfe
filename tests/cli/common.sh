# Shared by the command tests (ode_test.sh, fit_test.sh, snn_run_test.sh, tsne_test.sh):
# sourced, with $soma (the binary) and $json (tests/cli/tools/json_field) set.

fail() { echo "FAIL: $*"; exit 1; }

# near GOT WANT RTOL ATOL WHAT: |GOT - WANT| <= RTOL*|WANT| + ATOL (numbers as printed).
near() {
  awk -v g="$1" -v w="$2" -v r="$3" -v a="$4" 'BEGIN {
    d = g - w; if (d < 0) d = -d; t = w < 0 ? -w : w
    exit !(g != "" && d <= r * t + a) }' || fail "$5: got $1, expected $2 (rtol $3, atol $4)"
}

# field FILE PATH: a field of the JSON object on FILE's last line (json_field's PATH).
field() { "$json" "$2" <"$1" || fail "no $2 in the JSON line of $1: $(tail -n 1 "$1")"; }

# refuses PATTERN WHAT -- ARGS...: `soma ARGS` must fail as a user error: exit status 1
# (an error, not a signal or "internal error"), stderr "soma: error: ..." matching the
# extended regex PATTERN (the input, the position, what was expected).
refuses() {
  local pattern=$1 what=$2 status
  shift 3
  "$soma" "$@" >"$dir/refused.out" 2>"$dir/refused.err"
  status=$?
  [ "$status" -eq 1 ] || fail "$what: exit status $status (expected 1): $(cat "$dir/refused.err")"
  grep -q "internal error" "$dir/refused.err" && fail "$what: $(cat "$dir/refused.err")"
  grep -Eq -- "^soma: error: .*$pattern" "$dir/refused.err" ||
    fail "$what: message does not match '$pattern': $(cat "$dir/refused.err")"
  echo "ok: refused, $what: $(cat "$dir/refused.err")"
}

# needs_data PATH WHAT: skip the test (exit 77, reported as skipped) when PATH is absent,
# except in CI (CI=true), where missing data must fail the run rather than pass it.
needs_data() {
  [ -e "$1" ] && return 0
  if [ "${CI:-}" = true ]; then fail "$2 not found at $1 (CI=true: missing data is a failure)"; fi
  echo "SKIP: $2 not found at $1"
  exit 77
}
