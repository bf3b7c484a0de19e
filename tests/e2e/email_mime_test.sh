#!/usr/bin/env bash
# Real planned email, delivered over SMTP to a loopback aiosmtpd receiver and parsed with
# Python's email package (policy.default): a store of four customers (Turkish, Persian, English,
# and one whose name holds HTML specials) imported through the CLI, the example config and
# templates of `winback init` with email over SMTP, then `winback plan` and `winback send` on
# three days, so the win-back journey's come_back, incentive (a coupon) and last_chance (a
# bigger coupon) all go out. Every message received is checked against the outbox and against
# `winback preview` of the same step: headers (From, Subject, Message-ID from the key,
# X-Winback-Key, Date, List-Unsubscribe with a signed token under [tracking] base_url,
# List-Unsubscribe-Post), multipart/alternative text + HTML in UTF-8, the customer's language
# (Content-Language, <html lang dir>), escaping, the coupon and the visible unsubscribe link.
# Usage: email_mime_test.sh WINBACK SCRATCH TESTDATA_DIR
WINBACK=$1
SCRATCH=$2
TESTDATA=$3
source "$(dirname "$0")/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1
export WINBACK_SIGNING_KEY=email-mime-test-signing-key-0123456789abcdef

start_receiver "$TESTDATA/smtp_receiver.py"

expect_exit 0 "$WINBACK" init .
# The example config, with email over SMTP to the receiver from a sender whose name needs
# RFC 2047, links under a base URL of our own, and no holdout (held-out customers get nothing).
FROM_NAME="Dükkân Ünal"
FROM_ADDR="shop@mail.example.org"
BASE_URL="https://links.example.org/wb"
set_config winback.toml 'channels.email.transport="smtp"' \
  "channels.email.url=\"smtp://127.0.0.1:$PORT\"" "channels.email.from=\"$FROM_NAME <$FROM_ADDR>\"" \
  "base_url=\"$BASE_URL\"" 'holdout=0.0' || fail "winback.toml not edited"
check; grep -q "^url = \"smtp://127.0.0.1:$PORT\"" winback.toml || fail "winback.toml not edited"

# Customers in the three languages of the example templates; one name with HTML specials.
cat >customers.csv <<'CSV'
id,email,first_name,language,country,time_zone,consent_email
ayse,ayse@example.com,Ayşe,tr,TR,Europe/Istanbul,yes
dariush,dariush@example.com,داریوش,fa,IR,Asia/Tehran,yes
bob,bob@example.com,Bob,en,GB,Europe/London,yes
tag,tag@example.com,"<b>&""Tom'",en,GB,Europe/London,yes
CSV
# Two orders each, long ago: all four are lost by June 2024.
cat >orders.csv <<'CSV'
id,customer_id,time,amount,currency
o1,ayse,2023-01-10T10:00:00Z,120.00,USD
o2,ayse,2023-03-10T10:00:00Z,80.00,USD
o3,dariush,2023-01-12T10:00:00Z,150.00,USD
o4,dariush,2023-02-12T10:00:00Z,90.00,USD
o5,bob,2023-01-15T10:00:00Z,200.00,USD
o6,bob,2023-02-15T10:00:00Z,60.00,USD
o7,tag,2023-01-16T10:00:00Z,70.00,USD
o8,tag,2023-02-16T10:00:00Z,65.00,USD
CSV
expect_exit 0 "$WINBACK" import --customers customers.csv --orders orders.csv

# The win-back steps: come_back at once, incentive 10 days later, last_chance 14 days after
# that. Each day: score, plan, send at noon UTC (inside no customer's quiet hours), and keep
# `winback preview` of each win-back message planned that day for the comparison below.
: >previews.jsonl
: >sends.txt
for day in 2024-06-03 2024-06-13 2024-06-27; do
  expect_exit 0 "$WINBACK" score --as-of "$day" --no-models
  expect_exit 0 "$WINBACK" plan --as-of "$day"
  expect_exit 0 "$WINBACK" outbox --status planned --json
  echo "$OUT" >planned.json
  while read -r campaign step customer; do
    expect_exit 0 "$WINBACK" preview --campaign "$campaign" --step "$step" --customer "$customer" \
      --as-of "$day" --json
    echo "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))' \
      >>previews.jsonl
  done < <(/usr/bin/python3 -c '
import json
for m in json.load(open("planned.json"))["messages"]:
    print(m["campaign"], m["step"], m["customer_id"])')
  expect_exit 0 "$WINBACK" send --now "${day}T12:00:00Z" --json
  echo "${day}T12:00:00Z $(ls received | grep -c 'json$')" >>sends.txt
done
expect_exit 0 "$WINBACK" outbox --json
echo "$OUT" >outbox.json

/usr/bin/python3 - "$SCRATCH/received" outbox.json previews.jsonl customers.csv sends.txt \
    "$FROM_NAME" "$FROM_ADDR" "$BASE_URL" "$WINBACK_SIGNING_KEY" <<'PY' || fail "email checks"
import base64, collections, csv, datetime, email, email.policy, glob, hashlib, hmac, json, os, re
import sys
from html import unescape
from html.parser import HTMLParser

(received_dir, outbox_file, previews_file, customers_file, sends_file, from_name, from_addr,
 base_url, signing_key) = sys.argv[1:10]
failures = []
def bad(what):
    failures.append(what)
    print("FAIL: " + what, file=sys.stderr)

outbox = {m["key"]: m for m in json.load(open(outbox_file))["messages"]}
customers = {c["id"]: c for c in csv.DictReader(open(customers_file, encoding="utf-8"))}
previews = collections.defaultdict(list)
for line in open(previews_file, encoding="utf-8"):
    p = json.loads(line)
    previews[(p["campaign"], p["step"], p["customer_id"])].append(p)
# Which send (its --now) delivered the n-th received message.
sends = []
for line in open(sends_file):
    when, upto = line.split()
    sends.append((int(upto), datetime.datetime.fromisoformat(when.replace("Z", "+00:00"))))
def send_time(n):
    for upto, when in sends:
        if n <= upto:
            return when

class Html(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.hrefs, self.text = [], [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))
    def handle_data(self, data):
        self.text.append(data)

def template_part(step, variant, language, part):
    """The `--- part` of the template file the planner used ("" when it has none)."""
    names = (["%s.%s.%s" % (step, variant, language)] if variant else []) + \
            ["%s.%s" % (step, language)]
    for name in names:
        path = os.path.join("templates", name + ".mustache")
        if os.path.exists(path):
            text = open(path, encoding="utf-8").read()
            match = re.search(r"^--- %s\n(.*?)(?=^--- |\Z)" % part, text, flags=re.S | re.M)
            return match.group(1).strip() if match else ""
    bad("no template file for %s" % names)
    return ""

def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

coupons = {m["coupon"] for m in outbox.values() if m["coupon"]}
seen = collections.Counter()
message_ids = set()
files = sorted(glob.glob(os.path.join(received_dir, "*.json")),
               key=lambda p: int(os.path.basename(p)[:-5]))
for path in files:
    n = int(os.path.basename(path)[:-5])
    record = json.load(open(path))
    raw = record["data"].encode("latin-1")
    head = raw.split(b"\r\n\r\n", 1)[0]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    key = msg["X-Winback-Key"]
    seen[key] += 1
    m = outbox.get(key)
    if m is None:
        bad("%s: X-Winback-Key %r is no key of the outbox" % (path, key))
        continue
    where = key
    c = customers[m["customer_id"]]
    # Headers are 7-bit ASCII (no SMTPUTF8): non-ASCII only as RFC 2047 encoded-words.
    try:
        head.decode("ascii")
    except UnicodeDecodeError:
        bad("%s: non-ASCII bytes in the header" % where)
    if record["rcpt_tos"] != [c["email"]]: bad("%s: RCPT TO %s" % (where, record["rcpt_tos"]))
    if record["mail_from"] != from_addr: bad("%s: MAIL FROM %s" % (where, record["mail_from"]))
    sender = msg["From"].addresses
    if len(sender) != 1 or sender[0].display_name != from_name or sender[0].addr_spec != from_addr:
        bad("%s: From %r" % (where, str(msg["From"])))
    if "=?utf-8?" not in head.decode("ascii", "replace").lower():
        bad("%s: no RFC 2047 encoded-word for the non-ASCII sender name" % where)
    if [a.addr_spec for a in msg["To"].addresses] != [c["email"]]:
        bad("%s: To %s" % (where, msg["To"]))
    want_id = "<%s@%s>" % (hashlib.sha256(key.encode()).hexdigest()[:32], from_addr.split("@")[1])
    if msg["Message-ID"] != want_id:
        bad("%s: Message-ID %s, want %s" % (where, msg["Message-ID"], want_id))
    if msg["Message-ID"] in message_ids: bad("%s: Message-ID used twice" % where)
    message_ids.add(msg["Message-ID"])
    if msg["Date"] is None or msg["Date"].datetime != send_time(n):
        bad("%s: Date %s, sent at %s" % (where, msg["Date"], send_time(n)))
    # The one-click unsubscribe: an https link under base_url whose token is the key, signed.
    lu = msg["List-Unsubscribe"] or ""
    url = lu[1:-1] if lu.startswith("<") and lu.endswith(">") else ""
    if not url.startswith(base_url + "/u/") or not url.startswith("https://"):
        bad("%s: List-Unsubscribe %r is not <%s/u/TOKEN>" % (where, lu, base_url))
    else:
        payload, _, tag = url[len(base_url) + 3:].rpartition(".")
        try:
            payload, tag = unb64(payload), unb64(tag)
        except Exception:
            payload, tag = b"", b""
        want_tag = hmac.new(signing_key.encode(), payload, hashlib.sha256).digest()[:len(tag)]
        if payload != key.encode() or len(tag) < 16 or not hmac.compare_digest(tag, want_tag):
            bad("%s: the unsubscribe token is not the key signed with the key" % where)
    if msg["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
        bad("%s: List-Unsubscribe-Post %r" % (where, msg["List-Unsubscribe-Post"]))
    # The body: text then HTML, both UTF-8.
    if msg.get_content_type() != "multipart/alternative":
        bad("%s: %s, not multipart/alternative" % (where, msg.get_content_type()))
        continue
    parts = list(msg.iter_parts())
    if [p.get_content_type() for p in parts] != ["text/plain", "text/html"] or \
            [p.get_content_charset() for p in parts] != ["utf-8", "utf-8"]:
        bad("%s: parts %s"
            % (where, [(p.get_content_type(), p.get_content_charset()) for p in parts]))
        continue
    text = parts[0].get_content().replace("\r\n", "\n")
    html = parts[1].get_content().replace("\r\n", "\n")
    h = Html()
    h.feed(html)
    h.close()
    html_text = "".join(h.text)
    # The language: the outbox's, the customer's for the win-back (every language has its
    # templates); the header, <html lang dir> and the text all say so.
    language = m["language"]
    if m["campaign"] == "winback" and language != c["language"]:
        bad("%s: language %s, the customer's is %s" % (where, language, c["language"]))
    if msg["Content-Language"] != language:
        bad("%s: Content-Language %s, want %s" % (where, msg["Content-Language"], language))
    html_attrs = next((a for t, a in h.tags if t == "html"), {})
    want_dir = "rtl" if language == "fa" else "ltr"
    if html_attrs.get("lang") != language or html_attrs.get("dir") != want_dir:
        bad("%s: <html %s>, want lang=%s dir=%s" % (where, html_attrs, language, want_dir))
    # The name, literal in the text, escaped in the HTML: the parser gives the name back as
    # text, and the raw HTML never holds it unescaped.
    name = c["first_name"]
    if name not in text: bad("%s: the text lacks the name %r" % (where, name))
    if name not in html_text: bad("%s: the HTML's text lacks the name %r" % (where, name))
    if any(ch in name for ch in "<>&\"'") and name in html:
        bad("%s: the name %r is not escaped in the HTML" % (where, name))
    if any(t == "b" for t, _ in h.tags): bad("%s: a <b> tag in the HTML (the name?)" % where)
    # The coupon: the outbox's, in both parts, and no other message's.
    coupon = m["coupon"]
    if m["campaign"] == "winback" and m["step"] in ("incentive", "last_chance") and not coupon:
        bad("%s: the %s step has no coupon in the outbox" % (where, m["step"]))
    if coupon and (coupon not in text or coupon not in html_text):
        bad("%s: coupon %s not in the text and the HTML" % (where, coupon))
    others = [k for k in coupons - {coupon} if k in text or k in html]
    if others: bad("%s: another message's coupon %s" % (where, others))
    # The visible unsubscribe link: the List-Unsubscribe URL, in the text and as a link.
    if url and url not in text: bad("%s: the text lacks the unsubscribe link" % where)
    if url and url not in h.hrefs: bad("%s: no <a href> to the unsubscribe link" % where)
    # The preheader: the template's, rendered, in a hidden block right after <body> (the inbox
    # shows it beside the subject). Every piece of its text outside mustache tags and sections
    # must be there.
    source = template_part(m["step"], m["variant"], language, "preheader")
    hidden = re.search(r'<body[^>]*>\s*<div style="display:none[^"]*">([^<]*)</div>', html)
    if source and not hidden:
        bad("%s: no hidden preheader after <body> (template preheader %r)" % (where, source))
    elif source:
        shown = " ".join(unescape(hidden.group(1)).split())
        fixed = re.sub(r"\{\{([#^])\s*(\w+)\s*\}\}.*?\{\{/\s*\2\s*\}\}", "\0", source, flags=re.S)
        pieces = [" ".join(f.split()) for f in re.split(r"\{\{[^}]*\}\}|\0", fixed)]
        missing = [f for f in pieces if f and f not in shown]
        if not shown or "{{" in shown or missing:
            bad("%s: preheader %r lacks %s" % (where, shown, missing))
    # The preferences link carries the same token.
    if url and url.replace("/u/", "/p/", 1) not in text:
        bad("%s: the text lacks the preferences link" % where)
    # The same message as `winback preview` renders for that step. A preview's coupon is a
    # sample, and its links carry a sample token (occurrence 0): both are put aside.
    pv = previews.get((m["campaign"], m["step"], m["customer_id"]), [])
    if m["campaign"] == "winback" and not pv:
        bad("%s: no preview" % where)
    if m["campaign"] == "winback" and pv and pv[0]["scheduled_at"] != m["scheduled_at"]:
        bad("%s: preview due %s, outbox %s" % (where, pv[0]["scheduled_at"], m["scheduled_at"]))
    # (Event-dated journeys such as long_inactive are due before the planning day; a preview
    # renders as of that day, so only a message due when the preview says is compared.)
    for p in [p for p in pv if p["scheduled_at"] == m["scheduled_at"]][:1]:
        if p["language"] != language or p["variant"] != m["variant"]:
            bad("%s: preview language/variant %s/%s, outbox %s/%s"
                % (where, p["language"], p["variant"], language, m["variant"]))
        if str(msg["Subject"]) != p["subject"]:
            bad("%s: Subject %r, preview %r" % (where, str(msg["Subject"]), p["subject"]))
        def same(got, want, is_html=False):
            if p["coupon"] and coupon:
                want = want.replace(p["coupon"], coupon)
            if is_html:
                # As it goes out, every other http(s) link becomes a click link BASE/c/TOKEN and
                # an open pixel BASE/o/TOKEN precedes </body> (messages/tracking_links.h).
                pixel = re.compile(r'<img src="' + re.escape(base_url) +
                                   r'/o/[A-Za-z0-9_.-]+" width="1" height="1" alt="" '
                                   r'style="display:none">')
                if len(pixel.findall(got)) != 1: bad("%s: no open pixel" % where)
                got = pixel.sub("", got)
                want = re.sub(r'href="(https?://[^"]*)"',
                              lambda m: m.group(0) if m.group(1).startswith(base_url)
                              else 'href="' + base_url + '/c/TRACKED"', want)
                got = re.sub(re.escape(base_url) + r"/c/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+",
                             base_url + "/c/TRACKED", got)
            token = re.compile(re.escape(base_url) + r"/([up])/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
            got, want = token.sub(r"LINK/\1", got), token.sub(r"LINK/\1", want)
            return got.rstrip("\n") == want.replace("\r\n", "\n").rstrip("\n")
        if not same(text, p["text"]): bad("%s: the text differs from the preview" % where)
        if not same(html, p["html"], True): bad("%s: the HTML differs from the preview" % where)

twice = [k for k, n in seen.items() if n > 1]
if twice: bad("received twice: %s" % twice)
for key, m in outbox.items():
    if m["status"] != "sent": bad("%s: %s (%s)" % (key, m["status"], m["detail"]))
    elif key not in seen: bad("%s: sent, never received" % key)
steps = collections.Counter((m["step"], m["language"]) for m in outbox.values()
                            if m["campaign"] == "winback")
for step in ("come_back", "incentive", "last_chance"):
    for language in ("tr", "fa", "en"):
        if not steps[(step, language)]: bad("no %s message in %s" % (step, language))
print("checked %d emails: %s" % (len(files), dict(collections.Counter(
    "%s/%s/%s" % (m["campaign"], m["step"], m["language"]) for m in outbox.values()))))
sys.exit(1 if failures else 0)
PY
check
finish
