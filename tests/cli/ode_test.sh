#!/bin/bash
# `soma ode` against the SciPy references the library tests use (tests/ode/reference_test.cpp;
# values from tests/reference/ode_reference.py in tests/reference/data/ode_reference.txt):
# Lorenz by DOP853 at tight tolerance and by RK45 (evaluation count and final state), and
# Robertson's stiff kinetics by BDF and by LSODA (its switch to BDF in the JSON). The CSV
# and the --json fields must agree; bad input is refused with a message naming it.
# Usage: ode_test.sh SOMA JSON_FIELD SOURCE_DIR
set -u
soma=$1 json=$2 src=$3
. "$src/tests/cli/common.sh"
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
reference="$src/tests/reference/data/ode_reference.txt"
# ref NAME: the values of one record of ode_reference.txt, one a line.
ref() { awk -v n="$1" '$1 == n { for (i = 3; i <= NF; ++i) print $i; found = 1 }
  END { exit !found }' "$reference" || fail "no $1 in $reference"; }
lorenz="dx/dt = sigma*(y-x); dy/dt = x*(rho-z)-y; dz/dt = x*y-beta*z"
lorenz_args=(--param sigma=10 --param rho=28 --param beta=8/3 --y0 x=1,y=1,z=1 --t 0:10)

# compare CSV RECORD RTOL ATOL: the CSV's rows (t dropped) against a reference record.
compare() {
  mapfile -t want < <(ref "$2")
  mapfile -t got < <(tail -n +2 "$1" | cut -d, -f2- | tr ',' '\n')
  [ "${#got[@]}" = "${#want[@]}" ] || fail "$1: ${#got[@]} values, $2 has ${#want[@]}"
  for k in "${!want[@]}"; do near "${got[$k]}" "${want[$k]}" "$3" "$4" "$1 value $k vs $2"; done
}

# Lorenz, DOP853 at rtol = atol = 1e-12 against SciPy's DOP853 at the same tolerance.
t_eval=$(ref lorenz_t | paste -sd,)
"$soma" ode "$lorenz" "${lorenz_args[@]}" --t-eval "$t_eval" --method DOP853 --rtol 1e-12 \
  --atol 1e-12 -o "$dir/lorenz.csv" --json >"$dir/lorenz.json" || fail "lorenz DOP853 failed"
[ "$(head -n 1 "$dir/lorenz.csv")" = "t,x,y,z" ] || fail "CSV header: $(head -n 1 "$dir/lorenz.csv")"
[ "$(tail -n +2 "$dir/lorenz.csv" | cut -d, -f1 | awk '{ printf "%s%g", (NR > 1 ? "," : ""), $1 }')" = \
  "$(ref lorenz_t | awk '{ printf "%s%g", (NR > 1 ? "," : ""), $1 }')" ] ||
  fail "CSV times are not --t-eval's: $(cut -d, -f1 "$dir/lorenz.csv" | paste -sd' ')"
compare "$dir/lorenz.csv" lorenz_y 1e-7 1e-8
[ "$(field "$dir/lorenz.json" method)" = DOP853 ] || fail "method: $(tail -n 1 "$dir/lorenz.json")"
[ "$(field "$dir/lorenz.json" status)" = 0 ] || fail "status: $(tail -n 1 "$dir/lorenz.json")"
[ "$(field "$dir/lorenz.json" points)" = 5 ] || fail "points: $(tail -n 1 "$dir/lorenz.json")"
near "$(field "$dir/lorenz.json" t_final)" 10 0 0 "t_final"
# final is the CSV's last row (both printed with 17 digits).
IFS=, read -r _ x y z < <(tail -n 1 "$dir/lorenz.csv")
[ "$(field "$dir/lorenz.json" final.x) $(field "$dir/lorenz.json" final.y) $(field "$dir/lorenz.json" final.z)" = "$x $y $z" ] ||
  fail "JSON final differs from the CSV's last row $x $y $z: $(tail -n 1 "$dir/lorenz.json")"
echo "ok: lorenz DOP853 matches SciPy at 5 times"

# Lorenz, RK45 at rtol 1e-6, atol 1e-9: SciPy's evaluation count within 2 %, its final
# state within 1e-3 (soma follows SciPy's step control); every step is a CSV row.
"$soma" ode "$lorenz" "${lorenz_args[@]}" --method RK45 --rtol 1e-6 --atol 1e-9 \
  --json >"$dir/rk45.json" || fail "lorenz RK45 failed"
near "$(field "$dir/rk45.json" nfev)" "$(ref lorenz_nfev_RK45)" 0.02 0 "RK45 nfev vs SciPy"
mapfile -t fin < <(ref lorenz_final_RK45)
near "$(field "$dir/rk45.json" final.x)" "${fin[0]}" 1e-3 0 "RK45 x(10)"
near "$(field "$dir/rk45.json" final.y)" "${fin[1]}" 1e-3 0 "RK45 y(10)"
near "$(field "$dir/rk45.json" final.z)" "${fin[2]}" 1e-3 0 "RK45 z(10)"
# Without -o and with --json the CSV is not printed: the JSON is the only line.
[ "$(wc -l <"$dir/rk45.json")" = 1 ] || fail "--json without -o printed more than JSON"
"$soma" ode "$lorenz" "${lorenz_args[@]}" --method RK45 --rtol 1e-6 --atol 1e-9 >"$dir/rk45.csv" ||
  fail "lorenz RK45 to stdout failed"
[ "$(($(wc -l <"$dir/rk45.csv") - 1))" = "$(field "$dir/rk45.json" points)" ] ||
  fail "stdout CSV rows differ from points $(field "$dir/rk45.json" points)"
[ "$(field "$dir/rk45.json" points)" = "$(($(field "$dir/rk45.json" nsteps) + 1))" ] ||
  fail "points is not nsteps + 1: $(tail -n 1 "$dir/rk45.json")"
echo "ok: lorenz RK45 nfev $(field "$dir/rk45.json" nfev) (SciPy $(ref lorenz_nfev_RK45))"

# Robertson by BDF and LSODA at rtol 1e-6, atol 1e-10 against SciPy's Radau at 1e-10.
robertson="dy1/dt = -0.04*y1 + 1e4*y2*y3
dy2/dt = 0.04*y1 - 1e4*y2*y3 - 3e7*y2**2
dy3/dt = 3e7*y2**2"
for method in BDF LSODA; do
  "$soma" ode "$robertson" --y0 y1=1,y2=0,y3=0 --t 0:4e10 --t-eval "$(ref robertson_t | paste -sd,)" \
    --method $method --rtol 1e-6 --atol 1e-10 -o "$dir/rob.csv" --json >"$dir/rob.json" ||
    fail "robertson $method failed"
  compare "$dir/rob.csv" robertson_y 2e-3 2e-9
  # Mass is conserved: y1 + y2 + y3 = 1.
  tail -n +2 "$dir/rob.csv" | awk -F, '{ s = $2 + $3 + $4 - 1; if (s < 0) s = -s; if (s > 1e-5) exit 1 }' ||
    fail "robertson $method: y1 + y2 + y3 drifts from 1"
  # Work of the order of SciPy's BDF, far from the millions an explicit method needs.
  [ "$(field "$dir/rob.json" nsteps)" -lt "$((2 * $(ref scipy_robertson_BDF_nsteps | cut -d. -f1)))" ] ||
    fail "robertson $method: $(field "$dir/rob.json" nsteps) steps"
  [ "$(field "$dir/rob.json" nlu)" -gt 0 ] || fail "robertson $method: no LU factorisation"
  echo "ok: robertson $method, $(field "$dir/rob.json" nsteps) steps"
done
# LSODA starts non-stiff (Adams, as ODEPACK's) and switches to BDF within the first second
# (SciPy's LSODA at these tolerances: 835 steps, tests/reference/lsoda_reference.py).
[ "$("$json" methods.0.method <"$dir/rob.json")" = Adams ] || fail "LSODA: $(tail -n 1 "$dir/rob.json")"
[ "$("$json" methods.1.method <"$dir/rob.json")" = BDF ] || fail "LSODA: $(tail -n 1 "$dir/rob.json")"
near "$("$json" methods.1.t <"$dir/rob.json")" 0.5 0 0.5 "LSODA's switch to BDF (t in [0, 1])"

# Radau (SciPy's Radau decision for decision) on Robertson, the Jacobian by differences as
# SciPy's default: steps, evaluations (soma's nfev counts the differences' too, which is
# SciPy's `calls`), Jacobians and LUs within 10 % of SciPy's; y within the tolerance of its.
"$soma" ode "$robertson" --y0 y1=1,y2=0,y3=0 --t 0:4e10 --t-eval "$(ref robertson_t | paste -sd,)" \
  --method Radau --rtol 1e-6 --atol 1e-10 -o "$dir/radau.csv" --json >"$dir/radau.json" ||
  fail "robertson Radau failed"
compare "$dir/radau.csv" scipy_robertson_Radau_fd_y 1e-6 1e-10
[ "$(field "$dir/radau.json" method)" = Radau ] || fail "method: $(tail -n 1 "$dir/radau.json")"
mapfile -t c < <(ref scipy_robertson_Radau_fd_counts)
near "$(field "$dir/radau.json" nsteps)" "${c[0]}" 0.1 0 "Radau steps vs SciPy's"
near "$(field "$dir/radau.json" nfev)" "${c[4]}" 0.1 0 "Radau evaluations vs SciPy's"
near "$(field "$dir/radau.json" njev)" "${c[2]}" 0.1 0 "Radau Jacobians vs SciPy's"
near "$(field "$dir/radau.json" nlu)" "${c[3]}" 0.1 0 "Radau LUs vs SciPy's"
echo "ok: robertson Radau, $(field "$dir/radau.json" nsteps) steps (SciPy ${c[0]})"

# A solve that fails (x' = x^2 blows up at t = 1): exit status 2, status -1, the message.
"$soma" ode "dx/dt = x**2" --y0 x=1 --t 0:2 --json >"$dir/blowup.json" 2>"$dir/blowup.err"
[ $? = 2 ] || fail "a failed solve should exit with status 2"
[ "$(field "$dir/blowup.json" status)" = -1 ] || fail "blow-up status: $(cat "$dir/blowup.json")"
near "$(field "$dir/blowup.json" t_final)" 1 0 1e-3 "blow-up time"
grep -q "soma ode: .*step size" "$dir/blowup.err" || fail "blow-up message: $(cat "$dir/blowup.err")"
echo "ok: x' = x^2 stops at t = $(field "$dir/blowup.json" t_final) with status 2"

# Initial values are unit-checked like equations (issue 12): v is a voltage.
membrane=("dv/dt = (vl - v)/tau : volt" --param tau=10*ms --param vl=-65*mV --t 0:0.05)
"$soma" ode "${membrane[@]}" --y0 v=0*mV --rtol 1e-9 --atol 1e-12 --json >"$dir/v.json" ||
  fail "membrane failed"
# v(t) = vl (1 - exp(-t/tau)): at t = 5 tau, -65 mV * (1 - e^-5).
near "$(field "$dir/v.json" final.v)" "$(awk 'BEGIN { printf "%.17g", -0.065 * (1 - exp(-5)) }')" \
  0 1e-9 "membrane v(50 ms)"
refuses "initial value for 'v': \"3\*nS\" has units S, expected V" "--y0 in siemens" -- \
  ode "${membrane[@]}" --y0 v=3*nS
refuses "initial value for 'v': \"0\" has units 1, expected V" "--y0 without units" -- \
  ode "${membrane[@]}" --y0 v=0
refuses "no initial value for state variable 'z'" "--y0 missing z" -- \
  ode "$lorenz" --param sigma=10 --param rho=28 --param beta=8/3 --y0 x=1,y=1 --t 0:1
refuses "initial value for 'q': not a state variable \(expected one of x, y, z\)" "--y0 unknown" -- \
  ode "$lorenz" --param sigma=10 --param rho=28 --param beta=8/3 --y0 x=1,y=1,z=1,q=2 --t 0:1
refuses "--y0: 'x': expected NAME=VALUE" "--y0 without =" -- ode "dx/dt = -x" --y0 x --t 0:1
refuses "--t: '0-10': expected T0:T1" "--t without colon" -- ode "dx/dt = -x" --y0 x=1 --t 0-10
refuses "--t: 'ten' is not a number" "--t not a number" -- ode "dx/dt = -x" --y0 x=1 --t 0:ten
refuses "--t-eval: '0:1:-0.1': STEP must be non-zero and point from START to STOP" \
  "--t-eval backwards" -- ode "dx/dt = -x" --y0 x=1 --t 0:1 --t-eval 0:1:-0.1
refuses "equations:1:[0-9]+: .*expected" "syntax error" -- ode "dx/dt = -x +" --y0 x=1 --t 0:1
refuses "cannot add|units" "equation units" -- ode "dv/dt = v/second + 1*amp/second : volt" \
  --y0 v=0*mV --t 0:1
refuses "parameter k:1:3: in \"1/\": expected" "bad --param" -- ode "dx/dt = -k*x" --param k=1/ --y0 x=1 --t 0:1
refuses "'k'" "missing --param" -- ode "dx/dt = -k*x" --y0 x=1 --t 0:1
refuses "RK99" "unknown method" -- ode "dx/dt = -x" --y0 x=1 --t 0:1 --method RK99
echo "ok: soma ode"
