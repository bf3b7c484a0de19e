#!/usr/bin/env bash
# auto_winner: the demo runs its win-back campaign with the come_back step split at random
# between "plain" and "emoji"; auto_winner is switched on in winback.toml. Before any response
# the plan says the split stays random. Then customers who got "emoji" come back far more often
# (orders imported), new lapsed customers are imported, and the plan of a later day declares
# emoji the winner (always-valid interval, Holm) and gives it to every new come_back message;
# `winback measure` leaves those sends out of the A/B test, and the next plan keeps the winner.
WINBACK=$1
SCRATCH=$2
source "$(dirname "$0")/lib.sh"
set -o pipefail
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1
export WINBACK_SIGNING_KEY=auto-winner-test-key-0123456789abcdef0123456789

expect_exit 0 "$WINBACK" demo --customers 2000 --dir shop
cd shop || exit 1
sed -i 's/^# auto_winner = true  /auto_winner = true    /' winback.toml
check; grep -q '^auto_winner = true' winback.toml || fail "could not switch auto_winner on"
expect_exit 0 "$WINBACK" outbox --campaign winback --json
echo "$OUT" > before.json
DAY1=$(/usr/bin/python3 -c '
import json; from datetime import datetime, timedelta
m = json.load(open("before.json"))["messages"]
last = max(datetime.strptime(x["scheduled_at"][:10], "%Y-%m-%d") for x in m)
print((last + timedelta(days=1)).strftime("%Y-%m-%d"))')
LATER=$(/usr/bin/python3 -c '
from datetime import datetime, timedelta
print((datetime.strptime("'"$DAY1"'", "%Y-%m-%d") + timedelta(days=30)).strftime("%Y-%m-%d"))')

# No response yet: no winner, the split stays random.
expect_exit 0 "$WINBACK" plan --as-of "$DAY1" --dry-run --json
expect_contains "$OUT" "winback / come_back: no winner yet, the split stays random"

# Responses: half of the customers sent "emoji" order two days later, 2% of "plain" and of the
# holdout. And 300 lapsed customers who have not been planned yet (one order 400 days before).
/usr/bin/python3 - "$LATER" <<'PY' || fail "could not write the responses"
import json, random, sys
from datetime import datetime, timedelta
rng = random.Random(7)
later = datetime.strptime(sys.argv[1], "%Y-%m-%d")
msgs = json.load(open("before.json"))["messages"]
def ts(s): return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
with open("responses.csv", "w") as o:
    o.write("id,customer_id,time,amount,currency,status\n")
    for m in msgs:
        if m["step"] != "come_back":
            continue
        t = ts(m["sent_at"]) if m["status"] == "sent" and m["sent_at"] else ts(m["scheduled_at"])
        p = 0.02 if m["status"] == "holdout" or m["variant"] == "plain" else 0.5
        if rng.random() < p:
            when = (t + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
            o.write(f"r-{m['customer_id']},{m['customer_id']},{when},40.00,USD,completed\n")
    old = (later - timedelta(days=400)).strftime("%Y-%m-%dT12:00:00Z")
    with open("lapsed.csv", "w") as c:
        c.write("id,email,country,time_zone,language,consent_email\n")
        for i in range(300):
            c.write(f"n{i},n{i}@example.com,DE,Europe/Berlin,en,yes\n")
            o.write(f"n-o{i},n{i},{old},60.00,USD,completed\n")
PY
expect_exit 0 "$WINBACK" import --customers lapsed.csv --orders responses.csv
expect_exit 0 "$WINBACK" score --as-of "$LATER"
expect_exit 0 "$WINBACK" plan --as-of "$LATER" --json
echo "$OUT" > plan.json
expect_contains "$OUT" "winback / come_back: emoji won"
expect_exit 0 "$WINBACK" outbox --campaign winback --json
echo "$OUT" > after.json
expect_exit 0 "$WINBACK" measure --campaign winback --as-of "$LATER" --json
echo "$OUT" > measure.json
expect_exit 0 "$WINBACK" measure --campaign winback --as-of "$LATER"
expect_contains "$OUT" "later messages went to the winner (auto_winner): not part of the test"

/usr/bin/python3 - <<'PY' || fail "the winner did not take over as it should (see above)"
import json
before = {m["key"] for m in json.load(open("before.json"))["messages"]}
new = [m for m in json.load(open("after.json"))["messages"]
       if m["key"] not in before and m["step"] == "come_back"]
plan = json.load(open("plan.json"))
measure = json.load(open("measure.json"))
problems = []
if len(new) < 20:
    problems.append(f"only {len(new)} new come_back messages: the test needs new entrants")
variants = {m["variant"] for m in new}
if variants != {"emoji"}:
    problems.append(f"new come_back messages have variants {variants}, expected only emoji")
used = [w["messages"] for w in plan["winner_messages"]
        if w["campaign"] == "winback" and w["step"] == "come_back"]
if used != [len(new)]:
    problems.append(f"plan says {used} messages used the winner, the outbox has {len(new)}")
step = [v for v in measure["variants"] if v["step"] == "come_back"][0]
treated_new = sum(1 for m in new if m["status"] != "holdout")
if step["after_takeover"] != treated_new:
    problems.append(f"measure: after_takeover {step['after_takeover']}, expected {treated_new}")
if step["winner"] != "emoji" or step["srm_mismatch"]:
    problems.append(f"measure: winner {step['winner']}, srm_mismatch {step['srm_mismatch']}")
planned = sum(v["n"] for v in step["variants"])
old_treated = sum(1 for m in json.load(open("before.json"))["messages"]
                  if m["step"] == "come_back" and m["status"] != "holdout")
if planned != old_treated:
    problems.append(f"measure compares {planned} messages, the random split had {old_treated}")
for p in problems:
    print("FAIL:", p)
raise SystemExit(1 if problems else 0)
PY

# The next day keeps the winner without measuring again.
NEXT=$(/usr/bin/python3 -c '
from datetime import datetime, timedelta
print((datetime.strptime("'"$LATER"'", "%Y-%m-%d") + timedelta(days=1)).strftime("%Y-%m-%d"))')
expect_exit 0 "$WINBACK" plan --as-of "$NEXT" --dry-run
expect_contains "$OUT" "auto_winner: winback / come_back: emoji is the winner since $LATER"
finish
