#!/usr/bin/env bash
# winback.toml through the binary: the example of `winback init` and `winback demo` loads
# cleanly for every command that reads it; a misspelled section or key, a wrong type or an
# out-of-range value in any section exits 2 naming the file, the line and the name.
WINBACK=$1
SCRATCH=$2
source "$(dirname "$0")/../e2e/lib.sh"
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

# The example written by init, with a small store, for every command that reads the config.
expect_exit 0 "$WINBACK" init
cat > customers.csv <<'CSV'
id,email,country
c1,a@example.com,TR
c2,b@example.com,DE
CSV
cat > orders.csv <<'CSV'
id,customer_id,time,amount,currency,status
o1,c1,2024-01-05T10:00:00Z,10.00,EUR,completed
o2,c1,2024-03-05T10:00:00Z,20.00,EUR,completed
o3,c2,2024-02-01T10:00:00Z,15.00,EUR,completed
CSV
expect_exit 0 "$WINBACK" import --customers customers.csv --orders orders.csv
expect_contains "$OUT" "imported into winback.db"
for cmd in "stats" "customer c1" "score --as-of 2024-06-30 --no-models" "segments" "rates" \
           "cohorts" "report --as-of 2024-06-30 --json"; do
  # shellcheck disable=SC2086
  expect_exit 0 "$WINBACK" $cmd
  # shellcheck disable=SC2086
  expect_exit 0 "$WINBACK" --config winback.toml $cmd
done

# A misspelled section is an error for every command, not only for those that read it.
{ cat winback.toml; printf '\n[inactivty]\ncombine = "any"\n'; } > typo.toml
LINE=$(grep -n '^\[inactivty\]' typo.toml | cut -d: -f1)
for cmd in "stats" "customer c1" "import --orders orders.csv" "score --as-of 2024-06-30" \
           "segments" "rates" "cohorts" "report --as-of 2024-06-30 --json"; do
  # shellcheck disable=SC2086
  expect_exit 2 "$WINBACK" --config typo.toml $cmd
  expect_contains "$ERR" "typo.toml:$LINE: [inactivty]: unknown section; did you mean [inactivity]?"
done
printf '[store]\ndatabase = "winback.db"\n[shop]\n' > later.toml
expect_exit 2 "$WINBACK" --config later.toml stats
expect_contains "$ERR" "later.toml:3: [shop]: unknown section; the sections are [store], [import], [inactivity]"
printf 'database = "winback.db"\n' > loose.toml
expect_exit 2 "$WINBACK" --config loose.toml stats
expect_contains "$ERR" "loose.toml:1: database: a key outside any section; did you mean [store] database?"
# The default ./winback.toml is checked the same way.
mkdir -p typo && cp typo.toml typo/winback.toml && cp winback.db typo/
cd typo || exit 1
expect_exit 2 "$WINBACK" stats
expect_contains "$ERR" "winback.toml:$LINE: [inactivty]: unknown section"
cd .. || exit 1

# Every section: an unknown key, a wrong type and an out-of-range value (file, line, key).
bad() {  # bad EXPECTED-MESSAGE TOML-TEXT: --config bad.toml score exits 2 with the message
  printf '%b' "$2" > bad.toml
  expect_exit 2 "$WINBACK" --config bad.toml score --as-of 2024-06-30 --no-models
  expect_contains "$ERR" "$1"
}
bad 'bad.toml:2: store.databse: unknown key; did you mean database?' '[store]\ndatabse = "x.db"\n'
bad 'bad.toml:2: store.database: expected a string, got 3' '[store]\ndatabase = 3\n'
bad 'bad.toml:2: store.database: must not be empty' '[store]\ndatabase = ""\n'
bad 'bad.toml:2: import.allow_partal: unknown key; did you mean allow_partial?' '[import]\nallow_partal = true\n'
bad 'bad.toml:2: import.allow_partial: expected true or false, got "yes"' '[import]\nallow_partial = "yes"\n'
bad 'bad.toml:2: import.rejects_dir: must not be empty' '[import]\nrejects_dir = ""\n'
bad 'bad.toml:2: inactivity.combin: unknown key; did you mean combine?' '[inactivity]\ncombin = "all"\n'
bad 'bad.toml:3: inactivity.rule[1].sginal: unknown key; did you mean signal?' '[[inactivity.rule]]\ndays = 3\nsginal = "order"\n'
bad 'bad.toml:3: inactivity.rule[1].days: expected an integer in 1..36500, got "90"' '[[inactivity.rule]]\nsignal = "order"\ndays = "90"\n'
bad 'bad.toml:3: inactivity.rule[1].days: expected an integer in 1..36500, got 0' '[[inactivity.rule]]\nsignal = "order"\ndays = 0\n'
bad 'bad.toml:2: inactivity.rule[1].signal: expected "order", "email"' '[[inactivity.rule]]\nsignal = "fax"\ndays = 3\n'
bad 'bad.toml:2: rfm.monetery: unknown key; did you mean monetary?' '[rfm]\nmonetery = "mean"\n'
bad 'bad.toml:2: rfm.monetary: expected "mean" or "total", got 1' '[rfm]\nmonetary = 1\n'
bad 'bad.toml:4: rfm.segment[1].r: expected an integer in 1..5 or a range [lo, hi]' '[[rfm.segment]]\nname = "a"\ngroup = "lost"\nr = [0, 3]\n'
bad 'bad.toml:2: lifecycle.new_dayz: unknown key; did you mean new_days?' '[lifecycle]\nnew_dayz = 3\n'
bad 'bad.toml:2: lifecycle.lost_days: expected an integer in 1..36500, got "a year"' '[lifecycle]\nlost_days = "a year"\n'
bad 'bad.toml:2: lifecycle.lost_days: expected an integer in 1..36500, got 40000' '[lifecycle]\nlost_days = 40000\n'
bad 'bad.toml:1: lifecycle: need at_risk_days <= inactive_days <= lost_days' '[lifecycle]\nlost_days = 100\n'
bad 'bad.toml:2: readiness.referred_other: unknown key; did you mean referred_others?' '[readiness]\nreferred_other = 1\n'
bad 'bad.toml:2: readiness.never_complained: expected a number in [0, 1000000], got true' '[readiness]\nnever_complained = true\n'
bad 'bad.toml:2: readiness.never_complained: expected a number in [0, 1000000], got -1' '[readiness]\nnever_complained = -1\n'
bad 'bad.toml:2: let_go.payment_default: unknown key; did you mean payment_defaults?' '[let_go]\npayment_default = 1\n'
bad 'bad.toml:2: let_go.unsubscribed_everywhere: expected true or false, got 1' '[let_go]\nunsubscribed_everywhere = 1\n'
bad 'bad.toml:2: let_go.max_refund_share: expected a number in [0, 1], got 1.5' '[let_go]\nmax_refund_share = 1.5\n'
bad 'bad.toml:2: rates.curency: unknown key; did you mean currency?' '[rates]\ncurency = "EUR"\n'
bad 'bad.toml:2: rates.activity_days: expected an integer in 1..36500, got 1.5' '[rates]\nactivity_days = 1.5\n'
bad 'bad.toml:2: rates.activity_days: expected an integer in 1..36500, got 0' '[rates]\nactivity_days = 0\n'
bad "bad.toml:2: rates.currency: 'XYZ' is not an ISO 4217 currency code" '[rates]\ncurrency = "XYZ"\n'
bad 'bad.toml:3: ' '[store]\ndatabase = "x.db"\n[rates\n'

# --config names a file: a directory or a missing file is an error, not the defaults.
mkdir -p conf.d
expect_exit 2 "$WINBACK" --config conf.d stats
expect_contains "$ERR" "config file 'conf.d' is a directory"
expect_exit 2 "$WINBACK" --config conf.d score --as-of 2024-06-30
expect_contains "$ERR" "config file 'conf.d' is a directory"
expect_exit 2 "$WINBACK" --config missing.toml stats
expect_contains "$ERR" "config file 'missing.toml' does not exist"
mkdir -p dironly/winback.toml
cd dironly || exit 1
expect_exit 2 "$WINBACK" stats
expect_contains "$ERR" "config file 'winback.toml' is a directory"
cd .. || exit 1
# Without --config, no ./winback.toml means the defaults.
mkdir -p bare && cp winback.db bare/
cd bare || exit 1
expect_exit 0 "$WINBACK" score --as-of 2024-06-30 --no-models
cd .. || exit 1

# The example written by `winback demo` loads cleanly too (the demo scores with it).
expect_exit 0 "$WINBACK" demo --customers 200 --dir shop
expect_exit 0 "$WINBACK" --config shop/winback.toml segments
check; cmp -s shop/winback.toml winback.toml || fail "demo and init write different examples"

finish
