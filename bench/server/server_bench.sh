#!/usr/bin/env bash
# Load benchmark of winback serve's event ingestion with wrk, on loopback, bounded in time.
# Every 200 means the batch was committed and fsync'd (store::Sync::kFull, group commit), so the
# rate below is a durable rate. Prints events/s and latency percentiles per batch size, and the
# disk's floor: synchronous 4 KiB writes per second (dd oflag=dsync), the most commits per
# second any one writer can make here.
#
#   bench/server/server_bench.sh [WINBACK] [SECONDS] [CONNECTIONS]
set -euo pipefail
WINBACK=${1:-build/dev/winback}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-32}
WINBACK=$(realpath "$WINBACK")
LUA=$(realpath "$(dirname "$0")/post_events.lua")
DIR=$(mktemp -d /tmp/winback-server-bench.XXXXXX)
cd "$DIR"
printf 'id\n' > customers.csv
for i in $(seq "${BENCH_CUSTOMERS:-100000}"); do echo "c$i"; done >> customers.csv
"$WINBACK" import --customers customers.csv > /dev/null
cat > winback.toml <<TOML
[server]
threads = $CONNECTIONS
rate_per_second = 0
TOML
export WINBACK_API_KEY=bench-key WRK_CUSTOMERS=${BENCH_CUSTOMERS:-100000}
"$WINBACK" serve --listen 127.0.0.1:0 > serve.out 2> serve.err &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do grep -q listening serve.out && break; sleep 0.1; done
BASE=$(sed -n 's/.*listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' serve.out)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); wrk $CONNECTIONS connections, 2 threads, ${SECONDS_PER_RUN}s per run"
for batch in 1 10 50 200; do
  echo "--- batch of $batch events per request"
  WRK_BATCH=$batch WRK_RUN="b$batch" wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency \
    -s "$LUA" "$BASE" | grep -E "^(batch|events_per_s|p[0-9.]+_ms)=|Non-2xx|Socket errors"
done
STORED=$(/usr/bin/python3 -c "import sqlite3; print(sqlite3.connect('winback.db').execute('SELECT COUNT(*) FROM events').fetchone()[0])")
echo "events stored: $STORED"
echo "--- floor: synchronous 4 KiB writes to this disk"
dd if=/dev/zero of=dsync.bin bs=4k count=500 oflag=dsync 2>&1 | tail -1
