#!/usr/bin/env bash
# The nightly reconciliation against the reference civil registry, on SQLite and on PostgreSQL side by
# side in one run: the ration registry imported and the registry loaded in the same database (the
# embedded set-up: in-process hub, signed CRVS searches of up to 1,000 IDs, evidence per member).
# Usage: bench/reconcile.sh [households] (default 200000, ~1M members).
# PostgreSQL: TAMWIN_BENCH_POSTGRES_URL (a server where the user may CREATE DATABASE), default the local
# cluster set up by scripts/test.sh. Figures go into bench/README.md by hand, with date and machine.
set -euo pipefail
cd "$(dirname "$0")/.."
households="${1:-200000}"
pg="${TAMWIN_BENCH_POSTGRES_URL:-postgres://tamwin:tamwin@localhost/tamwin_test}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p tamwin
bin=./target/release/tamwin
echo "== generate $households households into $work/data"
$bin generate --households "$households" --seed 1 --out "$work/data" > /dev/null
run() {
  local name="$1" url="$2"
  echo "== $name"
  $bin --database-url "$url" import "$work/data" --rejects "$work/rejects-$name.csv" | tail -1
  $bin --database-url "$url" hub load "$work/data" --rejects "$work/civil-rejects-$name.csv" | tail -1
  /usr/bin/time -f "$name reconcile: %e s wall, max RSS %M KiB" \
    $bin --database-url "$url" hub reconcile --batch 500
}
run sqlite "sqlite://$work/bench.db"
rm -f "$work"/bench.db*
db="tamwin_bench_rc_$$"
psql "$pg" -qc "CREATE DATABASE $db"
run postgres "${pg%/*}/$db"
psql "$pg" -qc "DROP DATABASE $db"
