#!/usr/bin/env bash
# Resuming an interrupted import: `households` synthetic households (default 20000, seed 1), the first
# half imported as an interrupted run leaves them (whole batches committed), then the same command on
# the whole file, timed, into SQLite and into PostgreSQL side by side.
# Usage: bench/import-resume.sh [households]. TAMWIN_BIN picks the binary (default: the release build,
# built here); PostgreSQL: TAMWIN_BENCH_POSTGRES_URL as in bench/import.sh. Figures go into
# bench/README.md by hand, with date and machine.
set -euo pipefail
export TAMWIN_LOG="${TAMWIN_LOG:-warn}"
cd "$(dirname "$0")/.."
households="${1:-20000}"
pg="${TAMWIN_BENCH_POSTGRES_URL:-postgres://tamwin:tamwin@localhost/tamwin_test}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -z "${TAMWIN_BIN:-}" ]; then
  cargo build --release -q -p tamwin
  bin=./target/release/tamwin
else
  bin="$TAMWIN_BIN"
fi
$bin generate --households "$households" --seed 1 --out "$work/data" > /dev/null
# The first half of the households with their member and hold rows (rows are grouped by card).
mkdir "$work/half"
head -n $((households / 2 + 1)) "$work/data/households.csv" > "$work/half/households.csv"
cut -d, -f1 "$work/half/households.csv" | tail -n +2 > "$work/half/cards"
for f in members.csv holds.csv; do
  [ -f "$work/data/$f" ] || continue
  awk -F, 'NR == FNR { c[$1] = 1; next } FNR == 1 || ($1 in c)' "$work/half/cards" "$work/data/$f" > "$work/half/$f"
done
[ -f "$work/data/agents.csv" ] && cp "$work/data/agents.csv" "$work/half/"
rm "$work/half/cards"
run() { # name url
  echo "== $1: first half"
  $bin --database-url "$2" import "$work/half" --rejects "$work/rejects-half-$1.csv" | tail -n 1
  echo "== $1: the whole file again (resume)"
  /usr/bin/time -f "$1 resume: %e s wall, max RSS %M KiB" \
    $bin --database-url "$2" import "$work/data" --rejects "$work/rejects-$1.csv" | tail -n 1
}
run sqlite "sqlite://$work/bench.db"
db="tamwin_resume_$$"
psql "$pg" -qc "CREATE DATABASE $db"
run postgres "${pg%/*}/$db"
psql "$pg" -qc "DROP DATABASE $db"
