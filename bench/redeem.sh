#!/usr/bin/env bash
# Redemption at outlets under load, on SQLite and on PostgreSQL side by side in one run (issue 16 point
# 8): a Karbala registry imported with its outlets, `tamwin serve` (release) on it, and `tamwin bench
# redeem` collecting over HTTP from 16 and then 64 devices at once, each request signed with the
# device's key; on PostgreSQL, pgbench running the same core SQL transaction (the guarded upsert of the
# line and the insert of the collection) against the same server with as many clients; then the server
# killed with kill -9 ten times under load, every acknowledged collection checked present exactly once,
# no line beyond its entitlement, and `tamwin audit verify`.
# Usage: bench/redeem.sh [households] [seconds] (default 4000 households, 20 s a run).
# While working on the figures: REDEEM_ONLY=sqlite|postgres runs one backend, REDEEM_NO_CRASH=1 skips the
# crash test (the figures for bench/README.md come from a whole run).
# PostgreSQL: TAMWIN_BENCH_POSTGRES_URL (a server where the user may CREATE DATABASE), default the local
# cluster set up by scripts/test.sh. Figures go into bench/README.md by hand, with date and machine.
set -euo pipefail
cd "$(dirname "$0")/.."
households="${1:-4000}"
seconds="${2:-20}"
pg="${TAMWIN_BENCH_POSTGRES_URL:-postgres://tamwin:tamwin@localhost/tamwin_test}"
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill -9 "$server" 2>/dev/null; rm -rf "$work"' EXIT
cargo build --release -q -p tamwin
bin=./target/release/tamwin
port=18282
echo "== generate $households Karbala households"
$bin generate --households "$households" --seed 1 --governorate 11 --out "$work/data" > /dev/null
start_server() {
  TAMWIN_DATABASE_URL="$1" TAMWIN_SMS_DISABLED=true $bin serve --listen "127.0.0.1:$port" --form-key "$work/forms.key" >> "$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && return; sleep 0.25; done
  echo "the server did not start" >&2; tail "$work/serve.log" >&2; exit 1
}
run() {
  local name="$1" url="$2"
  echo "== $name"
  $bin --database-url "$url" import "$work/data" --rejects "$work/rejects-$name.csv" | tail -1
  $bin --database-url "$url" outlet import "$work/data/outlets.csv" --rejects "$work/outlets-$name.rejects.csv" | tail -1
  start_server "$url"
  for devices in 16 64; do
    echo "-- $name, $devices devices, ${seconds} s"
    $bin --database-url "$url" bench redeem --url "http://127.0.0.1:$port" --form-key "$work/forms.key" \
      --devices "$devices" --seconds "$seconds" --acks "$work/acks-$name-$devices.txt"
    if [ "$name" = postgres ]; then
      local cycle
      cycle="$(psql "$url" -Atc "SELECT cycle_id FROM cycles WHERE status = 'open' AND programme = 'iq-pds' LIMIT 1")"
      psql "$url" -qc "DROP TABLE IF EXISTS bench_hh" \
        -c "CREATE TABLE bench_hh AS SELECT (row_number() OVER (ORDER BY household_id))::int AS n, household_id, cycle_id, agent_code FROM entitlements WHERE cycle_id = '$cycle' AND agent_code IS NOT NULL" \
        -c "ALTER TABLE bench_hh ADD PRIMARY KEY (n)"
      local rows
      rows="$(psql "$url" -Atc "SELECT count(*) FROM bench_hh")"
      cat > "$work/redeem.pgbench" <<SQL
\set n random(1, $rows)
BEGIN;
INSERT INTO entitlement_lines (household_id, cycle_id, item, quantity, redeemed) SELECT household_id, cycle_id, 'rice', 1000000, 1 FROM bench_hh WHERE n = :n ON CONFLICT (household_id, cycle_id, item) DO UPDATE SET redeemed = entitlement_lines.redeemed + excluded.redeemed WHERE entitlement_lines.redeemed + excluded.redeemed + 0 <= entitlement_lines.quantity AND entitlement_lines.redeemed + excluded.redeemed <= 9223372036854775807 RETURNING quantity, redeemed;
INSERT INTO redemptions (household_id, redemption_id, cycle_id, outlet_code, device_id, device_txn, collector_member_id, identified_by, at) SELECT household_id, gen_random_uuid()::text, cycle_id, agent_code, 'pgbench', gen_random_uuid()::text, 'm', 'qr', now()::text FROM bench_hh WHERE n = :n;
COMMIT;
SQL
      echo "-- pgbench, the same core SQL, $devices clients, ${seconds} s"
      pgbench -n -c "$devices" -j 2 -T "$seconds" -f "$work/redeem.pgbench" "$url" 2>&1 | grep -E "^(tps|latency average|number of transactions actually)"
      # pgbench's rows are not collections of the application: out before the check.
      psql "$url" -qc "UPDATE entitlement_lines l SET redeemed = redeemed - (SELECT count(*) FROM redemptions r WHERE r.device_id = 'pgbench' AND r.household_id = l.household_id AND r.cycle_id = l.cycle_id) WHERE item = 'rice'" \
        -c "DELETE FROM redemptions WHERE device_id = 'pgbench'" -c "DROP TABLE bench_hh"
    fi
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  [ -n "${REDEEM_NO_CRASH:-}" ] && return
  echo "-- $name: kill -9 ten times under load"
  for i in $(seq 1 10); do
    start_server "$url"
    $bin --database-url "$url" bench redeem --url "http://127.0.0.1:$port" --form-key "$work/forms.key" \
      --devices 16 --seconds 6 --acks "$work/crash-$name-$i.txt" > "$work/crash-$name-$i.log" 2>&1 &
    local client=$!
    # Under load: once the client has made its devices and cards and begun sending, 0.2 to 2 s in.
    for _ in $(seq 1 600); do grep -q " devices, " "$work/crash-$name-$i.log" && break; sleep 0.05; done
    sleep "$(( RANDOM % 2 )).$(( (RANDOM % 8) + 2 ))"
    kill -9 "$server"; wait "$server" 2>/dev/null || true
    # The client sends what was not answered again, to the server started again.
    start_server "$url"
    wait "$client" || { cat "$work/crash-$name-$i.log"; exit 1; }
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
    tail -1 "$work/crash-$name-$i.log"
  done
  $bin --database-url "$url" bench redeem-check "$work"/acks-"$name"-*.txt "$work"/crash-"$name"-*.txt
  $bin --database-url "$url" audit verify | tail -2
}
if [ "${REDEEM_ONLY:-sqlite}" = sqlite ] || [ -z "${REDEEM_ONLY:-}" ]; then
  run sqlite "sqlite://$work/bench.db"
fi
if [ "${REDEEM_ONLY:-postgres}" = postgres ]; then
  db="tamwin_bench_rd_$$"
  psql "$pg" -qc "CREATE DATABASE $db"
  run postgres "${pg%/*}/$db"
  psql "$pg" -qc "DROP DATABASE $db"
fi
