#!/usr/bin/env bash
# No acknowledged write is lost: clients post event batches to winback serve from 8 threads and
# record every batch the server answered 200; the server is killed with SIGKILL in the middle of
# the load, restarted, and every acknowledged event must be in the store (read with Python's
# sqlite3), every batch all there or not at all. Three rounds.
WINBACK=$1
SCRATCH=$2
source "$(dirname "$0")/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

printf 'id\n' > customers.csv
for i in $(seq 200); do echo "c$i"; done >> customers.csv
expect_exit 0 "$WINBACK" import --customers customers.csv
export WINBACK_API_KEY=kill-test-key
start_server() {  # lib.sh's start_serve; sets PORT
  start_serve
  PORT=${SERVER##*:}
}

for round in 1 2 3; do
  start_server
  /usr/bin/python3 - "$PORT" "$round" <<'PY' &
import http.client, json, sys, threading, time
port, rnd = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
acked = open(f"acked-{rnd}.txt", "a")
sent = open(f"sent-{rnd}.txt", "a")
def client(t):
    n = 0
    conn = None
    deadline = time.time() + 20
    while time.time() < deadline:
        n += 1
        ids = [f"k{rnd}-{t}-{n}-{i}" for i in range(20)]
        body = json.dumps([{"id": i, "customer_id": f"c{(t * 31 + n + k) % 200 + 1}",
                            "type": "visit", "time": "2024-12-01T10:00:00Z"}
                           for k, i in enumerate(ids)])
        with lock:
            sent.write(" ".join(ids) + "\n"); sent.flush()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", "/v1/events", body, {"Content-Type": "application/json",
                         "Authorization": "Bearer kill-test-key"})
            r = conn.getresponse(); r.read()
            if r.status == 200:
                with lock:
                    acked.write(" ".join(ids) + "\n"); acked.flush()
        except Exception:
            return  # The server is gone.
threads = [threading.Thread(target=client, args=(t,)) for t in range(8)]
for th in threads: th.start()
for th in threads: th.join()
PY
  CLIENT_PID=$!
  sleep 1.5
  stop_serve KILL
  wait "$CLIENT_PID"
  check
  [ -s "acked-$round.txt" ] || fail "round $round: no batch was acknowledged before the kill"
done

# Restart on the killed store: it opens, and every acknowledged event is there.
start_server
check
curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null || fail "the restarted server is not healthy"
stop_serve
/usr/bin/python3 - <<'PY' > verify.out
import glob, sqlite3
db = sqlite3.connect("winback.db")
stored = set(r[0] for r in db.execute("SELECT id FROM events"))
acked = lost = partial = batches = 0
for f in glob.glob("acked-*.txt"):
    for line in open(f):
        ids = line.split()
        acked += len(ids)
        lost += sum(1 for i in ids if i not in stored)
for f in glob.glob("sent-*.txt"):
    for line in open(f):
        ids = line.split()
        batches += 1
        present = sum(1 for i in ids if i in stored)
        if present not in (0, len(ids)):
            partial += 1
print(f"acked={acked} lost={lost} partial_batches={partial} batches_sent={batches} stored={len(stored)}")
PY
echo "$(cat verify.out)"
expect_contains "$(cat verify.out)" "lost=0 "
expect_contains "$(cat verify.out)" "partial_batches=0 "
finish
