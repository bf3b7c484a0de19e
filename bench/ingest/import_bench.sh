#!/usr/bin/env bash
# Import throughput: validated order rows per second into SQLite, against the sqlite3 shell's
# .import of the same CSV into an equivalent table (same columns as text, the same unique id
# index and per-customer index, WAL mode, one transaction).
# Usage: import_bench.sh WINBACK_BINARY ORDER_ROWS
set -euo pipefail
winback=$1
rows=$2
dir=$(mktemp -d /tmp/winback-import-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
# The simulator makes about 2.25 orders per customer with the default parameters.
customers=$(( rows * 4 / 9 ))
"$winback" simulate --customers "$customers" --seed 11 --out "$dir/data" > /dev/null
orders=$(( $(wc -l < "$dir/data/orders.csv") - 1 ))
bytes=$(stat -c %s "$dir/data/orders.csv")
echo "orders.csv: $orders rows, $((bytes / 1048576)) MiB ($customers customers)"
"$winback" --db "$dir/w.db" import --customers "$dir/data/customers.csv" > /dev/null

start=$(date +%s.%N)
"$winback" --db "$dir/w.db" import --orders "$dir/data/orders.csv" > /dev/null
end=$(date +%s.%N)
ours=$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')

# The same columns as the file's header, as text.
columns=$(head -1 "$dir/data/orders.csv" | tr -d '\r' | sed 's/,/ TEXT, /g; s/$/ TEXT/')
cat > "$dir/shell.sql" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE orders ($columns);
CREATE UNIQUE INDEX orders_by_id ON orders (id);
CREATE INDEX orders_by_customer ON orders (customer_id, time);
.import --csv --skip 1 $dir/data/orders.csv orders
SQL
start=$(date +%s.%N)
sqlite3 "$dir/shell.db" < "$dir/shell.sql" > /dev/null 2>&1
end=$(date +%s.%N)
shell=$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')
loaded=$(sqlite3 "$dir/shell.db" "SELECT count(*) FROM orders")
awk -v o="$ours" -v s="$shell" -v n="$orders" -v m="$loaded" 'BEGIN {
  printf "winback import --orders: %.2f s, %.0f rows/s (validated, typed, aggregates updated)\n", o, n / o
  printf "sqlite3 .import:         %.2f s, %.0f rows/s (%d rows, text only)\n", s, m / s, m
  printf "ratio shell time / winback time: %.2f (>= 1: winback at least as fast)\n", s / o
}'
