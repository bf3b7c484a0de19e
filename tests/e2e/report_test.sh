#!/usr/bin/env bash
# `winback report`: a simulated shop imported into a store, the report written as HTML and JSON,
# the HTML loaded in headless Chromium, and the RENDERED page (after its scripts ran) checked
# for the charts' marker, the sections and numbers computed here from the CSV files.
WINBACK=$1
SCRATCH=$2
source "$(dirname "$0")/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

# The browser is part of the test's contract: missing, it is a failure, never a skip.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  echo "FAIL: chromium is not installed, so the HTML report cannot be rendered;" \
       "run scripts/install-deps (Debian package chromium)" >&2
  exit 1
fi

AS_OF=2024-12-31
expect_exit 0 "$WINBACK" simulate --customers 2000 --seed 11 --out data
expect_exit 0 "$WINBACK" import --customers data/customers.csv --orders data/orders.csv \
  --events data/events.csv

# Usage errors.
expect_exit 2 "$WINBACK" report --as-of "$AS_OF"
expect_contains "$ERR" "--html FILE, --json or both"
expect_exit 2 "$WINBACK" report --as-of 2024-13-01 --html x.html
expect_exit 2 "$WINBACK" report --html x.html
expect_exit 2 "$WINBACK" --db missing.db report --as-of "$AS_OF" --json

expect_exit 0 "$WINBACK" report --as-of "$AS_OF" --html report.html
expect_contains "$OUT" "wrote report.html"
check; [ -s report.html ] || fail "report.html was not written"
check; [ ! -e report.html.tmp ] || fail "report.html.tmp was left behind"

# Numbers computed independently of winback, from the CSV files (no --items, so no quoted
# commas): customers, buyers (customers with a completed order), exits up to AS_OF.
customers=$(($(wc -l < data/customers.csv) - 1))
buyers=$(awk -F, 'NR > 1 && $6 == "completed" && substr($3, 1, 10) <= "'$AS_OF'" { print $2 }' \
  data/orders.csv | sort -u | wc -l)
exits=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "type") t = i
                                                    if ($i == "time") c = i } }
  NR > 1 && ($t == "exit_survey" || $t == "subscription_cancelled") &&
  substr($c, 1, 10) <= "'$AS_OF'" { n++ } END { print n + 0 }' data/events.csv)
# 12345 -> 12,345 as the page prints counts (no locale involved).
with_commas() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

# --json prints the same numbers.
expect_exit 0 "$WINBACK" report --as-of "$AS_OF" --json
JSON=$OUT
expect_contains "$JSON" "\"as_of\": \"$AS_OF\""
expect_contains "$JSON" "\"customers\": $customers,"
expect_contains "$JSON" "\"buyers\": $buyers,"
for key in rfm_grid segments groups rates churn_by_tenure churn_by_calendar_month cohorts \
           exit_reasons p_alive calibration; do
  expect_contains "$JSON" "\"$key\":"
done
expect_contains "$JSON" '"available": true'
# Both flags: the file is written and stdout is only the JSON document.
expect_exit 0 "$WINBACK" report --as-of "$AS_OF" --json --html both.html
check
[ "${OUT:0:1}" = "{" ] && [ "${OUT: -1}" = "}" ] ||
  fail "--json --html: stdout is not one JSON document"
check; [ -s both.html ] || fail "--json --html did not write both.html"

# Render in headless Chromium and read the DOM after the scripts ran.
check
timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$SCRATCH/chromium-profile" --window-size=1400,3000 \
  --dump-dom "file://$SCRATCH/report.html" > dom.html 2> chromium.log
rc=$?
if [ $rc -ne 0 ] || [ ! -s dom.html ]; then
  fail "chromium exited $rc and dumped $(wc -c < dom.html) bytes; log: $(tail -5 chromium.log)"
fi
DOM=$(cat dom.html)
expected=$(grep -o 'data-expected="[0-9]*"' report.html | head -1 | tr -dc 0-9)
check; [ "$expected" = 7 ] || fail "the page should have 7 charts, has '$expected'"
expect_contains "$DOM" ">charts rendered: 7</span>"
case "$DOM" in
  *">charts failed"*) fail "the page's script failed: $(grep -o '>charts failed[^<]*' dom.html)";;
esac
for heading in "RFM grid" "Segments" "Retention and churn by month" "Cohorts" \
               "When customers leave" "Exit reasons" "P(alive)" \
               "Model calibration: actual vs predicted"; do
  expect_contains "$DOM" "<h2>$heading</h2>"
done
expect_contains "$DOM" "hibernating"
expect_contains "$DOM" "High-value lost"
expect_contains "$DOM" "as of $AS_OF · $(with_commas "$customers") customers"
expect_contains "$DOM" "$(with_commas "$buyers") have ordered"
expect_contains "$DOM" "cancellations up to $AS_OF: $(with_commas "$exits") in all."
# Chart.js drew into the canvases: they carry its size attributes once rendered.
check
canvases=$(grep -o '<canvas id="chart-[a-z-]*"[^>]*style="[^"]*"' dom.html | wc -l)
[ "$canvases" = 7 ] || fail "expected 7 drawn canvases, found $canvases"

# The report carries no network reference: it works offline.
check; ! grep -qE '(src|href)="https?:' report.html || fail "report.html references the network"
expect_contains "$DOM" "No campaign has messages in the outbox yet"

# Campaign sections: the demo plans and sends its campaigns; orders after the sends are
# imported; the report a month later has a section per campaign with the numbers of
# `winback measure`, and its charts render.
export WINBACK_SIGNING_KEY=report-test-key-0123456789abcdef0123456789
expect_exit 0 "$WINBACK" demo --customers 2000 --dir shop
cd shop || exit 1
expect_exit 0 "$WINBACK" outbox --campaign winback --json
echo "$OUT" > outbox.json
LATER=$(/usr/bin/python3 - <<'PY'
import json, random
from datetime import datetime, timedelta
rng = random.Random(3)
msgs = json.load(open("outbox.json"))["messages"]
def ts(s): return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
first = {}
for m in msgs:
    t = ts(m["sent_at"]) if m["status"] == "sent" and m["sent_at"] else ts(m["scheduled_at"])
    if m["customer_id"] not in first or t < first[m["customer_id"]][0]:
        first[m["customer_id"]] = (t, m["status"] == "holdout")
with open("responses.csv", "w") as o:
    o.write("id,customer_id,time,amount,currency,status\n")
    for c, (t, held) in sorted(first.items()):
        if rng.random() < (0.10 if held else 0.25):
            when = (t + timedelta(days=rng.randint(1, 20))).strftime("%Y-%m-%dT%H:%M:%SZ")
            o.write(f"w-{c},{c},{when},35.00,USD,completed\n")
last = max(ts(m["scheduled_at"]) for m in msgs)
print((last + timedelta(days=30)).strftime("%Y-%m-%d"))
PY
)
expect_exit 0 "$WINBACK" import --orders responses.csv
expect_exit 0 "$WINBACK" measure --campaign winback --as-of "$LATER" --json
echo "$OUT" > measure.json
expect_exit 0 "$WINBACK" report --as-of "$LATER" --json
echo "$OUT" > campaigns.json
expect_exit 0 "$WINBACK" report --as-of "$LATER" --html campaigns.html
/usr/bin/python3 - "$LATER" <<'PY' || fail "the report's campaign section differs from winback measure (see above)"
import json, sys
from datetime import date
later = date.fromisoformat(sys.argv[1])
report = {c["campaign"]: c for c in json.load(open("campaigns.json"))["campaigns"]}
m = json.load(open("measure.json"))
c = report.get("winback")
problems = []
if c is None or not c["measured"]:
    problems.append(f"no measured winback section: {c}")
else:
    for arm in ["treated", "holdout"]:
        for k in ["customers", "converted"]:
            if c[arm][k] != m[arm][k]:
                problems.append(f"{arm}.{k}: report {c[arm][k]}, measure {m[arm][k]}")
    if c["srm_p_value"] != m["srm_p_value"]:
        problems.append("srm_p_value differs")
    if m["lift"] is None or c["lift"] is None:
        problems.append("no lift")
    else:
        for k in ["diff", "ci_low", "ci_high"]:
            if abs(c["lift"]["conversion_rate"][k] - m["lift"]["conversion_rate"][k]) > 1e-12:
                problems.append(f"lift {k} differs")
    if len(c["funnel"]) != len(m["funnel"]):
        problems.append("funnel rows differ")
    t = c["timeline"]
    first = date.fromisoformat(c["first_start"][:10])
    if len(t) != (later - first).days + 1 or t[-1]["day"] != str(later):
        problems.append(f"timeline: {len(t)} points, {t[0]['day'] if t else None}..")
    elif abs(t[-1]["diff"] - m["lift"]["conversion_rate"]["diff"]) > 1e-12:
        problems.append("the last day's cumulative lift is not measure's")
for p in problems:
    print("FAIL:", p)
raise SystemExit(1 if problems else 0)
PY
check
timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$SCRATCH/chromium-profile" --window-size=1400,3000 \
  --dump-dom "file://$SCRATCH/shop/campaigns.html" > dom.html 2> chromium.log
rc=$?
if [ $rc -ne 0 ] || [ ! -s dom.html ]; then
  fail "chromium exited $rc and dumped $(wc -c < dom.html) bytes; log: $(tail -5 chromium.log)"
fi
DOM=$(cat dom.html)
expected=$(grep -o 'data-expected="[0-9]*"' campaigns.html | head -1 | tr -dc 0-9)
campaign_charts=$(grep -o '<canvas id="chart-campaign-[0-9]*-[a-z]*"' campaigns.html | wc -l)
check; [ "$campaign_charts" -ge 3 ] || fail "only $campaign_charts campaign charts in the page"
expect_contains "$DOM" ">charts rendered: $expected</span>"
expect_contains "$DOM" "<h2>Campaign: winback</h2>"
expect_contains "$DOM" "<h3>Sample ratio check</h3>"
expect_contains "$DOM" "<h3>Funnel per step and variant</h3>"
expect_contains "$DOM" "<h3>Over time</h3>"
treated=$(/usr/bin/python3 -c 'import json; print(json.load(open("measure.json"))["treated"]["customers"])')
held=$(/usr/bin/python3 -c 'import json; print(json.load(open("measure.json"))["holdout"]["customers"])')
expect_contains "$DOM" "$(with_commas "$treated") treated, $(with_commas "$held") held out"
check
drawn=$(grep -o '<canvas id="chart-campaign-[0-9]*-[a-z]*"[^>]*style="[^"]*"' dom.html | wc -l)
[ "$drawn" = "$campaign_charts" ] || fail "drew $drawn of $campaign_charts campaign charts"
finish
