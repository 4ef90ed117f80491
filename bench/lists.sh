#!/usr/bin/env bash
# List-view benchmark on a large database: loads TICKETS (default 1,000,000) synthetic
# tickets with the bulk loader, starts a release kefu on it, and drives the three agent
# list views (my tickets, team queue by status and priority, customer history) with wrk.
#   bench/lists.sh sqlite|postgres
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
tickets=${TICKETS:-1000000}
duration=${DURATION:-30s}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
kefu=${KEFU_BIN:-./target/release/kefu}
bulk=${BULK_BIN:-./target/release/examples/bulk_load}
[ -n "${KEFU_BIN:-}" ] || cargo build --release -p kefu -p kefu-store --example bulk_load -q
out=bench-out; mkdir -p "$out"
case "$backend" in
  sqlite) db=$(mktemp -d)/kefu-data ;;
  postgres)
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS kefu_lists WITH (FORCE)" -c "CREATE DATABASE kefu_lists"
    db=postgres://postgres@127.0.0.1:5432/kefu_lists ;;
  *) echo "usage: $0 sqlite|postgres" >&2; exit 2 ;;
esac
seedlog="$out/lists-$backend-seed.log"
"$kefu" admin list-agents --database "$db" >"$seedlog"
password=$(grep "admin@kefu.local" "$seedlog" | head -n 1 | awk '{print $NF}')
start=$(date +%s)
"$bulk" "$db" "$tickets"
echo "loaded $tickets tickets in $(( $(date +%s) - start )) s"
log="$out/lists-$backend-server.log"
KEFU_LOG=warn,kefu::cli::serve=info "$kefu" serve --listen 127.0.0.1:18081 --database "$db" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "kefu is serving" "$log" && break; sleep 0.2; done
export KEFU_TOKEN=$(curl -s -X POST 127.0.0.1:18081/api/v1/auth/login -H 'content-type: application/json' \
  -d "{\"email\":\"admin@kefu.local\",\"password\":\"$password\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
export AGENTS=50 TEAMS=7 CUSTOMERS=200000
for c in 1 16; do
  printf 'backend=%s tickets=%s connections=%-3s ' "$backend" "$tickets" "$c"
  wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"$duration" --latency -s bench/lists.lua http://127.0.0.1:18081 | grep RESULT
done | tee "$out/lists-$backend.txt"
