#!/usr/bin/env bash
# The API contract: schemathesis (pinned in scripts/ensure-services.sh's venv) generates requests
# from the hub's /openapi.json and fails on any answer the document does not declare: a 5xx, an
# undeclared status, an undeclared Content-Type, or a body that does not match its schema. Against
# a debug hub started here (fresh SQLite and keys in a temp dir, free ports, rate limits raised so
# that 429 never hides a route's other answers; Twilio configured against a port where nothing
# listens, so the webhook checks signatures and nothing is sent), three runs: the coverage phase
# without credentials (the 401 and 403 answers), every phase as support staff with a customer token
# (protected routes exercised), then logout alone (it revokes that token).
# Deterministic (schemathesis then keeps no example database), with a bounded number of cases per route.
set -euo pipefail
cd "$(dirname "$0")/.."

st=${SCHEMATHESIS:-/var/cache/gigafibre-hub/venv/bin/schemathesis}
[ -x "$st" ] || { echo "no schemathesis at $st: run scripts/ensure-services.sh first" >&2; exit 1; }

cargo build -q -p hub
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); erp_port=$(free_port); stripe_port=$(free_port); nothing_port=$(free_port)
target=${CARGO_TARGET_DIR:-target}
base=http://127.0.0.1:$port
BIND=127.0.0.1:$port ERP_SANDBOX_BIND=127.0.0.1:$erp_port DATABASE_URL="sqlite://$work/hub.db?mode=rwc" \
  ERP_SANDBOX_DATABASE_URL="sqlite://$work/erp.db?mode=rwc" \
  STRIPE_SANDBOX_BIND=127.0.0.1:$stripe_port STRIPE_SANDBOX_DATABASE_URL="sqlite://$work/stripe.db?mode=rwc" \
  DOCUSEAL_SANDBOX_BIND=127.0.0.1:0 DOCUSEAL_SANDBOX_DATABASE_URL="sqlite://$work/docuseal.db?mode=rwc" JWT_KEYS_DIR="$work/keys" SPA_DIR=apps/client/dist \
  PORTAL_URL=$base PUBLIC_URL=$base RUST_LOG=warn \
  LINK_LIMIT_PER_IP=1000000 LINK_LIMIT_PER_IDENTIFIER=1000000 CODE_FAILURES_PER_MINUTE=1000000 \
  TWILIO_ACCOUNT_SID=ACcontract TWILIO_AUTH_TOKEN="$(python3 -c 'import secrets; print(secrets.token_hex(16))')" \
  TWILIO_FROM=+15145550100 TWILIO_API_URL=http://127.0.0.1:$nothing_port \
  "$target/debug/hub" >"$work/hub.log" 2>&1 &
hub=$!
trap 'kill $hub 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.2; done
curl -sf "$base/readyz" >/dev/null || { cat "$work/hub.log"; exit 1; }

# Staff as Authentik's forwardAuth names them (the hub trusts 127.0.0.1 as its proxy); the customer
# token is one support opens for a demo customer.
staff=(-H 'X-authentik-username: contract-test' -H 'X-authentik-groups: support')
token=$(curl -sf -X POST "$base/portal/impersonate" "${staff[@]}" -H 'Content-Type: application/json' \
  -d '{"customer":"CUST-2024-00001","reason":"API contract test"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

run() {
  echo "== schemathesis: $1"
  shift
  (cd "$work" && "$st" run "$base/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --generation-deterministic --max-examples 40 --workers 1 \
    --request-timeout 10 --no-color "$@") || { tail -n 30 "$work/hub.log"; exit 1; }
}
# vision-ocr's readings as staff, without the customer's token (a Bearer token there must be a
# technician's: 401): what schemathesis uploads is read by Tesseract (ensure-services.sh installs it)
# or refused with a 4xx, never a 5xx.
readings='^/vision/(invoice|equipment)$'
run "no credentials" --phases coverage --exclude-path-regex "$readings"
run "support staff and a customer token" "${staff[@]}" -H "Authorization: Bearer $token" \
  --exclude-path /portal/logout --exclude-path-regex "$readings"
run "vision-ocr's readings as staff" "${staff[@]}" --include-path-regex "$readings"
run "logout" "${staff[@]}" -H "Authorization: Bearer $token" --include-path /portal/logout
