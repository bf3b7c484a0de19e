#!/usr/bin/env bash
# Appending to a store that has history: the daily import of new events and orders. A store of
# BENCH_CUSTOMERS simulated customers (default 100,000: about 2.2 orders and 7.4 events each,
# plus HISTORY more visits each, default 0, for customers with long histories) is imported once; then each binary given imports, into a fresh copy of it, a file of one new
# visit for every second customer and one new completed order for every tenth, all later than
# anything stored (2025-03-01). Rounds alternate the binaries (ROUNDS, default 3), so that a
# before/after pair sees the same machine load. Prints seconds per run and the median.
#
#   bench/ingest/append_bench.sh WINBACK [WINBACK_OTHER ...]
set -euo pipefail
N=${BENCH_CUSTOMERS:-100000}
ROUNDS=${ROUNDS:-3}
DIR=$(mktemp -d /tmp/winback-append-bench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
BINS=()
for b in "$@"; do BINS+=("$(realpath "$b")"); done
"${BINS[0]}" simulate --customers "$N" --seed 5 --out "$DIR/data" > /dev/null
awk -v n="$N" -v h="${HISTORY:-0}" 'BEGIN {
  for (i = 1; i <= n; ++i)
    for (j = 1; j <= h; ++j)
      printf "h%d-%d,c%d,visit,2024-%02d-%02dT10:00:00Z,web,,,,,,\n", i, j, i, 1 + j % 12, 1 + j % 28
}' >> "$DIR/data/events.csv"
"${BINS[0]}" --db "$DIR/base.db" import --customers "$DIR/data/customers.csv" \
  --orders "$DIR/data/orders.csv" --events "$DIR/data/events.csv" > /dev/null
awk -v n="$N" 'BEGIN {
  print "id,customer_id,type,time,channel,reason,score,value,currency,ref,text"
  for (i = 1; i <= n; i += 2)
    printf "a%d,c%d,visit,2025-03-01T%02d:%02d:%02dZ,web,,,,,,\n", i, i, (i / 3600) % 24, (i / 60) % 60, i % 60
}' > "$DIR/new_events.csv"
awk -v n="$N" 'BEGIN {
  print "id,customer_id,time,amount,currency,status"
  for (i = 1; i <= n; i += 10) printf "b%d,c%d,2025-03-05T12:00:00Z,19.99,USD,completed\n", i, i
}' > "$DIR/new_orders.csv"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); store: $N customers, $(( $(wc -l < "$DIR/data/orders.csv") - 1 )) orders, $(( $(wc -l < "$DIR/data/events.csv") - 1 )) events"
echo "appended: $(( $(wc -l < "$DIR/new_events.csv") - 1 )) events, $(( $(wc -l < "$DIR/new_orders.csv") - 1 )) orders"
for r in $(seq "$ROUNDS"); do
  for b in "${BINS[@]}"; do
    cp "$DIR/base.db" "$DIR/w.db"
    rm -f "$DIR/w.db-wal" "$DIR/w.db-shm"
    start=$(date +%s.%N)
    "$b" --db "$DIR/w.db" import --events "$DIR/new_events.csv" --orders "$DIR/new_orders.csv" > /dev/null
    end=$(date +%s.%N)
    echo "$b round $r: $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}') s (load $(cut -d' ' -f1 /proc/loadavg))"
  done
done | tee "$DIR/runs.txt"
for b in "${BINS[@]}"; do
  grep -F "$b round" "$DIR/runs.txt" | awk '{print $(NF-3)}' | sort -n |
    awk -v b="$b" '{v[NR]=$1} END {printf "%s: median %.2f s of %d\n", b, v[int((NR+1)/2)], NR}'
done
