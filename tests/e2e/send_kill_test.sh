#!/usr/bin/env bash
# `winback send` killed with SIGKILL at random moments, again and again, then rerun until nothing
# is due: no message reaches the SMTP receiver twice, every message ends sent or unknown, and
# there are no more unknown messages than kills (each kill leaves at most the one message it had
# in flight). Usage: send_kill_test.sh WINBACK SCRATCH OUTBOX_FILL SMTP_RECEIVER_PY
WINBACK=$1
SCRATCH=$2
FILL=$3
RECEIVER=$4
MESSAGES=${SEND_KILL_MESSAGES:-300}
KILLS_WANTED=${SEND_KILL_KILLS:-60}
source "$(dirname "$0")/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

/usr/bin/python3 "$RECEIVER" "$SCRATCH/port" "$SCRATCH/received" &
RECEIVER_PID=$!
trap 'kill "$RECEIVER_PID" 2>/dev/null; wait "$RECEIVER_PID" 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
[ -s "$SCRATCH/port" ] || { echo "FAIL: the SMTP receiver did not start" >&2; exit 1; }
PORT=$(cat "$SCRATCH/port")

cat >winback.toml <<TOML
[store]
database = "winback.db"

[policy]
quiet_hours = { start = "00:00", end = "00:00" }

[[campaign]]
name = "winback"
trigger = "winback"

[[campaign.step]]
name = "first"

[channels.email]
transport = "smtp"
url = "smtp://127.0.0.1:$PORT"
from = "Shop <shop@example.com>"
timeout_seconds = 5
TOML
export WINBACK_SIGNING_KEY=0123456789abcdef0123456789abcdef-kill-test
"$FILL" winback.db "$MESSAGES" || { echo "FAIL: outbox_fill" >&2; exit 1; }

# Without the key, email is refused before anything is claimed; the key is never printed.
expect_exit 2 env -u WINBACK_SIGNING_KEY "$WINBACK" send
expect_contains "$ERR" "WINBACK_SIGNING_KEY"

kills=0
runs=0
while [ "$kills" -lt "$KILLS_WANTED" ] && [ "$runs" -lt $((KILLS_WANTED * 3)) ]; do
  runs=$((runs + 1))
  "$WINBACK" send >/dev/null 2>"$SCRATCH/send.err" &
  pid=$!
  sleep "0.0$(printf '%02d' $((RANDOM % 51)))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rc=$?
  if [ "$rc" = 137 ]; then
    kills=$((kills + 1))
  elif [ "$rc" != 0 ]; then
    fail "winback send exited $rc: $(cat "$SCRATCH/send.err")"
  fi
done
echo "killed winback send $kills times in $runs runs"
check; [ "$kills" -ge 50 ] || fail "only $kills kills landed (wanted at least 50)"

# Rerun until nothing is due; each run first recovers the claims of the killed ones.
for _ in $(seq 20); do
  expect_exit 0 "$WINBACK" send --json
  total=$(echo "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
  [ "$total" = 0 ] && break
done
check; [ "$total" = 0 ] || fail "messages still due after 20 reruns"

expect_exit 0 "$WINBACK" outbox --json
echo "$OUT" >outbox.json
/usr/bin/python3 - "$SCRATCH/received" outbox.json "$kills" "$MESSAGES" <<'PY' || fail "delivery guarantees"
import collections, email, glob, json, os, sys
received_dir, outbox_file, kills, messages = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
keys = collections.Counter()
for path in glob.glob(os.path.join(received_dir, "*.json")):
    with open(path) as f:
        data = json.load(f)["data"]
    key = email.message_from_string(data).get("X-Winback-Key")
    keys[key] += 1
twice = [k for k, n in keys.items() if n > 1]
with open(outbox_file) as f:
    outbox = json.load(f)["messages"]
status = collections.Counter(m["status"] for m in outbox)
sent = {m["key"] for m in outbox if m["status"] == "sent"}
ok = True
def bad(what):
    global ok
    ok = False
    print("FAIL: " + what, file=sys.stderr)
if twice: bad("received more than once: %s" % twice[:10])
if len(outbox) != messages: bad("%d messages in the outbox, expected %d" % (len(outbox), messages))
if status["sent"] + status["unknown"] != messages: bad("not all sent or unknown: %s" % dict(status))
if status["unknown"] > kills: bad("%d unknown > %d kills" % (status["unknown"], kills))
missing = sent - set(keys)
if missing: bad("sent but never received: %s" % sorted(missing)[:10])
for m in outbox:
    for field in ("key", "customer_id", "campaign", "step", "variant", "channel", "channel_reason",
                  "status", "scheduled_at", "local_time", "language", "offer", "coupon",
                  "attempts", "detail", "sent_at"):
        if field not in m: bad("outbox --json lacks %s" % field); break
print("received %d distinct keys; outbox %s; %d kills" % (len(keys), dict(status), kills))
sys.exit(0 if ok else 1)
PY
check

# The text listing and its filters.
expect_exit 0 "$WINBACK" outbox --customer c1
expect_contains "$OUT" "winback/first/c1/1"
expect_contains "$OUT" "1 messages"
expect_exit 0 "$WINBACK" outbox --status sent --campaign winback
expect_contains "$OUT" " sent "
expect_exit 2 "$WINBACK" outbox --status nonsense
expect_contains "$ERR" "is not one of"
finish
