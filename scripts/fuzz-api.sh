#!/usr/bin/env bash
# Holds the served OpenAPI document to the server: a bounded, seeded property-based run of schemathesis
# against a server of its own on one backend (sqlite or postgres), as a citizen and as a member of staff.
# Fails on a server error or an answer the document does not describe (status, content type, body
# schema, headers). Usage: scripts/fuzz-api.sh sqlite|postgres [PORT]. docs/api.md says more.
#
# Environment: TAMWIN_BIN (default target/debug/tamwin), TAMWIN_FUZZ_POSTGRES_URL (the postgres
# server's database, dropped and created anew; default: tamwin_fuzz beside TAMWIN_TEST_POSTGRES_URL),
# TAMWIN_FUZZ_EXAMPLES (cases per operation, default 12), TAMWIN_FUZZ_SEED (default 13).
set -euo pipefail
cd "$(dirname "$0")/.."

backend="${1:?usage: scripts/fuzz-api.sh sqlite|postgres [PORT]}"
port="${2:-18090}"
bin="${TAMWIN_BIN:-target/debug/tamwin}"
examples="${TAMWIN_FUZZ_EXAMPLES:-12}"
seed="${TAMWIN_FUZZ_SEED:-13}"
# The fuzzer's version is pinned: a new release may check more, and that is a change to make on purpose.
schemathesis_version="4.32.5"

venv=target/fuzz-venv
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

work="$(mktemp -d)"
case "$backend" in
  sqlite) url="sqlite://$work/fuzz.db" ;;
  postgres)
    url="${TAMWIN_FUZZ_POSTGRES_URL:-}"
    if [ -z "$url" ]; then
      tests="${TAMWIN_TEST_POSTGRES_URL:?TAMWIN_TEST_POSTGRES_URL or TAMWIN_FUZZ_POSTGRES_URL is needed}"
      url="${tests%/*}/tamwin_fuzz"
    fi
    admin="${url%/*}/postgres"
    db="${url##*/}"
    PGOPTIONS="--client-min-messages=warning" psql -q -v ON_ERROR_STOP=1 "$admin" \
      -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
    ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
export TAMWIN_DATABASE_URL="$url"
log="target/fuzz-$backend.log"

# A small Karbala population of its own, and a ministry administrator's token: the fuzzer reaches past
# 401 and 403 into every operation, and what it changes is thrown away with this database.
"$bin" generate --households 60 --governorate 11 --seed 7 --out "$work/pop" > "$log" 2>&1
"$bin" import "$work/pop" >> "$log" 2>&1
token="$("$bin" token create --name "api fuzzer" --role ministry_admin --area nation --days 1 \
  | sed -n 's/^secret .*: //p')"
[ -n "$token" ] || { cat "$log"; echo "no token" >&2; exit 1; }

# The SMS gateway: a small HTTP sink that keeps each message it is given (one JSON line), so that the
# citizen's sign-in code can be read the way a phone would receive it (codes are in no log).
sms_port=$((port + 1))
python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        with open(sys.argv[2], "ab") as f:
            f.write(body + b"\n")
        self.send_response(202)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$sms_port" "$work/sms.jsonl" &
sms=$!
"$bin" serve --listen "127.0.0.1:$port" --form-key "$work/forms.key" \
  --sms-url "http://127.0.0.1:$sms_port/send" >> "$log" 2>&1 &
server=$!
trap 'kill $server $sms 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 60); do
  kill -0 $server 2>/dev/null || { cat "$log"; echo "the fuzz server stopped" >&2; exit 1; }
  curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q "$backend" && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/healthz" | grep -q "$backend" || { cat "$log"; exit 1; }

base="http://127.0.0.1:$port"
fuzz() { # NAME ARGS…: one schemathesis pass
  local name="$1"
  shift
  "$venv/bin/schemathesis" --config-file scripts/fuzz-api.toml run "$base/api/openapi.json" \
    --url "$base" --phases examples,coverage,fuzzing \
    --max-examples "$examples" --seed "$seed" --workers 2 --request-timeout 20 \
    --no-color --report junit --report-junit-path "target/fuzz-$backend-$name.xml" "$@"
}

# A citizen's session for the citizen's own operations (/api/v1/me/…), which a staff token only reaches
# as far as 403: a household's phone set with the token, a one-time code asked for on the sign-in page
# as the SMS sink received it, the session cookie and the
# session's CSRF token from the citizen's page.
phone=07701234567
card="$(curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/households?governorate=11&limit=1" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["card_number"])')"
curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $token" -H "content-type: application/json" \
  -d "{\"phone\":\"$phone\",\"reason\":\"api fuzzer\"}" "$base/api/v1/households/$card/phone"
jar="$work/cookies"
curl -fsS -o /dev/null -c "$jar" "$base/citizen/sign-in"
pre="$(awk '$6 == "tamwin_pre" { print $7 }' "$jar")"
curl -fsS -o /dev/null -b "$jar" -d "phone=$phone&csrf=$pre" "$base/citizen/code"
code=""
for _ in $(seq 1 20); do
  code="$(grep -o 'sign-in code: [0-9]*' "$work/sms.jsonl" 2>/dev/null | tail -1 | grep -o '[0-9]*$' || true)"
  [ -n "$code" ] && break
  sleep 0.5
done
[ -n "$code" ] || { cat "$log"; echo "no sign-in code reached the SMS sink" >&2; exit 1; }
curl -sS -o /dev/null -b "$jar" -c "$jar" -d "phone=$phone&code=$code&csrf=$pre" "$base/citizen/sign-in"
session="$(awk '$6 == "tamwin_session" { print $7 }' "$jar")"
[ -n "$session" ] || { cat "$log"; echo "no citizen session" >&2; exit 1; }
csrf="$(curl -fsS -H "Cookie: tamwin_session=$session" "$base/citizen" \
  | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')"

# The citizen first: the staff pass may close or change the citizen's household.
echo "fuzzing the API on $backend as a citizen ($examples cases per operation, seed $seed)"
fuzz citizen --include-path-regex '^/api/v1/me(/|$)' \
  --header "Cookie: tamwin_session=$session" --header "X-CSRF-Token: $csrf"
echo "fuzzing the API on $backend as a ministry administrator ($examples cases per operation, seed $seed)"
fuzz staff --header "Authorization: Bearer $token"
