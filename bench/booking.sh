#!/usr/bin/env bash
# Appointment booking under load, on SQLite and on PostgreSQL side by side in one run: a Karbala
# registry imported, `tamwin serve` (release) started on it, and `tamwin bench booking` sending every
# household's booking at once over HTTP (the earliest free slot at the household's centre, so that many
# race for the same counters), then counting every slot against its capacity.
# Usage: bench/booking.sh [households] [clients] (default 2000 households, 200 clients).
# PostgreSQL: TAMWIN_BENCH_POSTGRES_URL (a server where the user may CREATE DATABASE), default the local
# cluster set up by scripts/test.sh. Figures go into bench/README.md by hand, with date and machine.
set -euo pipefail
cd "$(dirname "$0")/.."
households="${1:-2000}"
clients="${2:-200}"
pg="${TAMWIN_BENCH_POSTGRES_URL:-postgres://tamwin:tamwin@localhost/tamwin_test}"
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
cargo build --release -q -p tamwin
bin=./target/release/tamwin
echo "== generate $households Karbala households"
$bin generate --households "$households" --seed 1 --governorate 11 --out "$work/data" > /dev/null
run() {
  local name="$1" url="$2" port=18181
  echo "== $name"
  $bin --database-url "$url" import "$work/data" --rejects "$work/rejects-$name.csv" | tail -1
  local token
  token="$($bin --database-url "$url" token create --name bench --role governorate_supervisor --area 11 | sed -n 's/.*Bearer …): //p')"
  TAMWIN_DATABASE_URL="$url" TAMWIN_SMS_DISABLED=true $bin serve --listen "127.0.0.1:$port" --form-key "$work/forms.key" > "$work/serve-$name.log" 2>&1 &
  server=$!
  for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break; sleep 0.5; done
  /usr/bin/time -f "$name bench client: %e s wall, max RSS %M KiB" \
    $bin --database-url "$url" bench booking --url "http://127.0.0.1:$port" --token "$token" \
      --households "$households" --clients "$clients"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}
run sqlite "sqlite://$work/bench.db"
db="tamwin_bench_bk_$$"
psql "$pg" -qc "CREATE DATABASE $db"
run postgres "${pg%/*}/$db"
psql "$pg" -qc "DROP DATABASE $db"
