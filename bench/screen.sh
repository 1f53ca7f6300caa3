#!/usr/bin/env bash
# Screening, Tamwin against Splink 5 (DuckDB) side by side on the same generated files, one run.
# Usage: bench/screen.sh [households] [tier] [seed]   (default 400000 standard 1: about 2.09M members)
# Both do the same three jobs: duplicates across cards, members against deaths, members against exits.
# Splink gets the names Tamwin keyed (tamwin screen --normalise-to, counted in its time). Tamwin then
# runs once more with the civil registry and the collections for the fictitious and silent kinds (Splink
# has no such jobs). Both are
# scored against the truth by bench/screen_eval.py; figures go into bench/README.md by hand.
# TAMWIN_BENCH_SKIP_SPLINK=1 runs Tamwin alone (the national run). Keep the work directory with
# TAMWIN_BENCH_KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
households="${1:-400000}"
tier="${2:-standard}"
seed="${3:-1}"
work="${TAMWIN_BENCH_DIR:-$(mktemp -d)}"
[ "${TAMWIN_BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
cargo build --release -q -p tamwin
bin=./target/release/tamwin
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== generate $households households, tier $tier, seed $seed"
/usr/bin/time -f "generate: %e s, max RSS %M KiB" \
  $bin generate --screening --households "$households" --tier "$tier" --seed "$seed" --out "$work/data"
d="$work/data"
echo "== tamwin: duplicates, deaths, exits"
/usr/bin/time -f "tamwin: %e s wall, %U s user, max RSS %M KiB" \
  $bin screen --people "$d/people.csv" --deaths "$d/deaths.csv" --exits "$d/exits.csv" \
  --as-of 2026-01-01 --out "$work/tamwin.csv"
if [ "${TAMWIN_BENCH_SKIP_SPLINK:-0}" != 1 ]; then
  echo "== tamwin: the same with the civil registry and collections (fictitious, silent)"
  /usr/bin/time -f "tamwin with registry: %e s wall, max RSS %M KiB" \
    $bin screen --people "$d/people.csv" --deaths "$d/deaths.csv" --exits "$d/exits.csv" \
    --registry "$d/registry.csv" --collections "$d/collections.csv" --as-of 2026-01-01 --out "$work/tamwin-registry.csv" | tail -12
  echo "== splink: keyed names, then its three jobs"
  bench/splink/setup.sh > /dev/null
  /usr/bin/time -f "splink keyed input (tamwin screen --normalise-to): %e s wall" \
    $bin screen --people "$d/people.csv" --deaths "$d/deaths.csv" --exits "$d/exits.csv" \
    --normalise-to "$work/norm"
  /usr/bin/time -f "splink: %e s wall, %U s user, max RSS %M KiB" \
    bench/splink/.venv/bin/python bench/splink/screen_splink.py "$work/norm" --out "$work/splink.csv" \
    --threads "$(nproc)" > "$work/splink.json" 2> "$work/splink.err" || { tail -20 "$work/splink.err"; exit 1; }
  grep -E "^splink" "$work/splink.err" || true
  tail -1 "$work/splink.json"
  echo "== quality (by decision: review = at or above 0.5, hold = at or above 0.99 or Tamwin's hold)"
  python3 bench/screen_eval.py --truth "$d/truth.csv" --results "$work/tamwin-registry.csv" --label "tamwin $tier" --decisions 0.5,0.99
  python3 bench/screen_eval.py --truth "$d/truth.csv" --results "$work/splink.csv" --label "splink $tier" --decisions 0.5,0.99
fi
