#!/usr/bin/env bash
# winback serve over real HTTP (curl on loopback): authentication (401), the body limit (413),
# the rate limit (429), unknown paths (404) and methods (405), invalid records (400 naming the
# record and field), ingestion (200, idempotent, all or nothing), the read endpoints, /healthz,
# /metrics, a slow client cut off by the read timeout, and a graceful stop on SIGTERM. Every
# server is started here on a free port and stopped by its PID.
WINBACK=$1
SCRATCH=$2
source "$(dirname "$0")/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

expect_exit 0 "$WINBACK" simulate --customers 300 --seed 7 --out data
expect_exit 0 "$WINBACK" import --customers data/customers.csv --orders data/orders.csv \
  --events data/events.csv
expect_exit 0 "$WINBACK" score --as-of 2024-12-31

KEY=e2e-secret-key-1
CONFIG_KEY=config-key-2
CONFIG_KEY_SHA=$(printf %s "$CONFIG_KEY" | sha256sum | cut -d' ' -f1)
cat > winback.toml <<TOML
[server]
api_key_sha256 = ["$CONFIG_KEY_SHA"]
max_body_bytes = 65536
read_timeout_seconds = 1
request_timeout_seconds = 3
rate_per_second = 1000
rate_burst = 1000
TOML

# start_server [ARGS...]: winback serve (lib.sh's start_serve) with the API key from the
# environment only; sets BASE.
start_server() {
  WINBACK_API_KEY=$KEY start_serve "$@"
  BASE=$SERVER
}
# status METHOD PATH [CURL ARGS...]: the HTTP status; the body in $SCRATCH/body.
status() {
  local method=$1 path=$2; shift 2
  curl -s -o body -w '%{http_code}' -X "$method" "$@" "$BASE$path"
}
expect_status() {  # expect_status WANT METHOD PATH [CURL ARGS...]
  local want=$1; shift
  check
  local got
  got=$(status "$@")
  [ "$got" = "$want" ] || fail "$* answered $got, expected $want: $(cat body)"
}
AUTH=(-H "Authorization: Bearer $KEY")
JSON=(-H "Content-Type: application/json")

start_server

# Public and authenticated routes.
expect_status 200 GET /healthz
expect_contains "$(cat body)" '"status":"ok"'
expect_status 401 GET /v1/segments
expect_contains "$(cat body)" '"code":"unauthorized"'
expect_status 401 GET /v1/segments -H "Authorization: Bearer wrong-key"
expect_status 401 GET /v1/segments -H "Authorization: Basic $KEY"
expect_status 200 GET /v1/segments "${AUTH[@]}"
expect_contains "$(cat body)" '"segments"'
expect_status 200 GET /v1/segments -H "Authorization: Bearer $CONFIG_KEY"
expect_status 404 GET /v1/nothing-here "${AUTH[@]}"
expect_contains "$(cat body)" '"code":"not_found"'
expect_status 405 DELETE /v1/customers "${AUTH[@]}"
expect_contains "$(cat body)" '"code":"method_not_allowed"'

# Ingestion: one record, a batch, a retry, bad records, an unknown customer.
expect_status 200 POST /v1/customers "${AUTH[@]}" "${JSON[@]}" \
  --data '{"id":"api-1","email":"api1@example.com","first_name":"Ayşe","consent_email":"yes"}'
expect_contains "$(cat body)" '"records":1'
expect_status 200 POST /v1/orders "${AUTH[@]}" "${JSON[@]}" --data \
  '[{"id":"api-o1","customer_id":"api-1","time":"2024-12-01T10:00:00Z","amount":"12.50","currency":"EUR","status":"completed"},
    {"id":"api-o2","customer_id":"api-1","time":"2024-12-02T10:00:00Z","amount":"7","currency":"EUR","status":"completed"}]'
expect_contains "$(cat body)" '"written":2'
expect_status 200 POST /v1/orders "${AUTH[@]}" "${JSON[@]}" --data \
  '[{"id":"api-o1","customer_id":"api-1","time":"2024-12-01T10:00:00Z","amount":"12.50","currency":"EUR","status":"completed"},
    {"id":"api-o2","customer_id":"api-1","time":"2024-12-02T10:00:00Z","amount":"7","currency":"EUR","status":"completed"}]'
expect_contains "$(cat body)" '"written":0'
expect_status 400 POST /v1/orders "${AUTH[@]}" "${JSON[@]}" --data \
  '[{"id":"api-o3","customer_id":"api-1","time":"2024-12-03T10:00:00Z","amount":"12.345","currency":"EUR","status":"completed"},
    {"id":"api-o4","customer_id":"api-1","time":"2024-02-30T10:00:00Z","amount":"1","currency":"EUR"}]'
expect_contains "$(cat body)" '"code":"invalid_records"'
expect_contains "$(cat body)" '"record":0,"field":"amount"'
expect_contains "$(cat body)" '"record":1,"field":"time"'
expect_status 400 POST /v1/events "${AUTH[@]}" "${JSON[@]}" --data \
  '[{"id":"api-e1","customer_id":"api-1","type":"visit","time":"2024-12-03T10:00:00Z"},
    {"id":"api-e2","customer_id":"nobody","type":"visit","time":"2024-12-03T10:00:00Z"}]'
expect_contains "$(cat body)" '"record":1,"field":"customer_id"'
expect_status 400 POST /v1/events "${AUTH[@]}" "${JSON[@]}" --data 'not json'
expect_contains "$(cat body)" '"field":"body"'
expect_status 415 POST /v1/customers "${AUTH[@]}" -H "Content-Type: text/csv" --data 'id'
expect_contains "$(cat body)" '"code":"unsupported_media_type"'
expect_status 200 POST /v1/products "${AUTH[@]}" "${JSON[@]}" \
  --data '{"sku":"API-SKU","name":"Çay","price":"3.50","currency":"EUR"}'

# The customer as the store now has it: two orders, and not the event of the refused batch.
expect_status 200 GET /v1/customers/api-1 "${AUTH[@]}"
expect_contains "$(cat body)" '"id": "api-1"'
expect_contains "$(cat body)" '"orders": 2'
check
grep -q api-e1 body && fail "an event of a refused batch was stored"
expect_status 404 GET /v1/customers/nobody "${AUTH[@]}"
expect_status 200 GET "/v1/rates?period=month" "${AUTH[@]}"
expect_contains "$(cat body)" '"crr"'
expect_status 400 GET "/v1/rates?period=fortnight" "${AUTH[@]}"
expect_status 200 GET /v1/campaigns "${AUTH[@]}"
expect_contains "$(cat body)" '"campaigns"'
expect_status 404 GET /v1/campaigns/no-such-campaign/results "${AUTH[@]}"

# The body limit: 100 kB against 64 kB.
head -c 100000 /dev/zero | tr '\0' 'x' > big.json
expect_status 413 POST /v1/events "${AUTH[@]}" "${JSON[@]}" --data-binary @big.json

# A slow client: half a request line, then silence. The server must close the connection after
# its 1 s read timeout, and answer others meanwhile.
/usr/bin/python3 - "$BASE" > slow.out <<'PY' &
import socket, sys, time
host, port = sys.argv[1].split("//")[1].split(":")
s = socket.create_connection((host, int(port)))
s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
s.settimeout(10)
start = time.time()
try:
    data = s.recv(4096)
    while data:
        data = s.recv(4096)
    print("closed after %.1f s" % (time.time() - start))
except socket.timeout:
    print("still open after 10 s")
PY
SLOW_PID=$!
sleep 0.2
expect_status 200 GET /healthz
wait "$SLOW_PID"
check
grep -q "closed after" slow.out || fail "a slow client kept its connection: $(cat slow.out)"

# A trickling client: a byte every 0.4 s, always inside the 1 s read timeout, for a request that
# would take 40 s. The 3 s request deadline must close it well before then.
/usr/bin/python3 - "$BASE" > trickle.out <<'PY' &
import socket, sys, time
host, port = sys.argv[1].split("//")[1].split(":")
s = socket.create_connection((host, int(port)))
request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 100 + b"\r\n\r\n"
start = time.time()
try:
    for i in range(len(request)):
        s.sendall(request[i:i + 1])
        time.sleep(0.4)
    print("sent the whole request in %.1f s" % (time.time() - start))
except OSError:
    print("closed after %.1f s" % (time.time() - start))
PY
TRICKLE_PID=$!
sleep 0.2
expect_status 200 GET /healthz
wait "$TRICKLE_PID"
check
grep -q "closed after" trickle.out || fail "a trickling client kept its worker: $(cat trickle.out)"
seconds=$(sed -n 's/closed after \([0-9.]*\) s/\1/p' trickle.out)
awk -v s="$seconds" 'BEGIN { exit !(s >= 2.5 && s < 8) }' ||
  fail "the trickling client was closed after $seconds s, not about 3 s"

# Metrics: the requests above, by route and status.
expect_status 200 GET /metrics "${AUTH[@]}"
expect_contains "$(cat body)" 'winback_http_requests_total{route="/v1/orders",method="POST",status="400"}'
expect_contains "$(cat body)" 'winback_http_request_duration_seconds_bucket{route="/healthz"'
expect_contains "$(cat body)" 'winback_outbox_messages{status="planned"}'

# Graceful stop.
stop_serve TERM
check
[ "$SERVE_RC" = 0 ] || fail "winback serve exited $SERVE_RC after SIGTERM: $(cat serve.err)"

# The rate limit: a burst of 3 at 1 request per second; 10 requests at once.
cat > winback.toml <<TOML
[server]
rate_per_second = 1
rate_burst = 3
TOML
start_server
codes=$(for _ in $(seq 10); do echo "url = \"$BASE/v1/campaigns\""; done |
  curl -s -K - -o /dev/null -w '%{http_code}\n' "${AUTH[@]}")
check
[ "$(echo "$codes" | grep -c 200)" = 3 ] || fail "expected 3 of 10 requests allowed, got: $codes"
expect_contains "$codes" 429
status GET /v1/campaigns "${AUTH[@]}" -D headers >/dev/null
expect_contains "$(cat headers)" "Retry-After"
stop_serve

# A bad [server] setting is a config error naming the file and key.
printf '[server]\napi_key_sha256 = ["plaintext-key"]\n' > winback.toml
expect_exit 2 "$WINBACK" serve --listen 127.0.0.1:0
expect_contains "$ERR" "winback.toml:2: server.api_key_sha256"
finish
