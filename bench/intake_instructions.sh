#!/usr/bin/env bash
# Instructions per intake request: the server under callgrind (switched on once it serves),
# wrk at 8 connections for DURATION (default 30s), the program total divided by the requests
# served. Unlike wall-clock runs it does not depend on what else the machine is doing, so two
# binaries compare even on a busy machine. Usage:
#   KEFU_BIN=path/to/kefu bench/intake_instructions.sh sqlite|postgres
# CHANNEL=in_app measures bot-first intake (the bot answers in the intake's transaction).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
kefu=${KEFU_BIN:?set KEFU_BIN to a release build of kefu}
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
out=$(mktemp -d)
case "$backend" in
  sqlite) db=$out/kefu-data ;;
  postgres)
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS kefu_cg WITH (FORCE)" -c "CREATE DATABASE kefu_cg"
    db=postgres://postgres@127.0.0.1:5432/kefu_cg ;;
  *) echo "usage: $0 sqlite|postgres" >&2; exit 2 ;;
esac
key=$("$kefu" admin create-api-key --database "$db" --name bench --channel "${CHANNEL:-api}" | grep token | awk '{print $NF}')
KEFU_INTAKE_PER_SECOND_PER_KEY=0 KEFU_LOG=warn valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$out/callgrind.out" "$kefu" serve --listen 127.0.0.1:18082 --database "$db" \
  >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:18082/healthz && break; sleep 1; done
callgrind_control -i on "$server" >/dev/null
result=$(KEFU_KEY=$key wrk -t1 -c8 -d"${DURATION:-30s}" --timeout 10s -s bench/intake.lua \
  http://127.0.0.1:18082/api/v1/tickets | grep RESULT)
kill -INT "$server"; wait "$server" 2>/dev/null || true
requests=$(echo "$result" | sed 's/.*requests=\([0-9]*\).*/\1/')
total=$(callgrind_annotate "$out/callgrind.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "$result"
echo "instructions per request: $(( total / requests )) ($total over $requests requests; profile in $out/callgrind.out)"
