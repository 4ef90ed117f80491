#!/usr/bin/env bash
# Starts `kefu serve` on a fresh temporary database and a free port, then runs the browser
# tests (node:test + playwright-core driving Debian's /usr/bin/chromium) against it.
#
#   e2e/run.sh                 # uses target/release/kefu, else target/debug/kefu
#   KEFU_BIN=path/to/kefu e2e/run.sh
#
# Screenshots go to target/screenshots/ (1280 px and 375 px wide). Needs `npm ci` in e2e/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
bin="${KEFU_BIN:-}"
if [ -z "$bin" ]; then
  for candidate in "$root/target/release/kefu" "$root/target/debug/kefu"; do
    if [ -x "$candidate" ]; then bin="$candidate"; break; fi
  done
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "e2e: no kefu binary; build one (cargo build -p kefu) or set KEFU_BIN" >&2
  exit 1
fi
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
base="http://127.0.0.1:$port"
"$bin" serve --listen "127.0.0.1:$port" --database "$work/data" >"$work/stdout" 2>"$work/stderr" &
server=$!
for _ in $(seq 1 120); do
  if curl -fsS "$base/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "e2e: kefu exited early" >&2; cat "$work/stderr" >&2; exit 1
  fi
  sleep 0.5
done
curl -fsS "$base/healthz" >/dev/null || { echo "e2e: kefu did not become healthy" >&2; tail -n 50 "$work/stderr" >&2; exit 1; }
key="$(sed -n 's/.*demo in-app channel API key: *//p' "$work/stdout" | head -n 1)"
if [ -z "$key" ]; then echo "e2e: no channel key in kefu's first-start output" >&2; exit 1; fi
mkdir -p "$root/target/screenshots"
cd "$here"
KEFU_BASE="$base" KEFU_CHANNEL_KEY="$key" KEFU_SCREENSHOTS="$root/target/screenshots" KEFU_FIRST_START="$work/stdout" \
  node --test --test-concurrency=1 tests/
