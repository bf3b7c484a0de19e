#!/usr/bin/env bash
# `winback send` killed with SIGKILL at random moments, again and again, then rerun until nothing
# is due, against a loopback receiver of one transport that checks each request's shape and
# records every delivery: no idempotency key reaches the receiver twice, every message ends sent
# or unknown, every sent one was received, what was received is what was planned, and there are
# no more unknown messages than kills (each kill leaves at most the one message it had in
# flight).
# Usage: send_kill_test.sh WINBACK SCRATCH OUTBOX_FILL TESTDATA_DIR TRANSPORT
#   TRANSPORT smtp:           email over SMTP into testdata/smtp_receiver.py (X-Winback-Key)
#             twilio:         sms in the Twilio Messages API format  } testdata/http_receiver.py
#             whatsapp_cloud: whatsapp template messages, Cloud API   } (Idempotency-Key)
#             webhook:        email, sms and whatsapp in turn, all three kinds by signed webhook
WINBACK=$1
SCRATCH=$2
FILL=$3
TESTDATA=$4
TRANSPORT=$5
MESSAGES=${SEND_KILL_MESSAGES:-800}
KILLS_WANTED=${SEND_KILL_KILLS:-60}
source "$(dirname "$0")/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

# The secrets winback reads and the receiver checks (the same values on both sides).
export WINBACK_SIGNING_KEY=0123456789abcdef0123456789abcdef-kill-test
export WINBACK_TWILIO_ACCOUNT_SID=AC0123456789kill WINBACK_TWILIO_AUTH_TOKEN=twilio-kill-token
export WINBACK_WHATSAPP_TOKEN=wa-kill-token WINBACK_WEBHOOK_SECRET=hook-kill-secret
export RECEIVER_TWILIO_SID=$WINBACK_TWILIO_ACCOUNT_SID
export RECEIVER_TWILIO_TOKEN=$WINBACK_TWILIO_AUTH_TOKEN
export RECEIVER_WHATSAPP_TOKEN=$WINBACK_WHATSAPP_TOKEN
export RECEIVER_WEBHOOK_SECRET=$WINBACK_WEBHOOK_SECRET
case "$TRANSPORT" in
  smtp) RECEIVER=smtp_receiver.py KIND=email ;;
  twilio) RECEIVER=http_receiver.py KIND=sms ;;
  whatsapp_cloud) RECEIVER=http_receiver.py KIND=whatsapp ;;
  webhook) RECEIVER=http_receiver.py KIND=mixed ;;
  *) echo "FAIL: unknown transport '$TRANSPORT'" >&2; exit 1 ;;
esac

start_receiver "$TESTDATA/$RECEIVER"
# The HTTP receiver's first path segment picks its answer: "ok" checks and accepts.
HTTP="http://127.0.0.1:$PORT/ok"

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
TOML
case "$TRANSPORT" in
  smtp) cat >>winback.toml <<TOML

[channels.email]
transport = "smtp"
url = "smtp://127.0.0.1:$PORT"
from = "Shop <shop@example.com>"
timeout_seconds = 5
TOML
  ;;
  twilio) cat >>winback.toml <<TOML

[channels.sms]
transport = "twilio"
url = "$HTTP"
from = "+15005550006"
timeout_seconds = 5
TOML
  ;;
  whatsapp_cloud) cat >>winback.toml <<TOML

[channels.whatsapp]
transport = "whatsapp_cloud"
url = "$HTTP"
phone_number_id = "1234567890"
timeout_seconds = 5
TOML
  ;;
  webhook) for kind in email sms whatsapp; do cat >>winback.toml <<TOML

[channels.$kind]
transport = "webhook"
url = "$HTTP/hook"
from = "Shop <shop@example.com>"
timeout_seconds = 5
TOML
  done
  ;;
esac
"$FILL" winback.db "$MESSAGES" "$KIND" manifest.jsonl || { echo "FAIL: outbox_fill" >&2; exit 1; }

# Without its secret a transport is refused before anything is claimed; no secret is printed.
case "$TRANSPORT" in
  smtp|webhook) SECRET=WINBACK_SIGNING_KEY ;;  # email needs the link signing key
  twilio) SECRET=WINBACK_TWILIO_AUTH_TOKEN ;;
  whatsapp_cloud) SECRET=WINBACK_WHATSAPP_TOKEN ;;
esac
expect_exit 2 env -u "$SECRET" "$WINBACK" send
expect_contains "$ERR" "$SECRET"
for secret in "$WINBACK_TWILIO_AUTH_TOKEN" "$WINBACK_WHATSAPP_TOKEN" "$WINBACK_WEBHOOK_SECRET"; do
  check; case "$OUT$ERR" in *"$secret"*) fail "a secret was printed: $OUT$ERR" ;; esac
done
check; [ -z "$(ls "$SCRATCH/received" 2>/dev/null | grep -v connections)" ] \
  || fail "a refused send delivered something"

# Where a kill lands matters: starting up takes longer than sending many messages, so kills at
# a fixed random delay would almost all hit start-up or let a run send dozens. Each run is
# killed once it has delivered 1..3 messages (the receiver's records), plus a random 0..0.9 ms
# (polling adds its own jitter of about a millisecond): mid-claim, mid-commit, or with a
# message handed over and its answer not yet recorded. A quarter of the runs also get a random
# deadline in their first 150 ms (start-up, recovering the last run's claims, the first claim)
# and die at whichever comes first. Each kill thus uses up a few messages (about 4 on average
# here, at most a dozen), so 800 leave room for 60 kills whatever the machine's speed.
# nap SECONDS: sleep without forking (a read that times out on a pipe nobody writes), so polling
# takes about a millisecond, not the dozen a `sleep` process costs on a busy machine.
exec {NAP_FD}<> <(:)
nap() { read -r -t "$1" -u "$NAP_FD" _; }
now_us() { NOW_US=$((10#${EPOCHREALTIME/./})); }
shopt -s nullglob
count_received() { local files=("$SCRATCH"/received/*.json); RECEIVED=${#files[@]}; }
kills=0
runs=0
early=0
while [ "$kills" -lt "$KILLS_WANTED" ] && [ "$runs" -lt $((KILLS_WANTED * 3)) ]; do
  runs=$((runs + 1))
  count_received; want=$((RECEIVED + 1 + RANDOM % 3))
  now_us; deadline=$((NOW_US + 3000000))
  [ $((RANDOM % 4)) = 0 ] && deadline=$((NOW_US + (RANDOM % 150) * 1000))
  "$WINBACK" send >/dev/null 2>"$SCRATCH/send.err" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    count_received
    if [ "$RECEIVED" -ge "$want" ]; then
      nap "0.000$((RANDOM % 10))"
      break
    fi
    now_us
    if [ "$NOW_US" -ge "$deadline" ]; then
      early=$((early + 1))
      break
    fi
    nap 0.001
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rc=$?
  if [ "$rc" = 137 ]; then
    kills=$((kills + 1))
  elif [ "$rc" != 0 ]; then
    fail "winback send exited $rc: $(cat "$SCRATCH/send.err")"
  fi
done
count_received
echo "$TRANSPORT: killed winback send $kills times in $runs runs ($early early);" \
     "$RECEIVED deliveries meanwhile"
check; [ "$kills" -ge 50 ] \
  || fail "only $kills kills landed (wanted at least 50; more SEND_KILL_MESSAGES?)"

# Rerun until nothing is due; each run first recovers the claims of the killed ones.
for _ in $(seq 20); do
  expect_exit 0 "$WINBACK" send --json
  total=$(echo "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
  [ "$total" = 0 ] && break
done
check; [ "$total" = 0 ] || fail "messages still due after 20 reruns"

expect_exit 0 "$WINBACK" outbox --json
echo "$OUT" >outbox.json
/usr/bin/python3 - "$SCRATCH/received" outbox.json manifest.jsonl "$kills" "$MESSAGES" \
    "$TRANSPORT" <<'PY' || fail "delivery guarantees"
import collections, email, email.policy, glob, json, os, sys
received_dir, outbox_file, manifest_file = sys.argv[1:4]
kills, messages, transport = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
ok = True
def bad(what):
    global ok
    ok = False
    print("FAIL: " + what, file=sys.stderr)
planned = {}
with open(manifest_file) as f:
    for line in f:
        m = json.loads(line)
        planned[m["key"]] = m

def check_email(key, mime, want):
    """`mime`: the message bytes as received; the key comes from its X-Winback-Key header."""
    msg = email.message_from_bytes(mime, policy=email.policy.default)
    if msg["X-Winback-Key"] != key: bad("%s: X-Winback-Key %r" % (key, msg["X-Winback-Key"]))
    if msg["To"].addresses[0].addr_spec != want["to"]: bad("%s: To %s" % (key, msg["To"]))
    if str(msg["Subject"]) != want["subject"]: bad("%s: Subject %r" % (key, str(msg["Subject"])))
    text = msg.get_body(("plain",)).get_content()
    if text.replace("\r\n", "\n").rstrip("\n") != want["text"]: bad("%s: text %r" % (key, text))

# Each delivery the receiver recorded, as (key, what it carried).
keys = collections.Counter()
for path in glob.glob(os.path.join(received_dir, "*.json")):
    with open(path) as f:
        record = json.load(f)
    if transport == "smtp":
        msg = email.message_from_string(record["data"])
        key = msg["X-Winback-Key"]
    else:
        key = record["headers"].get("Idempotency-Key")
    keys[key] += 1
    want = planned.get(key)
    if want is None:
        bad("received a key that was never planned: %r" % key)
        continue
    if transport == "smtp":
        check_email(key, record["data"].encode("latin-1"), want)
        if record["rcpt_tos"] != [want["to"]]: bad("%s: RCPT %s" % (key, record["rcpt_tos"]))
    elif transport == "twilio":
        form = record["parsed"]
        if form != {"To": want["to"], "From": "+15005550006", "Body": want["text"]}:
            bad("%s: twilio form %s" % (key, form))
    elif transport == "whatsapp_cloud":
        j = record["parsed"]
        t = j["template"]
        params = [p["text"] for c in t.get("components", []) for p in c["parameters"]]
        if record["path"] != "/1234567890/messages": bad("%s: path %s" % (key, record["path"]))
        if (j["to"] != want["to"].lstrip("+") or t["name"] != want["template"]
                or t["language"]["code"] != want["language"] or params != want["parameters"]):
            bad("%s: whatsapp body %s" % (key, j))
    else:
        j = record["parsed"]
        if j["kind"] != want["kind"] or j["to"] != want["to"]:
            bad("%s: webhook kind/to %s %s" % (key, j["kind"], j["to"]))
        elif want["kind"] == "email":
            check_email(key, j["email_mime"].encode("utf-8"), want)
        elif want["kind"] == "sms":
            if j["text"] != want["text"]: bad("%s: webhook sms text %r" % (key, j["text"]))
        elif (j["whatsapp_template"], j["whatsapp_language"], j["whatsapp_parameters"]) != \
                (want["template"], want["language"], want["parameters"]):
            bad("%s: webhook whatsapp %s" % (key, j))
twice = [k for k, n in keys.items() if n > 1]
with open(outbox_file) as f:
    outbox = json.load(f)["messages"]
status = collections.Counter(m["status"] for m in outbox)
sent = {m["key"] for m in outbox if m["status"] == "sent"}
unknown = {m["key"] for m in outbox if m["status"] == "unknown"}
if twice: bad("received more than once: %s" % twice[:10])
if len(outbox) != messages: bad("%d messages in the outbox, expected %d" % (len(outbox), messages))
if {m["key"] for m in outbox} != set(planned): bad("the outbox's keys are not the planned ones")
if status["sent"] + status["unknown"] != messages: bad("not all sent or unknown: %s" % dict(status))
if status["unknown"] > kills: bad("%d unknown > %d kills" % (status["unknown"], kills))
missing = sent - set(keys)
if missing: bad("sent but never received: %s" % sorted(missing)[:10])
# A message the receiver never saw must not be called sent; one it saw is sent or unknown.
stray = set(keys) - sent - unknown
if stray: bad("received but neither sent nor unknown: %s" % sorted(stray)[:10])
if transport != "smtp":
    kinds = collections.Counter(m["channel"] for m in outbox)
    want_kinds = collections.Counter(m["kind"] for m in planned.values())
    if kinds != want_kinds: bad("channels %s, planned %s" % (dict(kinds), dict(want_kinds)))
for m in outbox:
    for field in ("key", "customer_id", "campaign", "step", "variant", "channel", "channel_reason",
                  "status", "scheduled_at", "local_time", "language", "offer", "coupon",
                  "attempts", "detail", "sent_at"):
        if field not in m: bad("outbox --json lacks %s" % field); break
print("%s: received %d distinct keys; outbox %s; %d kills"
      % (transport, len(keys), dict(status), kills))
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
