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
finish
