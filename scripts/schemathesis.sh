#!/usr/bin/env bash
# Fuzzes the API with schemathesis: a real `kefu serve` on a fresh SQLite database on a free
# loopback port, a staff (admin) token, a bounded budget. Fails on any 5xx and on any
# response that does not conform to /api/openapi.json (status code, content type, headers,
# body schema). Called by .ci/run after the tests; runs on its own from any directory.
#
# Knobs (environment): KEFU_SCHEMATHESIS_EXAMPLES (test cases per operation and phase,
# default 50), KEFU_SCHEMATHESIS_SEED (default fixed, so CI runs are repeatable; "random"
# for a fresh one), KEFU_SCHEMATHESIS_TIMEOUT (seconds for the whole fuzzing, default 360).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-$PWD/target}"
venv="$target/schemathesis-venv"
requirements="$PWD/scripts/requirements-schemathesis.txt"
examples="${KEFU_SCHEMATHESIS_EXAMPLES:-50}"
seed="${KEFU_SCHEMATHESIS_SEED:-20261130}"
budget="${KEFU_SCHEMATHESIS_TIMEOUT:-360}"
report_dir="$target/schemathesis-report"

# Requests go to 127.0.0.1 only, never through a proxy from the environment.
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy

# --- the virtual environment (rebuilt when the pinned requirements change) ---------------
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/schemathesis" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian ships venv without ensurepip; CI runs as root on a fresh machine.
    rm -rf "$venv"
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    fi
    python3 -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" >"$stamp"
fi
"$venv/bin/schemathesis" --version

# --- the server -------------------------------------------------------------------------
cargo build --quiet -p kefu
bin="$target/debug/kefu"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
KEFU_LOG="${KEFU_LOG:-warn}" "$bin" serve --database "$work/data" --listen "127.0.0.1:$port" \
  >"$work/server.log" 2>&1 &
server_pid=$!
# HTTP with python3's standard library: CI machines need not have curl.
healthy() {
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "$base/healthz" 2>/dev/null
}
for _ in $(seq 1 120); do
  healthy && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; echo "kefu serve exited" >&2; exit 1; }
  sleep 0.5
done
healthy || { cat "$work/server.log"; echo "kefu serve is not healthy" >&2; exit 1; }

# The first start prints the seeded accounts once: "admin admin@kefu.local password: …".
admin_password="$(awk '$2 == "admin@kefu.local" && $3 == "password:" { print $4; exit }' "$work/server.log")"
if [[ -z "$admin_password" ]]; then
  cat "$work/server.log"
  echo "no admin password in the first-start output" >&2
  exit 1
fi
login() {
  python3 - "$base/api/v1/auth/login" "$admin_password" <<'PY'
import json, sys, urllib.request
body = json.dumps({"email": "admin@kefu.local", "password": sys.argv[2]}).encode()
request = urllib.request.Request(sys.argv[1], body, {"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(request, timeout=30))["token"])
PY
}

# A real ticket, so half the generated ticket numbers (and lookup codes) reach past the
# number check into the handlers: a schemathesis dictionary bound to those parameters.
channel_key="$(awk '/demo in-app channel API key:/ { print $NF; exit }' "$work/server.log")"
python3 - "$base/api/v1/tickets" "$channel_key" >"$work/schemathesis.toml" <<'PY'
import json, sys, urllib.request
body = json.dumps({"customer": {"external_id": "schemathesis"}, "body": "我的账号被盗了，请帮忙"})
request = urllib.request.Request(sys.argv[1], body.encode(), {
    "Content-Type": "application/json", "Authorization": "Bearer " + sys.argv[2]})
opened = json.load(urllib.request.urlopen(request, timeout=30))
ticket = opened["ticket"]
# No cache: each run has a fresh database, so replaying another run's requests means nothing.
print(f'''[cache]
enabled = false

[dictionaries.tickets]
values = {json.dumps([ticket["number"], ticket["number_display"]])}

[dictionaries.lookup_codes]
values = {json.dumps([opened["lookup_code"]])}

[parameters]
"path.number" = {{ dictionary = "tickets", probability = 0.5 }}
"header.X-Lookup-Code" = {{ dictionary = "lookup_codes", probability = 0.5 }}''')
PY

# --- the fuzzing ------------------------------------------------------------------------
checks="not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"
seed_args=()
[[ "$seed" != random ]] && seed_args=(--seed "$seed")
run() {
  local token="$1" seconds="$2"
  shift 2
  timeout --kill-after=10 "$seconds" "$venv/bin/schemathesis" --no-color \
    --config-file "$work/schemathesis.toml" run "$base/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks "$checks" \
    --max-examples "$examples" \
    --workers 2 \
    --request-timeout 30 \
    --generation-database none \
    "${seed_args[@]}" \
    --report junit --report-dir "$report_dir" \
    "$@"
}

# These three can take away the token the run works with (logging out, revoking the
# session's own credential, deactivating or demoting the admin), so they run last, each
# alone with a fresh token; the 401s they cause for themselves are documented and checked.
session_enders=(revoke_api_key logout update_agent)
status=0
echo "schemathesis: $base, $examples examples per operation, seed $seed, ${budget}s budget"
start=$SECONDS
excluded=()
for op in "${session_enders[@]}"; do excluded+=(--exclude-operation-id "$op"); done
run "$(login)" "$budget" "${excluded[@]}" --report-junit-path "$report_dir/main.xml" || status=$?
for op in "${session_enders[@]}"; do
  left=$((budget - (SECONDS - start)))
  [[ "$status" == 0 && "$left" -le 0 ]] && status=124
  [[ "$status" == 0 ]] || break
  run "$(login)" "$left" --include-operation-id "$op" --report-junit-path "$report_dir/$op.xml" ||
    status=$?
done
echo "schemathesis: $((SECONDS - start))s"

if grep -q "request failed" "$work/server.log"; then
  echo "--- server errors logged during the run ---"
  grep "request failed" "$work/server.log" | head -n 20
  status=1
fi
if [[ "$status" == 124 ]]; then
  echo "schemathesis did not finish within ${budget}s" >&2
fi
exit "$status"
