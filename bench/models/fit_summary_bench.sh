#!/usr/bin/env bash
# The summary path, timed whole-process: CDNOW's master log (23,570 customers) is imported into a
# store, summarised with `winback summary` (calibration end 1997-09-30, weeks), replicated 100
# times with new ids (2,356,900 rows), then `winback fit --summary` is timed: BG/NBD alone, and
# BG/NBD with the Gamma-Gamma spend model, predictions and 12-month CLV (what the issue's
# lifetimes run of 73 s did on the same file). `--json` gives the fit time; the read alone
# (ReadSummaryCsv) is timed by models_bench's ReadSummaryCsv2_36M on the same file when the
# binary sits beside the winback binary's build tree (build/<preset>/bench/models/models_bench).
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
# One CDNOW customer has repeat purchases of $0.00, which the Gamma-Gamma fit rejects (lifetimes'
# users filter it out the same way): it is left out, so the file has 23,569 x copies rows.
awk -F, -v copies="$copies" 'NR == 1 { header = $0; next } $2 > 0 && $5 <= 0 { next } { rows[++n] = $0 }
     END { print header
           for (c = 0; c < copies; c++)
             for (i = 1; i <= n; i++) { sub(/^[^,]*/, "", rows[i]); printf "c%d_%d%s\n", c, i, rows[i] } }' \
     one.csv > big.csv
rows=$(( $(wc -l < big.csv) - 1 ))
echo "summary: $rows rows, $(( $(stat -c %s big.csv) / 1048576 )) MiB ($copies copies of CDNOW master)"

# "wall user+sys" seconds of a command (its output kept in out.json). On a shared machine the
# CPU time is the steadier number.
timed() {
  /usr/bin/time -f "%e %U %S" -o "$dir/time.txt" "$@" > "$dir/out.json"
  awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$dir/time.txt"
}
read -r read_wall read_cpu < <(timed "$winback" fit --model bgnbd --summary big.csv \
                               --params 0.243,4.414,0.793,2.426 --json)
read -r fit_wall fit_cpu < <(timed "$winback" fit --model bgnbd --summary big.csv --json)
fit_seconds=$(sed -n 's/^  "seconds": \([0-9.e+-]*\),\{0,1\}$/\1/p' out.json | head -1)
read -r all_wall all_cpu < <(timed "$winback" fit --model bgnbd --summary big.csv \
                             --predictions pred.csv --horizon 39 --clv-months 12 --json)
spend_seconds=$(sed -n 's/^    "seconds": \([0-9.e+-]*\),\{0,1\}$/\1/p' out.json | head -1)
bench=$(dirname "$winback")/bench/models/models_bench
if [ -x "$bench" ]; then
  WINBACK_SUMMARY_CSV=big.csv "$bench" --benchmark_filter=ReadSummaryCsv 2> /dev/null | tail -1
fi
awk -v rw="$read_wall" -v rc="$read_cpu" -v fw="$fit_wall" -v fc="$fit_cpu" -v fs="$fit_seconds" \
    -v aw="$all_wall" -v ac="$all_cpu" -v ss="${spend_seconds:-0}" 'BEGIN {
  printf "read + validate + likelihood at given --params: %6.2f s wall, %6.2f s CPU\n", rw, rc
  printf "fit --model bgnbd:                              %6.2f s wall, %6.2f s CPU (fit %.2f s)\n", fw, fc, fs
  printf "fit + spend + predictions + 12-month CLV:       %6.2f s wall, %6.2f s CPU (spend fit %.2f s)\n", aw, ac, ss
  printf "lifetimes (issue 13, same file, fit + spend + predictions + CLV): 73 s; ratio %.0fx (wall)\n", 73 / aw
}'
