#!/usr/bin/env bash
# Runs every benchmark against a release build. Usage: bench/run.sh BUILD_DIR
# BENCH_LARGE=1 adds the 10M-row import; BENCH_PLAN_CUSTOMERS sets the plan benchmark's store size. Results go to stdout; copy them into the README's
# benchmark table with the machine and date.
set -euo pipefail
build=${1:-build/release}
here=$(cd "$(dirname "$0")" && pwd)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m); date: $(date -u +%F)"
for b in "$build"/bench/*/*_bench; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" --benchmark_counters_tabular=true
done
echo "== fit --summary on CDNOW master x 100 (timed command)"
"$here/models/fit_summary_bench.sh" "$build/winback"
echo "== import (timed command)"
"$here/ingest/import_bench.sh" "$build/winback" 1000000
echo "== send into smtp-sink (timed command)"
"$here/send/send_bench.sh" "$build" 20000 || echo "(send bench needs the tests' outbox_fill and postfix)"
echo "== plan, 1M customers (timed command; builds the store once in \$TMPDIR)"
"$here/plan/plan_bench.sh" "$build" "${BENCH_PLAN_CUSTOMERS:-1000000}"
if [ "${BENCH_LARGE:-0}" = 1 ]; then
  "$here/ingest/import_bench.sh" "$build/winback" 10000000
fi
