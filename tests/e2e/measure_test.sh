#!/usr/bin/env bash
# winback measure --experiment: a small store and a three-arm experiment written here, the JSON
# contract checked key by key, and the numbers recomputed independently in Python (standard
# library only: rates, unpooled and Welch standard errors, the normal interval and p-value).
WINBACK=$1
SCRATCH=$2
source "$(dirname "$0")/lib.sh"
set -o pipefail
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

expect_exit 0 "$WINBACK" measure --help
expect_contains "$OUT" "--experiment"

# 360 customers in three arms of 120 ("treat" first in the file, so the control is found by
# name), outcomes drawn in Python with a fixed seed: visits, completed orders in the window
# [2024-05-01, 2024-05-15), and decoys outside it (an order on the end instant, a refunded
# order and a visit before the start) that must not count.
/usr/bin/python3 - <<'PY' || fail "could not write the test data"
import random
rng = random.Random(20240501)
arms = {"treat": (0.55, 0.30), "control": (0.45, 0.20), "bold": (0.50, 0.22)}
with open("customers.csv", "w") as c, open("orders.csv", "w") as o, \
     open("events.csv", "w") as e, open("experiment.csv", "w") as x:
    c.write("id\n"); o.write("id,customer_id,time,amount,currency,status\n")
    e.write("id,customer_id,type,time\n"); x.write("customer_id,arm\n")
    n = 0
    for arm in ["treat", "control", "bold"]:
        visit_p, order_p = arms[arm]
        for i in range(120):
            n += 1
            cid = f"c{n}"
            c.write(f"{cid}\n")
            x.write(f"{cid},{arm}\n")
            if rng.random() < visit_p:
                e.write(f"v{n},{cid},visit,2024-05-{rng.randint(1, 14):02d}T10:00:00Z\n")
            e.write(f"w{n},{cid},visit,2024-04-30T23:59:59Z\n")  # before the window
            if rng.random() < order_p:
                for k in range(rng.randint(1, 2)):
                    amount = f"{rng.randint(500, 9000) / 100:.2f}"
                    o.write(f"o{n}-{k},{cid},2024-05-{rng.randint(1, 14):02d}T12:00:00+02:00,{amount},EUR,completed\n")
            o.write(f"r{n},{cid},2024-05-03T12:00:00Z,50.00,EUR,refunded\n")
            o.write(f"l{n},{cid},2024-05-15T00:00:00Z,70.00,EUR,completed\n")  # the end is excluded
PY
expect_exit 0 "$WINBACK" import --customers customers.csv --orders orders.csv --events events.csv

expect_exit 0 "$WINBACK" measure --experiment experiment.csv --start 2024-05-01 --window 14d --json
echo "$OUT" > measure.json
# The same window in weeks gives the same document.
expect_exit 0 "$WINBACK" measure --experiment experiment.csv --start 2024-05-01 --window 2w --json
check; [ "$OUT" = "$(cat measure.json)" ] || fail "--window 2w differs from --window 14d"

/usr/bin/python3 - <<'PY' || fail "measure --json does not match the independent computation (see above)"
import csv, json, math
doc = json.load(open("measure.json"))
problems = []
def near(what, got, want, tol=1e-9):
    if got is None or abs(got - want) > tol * max(1.0, abs(want)):
        problems.append(f"{what}: got {got}, expected {want}")

# Shape: every arm has the five keys; every non-control arm a lift object with the three metrics,
# each with the six numbers.
metrics = ["visit_rate", "conversion_rate", "revenue_per_customer"]
fields = ["diff", "se", "ci_low", "ci_high", "p_value", "relative_lift"]
if doc.get("control") != "control": problems.append(f"control is {doc.get('control')}")
if [a["arm"] for a in doc["arms"]] != ["treat", "control", "bold"]: problems.append("arm order")
for a in doc["arms"]:
    for k in ["arm", "n", "visit_rate", "conversion_rate", "revenue_per_customer"]:
        if k not in a: problems.append(f"arm {a.get('arm')}: no {k}")
    if a["arm"] == "control":
        if "lift" in a: problems.append("the control has a lift")
        continue
    for m in metrics:
        for f in fields:
            if not isinstance(a.get("lift", {}).get(m, {}).get(f), (int, float)):
                problems.append(f"arm {a['arm']}: lift.{m}.{f} missing or not a number")

# The numbers, from the files.
arm_of = {r["customer_id"]: r["arm"] for r in csv.DictReader(open("experiment.csv"))}
visited, revenue = set(), {}
for r in csv.DictReader(open("events.csv")):
    if r["type"] == "visit" and "2024-05-01" <= r["time"][:10] <= "2024-05-14":
        visited.add(r["customer_id"])
for r in csv.DictReader(open("orders.csv")):
    if r["status"] == "completed" and r["time"] < "2024-05-15":
        revenue[r["customer_id"]] = revenue.get(r["customer_id"], 0) + round(float(r["amount"]) * 100)
stats = {}
for arm in ["treat", "control", "bold"]:
    ids = [c for c, a in arm_of.items() if a == arm]
    n = len(ids)
    v = [1.0 if c in visited else 0.0 for c in ids]
    conv = [1.0 if c in revenue else 0.0 for c in ids]
    rev = [revenue.get(c, 0) / 100 for c in ids]
    stats[arm] = (n, v, conv, rev)
z = 1.959963984540054
def prop(t, c):
    pt, pc = sum(t) / len(t), sum(c) / len(c)
    se = math.sqrt(pt * (1 - pt) / len(t) + pc * (1 - pc) / len(c))
    d = pt - pc
    return d, se, d - z * se, d + z * se, math.erfc(abs(d / se) / math.sqrt(2)), d / pc
def welch(t, c):
    mt, mc = sum(t) / len(t), sum(c) / len(c)
    vt = sum((x - mt) ** 2 for x in t) / (len(t) - 1)
    vc = sum((x - mc) ** 2 for x in c) / (len(c) - 1)
    return mt - mc, math.sqrt(vt / len(t) + vc / len(c)), (mt - mc) / mc
for a in doc["arms"]:
    n, v, conv, rev = stats[a["arm"]]
    if a["n"] != n: problems.append(f"{a['arm']}: n {a['n']} != {n}")
    near(f"{a['arm']} visit_rate", a["visit_rate"], sum(v) / n)
    near(f"{a['arm']} conversion_rate", a["conversion_rate"], sum(conv) / n)
    near(f"{a['arm']} revenue_per_customer", a["revenue_per_customer"], sum(rev) / n)
    if a["arm"] == "control": continue
    _, cv, cconv, crev = stats["control"]
    for m, t, c in [("visit_rate", v, cv), ("conversion_rate", conv, cconv)]:
        for f, want in zip(fields, prop(t, c)):
            near(f"{a['arm']} {m}.{f}", a["lift"][m][f], want)
    d, se, rel = welch(rev, crev)
    near(f"{a['arm']} revenue.diff", a["lift"]["revenue_per_customer"]["diff"], d)
    near(f"{a['arm']} revenue.se", a["lift"]["revenue_per_customer"]["se"], se)
    near(f"{a['arm']} revenue.relative_lift", a["lift"]["revenue_per_customer"]["relative_lift"], rel)
    L = a["lift"]["revenue_per_customer"]
    # Welch's interval is wider than the normal one and symmetric around the difference.
    if not (L["ci_high"] - d > z * se and abs((L["ci_high"] - d) - (d - L["ci_low"])) < 1e-9):
        problems.append(f"{a['arm']} revenue interval {L['ci_low']}, {L['ci_high']}")
# Equal arms: chi-square 0, p 1.
near("srm_p_value", doc["srm_p_value"], 1.0)
if doc["currency"] != "EUR": problems.append(f"currency {doc['currency']}")
for p in problems: print("  ", p)
raise SystemExit(1 if problems else 0)
PY

# The table for people.
expect_exit 0 "$WINBACK" measure --experiment experiment.csv --start 2024-05-01
expect_contains "$OUT" "Experiment experiment.csv: 3 arms, 360 customers"
expect_contains "$OUT" "control (control)"
expect_contains "$OUT" "Against control (95% intervals"
expect_contains "$OUT" "Holm p"
expect_contains "$OUT" "consistent"

# --control picks another arm; the old control then has a lift.
expect_exit 0 "$WINBACK" measure --experiment experiment.csv --start 2024-05-01 --control bold --json
check; echo "$OUT" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["control"] == "bold", d["control"]
assert "lift" in [a for a in d["arms"] if a["arm"] == "control"][0]
assert "lift" not in [a for a in d["arms"] if a["arm"] == "bold"][0]' || fail "--control bold"

# A broken split: 120 against 60 is flagged (p < 0.001) and no lift is shown to people; the
# designed shares make it consistent.
{ echo customer_id,arm; for i in $(seq 1 120); do echo "c$i,treat"; done
  for i in $(seq 121 180); do echo "c$i,control"; done; } > skewed.csv
expect_exit 0 "$WINBACK" measure --experiment skewed.csv --start 2024-05-01
expect_contains "$OUT" "Sample ratio mismatch"
check; case "$OUT" in *"Against control"*) fail "a lift was shown despite the mismatch" ;; esac
expect_exit 0 "$WINBACK" measure --experiment skewed.csv --start 2024-05-01 --json
expect_contains "$OUT" '"srm_mismatch": true'
expect_exit 0 "$WINBACK" measure --experiment skewed.csv --start 2024-05-01 --shares treat=2,control=1
expect_contains "$OUT" "against the shares given by --shares: consistent"

# Errors: exit 2 with the file, line and field, or the option.
printf 'customer_id,arm\nc1,a\nnobody,b\nc2,a\nc1,b\n' > bad.csv
expect_exit 2 "$WINBACK" measure --experiment bad.csv --start 2024-05-01
expect_contains "$ERR" "bad.csv:5: customer_id: 'c1' is listed twice (first on line 2)"
printf 'customer_id,arm\nc1,a\nnobody,b\nc2,a\nc3,b\n' > unknown.csv
expect_exit 2 "$WINBACK" measure --experiment unknown.csv --start 2024-05-01
expect_contains "$ERR" "unknown.csv:3: customer_id: no customer 'nobody' in the store"
expect_exit 2 "$WINBACK" measure --experiment missing.csv --start 2024-05-01
expect_contains "$ERR" "--experiment: "
expect_exit 2 "$WINBACK" measure --experiment experiment.csv --start 2024-05-01 --window 14x
expect_contains "$ERR" "--window: '14x' is not a number of days or weeks"
expect_exit 2 "$WINBACK" measure --experiment experiment.csv --start 2024-05-01 --window 0d
expect_contains "$ERR" "--window: must be between 1 and 3650 days"
expect_exit 2 "$WINBACK" measure --experiment experiment.csv
expect_contains "$ERR" "--start"
expect_exit 2 "$WINBACK" measure --experiment experiment.csv --start 2024-02-30
expect_contains "$ERR" "--start: "
expect_exit 2 "$WINBACK" measure --experiment experiment.csv --start 2024-05-01 --control nope
expect_contains "$ERR" "--control: no arm 'nope' in experiment.csv; its arms are treat, control, bold"
expect_exit 2 "$WINBACK" measure --experiment experiment.csv --start 2024-05-01 --shares treat=x
expect_contains "$ERR" "--shares: 'treat=x' is not ARM=WEIGHT"
# Campaigns (tests/e2e/measure_campaign_test.sh): this store has no outbox message.
expect_exit 2 "$WINBACK" measure --campaign winback
expect_contains "$ERR" "--campaign winback: not in the config"
expect_exit 2 "$WINBACK" measure --campaign winback --experiment experiment.csv
expect_exit 0 "$WINBACK" measure
expect_contains "$OUT" "No campaign has messages in the outbox yet"

finish
