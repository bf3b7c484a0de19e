# Helpers for the end-to-end scripts. Each check prints what failed and counts it.
set -u
FAILURES=0
CHECKS=0
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
check() { CHECKS=$((CHECKS + 1)); }
# expect_exit CODE CMD...: runs CMD, stores stdout/stderr in $OUT/$ERR, checks the exit code.
expect_exit() {
  local want=$1; shift
  check
  OUT=$("$@" 2>"$SCRATCH/stderr"); local got=$?
  ERR=$(cat "$SCRATCH/stderr")
  if [ "$got" != "$want" ]; then
    fail "'$*' exited $got, expected $want; stderr: $ERR"
  fi
}
expect_contains() {  # expect_contains HAYSTACK NEEDLE
  check
  case "$1" in *"$2"*) ;; *) fail "expected to find '$2' in: $1" ;; esac
}
# start_serve [ARGS...]: `winback serve --listen 127.0.0.1:0 ARGS` in the background from the
# current folder, its output in serve.out and serve.err (appended to, so a restarted server's
# errors stay); waits up to 30 s for its "listening on" line and sets SERVE_PID and SERVER (its
# base URL, http or https). Exits the script when it does not start.
start_serve() {
  : >serve.out
  "$WINBACK" serve --listen 127.0.0.1:0 "$@" >serve.out 2>>serve.err &
  SERVE_PID=$!
  for _ in $(seq 300); do grep -q "listening on" serve.out 2>/dev/null && break; sleep 0.1; done
  SERVER=$(sed -n 's/.*listening on \(https\{0,1\}:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' serve.out)
  [ -n "$SERVER" ] || { echo "FAIL: winback serve did not start: $(cat serve.err)" >&2; exit 1; }
}
# stop_serve [SIGNAL]: sends SIGNAL (default TERM) to the server start_serve started, waits for
# it and sets SERVE_RC to its exit status (empty when none was running).
stop_serve() {
  SERVE_RC=
  [ -n "${SERVE_PID:-}" ] || return 0
  kill "-${1:-TERM}" "$SERVE_PID" 2>/dev/null
  wait "$SERVE_PID" 2>/dev/null
  SERVE_RC=$?
  SERVE_PID=
}
# At exit, the server and the receiver started here are stopped by their PIDs. A script with a
# trap of its own calls stop_started in it.
stop_started() {
  stop_serve
  if [ -n "${RECEIVER_PID:-}" ]; then
    kill "$RECEIVER_PID" 2>/dev/null
    wait "$RECEIVER_PID" 2>/dev/null
  fi
}
trap stop_started EXIT
SERVE_PID=
RECEIVER_PID=
finish() {
  echo "$((CHECKS - FAILURES)) passed, $FAILURES failed"
  [ "$FAILURES" -eq 0 ]
}
# start_receiver SCRIPT: starts a loopback receiver of src/channels/testdata (Debian's
# /usr/bin/python3) that records into $SCRATCH/received (stopped by its PID when the script
# exits), waits for its port file and sets PORT. Exits the script when it does not start.
start_receiver() {
  /usr/bin/python3 "$1" "$SCRATCH/port" "$SCRATCH/received" &
  RECEIVER_PID=$!
  for _ in $(seq 100); do [ -s "$SCRATCH/port" ] && break; sleep 0.1; done
  [ -s "$SCRATCH/port" ] || { echo "FAIL: the receiver $1 did not start" >&2; exit 1; }
  PORT=$(cat "$SCRATCH/port")
}

# set_config FILE [SECTION.]KEY=VALUE ...: sets lines of a winback.toml. Each line that starts
# with `KEY =` (so commented examples stay) in [SECTION], or in any section when none is given,
# becomes `KEY = VALUE`, VALUE as written (TOML: strings in double quotes). Fails, writing
# nothing, when a setting matches no line.
set_config() {
  /usr/bin/python3 - "$@" <<'PY'
import sys
path, settings = sys.argv[1], sys.argv[2:]
lines = open(path).read().split("\n")
wanted = []
for setting in settings:
    target, value = setting.split("=", 1)
    section, _, key = target.rpartition(".")
    wanted.append(["[%s]" % section if section else None, key, value, 0])
section = None
for i, line in enumerate(lines):
    if line.startswith("["):
        section = line.strip()
    for want in wanted:
        if want[0] in (None, section) and line.startswith(want[1] + " ="):
            lines[i] = "%s = %s" % (want[1], want[2])
            want[3] += 1
missing = [w[1] for w in wanted if w[3] == 0]
if missing:
    sys.exit("set_config: %s has no line for %s" % (path, ", ".join(missing)))
open(path, "w").write("\n".join(lines))
PY
}

# init_smtp_project BASE_URL: `winback init .` in the current folder, then email over SMTP to the
# receiver on $PORT (start_receiver first), links under BASE_URL, no holdout, and the server's
# journey loop off (for tests that plan their own days: the loop would plan the wall clock's).
init_smtp_project() {
  expect_exit 0 "$WINBACK" init .
  set_config winback.toml 'channels.email.transport="smtp"' \
    "channels.email.url=\"smtp://127.0.0.1:$PORT\"" "base_url=\"$1\"" 'holdout=0.0' \
    'plan_interval_seconds=0' || fail "winback.toml not edited"
  check; grep -q "^base_url = \"$1\"" winback.toml || fail "winback.toml not edited"
  grep -q "^plan_interval_seconds = 0" winback.toml || fail "the journey loop was not turned off"
}
