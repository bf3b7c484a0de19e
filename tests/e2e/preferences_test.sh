#!/usr/bin/env bash
# The preference centre's kinds of message, followed for real: two lapsed customers with a
# birthday on June 20 get the win-back come_back email over SMTP (a loopback aiosmtpd receiver).
# One of them opens the List-Unsubscribe link of that email with GET (the preference centre on
# `winback serve`, its base replaced by the server's address as a reverse proxy would), keeps
# every channel and every kind ticked but "offers", and submits the form with its CSRF token.
# The opt-out is committed before the answer (`winback customer --json` shows it), and from then
# on that customer gets no offer (the win-back incentive, 10 days later, and any other campaign
# of kind offers: planned ones are cancelled at send time), but still gets the birthday greeting
# (kind occasions) on the same email address; the other customer gets both.
# Usage: preferences_test.sh WINBACK SCRATCH TESTDATA_DIR
WINBACK=$1
SCRATCH=$2
TESTDATA=$3
source "$(dirname "$0")/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1
export WINBACK_SIGNING_KEY=preferences-test-signing-key-0123456789abcdef
export WINBACK_API_KEY=preferences-test-api-key-0123456789

start_receiver "$TESTDATA/smtp_receiver.py"

BASE_URL="https://shop.example/wb"
init_smtp_project "$BASE_URL"

cat >customers.csv <<'CSV'
id,email,first_name,language,country,time_zone,consent_email,birth_date
chooser,chooser@example.com,Leyla,en,GB,Europe/London,yes,1990-06-20
other,other@example.com,Sam,en,GB,Europe/London,yes,1985-06-20
CSV
cat >orders.csv <<'CSV'
id,customer_id,time,amount,currency
o1,chooser,2023-01-10T10:00:00Z,120.00,USD
o2,chooser,2023-03-10T10:00:00Z,80.00,USD
o3,other,2023-01-12T10:00:00Z,150.00,USD
o4,other,2023-02-12T10:00:00Z,90.00,USD
CSV
expect_exit 0 "$WINBACK" import --customers customers.csv --orders orders.csv
expect_exit 0 "$WINBACK" score --as-of 2024-06-03 --no-models
expect_exit 0 "$WINBACK" plan --as-of 2024-06-03
expect_exit 0 "$WINBACK" send --now 2024-06-03T12:00:00Z --json
check; [ "$(ls "$SCRATCH/received" | grep -c 'json$')" -ge 2 ] || fail "expected emails received"
expect_exit 0 "$WINBACK" outbox --json
echo "$OUT" >outbox_before.json

# The List-Unsubscribe link of the chooser's come_back email, as received.
/usr/bin/python3 - "$SCRATCH/received" >link.txt <<'PY' || fail "no link"
import email, email.policy, glob, json, os, re, sys
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    meta = json.load(open(path))
    if "chooser@example.com" not in meta["rcpt_tos"] or \
            "come_back" not in meta["data"].split("X-Winback-Key:")[1].split("\n")[0]:
        continue
    msg = email.message_from_bytes(meta["data"].encode("latin-1"), policy=email.policy.default)
    print(re.fullmatch(r"<(.*)>", str(msg["List-Unsubscribe"]).strip()).group(1))
    sys.exit(0)
sys.exit(1)
PY
LINK=$(cat link.txt)
expect_contains "$LINK" "$BASE_URL/u/"
# Emails the receiver holds before the choice, to compare with later.
ls "$SCRATCH/received" | grep 'json$' | sort >received_before.txt

start_serve  # Stopped by its PID at exit (lib.sh).
local_url() { echo "$SERVER${1#"$BASE_URL"}"; }

# GET: the preference centre lists the example's kinds, all ticked.
check
STATUS=$(curl -s -o prefs.html -w '%{http_code}' "$(local_url "$LINK")")
[ "$STATUS" = 200 ] || fail "preference centre answered $STATUS"
for kind in offers reminders occasions service news; do
  check; grep -q "name=\"kind_$kind\" checked" prefs.html || fail "kind $kind not shown ticked"
done
# The form as a browser submits it with "offers" unticked: every other ticked box, the hidden
# fields (csrf, kind_shown) and stay=yes.
/usr/bin/python3 - prefs.html "$BASE_URL" >form.txt <<'PY' || fail "form not parsed"
import html.parser, sys, urllib.parse
class Form(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action, self.fields = None, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a["action"]
        if tag != "input" or "disabled" in a:
            return
        if a.get("type") == "hidden":
            self.fields.append((a["name"], a["value"]))
        elif a.get("type") == "checkbox" and "checked" in a and a["name"] != "kind_offers":
            self.fields.append((a["name"], "on"))
f = Form()
f.feed(open(sys.argv[1]).read())
assert f.action.startswith(sys.argv[2] + "/p/"), f.action
assert any(k == "csrf" for k, _ in f.fields), f.fields
assert ("kind_shown", "offers") in f.fields, f.fields
print(f.action)
print(urllib.parse.urlencode(f.fields + [("stay", "yes")]))
PY
ACTION=$(sed -n 1p form.txt)
BODY=$(sed -n 2p form.txt)
check
STATUS=$(curl -s -o saved.html -w '%{http_code}' -X POST \
  -H 'Content-Type: application/x-www-form-urlencoded' --data "$BODY" "$(local_url "$ACTION")")
[ "$STATUS" = 200 ] || fail "form answered $STATUS: $(cat saved.html)"
check; grep -q 'Saved: Offers off.' saved.html || fail "no notice of the change: $(cat saved.html)"
check; grep -q 'name="kind_offers">' saved.html || fail "offers still ticked after saving"
# Without its CSRF token the same form is refused and changes nothing.
NO_CSRF=$(echo "$BODY" | sed 's/csrf=[0-9a-f]*&//')
check
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data "$NO_CSRF" "$(local_url "$ACTION")")
[ "$STATUS" = 403 ] || fail "a form without its csrf token answered $STATUS"

# Committed before the answer: the customer shows the opt-out and keeps email.
expect_exit 0 "$WINBACK" customer chooser --json
echo "$OUT" >chooser.json
/usr/bin/python3 - chooser.json <<'PY' || fail "chooser's opt-out"
import json, sys
c = json.load(open(sys.argv[1]))
kinds = [o["kind"] for o in c["opted_out_kinds"]]
assert kinds == ["offers"], kinds
assert c["opted_out_kinds"][0]["at"].endswith("Z"), c["opted_out_kinds"]
assert c["consent"]["email"] == "granted", c["consent"]
PY
expect_exit 0 "$WINBACK" customer chooser
expect_contains "$OUT" "opted out offers since"

# The next plans: the incentive (10 days on) and the birthday (June 20).
expect_exit 0 "$WINBACK" score --as-of 2024-06-13 --no-models
expect_exit 0 "$WINBACK" plan --as-of 2024-06-13
expect_exit 0 "$WINBACK" plan --as-of 2024-06-20
expect_exit 0 "$WINBACK" send --now 2024-06-20T12:00:00Z --json
expect_exit 0 "$WINBACK" outbox --json
echo "$OUT" >outbox.json
/usr/bin/python3 - outbox_before.json outbox.json <<'PY' || fail "outbox after the choice"
import json, sys
OFFERS = {"winback", "long_inactive", "spend_threshold"}
before = {m["key"] for m in json.load(open(sys.argv[1]))["messages"]}
messages = json.load(open(sys.argv[2]))["messages"]
new = [m for m in messages if m["key"] not in before]
chooser = [m for m in new if m["customer_id"] == "chooser"]
other = [m for m in new if m["customer_id"] == "other"]
assert not [m for m in chooser if m["campaign"] in OFFERS], "an offer planned: %s" % chooser
assert any(m["campaign"] == "birthday" and m["status"] == "sent" for m in chooser), chooser
assert any(m["step"] == "incentive" and m["status"] == "sent" for m in other), other
assert any(m["campaign"] == "birthday" and m["status"] == "sent" for m in other), other
# An offer planned before the choice and due after it is cancelled with the reason.
for m in messages:
    if m["key"] in before and m["customer_id"] == "chooser" and m["campaign"] in OFFERS \
            and m["status"] == "cancelled":
        assert m["detail"] == "preference: opted out of offers", m
PY
# What the receiver got after the choice: the chooser's birthday greeting, no offer.
/usr/bin/python3 - "$SCRATCH/received" received_before.txt <<'PY' || fail "emails after the choice"
import glob, json, os, sys
before = set(open(sys.argv[2]).read().split())
got = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    if os.path.basename(path) in before:
        continue
    meta = json.load(open(path))
    key = meta["data"].split("X-Winback-Key:")[1].split("\n")[0].strip()
    for rcpt in meta["rcpt_tos"]:
        got.setdefault(rcpt, []).append(key.split("/")[0])
chooser = got.get("chooser@example.com", [])
assert "birthday" in chooser, got
assert not set(chooser) & {"winback", "long_inactive", "spend_threshold"}, got
assert "winback" in got.get("other@example.com", []), got
PY
finish
