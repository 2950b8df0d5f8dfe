# Reads a NIST StRD nonlinear regression file (../shared/data/nist-strd/NAME.dat) for
# fit_test.sh:   awk -v MODE=data|params|ssr -f nist2csv.awk NAME.dat
#   data    the observations as CSV "x,y" (the file's data lines, which it locates itself)
#   params  one line per parameter: NAME START1 START2 CERTIFIED CERTIFIED_SD
#   ssr     the certified residual sum of squares
{ sub(/\r$/, "") }  # the files have DOS line ends
/Data +\(lines [0-9]+ to [0-9]+\)/ {
  match($0, /lines [0-9]+ to [0-9]+/)
  split(substr($0, RSTART, RLENGTH), range, " ")
  first = range[2]
  last = range[4]
}
MODE == "data" && first && FNR == first { print "x,y" }
MODE == "data" && first && FNR >= first && FNR <= last { print $2 "," $1 }
MODE == "params" && /^ *b[0-9]+ *= / { print $1, $3, $4, $5, $6 }
MODE == "ssr" && /^Residual Sum of Squares:/ { print $NF }
