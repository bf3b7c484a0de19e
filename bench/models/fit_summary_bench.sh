#!/usr/bin/env bash
# The summary path, timed whole-process: CDNOW's master log (23,570 customers) is imported into a
# store, summarised with `winback summary` (calibration end 1997-09-30, weeks), replicated 100
# times with new ids (2,357,000 rows), then `winback fit --summary` is timed: BG/NBD alone, and
# BG/NBD with the Gamma-Gamma spend model, predictions and 12-month CLV (what the issue's
# lifetimes run of 73 s did on the same file). `--json` gives the fit time; the read time is the
# rest of a fit of `--params` (no fitting), which reads the file and evaluates the likelihood.
# Usage: fit_summary_bench.sh WINBACK_BINARY [CDNOW_DIR] [COPIES]
set -euo pipefail
winback=$(realpath "$1")
cdnow=$(realpath "${2:-$(dirname "$0")/../../../shared/data/cdnow}")
copies=${3:-100}
dir=$(mktemp -d /tmp/winback-fit-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

# CDNOW_master.txt: id, YYYYMMDD, CDs, dollars (whitespace separated). Dollars copied verbatim.
awk 'BEGIN { print "id" > "customers.csv"; print "id,customer_id,time,amount,currency,status" }
     { sub(/\r$/, "") }
     $1 ~ /^[0-9]+$/ && length($2) == 8 {
       id = $1 + 0
       if (!(id in seen)) { seen[id] = 1; print id > "customers.csv" }
       n++
       printf "o%d,%d,%s-%s-%s,%s,USD,completed\n", n, id, substr($2,1,4), substr($2,5,2), substr($2,7,2), $4
     }' "$cdnow/CDNOW_master.txt" > orders.csv
"$winback" --db w.db import --customers customers.csv --orders orders.csv > /dev/null
"$winback" --db w.db summary --calibration-end 1997-09-30 --out one.csv 2> /dev/null
awk -F, -v copies="$copies" 'NR == 1 { header = $0; next } { rows[++n] = $0 }
     END { print header
           for (c = 0; c < copies; c++)
             for (i = 1; i <= n; i++) { sub(/^[^,]*/, "", rows[i]); printf "c%d_%d%s\n", c, i, rows[i] } }' \
     one.csv > big.csv
rows=$(( $(wc -l < big.csv) - 1 ))
echo "summary: $rows rows, $(( $(stat -c %s big.csv) / 1048576 )) MiB ($copies copies of CDNOW master)"

# Wall-clock seconds of a command (its output discarded).
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" > "$dir/out.json"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
read_only=$(timed "$winback" fit --model bgnbd --summary big.csv --params 0.243,4.414,0.793,2.426 --json)
fit_whole=$(timed "$winback" fit --model bgnbd --summary big.csv --json)
fit_seconds=$(sed -n 's/^  "seconds": \([0-9.e+-]*\),\{0,1\}$/\1/p' out.json | head -1)
all_whole=$(timed "$winback" fit --model bgnbd --summary big.csv --predictions pred.csv \
            --horizon 39 --clv-months 12 --json)
spend_seconds=$(sed -n 's/^    "seconds": \([0-9.e+-]*\),\{0,1\}$/\1/p' out.json | head -1)
awk -v r="$read_only" -v fw="$fit_whole" -v fs="$fit_seconds" -v aw="$all_whole" \
    -v ss="$spend_seconds" -v n="$rows" 'BEGIN {
  printf "read + validate + likelihood at given parameters (--params): %.2f s whole process\n", r
  printf "fit --model bgnbd:                         %.2f s whole process (BG/NBD fit %.2f s)\n", fw, fs
  printf "fit + spend model + predictions + CLV:     %.2f s whole process (spend fit %.2f s)\n", aw, ss
  printf "lifetimes (issue 13, same file, fit + spend + predictions + CLV): 73 s; ratio %.0fx\n", 73 / aw
}'
