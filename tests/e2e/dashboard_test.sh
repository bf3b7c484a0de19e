#!/usr/bin/env bash
# The dashboard in headless Chromium: the demo shop (2,000 customers), the server started on a
# free loopback port and stopped by its PID, a request to / without a session leading to the
# login form, a real login through that form with WINBACK_ADMIN_PASSWORD, every page loaded,
# and the rendered numbers (after the pages' scripts ran) compared with what the CLI's JSON
# says about the same store. Screenshots and DOMs stay in the scratch dir (pages/).
#
# usage: dashboard_test.sh WINBACK SCRATCH
WINBACK=$1
SCRATCH=$2
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  echo "FAIL: chromium is not installed; run scripts/install-deps (Debian package chromium)" >&2
  exit 1
fi

expect_exit 0 "$WINBACK" demo --customers 2000 --dir demo
expect_contains "$OUT" "Dashboard: cd demo && WINBACK_ADMIN_PASSWORD="

# A password only this run knows, from the environment only.
export WINBACK_ADMIN_PASSWORD="e2e-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
cd demo && start_serve && cd ..  # Stopped by its PID at exit (lib.sh).
BASE=$SERVER

# Without a session: / redirects to the login page, and so does every page.
for page in / /rfm /segments /cohorts /campaigns /outbox /customers/c1; do
  check
  got=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$BASE$page")
  case "$got" in "302 $BASE/login"*) ;; *) fail "$page without a session: $got" ;; esac
done
# A wrong password through the form: 401, no session cookie.
curl -s -c jar -o login.html "$BASE/login"
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' login.html)
check
got=$(curl -s -b jar -c jar -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf" \
  --data-urlencode user=admin --data-urlencode password=wrong "$BASE/login")
[ "$got" = 401 ] || fail "a wrong password gave $got, expected 401"
check
! grep -q wb_session jar || fail "a wrong password set a session cookie"
# Without the CSRF token: 403.
check
got=$(curl -s -b jar -o /dev/null -w '%{http_code}' --data-urlencode user=admin \
  --data-urlencode "password=$WINBACK_ADMIN_PASSWORD" "$BASE/login")
[ "$got" = 403 ] || fail "a login without the CSRF token gave $got, expected 403"

# The demo scores as of its last day D and only then lets its simulated customers answer the
# campaign, and some order on D itself: the saved scores predate those orders, while the
# dashboard's report recomputes the segments from the store as of D and counts them. Score D
# again, so the saved scores (what `winback segments` reads) see the same store.
D=$(cd demo && "$WINBACK" segments --json | /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)['as_of'])") \
  || fail "no score date"
(cd demo && "$WINBACK" score --as-of "$D" > /dev/null) || fail "could not score $D again"

# What the CLI says about the same store.
(cd demo && "$WINBACK" segments --json > ../segments.json && "$WINBACK" outbox --json > ../outbox.json \
  && "$WINBACK" customer c1 --json > ../customer.json && "$WINBACK" measure --json > ../measure.json) \
  || fail "the CLI's JSON could not be written"
SEGMENT=$(/usr/bin/python3 -c "import json; print(json.load(open('segments.json'))['segments'][0]['name'])")
CAMPAIGN=$(/usr/bin/python3 -c "import json; print(json.load(open('measure.json'))['campaigns'][0]['campaign'])")

check
timeout 300 /usr/bin/python3 "$HERE/dashboard_browser.py" "$CHROMIUM" "$BASE" admin \
  "$WINBACK_ADMIN_PASSWORD" pages / /rfm /segments "/segments/$SEGMENT" /customers/c1 /cohorts \
  /campaigns "/campaigns/$CAMPAIGN" /outbox > browser.log 2>&1 \
  || fail "the browser run failed: $(tail -5 browser.log)"
cat browser.log

check
/usr/bin/python3 - "$SEGMENT" "$CAMPAIGN" > compare.log 2>&1 <<'PY' || fail "$(cat compare.log)"
import json, re, sys, os
segment, campaign = sys.argv[1], sys.argv[2]
errors = []
def page(name):
    return open(os.path.join("pages", name + ".html")).read()
def value(html, id_):
    m = re.search(r'id="%s" data-value="(-?\d+)"' % re.escape(id_), html)
    return int(m.group(1)) if m else None
def expect(what, got, want):
    if got != want:
        errors.append(f"{what}: page shows {got}, the store says {want}")

log = open("browser.log").read()
expect("/ before login", "/ -> /login" in log, True)
expect("login lands on /", "login -> /" in log, True)
customers = sum(1 for _ in open("demo/customers.csv")) - 1
seg = json.load(open("segments.json"))
root = page("root")
expect("customers", value(root, "customers"), customers)
expect("as of", re.search(r'id="as-of">([0-9-]+)<', root).group(1), seg["as_of"])
for g in seg["groups"]:
    expect("group " + g["name"], value(root, "group-" + g["name"]), g["customers"])
lifecycle = [value(root, "lc-" + n) for n in
             ("prospect", "new", "active", "at_risk", "inactive", "lost", "reactivated")]
expect("lifecycle stages add up to the customers", sum(v or 0 for v in lifecycle), customers)
expect("trend chart drawn", 'data-charts="charts rendered: 1"' in root, True)
rfm = page("rfm")
cells = [int(v) for v in re.findall(r'<td class="g-[a-z_]+" data-r="\d" data-f="\d" data-value="(\d+)"', rfm)]
expect("RFM cells", len(cells), 25)
expect("RFM grid total", sum(cells), sum(g["customers"] for g in seg["groups"]))
want_seg = next(s["customers"] for s in seg["segments"] if s["name"] == segment)
expect("segment " + segment, value(page("segments_" + segment), "segment-count"), want_seg)
cust = page("customers_c1")
expect("customer id", re.search(r'id="customer-id">([^<]*)<', cust).group(1), "c1")
expect("timeline entries", value(cust, "timeline-count"), len(json.load(open("customer.json"))["timeline"]))
meas = next(c for c in json.load(open("measure.json"))["campaigns"] if c["campaign"] == campaign)
expect("campaign targeted", value(page("campaigns_" + campaign), "targeted"), meas["targeted"])
expect("outbox total", value(page("outbox"), "outbox-total"), len(json.load(open("outbox.json"))["messages"]))
expect("cohorts table", 'id="cohorts"' in page("cohorts"), True)
for name in ("root", "rfm", "segments", "customers_c1", "cohorts", "campaigns", "outbox"):
    png = os.path.join("pages", name + ".png")
    if not os.path.exists(png) or os.path.getsize(png) < 5000:
        errors.append(f"screenshot {png} missing or empty")
    if "Log out" not in page(name):
        errors.append(f"{name}: not logged in")
print("\n".join(errors) if errors else "all numbers match")
sys.exit(1 if errors else 0)
PY
cat compare.log
finish
