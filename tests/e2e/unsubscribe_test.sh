#!/usr/bin/env bash
# The unsubscribe link of an email that `winback send` delivered, followed for real: two lapsed
# customers get the win-back come_back email over SMTP (a loopback aiosmtpd receiver); the
# List-Unsubscribe URL of one of them is taken from the received message, its base
# ([tracking] base_url) replaced by the address of `winback serve` as a reverse proxy would,
# and POSTed with List-Unsubscribe=One-Click (RFC 8058). The answer is 200 with no redirect,
# the consent is withdrawn at once, and the next plan (the incentive step, 10 days later, and
# any other campaign) gives that customer nothing on email while the other still gets it. The
# open pixel and a click link of the same message are followed too: the pixel is a GIF, the
# click redirects to the link of the message as planned, and both are events on the message.
# Usage: unsubscribe_test.sh WINBACK SCRATCH TESTDATA_DIR
WINBACK=$1
SCRATCH=$2
TESTDATA=$3
source "$(dirname "$0")/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1
export WINBACK_SIGNING_KEY=unsubscribe-test-signing-key-0123456789abcdef
export WINBACK_API_KEY=unsubscribe-test-api-key-0123456789

start_receiver "$TESTDATA/smtp_receiver.py"

BASE_URL="https://shop.example/wb"
init_smtp_project "$BASE_URL"

cat >customers.csv <<'CSV'
id,email,first_name,language,country,time_zone,consent_email
leaver,leaver@example.com,Leyla,en,GB,Europe/London,yes
stayer,stayer@example.com,Sam,en,GB,Europe/London,yes
CSV
cat >orders.csv <<'CSV'
id,customer_id,time,amount,currency
o1,leaver,2023-01-10T10:00:00Z,120.00,USD
o2,leaver,2023-03-10T10:00:00Z,80.00,USD
o3,stayer,2023-01-12T10:00:00Z,150.00,USD
o4,stayer,2023-02-12T10:00:00Z,90.00,USD
CSV
expect_exit 0 "$WINBACK" import --customers customers.csv --orders orders.csv
expect_exit 0 "$WINBACK" score --as-of 2024-06-03 --no-models
expect_exit 0 "$WINBACK" plan --as-of 2024-06-03
expect_exit 0 "$WINBACK" send --now 2024-06-03T12:00:00Z --json
# (The example config's long_inactive campaign writes to both too.)
check; [ "$(ls "$SCRATCH/received" | grep -c 'json$')" -ge 2 ] || fail "expected emails received"
expect_exit 0 "$WINBACK" outbox --json
echo "$OUT" >outbox_before.json

# The links of the leaver's email, as received.
/usr/bin/python3 - "$SCRATCH/received" "$BASE_URL" >links.txt <<'PY' || fail "no links"
import email, email.policy, glob, json, os, re, sys
received, base = sys.argv[1:3]
for path in sorted(glob.glob(os.path.join(received, "*.json"))):
    meta = json.load(open(path))
    if "leaver@example.com" not in meta["rcpt_tos"] or \
            "come_back" not in meta["data"].split("X-Winback-Key:")[1].split("\n")[0]:
        continue
    msg = email.message_from_bytes(meta["data"].encode("latin-1"), policy=email.policy.default)
    unsubscribe = re.fullmatch(r"<(.*)>", str(msg["List-Unsubscribe"]).strip()).group(1)
    assert str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    html = msg.get_body(("html",)).get_content()
    pixel = re.search(r'<img src="(' + re.escape(base) + r'/o/[^"]+)"', html).group(1)
    clicks = re.findall(r'href="(' + re.escape(base) + r'/c/[^"]+)"', html)
    print(unsubscribe)
    print(pixel)
    print(clicks[0] if clicks else "")
    sys.exit(0)
sys.exit(1)
PY
UNSUBSCRIBE=$(sed -n 1p links.txt)
PIXEL=$(sed -n 2p links.txt)
CLICK=$(sed -n 3p links.txt)
expect_contains "$UNSUBSCRIBE" "$BASE_URL/u/"

start_serve  # Stopped by its PID at exit (lib.sh).
# The reverse proxy's mapping: BASE_URL/... -> SERVER/...
local_url() { echo "$SERVER${1#"$BASE_URL"}"; }

# RFC 8058 one-click: no cookie, no login, 200, no redirect.
check
STATUS=$(curl -s -o one_click.body -D one_click.headers -w '%{http_code}' -X POST \
  -H 'Content-Type: application/x-www-form-urlencoded' --data 'List-Unsubscribe=One-Click' \
  "$(local_url "$UNSUBSCRIBE")")
[ "$STATUS" = 200 ] || fail "one-click answered $STATUS: $(cat one_click.body)"
check; grep -qi '^location:' one_click.headers && fail "one-click redirected"
# Committed before the answer: the customer's consent reads denied right away.
expect_exit 0 "$WINBACK" customer leaver --json
echo "$OUT" >leaver.json
/usr/bin/python3 - leaver.json <<'PY' || fail "leaver's consent and unsubscribe event"
import json, sys
c = json.load(open(sys.argv[1]))
text = json.dumps(c)
assert '"unsubscribe"' in text, "no unsubscribe event"
def consents(o):
    if isinstance(o, dict):
        if isinstance(o.get("consent"), dict) and "email" in o["consent"]:
            yield o["consent"]
        for v in o.values():
            yield from consents(v)
    elif isinstance(o, list):
        for v in o:
            yield from consents(v)
found = list(consents(c))
assert found and all(x["email"] == "denied" for x in found), found
PY
# A tampered token is 404.
check
TOKEN=${UNSUBSCRIBE##*/u/}
FIRST=${TOKEN:0:1}; [ "$FIRST" = d ] && OTHER=e || OTHER=d
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'List-Unsubscribe=One-Click' \
  "$SERVER/u/$OTHER${TOKEN:1}")
[ "$STATUS" = 404 ] || fail "tampered token answered $STATUS"
# The preference centre on the same link.
check
STATUS=$(curl -s -o prefs.html -w '%{http_code}' "$(local_url "$UNSUBSCRIBE")")
[ "$STATUS" = 200 ] || fail "preference centre answered $STATUS"
check; grep -q 'Email: unsubscribed' prefs.html || fail "preference centre: email not shown off"
# The open pixel and a click.
check
STATUS=$(curl -s -o pixel.gif -w '%{http_code} %{content_type}' "$(local_url "$PIXEL")")
[ "$STATUS" = "200 image/gif" ] || fail "pixel answered $STATUS"
if [ -n "$CLICK" ]; then
  check
  LOCATION=$(curl -s -o /dev/null -w '%{redirect_url}' "$(local_url "$CLICK")")
  case "$LOCATION" in http*://*) ;; *) fail "click redirected to '$LOCATION'" ;; esac
  case "$LOCATION" in "$BASE_URL"*|"$SERVER"*) fail "click redirected to winback: $LOCATION" ;; esac
fi

# The next plan: the incentive step (10 days on) reaches the stayer only; nothing on email to
# the leaver, from any campaign, from now on.
expect_exit 0 "$WINBACK" score --as-of 2024-06-13 --no-models
expect_exit 0 "$WINBACK" plan --as-of 2024-06-13
expect_exit 0 "$WINBACK" plan --as-of 2024-06-30
expect_exit 0 "$WINBACK" outbox --json
echo "$OUT" >outbox.json
/usr/bin/python3 - outbox_before.json outbox.json <<'PY' || fail "outbox after the unsubscribe"
import json, sys
before = {m["key"] for m in json.load(open(sys.argv[1]))["messages"]}
messages = json.load(open(sys.argv[2]))["messages"]
new = [m for m in messages if m["key"] not in before and m["channel"] == "email"]
leaver = [m for m in new if m["customer_id"] == "leaver" and m["status"] != "cancelled"]
stayer = [m for m in new if m["customer_id"] == "stayer" and m["status"] == "planned"]
assert not leaver, "planned for the leaver after the unsubscribe: %s" % leaver
assert any(m["step"] == "incentive" for m in stayer), "the stayer got no incentive: %s" % new
PY
count_leaver() {
  /usr/bin/python3 -c '
import glob, json, os, sys
print(sum("leaver@example.com" in json.load(open(p))["rcpt_tos"]
          for p in glob.glob(os.path.join(sys.argv[1], "*.json"))))' "$SCRATCH/received"
}
LEAVER_BEFORE=$(count_leaver)
BEFORE=$(ls "$SCRATCH/received" | grep -c 'json$')
expect_exit 0 "$WINBACK" send --now 2024-06-30T12:00:00Z --json
check; [ "$(count_leaver)" = "$LEAVER_BEFORE" ] || fail "an email reached the leaver after the unsubscribe"
check; [ "$(ls "$SCRATCH/received" | grep -c 'json$')" -gt "$BEFORE" ] || fail "the stayer got nothing"
finish
