#!/usr/bin/env bash
# Sending throughput: `winback send` delivering N email messages over SMTP into Postfix's
# smtp-sink on 127.0.0.1, beside the rate Postfix's own smtp-source reaches against the same
# sink in the same run (the floor this machine and the sink allow for one connection).
# Usage: bench/send/send_bench.sh BUILD_DIR [N]   (needs the dev or release build's winback and
# winback_outbox_fill, and Debian's postfix for smtp-sink and smtp-source)
set -euo pipefail
BUILD=$(cd "${1:?usage: send_bench.sh BUILD_DIR [N]}" && pwd)
N=${2:-20000}
WINBACK=$BUILD/winback
FILL=$BUILD/tests/e2e/winback_outbox_fill
for tool in /usr/sbin/smtp-sink /usr/sbin/smtp-source; do
  [ -x "$tool" ] || { echo "send_bench: $tool missing (apt-get install postfix)" >&2; exit 1; }
done
[ -x "$FILL" ] || { echo "send_bench: $FILL missing (build with tests on)" >&2; exit 1; }
WORK=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000))
/usr/sbin/smtp-sink -u "$(id -un)" 127.0.0.1:$PORT 256 &
SINK=$!
trap 'kill $SINK 2>/dev/null; wait $SINK 2>/dev/null; rm -rf "$WORK"' EXIT
sleep 0.5
cd "$WORK"
cat >winback.toml <<TOML
[policy]
quiet_hours = { start = "00:00", end = "00:00" }
frequency_cap = { messages = 1000, days = 1 }
[[campaign]]
name = "winback"
trigger = "winback"
[[campaign.step]]
name = "first"
[channels.email]
transport = "smtp"
url = "smtp://127.0.0.1:$PORT"
from = "Shop <shop@example.com>"
TOML
export WINBACK_SIGNING_KEY=0123456789abcdef0123456789abcdef-bench
"$FILL" winback.db "$N" >/dev/null
start=$(date +%s.%N)
"$WINBACK" send --json >send.json
end=$(date +%s.%N)
sent=$(/usr/bin/python3 -c 'import json; print(json.load(open("send.json"))["sent"])')
winback_rate=$(/usr/bin/python3 -c "print($sent / ($end - $start))")
# The same number of messages of a similar size through smtp-source, one connection.
size=3000
start=$(date +%s.%N)
/usr/sbin/smtp-source -c -l "$size" -m "$N" -s 1 -f shop@example.com -t c@example.com \
  127.0.0.1:$PORT >/dev/null
end=$(date +%s.%N)
source_rate=$(/usr/bin/python3 -c "print($N / ($end - $start))")
printf 'winback send: %d messages in one process: %.0f messages/s\n' "$sent" "$winback_rate"
printf 'smtp-source:  %d messages, one connection: %.0f messages/s\n' "$N" "$source_rate"
printf 'ratio: %.2f\n' "$(/usr/bin/python3 -c "print($winback_rate / $source_rate)")"
