#!/usr/bin/env bash
# The browser tests: the portal against its mock hub (every UI case), then against a real hub started
# here (debug build, fresh SQLite and keys in a temp dir, free ports), both in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd apps/client && npm run --silent test:unit && npm run --silent test:e2e)

cargo build -q -p hub
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); erp_port=$(free_port)
target=${CARGO_TARGET_DIR:-target}
BIND=127.0.0.1:$port ERP_SANDBOX_BIND=127.0.0.1:$erp_port DATABASE_URL="sqlite://$work/hub.db?mode=rwc" \
  ERP_SANDBOX_DATABASE_URL="sqlite://$work/erp.db?mode=rwc" JWT_KEYS_DIR="$work/keys" \
  PORTAL_URL=http://127.0.0.1:$port PUBLIC_URL=http://127.0.0.1:$port RUST_LOG=warn \
  "$target/debug/hub" >"$work/hub.log" 2>&1 &
hub=$!
trap 'kill $hub 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/hub.log"; exit 1; }
(cd apps/client && HUB_URL=http://127.0.0.1:$port node --test tests/hub.test.mjs)
