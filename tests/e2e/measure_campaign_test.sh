#!/usr/bin/env bash
# winback measure --campaign: the demo plans and sends its campaigns, then the simulator's
# customers respond to the win-back messages they received (response_orders.csv,
# response_events.csv: orders after the sends, with coupons, and tracking events whose `ref` is
# the message's outbox key), and the demo imports them; one more event naming no message is
# imported here. The JSON contract is checked and the funnel, arms and lift recomputed
# independently in Python from `winback outbox --json` and the files (standard library only).
WINBACK=$1
SCRATCH=$2
source "$(dirname "$0")/lib.sh"
set -o pipefail
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

expect_exit 0 "$WINBACK" demo --customers 2000 --dir shop
expect_contains "$OUT" "Measured against the truth"
expect_contains "$OUT" "true conversion lift"
cd shop || exit 1
for f in response_orders.csv response_events.csv response_truth.csv; do
  check; [ -s "$f" ] || fail "the demo did not write $f"
done
expect_exit 0 "$WINBACK" outbox --campaign winback --json
echo "$OUT" > outbox.json

# The truth: truth.json's campaigns.winback.true_conversion_lift is the mean of the per-customer
# differences of response_truth.csv over every targeted customer (each customer's first entry,
# as the outbox lists them), and the demo printed it.
/usr/bin/python3 - <<'PY' || fail "truth.json does not match response_truth.csv and the outbox"
import csv, json, sys
truth = json.load(open("truth.json"))["campaigns"]["winback"]["true_conversion_lift"]
rows = list(csv.DictReader(open("response_truth.csv")))
msgs = json.load(open("outbox.json"))["messages"]
targeted = {m["customer_id"] for m in msgs}
assert {r["id"] for r in rows} == targeted, "response_truth.csv lists other customers than the outbox"
held = {m["customer_id"] for m in msgs if m["status"] == "holdout"}
for r in rows:
    assert (r["arm"] == "holdout") == (r["id"] in held), r
    p0, p1, d = float(r["p0"]), float(r["p1"]), float(r["difference"])
    assert 0 <= p0 <= 1 and 0 <= p1 <= 1 and abs(p1 - p0 - d) < 1e-8, r
    if r["arm"] == "holdout":
        assert r["responded"] == "0" and r["annoyed"] == "0", r
mean = sum(float(r["difference"]) for r in rows) / len(rows)
assert abs(mean - truth) < 1e-8, (mean, truth)
assert 0 < truth < 1, truth
print(f"true conversion lift {truth:.4f} over {len(rows)} targeted customers")
PY
check

# One tracking event that names no message of the campaign.
FIRST=$(/usr/bin/python3 -c 'import json; m = json.load(open("outbox.json"))["messages"][0]; print(m["customer_id"], m["scheduled_at"])')
set -- $FIRST
echo "{\"id\": \"t-orphan\", \"customer_id\": \"$1\", \"type\": \"email_open\", \"time\": \"$2\", \"ref\": \"winback/nostep/nobody/1\"}" > tracking.jsonl
expect_exit 0 "$WINBACK" import --events tracking.jsonl

# Measured 60 days after the last planning day: every window complete.
AS_OF=$(/usr/bin/python3 -c '
import json; from datetime import datetime, timedelta
m = json.load(open("outbox.json"))["messages"]
last = max(datetime.strptime(x["scheduled_at"][:10], "%Y-%m-%d") for x in m)
print((last + timedelta(days=60)).strftime("%Y-%m-%d"))')
expect_exit 0 "$WINBACK" measure --campaign winback --as-of "$AS_OF" --json
echo "$OUT" > measure.json
expect_exit 0 "$WINBACK" measure --campaign winback --as-of "$AS_OF"
expect_contains "$OUT" "Campaign winback:"
expect_contains "$OUT" "Split:"
expect_exit 0 "$WINBACK" measure --as-of "$AS_OF" --json
echo "$OUT" > all.json

/usr/bin/python3 - "$AS_OF" <<'PY' || fail "measure --campaign --json does not match the independent computation (see above)"
import csv, json, math, sys
from datetime import datetime, timedelta
doc = json.load(open("measure.json"))
msgs = json.load(open("outbox.json"))["messages"]
problems = []
def near(what, got, want, tol=1e-9):
    if got is None or abs(got - want) > tol * max(1.0, abs(want)):
        problems.append(f"{what}: got {got}, expected {want}")
def same(what, got, want):
    if got != want:
        problems.append(f"{what}: got {got!r}, expected {want!r}")

# The contract of issue 15.
for key in ["campaign", "funnel", "lift", "srm_p_value", "treated", "holdout", "incremental",
            "variants", "after"]:
    if key not in doc:
        problems.append(f"missing key {key}")
lift = doc.get("lift") or {}
for metric in ["conversion_rate", "revenue_per_customer"]:
    m = lift.get(metric, {})
    for k in ["diff", "se", "ci_low", "ci_high", "p_value", "relative_lift", "cuped", "sequential"]:
        if k not in m:
            problems.append(f"lift.{metric}: missing {k}")
    for sub in ["cuped", "sequential"]:
        for k in ["ci_low", "ci_high", "p_value"]:
            if k not in m.get(sub, {}):
                problems.append(f"lift.{metric}.{sub}: missing {k}")
all_doc = json.load(open("all.json"))
if "winback" not in [c["campaign"] for c in all_doc["campaigns"]]:
    problems.append("measure without --campaign does not list winback")

ts = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
as_of = datetime.strptime(sys.argv[1], "%Y-%m-%d") + timedelta(days=1)
orders = {}
from datetime import timezone
for name in ["orders.csv", "response_orders.csv"]:  # the history, then what came after
  for row in csv.DictReader(open(name)):
    if (row.get("status") or "completed") != "completed":
        continue
    when = datetime.fromisoformat(row["time"].replace("Z", "+00:00"))
    when = when.astimezone(timezone.utc).replace(tzinfo=None)
    orders.setdefault(row["customer_id"], []).append((when, float(row["amount"])))
for c in orders:
    orders[c].sort()

# Funnel per (step, variant) from the outbox and tracking.jsonl.
events = {}
for line in open("tracking.jsonl"):
    e = json.loads(line)
    events.setdefault(e["ref"], set()).add(e["type"])
for e in csv.DictReader(open("response_events.csv")):
    events.setdefault(e["ref"], set()).add(e["type"])
rows = {}
for m in msgs:
    r = rows.setdefault((m["step"], m["variant"]), dict(planned=0, held_out=0, sent=0, delivered=0,
                                                        opened=0, clicked=0, bounced=0, unsubscribed=0))
    kinds = events.get(m["key"], set())
    if m["status"] == "holdout":
        r["held_out"] += 1
    else:
        r["planned"] += 1
    if m["status"] == "sent":
        r["sent"] += 1
        r["delivered"] += "bounce" not in kinds
    r["opened"] += bool(kinds & {"email_open", "whatsapp_read"})
    r["clicked"] += bool(kinds & {"email_click", "sms_click"})
    r["bounced"] += "bounce" in kinds
    r["unsubscribed"] += "unsubscribe" in kinds
redeemed = {row["coupon"] for row in csv.DictReader(open("response_orders.csv")) if row["coupon"]}
for m in msgs:
    rows[(m["step"], m["variant"])].setdefault("coupons_redeemed", 0)
    rows[(m["step"], m["variant"])]["coupons_redeemed"] += m["coupon"] in redeemed
if not redeemed:
    problems.append("the test redeemed no coupon")
got_rows = {(f["step"], f["variant"]): f for f in doc["funnel"]}
same("funnel rows", sorted(got_rows), sorted(rows))
for key, want in rows.items():
    for k, v in want.items():
        same(f"funnel {key} {k}", got_rows.get(key, {}).get(k), v)
unmatched = sum(1 for ref in events if not any(m["key"] == ref for m in msgs))
same("unmatched_events", doc["unmatched_events"], unmatched)

# Arms: each customer's first entry; start = sent_at, else scheduled_at; won back = an order in
# [start, start + 30 days), the history's orders of the last day included.
first = {}
for m in msgs:
    t = ts(m["sent_at"]) if m["status"] == "sent" and m["sent_at"] else ts(m["scheduled_at"])
    c = m["customer_id"]
    k = (m["occurrence"], t)
    if c not in first or k < first[c][0]:
        first[c] = (k, m)
arms = {"treated": [], "holdout": []}
for c, ((occ, start), m) in first.items():
    if start >= as_of:
        continue
    window = [a for t, a in orders.get(c, []) if start <= t < min(start + timedelta(days=30), as_of)]
    arms["holdout" if m["status"] == "holdout" else "treated"].append((1 if window else 0, sum(window)))
for arm, ys in arms.items():
    same(f"{arm}.customers", doc[arm]["customers"], len(ys))
    same(f"{arm}.converted", doc[arm]["converted"], sum(y for y, _ in ys))
nt, nc = len(arms["treated"]), len(arms["holdout"])
pt = sum(y for y, _ in arms["treated"]) / nt
pc = sum(y for y, _ in arms["holdout"]) / nc
cr = lift["conversion_rate"]
near("conversion diff", cr["diff"], pt - pc)
se = math.sqrt(pt * (1 - pt) / nt + pc * (1 - pc) / nc)
near("conversion se", cr["se"], se)
near("conversion ci_low", cr["ci_low"], pt - pc - 1.959963984540054 * se, 1e-7)
p = math.erfc(abs(pt - pc) / se / math.sqrt(2))
near("conversion p", cr["p_value"], p, 1e-7)
def mean_var(xs):
    m = sum(xs) / len(xs)
    return m, sum((x - m) ** 2 for x in xs) / (len(xs) - 1)
mt, vt = mean_var([r for _, r in arms["treated"]])
mc, vc = mean_var([r for _, r in arms["holdout"]])
rv = lift["revenue_per_customer"]
near("revenue diff", rv["diff"], mt - mc, 1e-7)
near("revenue se", rv["se"], math.sqrt(vt / nt + vc / nc), 1e-7)
near("incremental customers", doc["incremental"]["customers"]["value"], (pt - pc) * nt, 1e-7)
# The always-valid interval is wider than the fixed one.
if not (cr["sequential"]["ci_low"] < cr["ci_low"] and cr["sequential"]["ci_high"] > cr["ci_high"]):
    problems.append("the sequential interval is not wider than the fixed one")
# The split against the configured 10% holdout.
n = nt + nc
chi = (nt - 0.9 * n) ** 2 / (0.9 * n) + (nc - 0.1 * n) ** 2 / (0.1 * n)
near("srm p", doc["srm_p_value"], math.erfc(math.sqrt(chi / 2)), 1e-7)
for p_ in problems:
    print(p_)
print(f"{len(problems)} problems; treated {nt}, holdout {nc}, diff {pt - pc:.4f}")
sys.exit(1 if problems else 0)
PY
check

expect_exit 2 "$WINBACK" measure --campaign nope
expect_contains "$ERR" "--campaign nope: not in the config"
expect_exit 2 "$WINBACK" measure --campaign winback --as-of 2024-13-01
expect_contains "$ERR" "--as-of: "
finish
