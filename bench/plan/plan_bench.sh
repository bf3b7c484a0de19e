#!/usr/bin/env bash
# Benchmark of `winback plan` on a large store: decide, render and commit the first day of the
# win-back campaign for N simulated customers (default 1,000,000).
#
#   bench/plan/plan_bench.sh BUILD_DIR [CUSTOMERS] [WORK_DIR]
#
# The store: `winback simulate --items` (orders with items, products, events), imported and
# scored as of 2024-11-20. The config: the example of `winback init`, with every campaign but
# `winback` given an audience no simulated customer is in (countries = ["AQ"]) and the win-back
# audience narrowed to the `lost` lifecycle stage, so that about a fifth of the customers enter
# (200k of 1M): each is decided, rendered (templates, coupon, signed links, recommendations)
# and committed with the others of its chunk. Every customer of the store is read and decided.
#
# Printed: the plan's wall time, CPU time and peak memory, the messages written (planned and
# holdout), messages per second; the same with --dry-run (decide and render, write nothing);
# and the floor of the write: SQLite copying the finished outbox rows into a table with no
# index (`CREATE TABLE ... AS SELECT`), the least any store must do to keep those bytes.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
CUSTOMERS=${2:-1000000}
WORK=${3:-${TMPDIR:-/tmp}/winback_plan_bench}
WINBACK=$BUILD/winback
AS_OF=2024-11-20
export WINBACK_SIGNING_KEY=${WINBACK_SIGNING_KEY:-plan-bench-signing-key-0123456789abcdef}

mkdir -p "$WORK"
cd "$WORK"
if [ ! -s "base-$CUSTOMERS.db" ]; then
  echo "building a store of $CUSTOMERS customers in $WORK (once)..."
  rm -rf data winback.db winback.db-wal winback.db-shm
  "$WINBACK" simulate --customers "$CUSTOMERS" --items --out data >/dev/null
  "$WINBACK" --db winback.db import --customers data/customers.csv --orders data/orders.csv \
    --events data/events.csv --products data/products.csv >/dev/null
  "$WINBACK" --db winback.db score --as-of "$AS_OF" >/dev/null
  mv winback.db "base-$CUSTOMERS.db"
  rm -rf data
fi

rm -rf templates && "$WINBACK" init --force . >/dev/null
awk '{print} /^trigger = "/ && $3 != "\"winback\"" {print "countries = [\"AQ\"]"}' winback.toml \
  >bench.toml
sed -i 's/^lifecycle = \["inactive", "lost"\]/lifecycle = ["lost"]/' bench.toml
mv bench.toml winback.toml

run() {  # LABEL ARGS...: one timed plan on a fresh copy of the store.
  local label=$1
  shift
  cp "base-$CUSTOMERS.db" winback.db
  rm -f winback.db-wal winback.db-shm
  sync
  /usr/bin/time -f "%e %U %S %M" -o time.txt "$WINBACK" plan --as-of "$AS_OF" "$@" --json >plan.json
  read -r wall user sys kb <time.txt
  local decided
  decided=$(/usr/bin/python3 -c '
import json, sys
d = json.load(open("plan.json"))
print(sum(m["messages"] for m in d["messages"]))')
  printf '%-28s %9s messages  %7.2f s wall  %6.2f s CPU  %6d MB peak  %8.0f messages/s\n' \
    "$label" "$decided" "$wall" "$(echo "$user + $sys" | bc)" $((kb / 1024)) \
    "$(echo "$decided / $wall" | bc -l)"
}

echo "winback plan --as-of $AS_OF on $CUSTOMERS customers ($(nproc) cores, $(date -u +%F))"
run "plan --dry-run" --dry-run
run "plan"
start=$(date +%s.%N)
sqlite3 winback.db "CREATE TABLE floor_copy AS SELECT * FROM outbox; DROP TABLE floor_copy;"
end=$(date +%s.%N)
bytes=$(sqlite3 winback.db "SELECT sum(length(body_text) + length(body_html) + length(subject)) FROM outbox")
printf '%-28s %9s bytes of bodies  %7.2f s wall\n' "floor: SQLite copy of outbox" "$bytes" \
  "$(echo "$end - $start" | bc)"
