#!/usr/bin/env bash
# Civil-registry bulk load: persons.csv into SQLite and into PostgreSQL, side by side in one run.
# Usage: bench/civil_load.sh [households] (default 1000000, ~5M persons; 9000000 gives the national ~46M).
# PostgreSQL: TAMWIN_BENCH_POSTGRES_URL (a server where the user may CREATE DATABASE), default the local
# cluster set up by scripts/test.sh. TAMWIN_BENCH_SKIP_SQLITE=1 loads PostgreSQL only (the national run).
# Figures go into bench/README.md by hand, with date and machine.
set -euo pipefail
cd "$(dirname "$0")/.."
households="${1:-1000000}"
pg="${TAMWIN_BENCH_POSTGRES_URL:-postgres://tamwin:tamwin@localhost/tamwin_test}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p tamwin
bin=./target/release/tamwin
echo "== generate $households households into $work/data"
/usr/bin/time -f "generate: %e s, max RSS %M KiB" $bin generate --households "$households" --seed 1 --out "$work/data"
echo "persons.csv: $(($(wc -l < "$work/data/persons.csv") - 1)) rows, $(du -h "$work/data/persons.csv" | cut -f1)"
# Only persons.csv is loaded: the ration files go, leaving the disk to the database (7 GB nationally).
rm -f "$work"/data/{agents,households,members,holds}.csv
if [ -z "${TAMWIN_BENCH_SKIP_SQLITE:-}" ]; then
  echo "== load into SQLite"
  /usr/bin/time -f "sqlite load: %e s wall, max RSS %M KiB" \
    $bin --database-url "sqlite://$work/bench.db" hub load "$work/data" --rejects "$work/rejects-sqlite.csv"
  rm -f "$work"/bench.db*
fi
echo "== load into PostgreSQL"
db="tamwin_bench_$$"
psql "$pg" -qc "CREATE DATABASE $db"
/usr/bin/time -f "postgres load: %e s wall, max RSS %M KiB" \
  $bin --database-url "${pg%/*}/$db" hub load "$work/data" --rejects "$work/rejects-pg.csv"
psql "${pg%/*}/$db" -Atc "SELECT 'postgres rows: ' || COUNT(*) || ', table+index size: ' || pg_size_pretty(pg_total_relation_size('civil_persons')) FROM civil_persons"
psql "$pg" -qc "DROP DATABASE $db"
