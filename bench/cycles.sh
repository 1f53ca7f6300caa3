#!/usr/bin/env bash
# Cycle generation at national scale (issue 15 point 7), PostgreSQL and SQLite in one run.
# PostgreSQL: a national registry (default 9,000,000 households, about 46 million members) written by
# bench/cycles/fill-postgres.sql; one cycle of the basket per governorate drafted by one supervisor,
# dry-run, then approved by another and generated (`tamwin cycle approve`, release build), timed
# whole; then the same rows copied by a plain `INSERT … SELECT` into the same table, the raw baseline.
# SQLite: one governorate (default 250,000 households) imported, its cycle generated, the same baseline.
# Usage: bench/cycles.sh [households] [sqlite_households]. TAMWIN_BENCH_POSTGRES_URL as in booking.sh;
# TAMWIN_BENCH_CYCLES_DB names an already filled database to reuse (the fill takes ~12 min at 9M).
set -euo pipefail
cd "$(dirname "$0")/.."
households="${1:-9000000}"
sqlite_households="${2:-250000}"
month=2026-12
pg="${TAMWIN_BENCH_POSTGRES_URL:-postgres://tamwin:tamwin@localhost/tamwin_test}"
work="$(mktemp -d)"
db="tamwin_bench_cy_$$"
trap 'rm -rf "$work"; psql "$pg" -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null || true' EXIT
cargo build --release -q -p tamwin
bin="$(pwd)/target/release/tamwin"
timed() { # label, command…: wall seconds and max RSS of one process
  local label="$1"; shift
  /usr/bin/time -f "$label: %e s wall, max RSS %M KiB" "$@"
}
prepare() { # url: schema, programmes, two supervisors
  $bin --database-url "$1" migrate > /dev/null
  $bin --database-url "$1" programme import crates/domain/data/programmes/*.json > /dev/null
  printf 'bench supervisor one\n' | $bin --database-url "$1" user add --username ali --role governorate_supervisor --area nation > /dev/null
  printf 'bench supervisor two\n' | $bin --database-url "$1" user add --username omar --role governorate_supervisor --area nation > /dev/null
}
cycles() { # url, governorates…: draft each, print the ids
  local url="$1"; shift
  for g in "$@"; do
    $bin --database-url "$url" cycle draft --programme iq-pds --month $month --governorate "$g" --as ali | awk '{print $1}'
  done
}

echo "== PostgreSQL: $households households"
if [ -n "${TAMWIN_BENCH_CYCLES_DB:-}" ]; then
  # A database filled by an earlier run of this script's fill (prepared, no cycles yet): kept.
  db="$TAMWIN_BENCH_CYCLES_DB"; trap 'rm -rf "$work"' EXIT
  url="${pg%/*}/$db"
  $bin --database-url "$url" migrate > /dev/null
  # Back to no cycles: an earlier run's partitions, cycles and generation jobs go.
  psql "$url" -qc "TRUNCATE entitlements CASCADE" 2>/dev/null
  for t in $(psql "$url" -tAc "SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'entitlements'::regclass"); do
    psql "$url" -qc "ALTER TABLE entitlements DETACH PARTITION $t" -qc "DROP TABLE $t"
  done
  psql "$url" -qc "DROP TABLE IF EXISTS bench_saved, bench_bare" \
    -qc "DELETE FROM cycles" \
    -qc "DELETE FROM job_runs WHERE job = 'cycles.generate'" -qc "DELETE FROM job_requests WHERE job = 'cycles.generate'"
else
  psql "$pg" -qc "CREATE DATABASE $db"
  url="${pg%/*}/$db"
  prepare "$url"
  start=$(date +%s.%N)
  psql "$url" -q -v households="$households" -f bench/cycles/fill-postgres.sql
  psql "$url" -qc "VACUUM ANALYZE"
fi
echo "registry: $(psql "$url" -tAc 'SELECT count(*) FROM households') households, $(psql "$url" -tAc 'SELECT count(*) FROM members') members"
govs=$(psql "$url" -tAc "SELECT code FROM governorates ORDER BY code")
ids=$(cycles "$url" $govs)
timed "national dry run (one command)" $bin --database-url "$url" cycle dry-run --programme iq-pds --month $month > "$work/dry.txt"
head -1 "$work/dry.txt"
timed "Karbala's dry run" $bin --database-url "$url" cycle dry-run --programme iq-pds --month $month --governorate 11 > "$work/karbala.txt"
head -1 "$work/karbala.txt"
for id in $ids; do
  $bin --database-url "$url" cycle approve "$id" --as omar --no-generate > /dev/null
done
start=$(date +%s.%N)
timed "national generation (one command)" $bin --database-url "$url" cycle generate > /dev/null
gen=$(echo "$(date +%s.%N) - $start" | bc)
rows=$(psql "$url" -tAc "SELECT count(*) FROM entitlements")
echo "national generation: $gen s for $rows entitlements ($(echo "$rows / $gen" | bc) rows/s)"
psql "$url" -q <<SQL
CREATE TABLE bench_saved AS SELECT * FROM entitlements;
TRUNCATE entitlements CASCADE;
CHECKPOINT;
SQL
start=$(date +%s.%N)
psql "$url" -qc "INSERT INTO entitlements SELECT * FROM bench_saved"
base=$(echo "$(date +%s.%N) - $start" | bc)
echo "plain INSERT … SELECT of the same rows: $base s ($(echo "$rows / $base" | bc) rows/s); generation runs at $(echo "scale=2; $base * 100 / $gen" | bc) % of it"
# The floor under both: the same rows copied into a new table with no index, key or constraint.
start=$(date +%s.%N)
psql "$url" -qc "CREATE TABLE bench_bare AS SELECT * FROM bench_saved"
bare=$(echo "$(date +%s.%N) - $start" | bc)
echo "bare copy into an unindexed table: $bare s ($(echo "$rows / $bare" | bc) rows/s); generation runs at $(echo "scale=2; $bare * 100 / $gen" | bc) % of it"

echo "== SQLite: $sqlite_households households of Karbala"
sq="$work/bench.db"
$bin generate --households "$sqlite_households" --seed 1 --governorate 11 --out "$work/data" > /dev/null
$bin --database-url "sqlite://$sq" import "$work/data" --rejects "$work/rejects.csv" | tail -1
prepare "sqlite://$sq"
id=$(cycles "sqlite://$sq" 11)
timed "SQLite dry run" $bin --database-url "sqlite://$sq" cycle dry-run "$id" > /dev/null
$bin --database-url "sqlite://$sq" cycle approve "$id" --as omar --no-generate > /dev/null
start=$(date +%s.%N)
timed "SQLite generation" $bin --database-url "sqlite://$sq" cycle generate > /dev/null
gen=$(echo "$(date +%s.%N) - $start" | bc)
rows=$(sqlite3 "$sq" "SELECT count(*) FROM entitlements")
sqlite3 "$sq" "CREATE TABLE bench_saved AS SELECT * FROM entitlements; DELETE FROM entitlements;"
start=$(date +%s.%N)
sqlite3 "$sq" "PRAGMA foreign_keys = ON; INSERT INTO entitlements SELECT * FROM bench_saved;"
base=$(echo "$(date +%s.%N) - $start" | bc)
echo "SQLite: generation $gen s for $rows entitlements; plain INSERT … SELECT $base s; generation at $(echo "scale=2; $base * 100 / $gen" | bc) % of it"
