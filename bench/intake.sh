#!/usr/bin/env bash
# Intake benchmark: a release build of kefu on a fresh database, wrk at 1, 16 and 64
# connections for DURATION (default 60s) each. Usage:
#   bench/intake.sh sqlite            # fresh SQLite file in a temp dir
#   bench/intake.sh postgres          # fresh database kefu_bench on 127.0.0.1:5432
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
duration=${DURATION:-60s}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
kefu=${KEFU_BIN:-./target/release/kefu}
[ -n "${KEFU_BIN:-}" ] || cargo build --release -p kefu -q
out=bench-out; mkdir -p "$out"
case "$backend" in
  sqlite) db=$(mktemp -d)/kefu-data ;;
  postgres)
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS kefu_bench WITH (FORCE)" -c "CREATE DATABASE kefu_bench"
    db=postgres://postgres@127.0.0.1:5432/kefu_bench ;;
  *) echo "usage: $0 sqlite|postgres" >&2; exit 2 ;;
esac
# The bar is for plain intake (no bot turn): use an `api` channel key. IDEMPOTENCY=1 sends an
# Idempotency-Key with every request. CHANNEL=in_app
# measures bot-first intake instead (the bot answers inside the same transaction).
channel=${CHANNEL:-api}
keyline=$("$kefu" admin create-api-key --database "$db" --name bench --channel "$channel" | grep "token")
log="$out/intake-$backend-server.log"
# Throughput, not abuse limits, is measured here: the per-key intake limit is off.
KEFU_INTAKE_PER_SECOND_PER_KEY=0 KEFU_LOG=warn,kefu::cli::serve=info "$kefu" serve --listen 127.0.0.1:18080 --database "$db" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "kefu is serving" "$log" && break; sleep 0.2; done
export KEFU_KEY=$(echo "$keyline" | awk '{print $NF}')
echo "backend=$backend channel=$channel duration=$duration $(nproc) cores, wrk shares them with the server"
for c in ${CONNS:-1 16 64}; do
  threads=$(( c < 2 ? 1 : 2 ))
  printf 'connections=%-3s ' "$c"
  wrk -t"$threads" -c"$c" -d"$duration" --latency -s bench/intake.lua http://127.0.0.1:18080/api/v1/tickets | grep RESULT
done | tee "$out/intake-$backend-$channel.txt"
