#!/usr/bin/env bash
# The command line: help, exit codes, import errors, idempotent re-import, customer and stats.
WINBACK=$1
SCRATCH=$2
source "$(dirname "$0")/lib.sh"
set -o pipefail
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH" && cd "$SCRATCH" || exit 1

for cmd in init simulate import customer stats demo fit; do
  expect_exit 0 "$WINBACK" "$cmd" --help
  expect_contains "$OUT" "Usage"
done
expect_exit 2 "$WINBACK"
expect_exit 2 "$WINBACK" frobnicate
expect_contains "$ERR" "unknown command 'frobnicate'; the commands are: init, simulate, import"
expect_exit 2 "$WINBACK" --db x.db frobnicate --json
expect_contains "$ERR" "unknown command 'frobnicate'"
expect_exit 2 "$WINBACK" stats
expect_contains "$ERR" "no winback database"

expect_exit 0 "$WINBACK" init
expect_contains "$(cat winback.toml)" "[store]"
expect_exit 2 "$WINBACK" init
expect_contains "$ERR" "exists; pass --force"

cat > customers.csv <<'CSV'
id,email,first_name,last_name,country,time_zone,language,consent_email,consent_sms
c1,ayse@example.com,Ayşe,Yılmaz,TR,Europe/Istanbul,tr,yes,no
c2,,"Sara, (Sarah)",رضایی,IR,Asia/Tehran,fa,no,yes
CSV
printf 'id,customer_id,time,amount,currency,status\r\no1,c1,2024-03-01T09:30:00+03:00,129.90,TRY,completed\r\no2,c2,2024-03-02T18:00:00+03:30,450000,IRR,completed\r\n' > orders.csv
cat > events.jsonl <<'JSON'
{"id":"e1","customer_id":"c1","type":"exit_survey","time":"2024-05-01T10:00:00+03:00","reason":"price","text":"Fiyatlar çok yükseldi"}
JSON
expect_exit 0 "$WINBACK" import --customers customers.csv --orders orders.csv --events events.jsonl
expect_contains "$OUT" "imported into winback.db"
expect_exit 0 "$WINBACK" stats --json
expect_contains "$OUT" '"customers": 2'
expect_contains "$OUT" '"orders": 2'
expect_exit 0 "$WINBACK" customer c2 --json
expect_contains "$OUT" '"last_name": "رضایی"'
expect_contains "$OUT" '"first_name": "Sara, (Sarah)"'
expect_exit 0 "$WINBACK" customer c1
expect_contains "$OUT" "Fiyatlar çok yükseldi"
expect_contains "$OUT" "exit reason price"
expect_exit 2 "$WINBACK" customer nobody
expect_contains "$ERR" "no customer with id 'nobody'"

# Re-import: nothing changes. The rows are dumped to files and compared; a failed or empty dump
# is itself a failure (a pipe into md5sum hid both: two empty dumps compare equal).
dump_store() {  # dump_store FILE
  check
  if ! sqlite3 winback.db "SELECT * FROM customers; SELECT * FROM orders;
                           SELECT * FROM customer_aggregates;" >"$1" 2>"$1.err"; then
    fail "sqlite3 could not dump winback.db: $(cat "$1.err")"
  fi
  check; [ -s "$1" ] || fail "the dump $1 of winback.db is empty"
  check; grep -q '|c1|' "$1" || fail "the dump $1 of winback.db lacks customer c1"
}
dump_store before.txt
expect_exit 0 "$WINBACK" import --customers customers.csv --orders orders.csv --events events.jsonl
expect_contains "$OUT" "0 new or changed"
dump_store after.txt
check; cmp -s before.txt after.txt ||
  fail "re-import changed the store: $(diff before.txt after.txt | head -20)"

# A bad file imports nothing and exits 2 with file:line: field: message.
printf 'id,customer_id,time,amount,currency\no3,c1,2024-03-01T09:30:00Z,1.00,TRY\no4,c1,2024-03-01T09:30:00Z,1.00,XYZ\n' > bad.csv
expect_exit 2 "$WINBACK" import --orders bad.csv
expect_contains "$ERR" "bad.csv:3: currency: 'XYZ' is not an ISO 4217 currency code"
expect_contains "$ERR" "nothing was imported"
expect_exit 0 "$WINBACK" stats --json
expect_contains "$OUT" '"orders": 2'
# --allow-partial imports the good row and writes the bad one to rejects/.
expect_exit 0 "$WINBACK" import --orders bad.csv --allow-partial --rejects rej
expect_contains "$(cat rej/bad.csv)" "o4,c1"
expect_contains "$(cat rej/bad.csv.errors.txt)" "bad.csv:3: currency"
expect_exit 0 "$WINBACK" stats --json
expect_contains "$OUT" '"orders": 3'

# Strict input (issue 13's red team), in a store of its own.
mkdir -p strict && cd strict || exit 1
W() { "$WINBACK" --db strict.db "$@"; }
printf 'id,country\nc1,TR\nc2,IR\n' > c.csv
expect_exit 0 W import --customers c.csv
# JSONL money given as a number: exact when a plain decimal, an error otherwise (1e2 was 100.00).
printf '{"id":"o1","customer_id":"c1","time":"2024-01-01T00:00:00Z","amount":1e2,"currency":"USD"}\n' > money.jsonl
expect_exit 2 W import --orders money.jsonl
expect_contains "$ERR" "money.jsonl:1: amount: '1e2' is not an amount"
printf '{"id":"o1","customer_id":"c1","time":"2024-01-01T00:00:00Z","amount":12.345,"currency":"USD"}\n' > money.jsonl
expect_exit 2 W import --orders money.jsonl
expect_contains "$ERR" "money.jsonl:1: amount: '12.345' has more decimal places than USD allows (2)"
# JSON nested 100,000 deep is an error, not a crash, in JSONL and in CSV.
deep=$(printf '%*s' 100000 '' | tr ' ' '[')$(printf '%*s' 100000 '' | tr ' ' ']')
printf '{"id":"e1","customer_id":"c1","type":"visit","time":"2024-01-01T00:00:00Z","properties":{"a":%s}}\n' "$deep" > deep.jsonl
expect_exit 2 W import --events deep.jsonl
expect_contains "$ERR" "deep.jsonl:1: properties: nested deeper than 64 levels"
printf 'id,customer_id,time,amount,currency,items\no1,c1,2024-01-01T00:00:00Z,1.00,USD,%s\n' "$deep" > deep.csv
expect_exit 2 W import --orders deep.csv
expect_contains "$ERR" "deep.csv:2: items: nested deeper than 64 levels"
# Misspelled keys are warned about; duplicate keys, boolean ids and invisible characters in ids
# are errors; numeric ids keep their exact text.
printf '{"id":"c3","e_mail":"a@b.c","stauts":1}\n{"id":"c4","stauts":2}\n' > keys.jsonl
expect_exit 0 W import --customers keys.jsonl
expect_contains "$ERR" "keys.jsonl: unknown key 'e_mail' ignored"
expect_contains "$ERR" "keys.jsonl: unknown key 'stauts' ignored"
check; [ "$(printf '%s\n' "$ERR" | grep -c stauts)" = 1 ] || fail "stauts warned more than once: $ERR"
printf '{"id":"c5","email":"a@b.c","email":"x@y.z"}\n{"id":true}\n{"id":"c\xe2\x80\x8b6"}\n' > bad.jsonl
expect_exit 2 W import --customers bad.jsonl
expect_contains "$ERR" "bad.jsonl:1: email: the key appears twice in the object"
expect_contains "$ERR" "bad.jsonl:2: id: expected a string or an integer, got true"
expect_contains "$ERR" "bad.jsonl:3: id: U+200B at byte 2 is a control, invisible"
printf '{"id":18446744073709551617}\n{"id":18446744073709551616}\n' > big.jsonl
expect_exit 0 W import --customers big.jsonl
expect_exit 0 W customer 18446744073709551617
expect_exit 0 W customer 18446744073709551616
# Country codes are checked against ISO 3166-1; instants must print with four-digit years.
printf 'id,country\nc7,UK\nc8,XX\n' > country.csv
expect_exit 2 W import --customers country.csv
expect_contains "$ERR" "country.csv:2: country: 'UK' is not an ISO 3166-1 alpha-2 country code (did you mean GB?)"
expect_contains "$ERR" "country.csv:3: country: 'XX' is not"
printf 'id,customer_id,time,amount,currency\no9,c1,9999-12-31T23:59:59-12:00,1.00,USD\n' > late.csv
expect_exit 2 W import --orders late.csv
expect_contains "$ERR" "late.csv:2: time: '9999-12-31T23:59:59-12:00' is after 9999-12-31T23:59:59Z"
# A file of another kind is refused; header errors read file:1:.
printf 'id,customer_id,time,amount,currency,status\no1,c1,2024-01-01T00:00:00Z,1.00,USD,completed\n' > orders.csv
expect_exit 2 W import --customers orders.csv
expect_contains "$ERR" "orders.csv:1: header: looks like an orders file (id,customer_id,time,amount,currency,status), not customers"
printf 'id,customer_id,time\n' > short.csv
expect_exit 2 W import --orders short.csv
expect_contains "$ERR" "short.csv:1: header: missing required column 'amount'"
# A pipe is read to its end.
check; out=$(W import --orders /dev/stdin < <(cat orders.csv) 2>&1) || fail "import from a pipe failed: $out"
expect_exit 0 W stats --json
expect_contains "$OUT" '"orders": 1'
# Unknown columns: the first ten, then a count.
printf 'id,u1,u2,u3,u4,u5,u6,u7,u8,u9,u10,u11,u12\nc1,,,,,,,,,,,,\n' > wide.csv
expect_exit 0 W import --customers wide.csv
expect_contains "$ERR" "wide.csv: unknown column 'u10' ignored"
expect_contains "$ERR" "wide.csv: and 2 more unknown columns ignored"
check; case "$ERR" in *"'u11'"*) fail "u11 listed beyond the cap: $ERR" ;; esac
# Rejects of two inputs with one base name are kept apart; messages name the paths as given.
mkdir -p a b
printf 'id,email\nc10,not-an-email\n' > a/data.csv
printf 'id,customer_id,time,amount,currency\no10,c1,2024-01-01T00:00:00Z,-1.00,USD\n' > b/data.csv
expect_exit 0 W import --customers a/data.csv --orders b/data.csv --allow-partial --rejects rej
expect_contains "$ERR" "a/data.csv:2: email"
expect_contains "$ERR" "b/data.csv:2: amount"
expect_contains "$(cat rej/customers-data.csv)" "c10,not-an-email"
expect_contains "$(cat rej/orders-data.csv)" "o10,c1"
cd .. || exit 1

# Config errors name the file, line and key.
printf '[store]\ndatabase = "x.db"\ndatabse = 1\n' > broken.toml
expect_exit 2 "$WINBACK" --config broken.toml stats
expect_contains "$ERR" "broken.toml:3: store.databse: unknown key"
expect_exit 2 "$WINBACK" --config missing.toml stats
expect_contains "$ERR" "config file 'missing.toml' does not exist"

# simulate: numbers out of range are refused with their bounds (not a double's 300 digits) and
# before anything is written; a negative seed does not wrap.
expect_exit 2 "$WINBACK" simulate --seed -1 --customers 5 --out neg
expect_contains "$ERR" "--seed: must be between 0 and 18446744073709551615"
expect_exit 2 "$WINBACK" simulate --customers 99999999999999 --out huge
expect_contains "$ERR" "--customers: must be between 1 and 100000000"
check; [ "${#ERR}" -lt 200 ] || fail "the range error is ${#ERR} bytes long: $ERR"
expect_exit 2 "$WINBACK" simulate --customers 0 --out huge
expect_contains "$ERR" "--customers: must be between 1 and 100000000"
expect_exit 2 "$WINBACK" simulate --customers 1e400 --out huge
expect_contains "$ERR" "--customers: '1e400' is not a whole number (must be between 1 and 100000000)"
check; [ ! -e neg ] && [ ! -e huge ] || fail "a refused simulate created its output directory"
# An interrupted simulate removes its temporary files and ends as the signal would (128 + 15).
"$WINBACK" simulate --customers 100000000 --threads 1 --out big 2>big.err &
pid=$!
for _ in $(seq 100); do [ -e big/customers.csv.tmp ] && break; sleep 0.1; done
sleep 0.5
kill -TERM "$pid"
wait "$pid"
got=$?
check; [ "$got" = 143 ] || fail "interrupted simulate exited $got, expected 143: $(cat big.err)"
check; [ -z "$(ls big)" ] || fail "interrupted simulate left files behind: $(ls big)"
expect_contains "$(cat big.err)" "interrupted; the partial files in big were removed"

finish
