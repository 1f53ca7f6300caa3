#!/usr/bin/env bash
# Runs every test: the Rust suite on SQLite and PostgreSQL, the browser test in headless Chromium, and a
# bounded fuzz run of the API against its OpenAPI document on both backends.
# Installs what is missing (Chromium, Arabic fonts, playwright-core) and starts PostgreSQL if
# TAMWIN_TEST_POSTGRES_URL is not set. Needs root for apt-get and pg_ctlcluster on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TAMWIN_TEST_POSTGRES_URL:-}" ]; then
  if ! pg_lsclusters 2>/dev/null | grep -q online; then
    pg_ctlcluster 15 main start
  fi
  # After an unclean stop it fsyncs its data directory first, which can take minutes.
  for _ in $(seq 1 300); do pg_isready -q && break; sleep 1; done
  pg_isready || { echo "PostgreSQL did not start" >&2; exit 1; }
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='tamwin'\"" | grep -q 1 \
    || su postgres -c "psql -qc \"CREATE ROLE tamwin LOGIN SUPERUSER PASSWORD 'tamwin'\""
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='tamwin_test'\"" | grep -q 1 \
    || su postgres -c "createdb -O tamwin tamwin_test"
  export TAMWIN_TEST_POSTGRES_URL="postgres://tamwin:tamwin@localhost/tamwin_test"
fi

cargo test --workspace

# Browser test: Debian's Chromium with Arabic fonts, driven by playwright-core.
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Naskh Arabic"; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null
fi
(cd e2e && npm ci --no-audit --no-fund --silent)
cargo build -q -p tamwin
port=18080
db="$(mktemp -d)/e2e.db"
# The demo's clock starts on the coming Monday at 10:00 in Iraq (07:00 UTC), so that the update centres
# are open for the appointment journey whatever the day and hour of the run.
clock_start="$(date -u -d 'next monday 07:00' +%Y-%m-%dT%H:%M:%SZ)"
./target/debug/tamwin demo --households 3000 --db "$db" --listen "127.0.0.1:$port" --clock-start "$clock_start" \
  > target/e2e-demo.log 2>&1 &
demo=$!
trap 'kill $demo 2>/dev/null || true' EXIT
accounts="${db%.db}.accounts.json"
# Ready when this demo (not some other server on the port) has written its accounts and answers.
for _ in $(seq 1 120); do
  kill -0 $demo 2>/dev/null || { cat target/e2e-demo.log; echo "the demo stopped" >&2; exit 1; }
  [ -f "$accounts" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 1
done
[ -f "$accounts" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat target/e2e-demo.log; exit 1; }
(cd e2e && TAMWIN_E2E_URL="http://127.0.0.1:$port" TAMWIN_E2E_ACCOUNTS="$accounts" node --test --test-concurrency=1)

# The served OpenAPI document against the OpenAPI 3.1 schema.
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore openapi-spec-validator
curl -fsS "http://127.0.0.1:$port/api/openapi.json" > target/openapi.json
python3 -c "import json, sys; from openapi_spec_validator import validate; validate(json.load(open('target/openapi.json'))); print('openapi.json: valid OpenAPI', json.load(open('target/openapi.json'))['openapi'])"

# The served OpenAPI document held to the server: a bounded, seeded property-based run (schemathesis) on
# each backend, each against a server and database of its own, so the e2e demo above is left as it was.
# Fails on a server error or an answer the document does not describe (docs/api.md).
scripts/fuzz-api.sh sqlite 18091
scripts/fuzz-api.sh postgres 18092
