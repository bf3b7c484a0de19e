#!/usr/bin/env bash
# `winback send` DKIM-signs every email when [channels.email] sets dkim_domain: through the smtp
# channel (the loopback aiosmtpd receiver) and the file channel, every message verifies with
# dkimpy against the public key made here. Without WINBACK_DKIM_PRIVATE_KEY, or with a key that
# does not parse, send exits 2 naming the variable before anything is sent, and no output ever
# holds the key; dkim_domain without dkim_selector is a config error with the file and line.
# Usage: dkim_test.sh WINBACK SCRATCH OUTBOX_FILL SMTP_RECEIVER_PY DKIM_VERIFY_PY
WINBACK=$1
SCRATCH=$2
FILL=$3
RECEIVER=$4
VERIFY=$5
source "$(dirname "$0")/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

# A fresh key pair (no private key in the tree) and the TXT record that would publish it.
openssl genrsa -out dkim.pem 2048 2>/dev/null || { echo "FAIL: openssl genrsa" >&2; exit 1; }
echo "v=DKIM1; k=rsa; p=$(openssl pkey -in dkim.pem -pubout -outform DER | base64 -w0)" >record.txt
SECRET_LINE=$(sed -n 3p dkim.pem)  # A line of the key's body: no output may contain it.
: >"$SCRATCH/all_output"
# run CODE CMD...: expect_exit, keeping every output for the final check.
run() {
  expect_exit "$@"
  printf '%s\n%s\n' "$OUT" "$ERR" >>"$SCRATCH/all_output"
}

start_receiver "$RECEIVER"

export WINBACK_SIGNING_KEY=0123456789abcdef0123456789abcdef-dkim-test
unset WINBACK_DKIM_PRIVATE_KEY
write_config() {  # write_config DIR TRANSPORT URL [SELECTOR LINE]
  local selector=${4-'dkim_selector = "e2e"'}
  mkdir -p "$1"
  cat >"$1/winback.toml" <<TOML
[store]
database = "winback.db"

[policy]
quiet_hours = { start = "00:00", end = "00:00" }

[[campaign]]
name = "winback"
trigger = "winback"

[[campaign.step]]
name = "first"

[channels.email]
transport = "$2"
url = "$3"
from = "Shop <shop@example.com>"
timeout_seconds = 5
dkim_domain = "example.com"
$selector
TOML
  "$FILL" "$1/winback.db" 3 || fail "outbox_fill $1"
}

# smtp: refused without a usable key, then every message signed.
write_config smtp smtp "smtp://127.0.0.1:$PORT"
cd smtp || exit 1
run 2 "$WINBACK" send
expect_contains "$ERR" "WINBACK_DKIM_PRIVATE_KEY is not set"
expect_contains "$ERR" 'dkim_domain = "example.com"'
run 2 env WINBACK_DKIM_PRIVATE_KEY="$(head -c 600 ../dkim.pem)" "$WINBACK" send
expect_contains "$ERR" "WINBACK_DKIM_PRIVATE_KEY: does not parse"
run 2 env WINBACK_DKIM_PRIVATE_KEY="not a key" "$WINBACK" send
expect_contains "$ERR" "WINBACK_DKIM_PRIVATE_KEY: is not PEM text"
check
[ -z "$(ls -A "$SCRATCH/received" 2>/dev/null | grep json)" ] || fail "a refused run sent mail"
run 0 env WINBACK_DKIM_PRIVATE_KEY="$(cat ../dkim.pem)" "$WINBACK" send --json
expect_contains "$OUT" '"sent": 3'
mkdir -p "$SCRATCH/smtp_eml"
/usr/bin/python3 - "$SCRATCH/received" "$SCRATCH/smtp_eml" <<'PY' || fail "extracting received mail"
import glob, json, os, sys
for path in glob.glob(os.path.join(sys.argv[1], "*.json")):
    with open(path) as f:
        data = json.load(f)["data"]
    name = os.path.basename(path).replace(".json", ".eml")
    with open(os.path.join(sys.argv[2], name), "wb") as f:
        f.write(data.encode("latin-1"))
PY
cd "$SCRATCH" || exit 1
run 0 /usr/bin/python3 "$VERIFY" record.txt e2e example.com smtp_eml/*.eml
check
[ "$(echo "$OUT" | grep -c ': pass$')" = 3 ] || fail "3 signed messages by smtp expected: $OUT"

# file: the same bytes, signed, in the outbox folder.
write_config file file outbox
cd file || exit 1
run 0 env WINBACK_DKIM_PRIVATE_KEY="$(cat ../dkim.pem)" "$WINBACK" send --json
expect_contains "$OUT" '"sent": 3'
cd "$SCRATCH" || exit 1
run 0 /usr/bin/python3 "$VERIFY" record.txt e2e example.com file/outbox/*.eml
check
[ "$(echo "$OUT" | grep -c ': pass$')" = 3 ] || fail "3 signed messages in files expected: $OUT"
# A tampered copy fails.
sed 's/^Subject: /Subject: Re: /' "$(ls file/outbox/*.eml | head -1)" >tampered.eml
run 1 /usr/bin/python3 "$VERIFY" record.txt e2e example.com tampered.eml
expect_contains "$OUT" "tampered.eml: fail"

# Config: dkim_domain without dkim_selector, with the file and line.
write_config nosel file outbox "# no selector"
cd nosel || exit 1
run 2 env WINBACK_DKIM_PRIVATE_KEY="$(cat ../dkim.pem)" "$WINBACK" send
expect_contains "$ERR" "winback.toml:19: channels.email: dkim_domain needs dkim_selector"
cd "$SCRATCH" || exit 1

check
if grep -qF -- "$SECRET_LINE" "$SCRATCH/all_output"; then fail "an output holds the private key"; fi
finish
