#!/usr/bin/env bash
# `winback demo` end to end on a small business, then commands rerun inside its directory.
WINBACK=$1
SCRATCH=$2
source "$(dirname "$0")/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

expect_exit 0 "$WINBACK" demo --customers 3000 --dir shop
expect_contains "$OUT" "customers                 3,000"
expect_contains "$OUT" "Report: $SCRATCH/shop/report.html"
# The demo saves what `winback score` saves, model columns included.
expect_contains "$OUT" "P(alive), mean"
expect_contains "$OUT" "CLV, 12 months"
expect_contains "$OUT" "churn risk, mean"
# One currency (the simulator's): one revenue line, labelled with it.
expect_contains "$OUT" " USD"
check; [ "$(echo "$OUT" | grep -c ' USD  *(.*main currency')" = 0 ] || fail "one currency, split"
for f in customers.csv orders.csv events.csv truth.json truth.csv winback.toml winback.db \
         report.html; do
  check; [ -s "shop/$f" ] || fail "demo did not write shop/$f"
done
# The report is the self-contained page with its chart marker script (tests/e2e/report_test.sh
# renders one in Chromium).
REPORT=$(cat shop/report.html)
expect_contains "$REPORT" '<span id="charts-status"'
expect_contains "$REPORT" "'charts rendered: ' + drawn"
expect_contains "$REPORT" "<h2>RFM grid</h2>"
cd shop
expect_exit 0 "$WINBACK" stats --json
expect_contains "$OUT" '"customers": 3000'
expect_exit 0 "$WINBACK" customer c1 --json
expect_contains "$OUT" '"timeline"'
# A customer who ordered has saved model columns (the first order row's customer).
BUYER=$(sed -n 2p orders.csv | cut -d, -f2)
expect_exit 0 "$WINBACK" customer "$BUYER" --json
for field in p_alive expected_purchases_90d churn_risk; do
  check; echo "$OUT" | grep -Eq "\"$field\": [0-9]" || fail "no saved $field for $BUYER"
done
# The demo scored as of the simulation's last day and saved the scores.
expect_exit 0 "$WINBACK" segments --json
expect_contains "$OUT" '"as_of": "2024-12-31"'
# Simulating again with the same seed gives the same bytes.
expect_exit 0 "$WINBACK" simulate --customers 3000 --seed 42 --items --out again
for f in customers.csv orders.csv events.csv truth.csv; do
  check; cmp -s "$f" "again/$f" || fail "simulate --seed 42 differs from demo's $f"
done
cd "$SCRATCH"
# A second demo into the same folder must not overwrite the store and the files without
# --force (init refuses without it too): exit 2, naming what it would overwrite, nothing touched.
SUM_BEFORE=$(cat shop/winback.db shop/customers.csv shop/report.html | cksum)
expect_exit 2 "$WINBACK" demo --customers 500 --dir shop
expect_contains "$ERR" "shop already holds customers.csv, orders.csv, events.csv, truth.csv"
expect_contains "$ERR" "winback.db"
expect_contains "$ERR" "report.html"
expect_contains "$ERR" "--force"
check; [ "$(cat shop/winback.db shop/customers.csv shop/report.html | cksum)" = "$SUM_BEFORE" ] \
  || fail "a refused demo changed shop/"
# One file of the demo's is enough to refuse; a folder of other files is fine.
mkdir -p mine && echo "id,customer_id" > mine/orders.csv && echo keep > mine/notes.txt
expect_exit 2 "$WINBACK" demo --customers 500 --dir mine
expect_contains "$ERR" "mine already holds orders.csv, which the demo would overwrite"
check; [ "$(cat mine/orders.csv)" = "id,customer_id" ] || fail "a refused demo changed orders.csv"
check; [ ! -e mine/winback.db ] || fail "a refused demo created mine/winback.db"
# --force overwrites them (and leaves other files alone).
expect_exit 0 "$WINBACK" demo --customers 500 --dir mine --force
expect_contains "$OUT" "customers                   500"
check; [ "$(cat mine/notes.txt)" = keep ] || fail "demo --force touched a file it does not write"
finish
