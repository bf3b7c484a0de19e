#!/usr/bin/env bash
# Journeys over time through the daily job: `winback run` day by day over two months on a small
# shop, sending into the file channel. A customer who never orders gets come_back, incentive and
# last_chance at the configured gaps (10 and 14 days); one who orders after the first step gets
# nothing more; with a cap of one message a week, the cart reminder that collides with the
# win-back arrives later instead of never. Usage: journeys_test.sh WINBACK SCRATCH
WINBACK=$1
SCRATCH=$2
source "$(dirname "$0")/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1
export WINBACK_SIGNING_KEY=journeys-test-key-0123456789abcdef0123456789

expect_exit 0 "$WINBACK" init .
# The example config with a weekly cap of one message and no holdout in the two campaigns
# under test (a held-out customer gets would-be messages only).
python3 - <<'PY'
import re
lines = open("winback.toml").read().split("\n")
current = None
for i, line in enumerate(lines):
    m = re.match(r'name = "([a-z_]+)"', line)
    if m:
        current = m.group(1)
    if line.startswith("frequency_cap ="):
        lines[i] = "frequency_cap = { messages = 1, days = 7 }"
    if line.startswith("holdout =") and current in ("winback", "cart_abandoned"):
        lines[i] = "holdout = 0.0"
open("winback.toml", "w").write("\n".join(lines))
PY
cat >customers.csv <<'CSV'
id,email,first_name,language,country,time_zone,consent_email
stays_away,a@example.com,Ayşe,tr,TR,Europe/Istanbul,yes
comes_back,b@example.com,Bob,en,GB,Europe/London,yes
carts,c@example.com,Cem,en,TR,Europe/Istanbul,yes
CSV
cat >orders.csv <<'CSV'
id,customer_id,time,amount,currency
o1,stays_away,2023-01-10T10:00:00Z,120.00,USD
o2,stays_away,2023-03-10T10:00:00Z,80.00,USD
o3,comes_back,2023-01-12T10:00:00Z,150.00,USD
o4,comes_back,2023-02-12T10:00:00Z,90.00,USD
o5,carts,2023-01-15T10:00:00Z,200.00,USD
o6,carts,2023-02-15T10:00:00Z,60.00,USD
CSV
expect_exit 0 "$WINBACK" import --customers customers.csv --orders orders.csv
day=2024-06-01
for i in $(seq 0 59); do
  d=$(date -u -d "$day + $i days" +%F)
  if [ "$d" = 2024-06-04 ]; then
    # comes_back orders three days after the first message.
    printf 'id,customer_id,time,amount,currency\no7,comes_back,2024-06-04T12:00:00Z,70.00,USD\n' >late.csv
    expect_exit 0 "$WINBACK" import --orders late.csv
  fi
  if [ "$d" = 2024-06-10 ]; then
    # carts leaves a cart the day the incentive of stays_away... and its own win-back are due.
    printf 'id,customer_id,type,time\ne1,carts,cart_abandoned,2024-06-11T07:00:00Z\n' >cart.csv
    expect_exit 0 "$WINBACK" import --events cart.csv
  fi
  # Send at the end of the day (23:30 UTC is quiet in these zones: messages wait for morning,
  # and the next day's run sends them).
  expect_exit 0 "$WINBACK" run --as-of "$d" --now "${d}T12:00:00Z" --no-models
done
expect_exit 0 "$WINBACK" outbox --json
echo "$OUT" >outbox.json
check
python3 - <<'PY' || fail "journeys over time (see above)"
import json, datetime
msgs = json.load(open("outbox.json"))["messages"]
def of(customer, campaign):
    return sorted([m for m in msgs if m["customer_id"] == customer and m["campaign"] == campaign],
                  key=lambda m: m["scheduled_at"])
def day(m):
    return datetime.datetime.fromisoformat(m["scheduled_at"].replace("Z", "+00:00")).date()
ok = True
a = of("stays_away", "winback")
steps = [m["step"] for m in a]
if steps != ["come_back", "incentive", "last_chance"]:
    print("stays_away winback steps:", steps); ok = False
else:
    gaps = [(day(a[1]) - day(a[0])).days, (day(a[2]) - day(a[1])).days]
    # At least the configured gaps; the weekly cap may push a step later, never earlier.
    if gaps[0] < 10 or gaps[1] < 14 or gaps[0] > 17 or gaps[1] > 21:
        print("stays_away gaps:", gaps); ok = False
    if any(m["status"] != "sent" for m in a):
        print("stays_away statuses:", [m["status"] for m in a]); ok = False
b = of("comes_back", "winback")
if [(m["step"], m["status"]) for m in b] != [("come_back", "sent")]:
    print("comes_back got:", [(m["step"], m["status"]) for m in b]); ok = False
c = of("carts", "cart_abandoned")
if len(c) != 1 or c[0]["status"] != "sent":
    print("carts reminder:", c); ok = False
# The weekly cap holds for every customer over everything sent.
for cust in ("stays_away", "comes_back", "carts"):
    times = sorted(datetime.datetime.fromisoformat(m["scheduled_at"].replace("Z", "+00:00"))
                   for m in msgs if m["customer_id"] == cust and m["status"] == "sent")
    for x, y in zip(times, times[1:]):
        if (y - x).total_seconds() < 7 * 86400:
            print("cap broken for", cust, x, y); ok = False
# The cart reminder came after the collision, not never: later than 4 hours after the cart.
if c and day(c[0]) <= datetime.date(2024, 6, 11) and len(a) == 3 and day(a[1]) == datetime.date(2024, 6, 11):
    print("cart reminder not moved:", c[0]); ok = False
raise SystemExit(0 if ok else 1)
PY
ls outbox/*.eml >/dev/null 2>&1 || fail "no email files in outbox/"

# `winback customer` shows the journeys and the messages on the timeline, as the outbox has them.
expect_exit 0 "$WINBACK" customer comes_back --json
echo "$OUT" >comes_back.json
check
python3 - <<'PY' || fail "winback customer: journeys and messages"
import json
c = json.load(open("comes_back.json"))
outbox = [m for m in json.load(open("outbox.json"))["messages"] if m["customer_id"] == "comes_back"]
timeline = [e for e in c["timeline"] if e["type"] == "message"]
assert sorted(e["key"] for e in timeline) == sorted(m["key"] for m in outbox), (timeline, outbox)
for e in timeline:
    m = next(m for m in outbox if m["key"] == e["key"])
    assert (e["campaign"], e["step"], e["channel"], e["status"]) == \
        (m["campaign"], m["step"], m["channel"], m["status"]), (e, m)
w = [j for j in c["journeys"] if j["campaign"] == "winback"]
assert len(w) == 1 and w[0]["state"] == "exited" and w[0]["reason"], w
PY
expect_exit 0 "$WINBACK" customer stays_away
expect_contains "$OUT" "journeys ("
expect_contains "$OUT" "winback last_chance via"
finish
