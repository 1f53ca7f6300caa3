#!/usr/bin/env bash
# The fictitious kind through the hub (issue 14): the direct read of the civil registry that screening
# did before, beside the hub's batched search in-process and over HTTP, one process, one run.
# Usage: bench/fictitious.sh [households] [tier] [seed]   (default 400000 standard 1: about 2.09M members)
# The database: TAMWIN_BENCH_DATABASE_URL (default a fresh SQLite file in the work directory; a
# PostgreSQL URL works too, its civil registry loaded when empty). Figures go into bench/README.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
households="${1:-400000}"
tier="${2:-standard}"
seed="${3:-1}"
work="${TAMWIN_BENCH_DIR:-$(mktemp -d)}"
[ "${TAMWIN_BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
cargo build --release -q -p tamwin
bin=./target/release/tamwin
db="${TAMWIN_BENCH_DATABASE_URL:-sqlite://$work/bench.db}"
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load:$(uptime | sed 's/.*load average//')"
if [ ! -f "$work/data/people.csv" ]; then
  echo "== generate $households households, tier $tier, seed $seed"
  $bin generate --screening --households "$households" --tier "$tier" --seed "$seed" --out "$work/data" > /dev/null
fi
echo "== fictitious kind: direct read, hub in-process, hub over HTTP ($db)"
/usr/bin/time -f "whole bench: %e s wall, max RSS %M KiB" \
  $bin --database-url "$db" bench fictitious "$work/data"
echo "== load after:$(uptime | sed 's/.*load average//')"
