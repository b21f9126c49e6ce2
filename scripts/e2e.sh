#!/usr/bin/env bash
# The portal's tests: Vitest unit tests, then the browser test in Debian's Chromium against the mock
# hub (tests/mock-server.mjs), then the same browser test against a real hub started here (debug
# build, fresh SQLite and keys in a temp dir, free ports), reading links and codes from the hub's
# sandbox outbox as a customer reads their mail; the quotes test (tests/e2e-quotes.test.mjs) signs on the
# DocuSeal stand-in the hub starts; the OCR test (tests/e2e-vision.test.mjs) sends a label photo from
# vision-ocr's staff page. Prints the built JS size and the login page's
# time to interactive (reported, not asserted).
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "no Chromium at $chromium: run scripts/ensure-services.sh first" >&2; exit 1; }

(
  cd apps/client
  [ -x node_modules/.bin/vitest ] || npm ci --no-audit --no-fund
  npm run --silent build >/dev/null
  npm run --silent size
  npm run --silent test:unit
  npm run --silent test:e2e
)

cargo build -q -p hub
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); erp_port=$(free_port); stripe_port=$(free_port)
target=${CARGO_TARGET_DIR:-target}
BIND=127.0.0.1:$port ERP_SANDBOX_BIND=127.0.0.1:$erp_port DATABASE_URL="sqlite://$work/hub.db?mode=rwc" \
  ERP_SANDBOX_DATABASE_URL="sqlite://$work/erp.db?mode=rwc" \
  STRIPE_SANDBOX_BIND=127.0.0.1:$stripe_port STRIPE_SANDBOX_DATABASE_URL="sqlite://$work/stripe.db?mode=rwc" \
  DOCUSEAL_SANDBOX_BIND=127.0.0.1:0 DOCUSEAL_SANDBOX_DATABASE_URL="sqlite://$work/docuseal.db?mode=rwc" JWT_KEYS_DIR="$work/keys" SPA_DIR=apps/client/dist \
  PORTAL_URL=http://127.0.0.1:$port PUBLIC_URL=http://127.0.0.1:$port RUST_LOG=warn LINK_LIMIT_PER_IP=1000 \
  "$target/debug/hub" >"$work/hub.log" 2>&1 &
hub=$!
trap 'kill $hub 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/hub.log"; exit 1; }
# French-speaking demo customers (crates/erp-sandbox/README.md), each good for 3 link requests.
export E2E_IDENTIFIERS=isabelle.bouchard@example.ca,luc.cote@example.ca,minh.nguyen@example.ca,chantal.levesque@example.ca,nathalie.gauthier@example.ca,amelie.fortin@example.ca,karine.ouellet@example.ca,genevieve.lavoie@example.ca,alexandre.bergeron@example.ca,olivier.caron@example.ca
export E2E_LIMITED_IDENTIFIER=mathieu.roy@example.ca
export E2E_SUPPORT_CUSTOMER=CUST-2024-00001
# The quotes test reads the Sales Order in the erp-sandbox the hub started.
export E2E_ERP_URL=http://127.0.0.1:$erp_port
(cd apps/client && HUB_URL=http://127.0.0.1:$port npm run --silent test:e2e) || { tail -n 50 "$work/hub.log"; exit 1; }
# vision-ocr's staff page (tests/e2e-vision.test.mjs): a clean label of the OCR fixtures sent from
# Chromium; the page shows what the hub answered (the fields read, or 503 VIS_12 without Tesseract).
cargo run -q -p ocr-fixtures --example samples "$work/ocr-samples" >/dev/null
labels=("$work"/ocr-samples/label-*-clean-*.png)
(cd apps/client && HUB_URL=http://127.0.0.1:$port E2E_LABEL_PNG="${labels[0]}" node --test tests/e2e-vision.test.mjs) ||
  { tail -n 50 "$work/hub.log"; exit 1; }
