#!/usr/bin/env bash
# `winback score`, `customer`, `segments` and `rates` on a small simulated business: the
# aggregates path for the latest day, the streams for a past one, the model columns, flags.
WINBACK=$1
SCRATCH=$2
source "$(dirname "$0")/../e2e/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

expect_exit 0 "$WINBACK" simulate --customers 3000 --seed 5 --out sim
expect_exit 0 "$WINBACK" import --customers sim/customers.csv --orders sim/orders.csv --events sim/events.csv

# The day after the window (the simulator's last local times reach into it): aggregates.
expect_exit 0 "$WINBACK" score --as-of 2025-01-01
expect_contains "$OUT" "scored 3,000 customers as of 2025-01-01"
expect_contains "$OUT" "read from the aggregates"
expect_contains "$OUT" "BG/NBD (weeks)"
expect_contains "$OUT" "Gamma-Gamma (USD)"
expect_contains "$OUT" "churn risk (logistic, no order in 90 days)"

# A past day: the streams; JSON with the model summary.
expect_exit 0 "$WINBACK" score --as-of 2024-09-30 --json
expect_contains "$OUT" '"source": "streams"'
expect_contains "$OUT" '"mean_p_alive"'
expect_contains "$OUT" '"churn_model": "logistic"'

# Without the models the fields stay empty.
expect_exit 0 "$WINBACK" score --as-of 2024-06-30 --no-models --json
expect_contains "$OUT" '"models": null'
expect_exit 0 "$WINBACK" score --as-of 2024-03-31 --no-churn --json
expect_contains "$OUT" '"customers_with_churn_risk": 0'

expect_exit 2 "$WINBACK" score --as-of 2024-06-30 --churn-model forest
expect_contains "$ERR" "--churn-model: expected logistic or xgboost"
expect_exit 2 "$WINBACK" score --as-of 2024-02-30
expect_contains "$ERR" "--as-of"

# The customer view shows the latest run (2025-01-01, with models).
expect_exit 0 "$WINBACK" customer c1
expect_contains "$OUT" "scores as of 2025-01-01"
expect_contains "$OUT" "P(alive)"
expect_exit 0 "$WINBACK" customer c1 --json
expect_contains "$OUT" '"score": {'
expect_contains "$OUT" '"p_alive"'

expect_exit 0 "$WINBACK" segments --as-of 2025-01-01 --compare 2024-09-30 --json
expect_contains "$OUT" '"migration"'
expect_exit 0 "$WINBACK" rates --period month --json
expect_contains "$OUT" '"churn_by_calendar_month"'
expect_contains "$OUT" '"start": "2023-01-01"'
expect_exit 2 "$WINBACK" rates --period fortnight

finish
