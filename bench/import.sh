#!/usr/bin/env bash
# Import benchmark: about one million members into SQLite and into PostgreSQL, side by side in one run.
# Usage: bench/import.sh [households] (default 200000, which gives ~1.0M members with seed 1).
# PostgreSQL: TAMWIN_BENCH_POSTGRES_URL (a server where the user may CREATE DATABASE), default the local
# cluster set up by scripts/test.sh. Figures go into bench/README.md by hand, with date and machine.
set -euo pipefail
cd "$(dirname "$0")/.."
households="${1:-200000}"
pg="${TAMWIN_BENCH_POSTGRES_URL:-postgres://tamwin:tamwin@localhost/tamwin_test}"
work="$(mktemp -d)"
cargo build --release -q -p tamwin
bin=./target/release/tamwin
echo "== generate $households households into $work/data"
/usr/bin/time -f "generate: %e s, max RSS %M KiB" $bin generate --households "$households" --seed 1 --out "$work/data"
echo "members: $(($(wc -l < "$work/data/members.csv") - 1))"
echo "== import into SQLite"
/usr/bin/time -f "sqlite import: %e s wall, max RSS %M KiB" \
  $bin --database-url "sqlite://$work/bench.db" import "$work/data" --rejects "$work/rejects-sqlite.csv"
echo "== import into PostgreSQL"
db="tamwin_bench_$$"
psql "$pg" -qc "CREATE DATABASE $db"
/usr/bin/time -f "postgres import: %e s wall, max RSS %M KiB" \
  $bin --database-url "${pg%/*}/$db" import "$work/data" --rejects "$work/rejects-pg.csv"
psql "$pg" -qc "DROP DATABASE $db"
rm -rf "$work"
