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
finish() {
  echo "$((CHECKS - FAILURES)) passed, $FAILURES failed"
  [ "$FAILURES" -eq 0 ]
}
