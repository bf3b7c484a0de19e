#!/usr/bin/env bash
# Load benchmark of winback serve's event ingestion with wrk, on loopback, bounded in time.
# Every 200 means the batch was committed and fsync'd (store::Sync::kFull, group commit), so the
# rate below is a durable rate. For each batch size and each binary (WINBACK, and those listed
# in COMPARE, a baseline say, run before it), a fresh copy of one store of BENCH_CUSTOMERS
# customers (default 100,000) is served and loaded for SECONDS; the binaries alternate, ROUNDS
# times (default 1), so that each pair sees the same machine load. Each run prints events/s, latency percentiles, the
# load average at its start, and the events stored against those acknowledged (every event has
# a new id, so the two must match). Ends with medians per binary and batch size, and the disk's
# floor: synchronous 4 KiB writes per second (dd oflag=dsync), the most commits per second any
# one writer can make here.
#
#   bench/server/server_bench.sh [WINBACK] [SECONDS] [CONNECTIONS]
#   environment, defaults shown: BATCHES="1 10 50 200" ROUNDS=1 BENCH_CUSTOMERS=100000 COMPARE=
#   INGEST_LOG=true ([server] ingest_log: false answers each request after the store commit)
#
# Examples: bench/server/server_bench.sh build/dev/winback 10 32
#           COMPARE=/tmp/winback-main ROUNDS=3 BATCHES="50 200" \
#             bench/server/server_bench.sh build/dev/winback 8 32
set -euo pipefail
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-32}
BINS=()
for b in ${COMPARE:-} "${1:-build/dev/winback}"; do BINS+=("$(realpath "$b")"); done
LUA=$(realpath "$(dirname "$0")/post_events.lua")
CUSTOMERS=${BENCH_CUSTOMERS:-100000}
DIR=$(mktemp -d /tmp/winback-server-bench.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$DIR"' EXIT
cd "$DIR"
printf 'id\n' > customers.csv
for i in $(seq "$CUSTOMERS"); do echo "c$i"; done >> customers.csv
"${BINS[0]}" --db base.db import --customers customers.csv > /dev/null
cat > winback.toml <<TOML
[server]
threads = $CONNECTIONS
rate_per_second = 0
ingest_log = ${INGEST_LOG:-true}
TOML
export WINBACK_API_KEY=bench-key WRK_CUSTOMERS=$CUSTOMERS
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); $CUSTOMERS customers; wrk $CONNECTIONS connections, 2 threads, ${SECONDS_PER_RUN}s per run"
for round in $(seq "${ROUNDS:-1}"); do
  for batch in ${BATCHES:-1 10 50 200}; do
    for bin in "${BINS[@]}"; do
      cp base.db winback.db
      rm -rf winback.db-wal winback.db-shm winback.db-ingest serve.out
      "$bin" serve --listen 127.0.0.1:0 > serve.out 2> serve.err &
      PID=$!
      for _ in $(seq 100); do grep -q listening serve.out 2>/dev/null && break; sleep 0.1; done
      BASE=$(sed -n 's/.*listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' serve.out)
      LOAD=$(cut -d' ' -f1 /proc/loadavg)
      OUT=$(WRK_DELAY_MS=${DELAY_MS:-0} WRK_BATCH=$batch WRK_RUN="r$round-b$batch-$RANDOM" wrk -t2 -c"$CONNECTIONS" \
        -d"${SECONDS_PER_RUN}s" --latency -s "$LUA" "$BASE")
      kill "$PID"
      wait "$PID" 2>/dev/null || true
      PID=
      STORED=$(/usr/bin/python3 -c "import sqlite3; print(sqlite3.connect('winback.db').execute('SELECT COUNT(*) FROM events').fetchone()[0])")
      ACKED=$(( $(echo "$OUT" | sed -n 's/.*requests=\([0-9]*\) errors_status=0.*/\1/p') * batch ))
      echo "$(basename "$bin") batch=$batch load=$LOAD $(echo "$OUT" | grep -E "^(events_per_s|p50_ms|p90_ms|p99_ms|p99.9_ms)=" | tr '\n' ' ')acked=$ACKED stored=$STORED $(echo "$OUT" | grep -E "Non-2xx|Socket errors" | tr '\n' ' ')" | tee -a runs.txt
    done
  done
done
echo "--- medians per binary and batch size"
/usr/bin/python3 - "$DIR/runs.txt" <<'PY'
import re, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
keys = []
for r in rows:
    if (r[0], r[1]) not in keys: keys.append((r[0], r[1]))
for name, batch in keys:
    vals = [dict(re.findall(r'([\w.]+)=([\d.]+)', ' '.join(r))) for r in rows if (r[0], r[1]) == (name, batch)]
    m = lambda f: statistics.median(float(v[f]) for v in vals)
    print(f"{name} {batch} runs={len(vals)} events_per_s={m('events_per_s'):.0f} p50_ms={m('p50_ms'):.1f} "
          f"p99_ms={m('p99_ms'):.1f} load={m('load'):.1f}")
PY
echo "--- floor: synchronous 4 KiB writes to this disk"
dd if=/dev/zero of=dsync.bin bs=4k count=500 oflag=dsync 2>&1 | tail -1
