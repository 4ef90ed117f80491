#!/usr/bin/env bash
# Report benchmark on a large database: loads TICKETS (default 10,000,000) synthetic tickets
# over the 365 days before 2025-11-01 with their rollups (crates/kefu-store/examples/
# report_load.rs), starts a release kefu on it and times every report over the whole year
# (and a few filtered variants) through the HTTP API, RUNS (default 5) times each.
#   bench/reports.sh sqlite|postgres
# Prints one line per request: report, query, run, seconds, HTTP status. Set KEEP=1 to keep
# the data set (it takes about 10 GB); by default it is deleted at the end. DATABASE=URL (or
# a data dir) reuses a data set loaded before (with KEEP=1 or report_load) and skips the load;
# PASSWORD is then the admin password its first start printed.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
tickets=${TICKETS:-10000000}
runs=${RUNS:-5}
kefu=${KEFU_BIN:-./target/release/kefu}
load=${LOAD_BIN:-./target/release/examples/report_load}
[ -n "${KEFU_BIN:-}" ] || cargo build --release -p kefu -p kefu-store --example report_load -q
out=bench-out; mkdir -p "$out"
if [ -n "${DATABASE:-}" ]; then
  dir=; db=$DATABASE; KEEP=1
else case "$backend" in
  sqlite) dir=$(mktemp -d); db=$dir/kefu-data ;;
  postgres)
    dir=
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS kefu_reports WITH (FORCE)" -c "CREATE DATABASE kefu_reports"
    db=postgres://postgres@127.0.0.1:5432/kefu_reports ;;
  *) echo "usage: $0 sqlite|postgres" >&2; exit 2 ;;
esac; fi
server=
cleanup() {
  [ -z "$server" ] || kill "$server" 2>/dev/null || true
  if [ -z "${KEEP:-}" ]; then
    if [ -n "$dir" ]; then rm -rf "$dir"; else
      psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS kefu_reports WITH (FORCE)" || true
    fi
  fi
}
trap cleanup EXIT
if [ -n "${DATABASE:-}" ]; then
  password=${PASSWORD:?set PASSWORD to the admin password of the data set}
else
  seedlog="$out/reports-$backend-seed.log"
  "$kefu" admin list-agents --database "$db" >"$seedlog"
  password=$(grep "admin@kefu.local" "$seedlog" | head -n 1 | awk '{print $NF}')
  start=$(date +%s)
  "$load" "$db" "$tickets" 365
  echo "loaded $tickets tickets with their rollups in $(( $(date +%s) - start )) s"
  [ -z "$dir" ] || du -sh "$db"
fi
log="$out/reports-$backend-server.log"
KEFU_LOG=warn,kefu::cli::serve=info "$kefu" serve --listen 127.0.0.1:18082 --database "$db" >"$log" 2>&1 &
server=$!
for _ in $(seq 1 3000); do grep -q "kefu is serving" "$log" && break; sleep 0.2; done
token=$(curl -s -X POST 127.0.0.1:18082/api/v1/auth/login -H 'content-type: application/json' \
  -d "{\"email\":\"admin@kefu.local\",\"password\":\"$password\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
year="from=2024-11-01&to=2025-10-31&tz=Asia/Shanghai"
for q in volume bot speed promise satisfaction staffing \
         "volume&channel=email" "speed&domain=account" "speed&team=3" "speed&agent=7" \
         "satisfaction&agent=7" "volume&format=csv&table=by_date" \
         "speed&hour=9" "volume&hour=22-6" "speed&hour=9-17" "satisfaction&hour=9-17"; do
  report=${q%%&*}; extra=${q#"$report"}
  for run in $(seq 1 "$runs"); do
    r=$(curl -s -o /dev/null -w '%{time_total} %{http_code}' -H "authorization: Bearer $token" \
      "http://127.0.0.1:18082/api/v1/reports/$report?$year$extra")
    echo "backend=$backend report=$report query=${extra:-none} run=$run seconds=${r% *} status=${r#* }"
  done
done | tee "$out/reports-$backend.txt"
