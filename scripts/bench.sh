#!/usr/bin/env bash
# `make bench`: load figures of the release hub, embedded (SQLite, in-process bus) then PostgreSQL + NATS.
# For each mode: a fresh hub in a temp dir on a free loopback port, wrk on /healthz, /auth/verify and
# /portal/request-link (64 connections), ratios to /healthz (measured before and after the others: the
# mean of the two is the baseline), resident memory idle and at the end, and a
# timing report (matching vs non-matching identifiers). Prints PASS/FAIL per target (docs/benchmarks.md);
# exits 1 when a target is missed. Loopback only; cleans up after itself (hub killed, temp DB dropped).
#
# Mode `notifications` (issue 3): services/notifications/examples/bench.rs, emails/s event -> SMTP sink against
# the floor measured in the same run (JetStream + the mailer, no delivery log; 0.8 x aimed at, AIM when
# missed, not a failure), and the service's RSS (BENCH_NOTIFY_* knobs are passed through; see that file); then
# the same, informative only, against a relay answering BENCH_RELAY_MS (20; 0: skip) after each message.
#
# Mode `payments` (issue 18): the release `payments` process on SQLite, then on PostgreSQL; wrk on
# /healthz and on POST /webhook/stripe with events signed beforehand (bench/stripe_events.py: verified,
# deduplicated, recorded, 200), ratio to /healthz and p99; then auto-pay (services/payments/tests/
# ppa_bench.rs against the erp-sandbox and the Stripe stand-in): a dry run over BENCH_PPA_CUSTOMERS
# (7000) enrolled customers (< 30 s), and a real run of BENCH_PPA_CHARGED (400) charges reporting its
# time per customer at the configured pace (PPA_RATE_PER_S, 20 by default).
#
# Mode `quotes` (issue 19): the release `quotation-signing` process on SQLite, then on PostgreSQL; wrk on
# /healthz and on POST /accept/docuseal-webhook (secret header checked, event recorded once, 200),
# ratio to /healthz and p99.
#
# Mode `vision` (issue 20): field-level accuracy of the local provider (Tesseract) and of the Gemini client
# through testkit's fake on the generated invoices and labels (services/vision-ocr/examples/accuracy.rs,
# its PASS/FAIL lines are the issue's targets), the local provider's latency per invoice page and per
# label; then the release `vision-ocr` process with the fake Gemini (examples/fake_gemini.rs): wrk on
# /healthz and on POST /vision/invoice with one photographed invoice (checked, read, checked, recorded
# with its event), the ratio to /healthz and p50/p99 printed (informative: the issue asks the figure).
#
# Mode `dispatch` (issue 21): the optimiser's `dispatch solve` against PyVRP and VROOM (pyvrp, pyvroom from
# PyPI, pinned, in a venv beside the cargo target, the benchmark's only) on the 56 Solomon instances of
# ../shared/data/solomon, one integer matrix, the same wall-clock budget, one after another, each plan
# checked independently (bench/solomon.py): mean dispatch/PyVRP <= 1.03 x, none above 1.10 x; and a
# generated 46-technician, 300-job day planned in under 5 s (crates/dispatch-solver/examples/day_bench.rs).
#
# Knobs: BENCH_DURATION (6s), BENCH_CONNECTIONS (64), BENCH_HIGH_CONNECTIONS (256), BENCH_TIMING_N (500),
# BENCH_WEBHOOK_EVENTS (300000), BENCH_SOLVER_SECONDS (10), BENCH_SOLVER_ONLY (instances, comma-separated),
# BENCH_VENV, BENCH_MODES ("embedded postgres notifications payments quotes vision dispatch").
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
export BENCH_DIR=$ROOT/bench
DURATION=${BENCH_DURATION:-6s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
HIGH_CONNECTIONS=${BENCH_HIGH_CONNECTIONS:-256}
TIMING_N=${BENCH_TIMING_N:-500}
MODES=${BENCH_MODES:-embedded postgres notifications payments quotes vision dispatch}
HUB_MODES=$(tr ' ' '\n' <<<"$MODES" | grep -vxE 'notifications|payments|quotes|vision|dispatch' | tr '\n' ' ' || true)
PG_ADMIN_URL=${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/test}
NATS_URL_BENCH=${BENCH_NATS_URL:-nats://127.0.0.1:4222}

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
log() { printf '\n== %s\n' "$*"; }

if grep -qwE 'embedded|postgres|payments|quotes|vision' <<<"$MODES" && ! command -v wrk >/dev/null; then
  log "installing wrk"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
fi

if [ -n "${HUB_MODES// /}" ]; then
  log "building the release hub"
  cargo build --release -q -p hub
fi
HUB_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/hub

WORK=$(mktemp -d /tmp/gigafibre-bench.XXXXXX)
PIDS=()
PG_DB=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
  if [ -n "$PG_DB" ]; then
    psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    PG_DB=""
  fi
}
trap 'cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

RESULTS=()   # "mode|target|value|PASS/FAIL"
judge() { RESULTS+=("$1|$2|$3|$4"); }

# Starts the hub for a mode in its own directory; sets HUB_PID and HUB_URL.
start_hub() {
  local mode=$1 dir=$WORK/$1
  mkdir -p "$dir"
  local port
  port=$(free_port)
  HUB_URL=http://127.0.0.1:$port
  local -a env=(BIND=127.0.0.1:$port RUST_LOG=warn JWT_KEYS_DIR=$dir/keys
    LINK_LIMIT_PER_IDENTIFIER=100000000 LINK_LIMIT_PER_IP=100000000 EMAIL_CAP_PER_ADDRESS=100000000
    PORTAL_URL=$HUB_URL PUBLIC_URL=$HUB_URL SPA_DIR=$dir/no-spa)
  if [ "$mode" = postgres ]; then
    PG_DB=bench_$$_$(date +%s)
    psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $PG_DB" >/dev/null
    env+=(DATABASE_URL=postgres://postgres@127.0.0.1:5432/$PG_DB NATS_URL=$NATS_URL_BENCH)
  else
    env+=(DATABASE_URL="sqlite://$dir/hub.db?mode=rwc")
  fi
  # The hub starts its erp-sandbox, Stripe and DocuSeal stand-ins in-process on free ports and points its clients at them.
  env+=(ERP_SANDBOX_BIND=127.0.0.1:$(free_port) ERP_SANDBOX_DATABASE_URL="sqlite://$dir/erp.db?mode=rwc"
    STRIPE_SANDBOX_BIND=127.0.0.1:$(free_port) STRIPE_SANDBOX_DATABASE_URL="sqlite://$dir/stripe.db?mode=rwc"
    DOCUSEAL_SANDBOX_BIND=127.0.0.1:0 DOCUSEAL_SANDBOX_DATABASE_URL="sqlite://$dir/docuseal.db?mode=rwc")
  (cd "$dir" && exec env "${env[@]}" "$HUB_BIN" >"$dir/hub.log" 2>&1) &
  HUB_PID=$!
  PIDS+=("$HUB_PID")
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$HUB_URL/readyz" && return 0
    kill -0 "$HUB_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "the hub did not become ready; its log:" >&2
  tail -n 30 "$dir/hub.log" >&2
  return 1
}

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$HUB_PID/status"; }

# Runs wrk; prints its summary and sets RPS, P50, P99 (ms) and BAD.
run_wrk() {
  local name=$1 script=$2
  shift 2
  local out
  out=$(BENCH_RUN=$RANDOM wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$BENCH_DIR/$script" "$@")
  local line
  line=$(grep '^BENCH ' <<<"$out")
  RPS=$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$line")
  P50=$(sed -E 's/.*p50_us=([0-9]+).*/\1/' <<<"$line" | awk '{ printf "%.2f", $1 / 1000 }')
  P99=$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$line" | awk '{ printf "%.2f", $1 / 1000 }')
  BAD=$(sed -E 's/.*bad=([0-9]+).*/\1/' <<<"$line")
  printf '%-22s %9s req/s   p50 %7s ms   p99 %7s ms   errors/non-2xx %s\n' "$name" "$RPS" "$P50" "$P99" "$BAD"
}

pass_if() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }

bench_mode() {
  local mode=$1 label
  label=$([ "$mode" = postgres ] && echo "PostgreSQL + NATS" || echo "embedded (SQLite, in-process bus)")
  log "mode: $label"
  start_hub "$mode"
  sleep 1
  local rss_idle
  rss_idle=$(rss_mib)
  echo "hub pid $HUB_PID on $HUB_URL, RSS idle ${rss_idle} MiB"

  local token
  token=$(curl -fs -X POST "$HUB_URL/portal/impersonate" -H 'Content-Type: application/json' \
    -H 'X-authentik-username: bench' -H 'X-authentik-groups: support' \
    -d '{"customer":"CUST-2024-00001","reason":"make bench"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "$HUB_URL/auth/verify"

  wrk -t2 -c"$CONNECTIONS" -d1s "$HUB_URL/healthz" >/dev/null   # warm-up, not counted
  echo "wrk -t2 -c$CONNECTIONS -d$DURATION --latency"
  run_wrk "/healthz" get.lua "$HUB_URL/healthz"
  local h_rps=$RPS h_bad=$BAD
  run_wrk "/auth/verify" get.lua -H "Authorization: Bearer $token" "$HUB_URL/auth/verify"
  local v_rps=$RPS v_bad=$BAD
  run_wrk "/portal/request-link" request-link.lua "$HUB_URL"
  local l_rps=$RPS l_p99=$P99 l_bad=$BAD
  # No target: 4x the connections, so batches of ~115 requests (guards vendor/README.md: without
  # TCP_NODELAY each such batch waited ~40 ms on PostgreSQL over TLS, ~3k requests/s).
  CONNECTIONS=$HIGH_CONNECTIONS run_wrk "request-link ($HIGH_CONNECTIONS conns)" request-link.lua "$HUB_URL"
  # The baseline brackets the other runs: on a shared machine the speed drifts within a minute.
  run_wrk "/healthz (again)" get.lua "$HUB_URL/healthz"
  h_bad=$((h_bad + BAD))
  local baseline
  baseline=$(awk "BEGIN { printf \"%.0f\", ($h_rps + $RPS) / 2 }")
  echo "baseline /healthz: ${baseline} req/s (mean of before and after; they differ by $(awk \
    "BEGIN { d = ($h_rps - $RPS) / $baseline * 100; printf \"%.0f\", d < 0 ? -d : d }")%)"

  local v_ratio l_ratio
  v_ratio=$(awk "BEGIN { printf \"%.3f\", $v_rps / $baseline }")
  l_ratio=$(awk "BEGIN { printf \"%.3f\", $l_rps / $baseline }")
  echo "ratios to /healthz: /auth/verify ${v_ratio}, /portal/request-link ${l_ratio}"

  log "timing report ($label): $TIMING_N matching vs $TIMING_N non-matching, one at a time"
  local timing ratio
  timing=$(python3 "$BENCH_DIR/timing.py" 127.0.0.1 "${HUB_URL##*:}" "$TIMING_N")
  echo "$timing"
  ratio=$(sed -E 's/.*ratio=([0-9.]+).*/\1/' <<<"$timing")

  local rss_end
  rss_end=$(rss_mib)
  echo "RSS at the end: ${rss_end} MiB"

  judge "$label" "/healthz, /auth/verify, request-link: no errors" "$h_bad/$v_bad/$l_bad" \
    "$(pass_if "$h_bad + $v_bad + $l_bad == 0")"
  judge "$label" "/auth/verify >= 0.6 x /healthz" "$v_ratio" "$(pass_if "$v_ratio >= 0.6")"
  judge "$label" "request-link >= 0.15 x /healthz" "$l_ratio" "$(pass_if "$l_ratio >= 0.15")"
  judge "$label" "request-link p99 < 20 ms" "${l_p99} ms" "$(pass_if "$l_p99 < 20")"
  judge "$label" "RSS idle < 64 MiB" "${rss_idle} MiB" "$(pass_if "$rss_idle < 64")"
  judge "$label" "RSS at end < 160 MiB" "${rss_end} MiB" "$(pass_if "$rss_end < 160")"
  judge "$label" "timing medians within 5%" "$ratio" "$(pass_if "$ratio >= 0.95 && $ratio <= 1.05")"
  cleanup
}

# Judges the `PASS|FAIL|AIM|INFO <target> <value>` lines of a benchmark's output `$2` (exit code `$3`).
judge_lines() {
  local label=$1 out=$2 rc=$3 verdict target value found=0
  while read -r verdict target; do
    value=${target##* }
    judge "$label" "${target% *}" "$value" "$verdict"
    found=1
  done < <(grep -E '^(PASS|FAIL|AIM|INFO) +' <<<"$out" | sed -E 's/  +/ /g')
  if [ "$found" = 0 ] || { [ "$rc" != 0 ] && ! grep -q '^FAIL' <<<"$out"; }; then
    judge "$label" "benchmark ran to the end" "exit $rc" FAIL
  fi
}

# ---------------------------------------------------------------------------------------------------
# Notifications (issue 3): the release `notifications` process fed from NATS JetStream, delivering to the
# testkit SMTP sink, against a bare lettre loop to the same sink; the example prints PASS/FAIL lines.
bench_notifications() {
  local label="notifications (NATS + PostgreSQL)"
  log "mode: $label"
  cargo build --release -q -p notifications --bins --examples
  local bin=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/bench out rc=0
  out=$(BENCH_NOTIFICATIONS_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/notifications \
    timeout 600 "$bin" 2>&1) || rc=$?
  echo "$out"
  judge_lines "$label" "$out" "$rc"
  # The same against a relay that answers each message BENCH_RELAY_MS after its end, as Mailjet's does
  # from afar: informative (INFO lines), the target above is judged against a relay answering at once.
  [ "${BENCH_RELAY_MS:-20}" = 0 ] && return
  log "mode: $label, relay answering in ${BENCH_RELAY_MS:-20} ms (informative)"
  BENCH_NOTIFICATIONS_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/notifications \
    BENCH_NOTIFY_RELAY_MS=${BENCH_RELAY_MS:-20} timeout 600 "$bin" 2>&1 || echo "(informative run: exit $?)"
}

# ---------------------------------------------------------------------------------------------------
# Webhook intake of a release service process, on SQLite then on PostgreSQL: $1 the binary, $2 the
# webhook's path, $3 its wrk script, $4 the inbox table, $5 the variable holding the webhook secrets,
# $6 the secret's prefix, $7 the p99 target in ms (empty: p99 is informative); `prepare_webhooks`
# (set by the caller) writes what the script sends.
bench_intake() {
  local bin_name=$1 route=$2 script=$3 table=$4 secret_var=$5 prefix=$6 p99_target=${7:-} db
  cargo build --release -q -p "$bin_name"
  local bin=${CARGO_TARGET_DIR:-$ROOT/target}/release/$bin_name
  for db in sqlite postgres; do
    local label="$bin_name webhook intake ($db)" dir=$WORK/$bin_name-$db port
    log "mode: $label"
    mkdir -p "$dir"
    port=$(free_port)
    HUB_URL=http://127.0.0.1:$port
    local url
    export BENCH_SECRET=$prefix$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    if [ "$db" = postgres ]; then
      PG_DB=bench_${bin_name//-/_}_$$_$(date +%s)
      psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $PG_DB" >/dev/null
      url=postgres://postgres@127.0.0.1:5432/$PG_DB
    else
      url="sqlite://$dir/$bin_name.db?mode=rwc"
    fi
    (cd "$dir" && exec env BIND=127.0.0.1:$port DATABASE_URL="$url" RUST_LOG=warn \
      "$secret_var=$BENCH_SECRET" "$bin" >"$dir/$bin_name.log" 2>&1) &
    HUB_PID=$!
    PIDS+=("$HUB_PID")
    local ready=0
    for _ in $(seq 1 150); do
      curl -fs -o /dev/null "$HUB_URL/readyz" && { ready=1; break; }
      sleep 0.2
    done
    if [ "$ready" = 0 ]; then
      tail -n 30 "$dir/$bin_name.log" >&2
      judge "$label" "service ready" "no" FAIL
      cleanup
      continue
    fi
    export BENCH_WEBHOOKS=$dir/webhooks.txt
    prepare_webhooks
    wrk -t2 -c"$CONNECTIONS" -d1s "$HUB_URL/healthz" >/dev/null   # warm-up, not counted
    run_wrk "/healthz" get.lua "$HUB_URL/healthz"
    local h_rps=$RPS h_bad=$BAD
    run_wrk "$route" "$script" "$HUB_URL"
    local w_rps=$RPS w_p99=$P99 w_bad=$BAD
    run_wrk "/healthz (again)" get.lua "$HUB_URL/healthz"
    h_bad=$((h_bad + BAD))
    local baseline ratio recorded
    baseline=$(awk "BEGIN { printf \"%.0f\", ($h_rps + $RPS) / 2 }")
    ratio=$(awk "BEGIN { printf \"%.3f\", $w_rps / $baseline }")
    echo "baseline /healthz: ${baseline} req/s; webhook intake / healthz: ${ratio}"
    if [ "$db" = postgres ]; then
      recorded=$(psql -qtA "postgres://postgres@127.0.0.1:5432/$PG_DB" -c "SELECT COUNT(*) FROM $table")
    else
      recorded=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(f"SELECT COUNT(*) FROM {sys.argv[2]}").fetchone()[0])' "$dir/$bin_name.db" "$table")
    fi
    echo "events recorded: $recorded"
    judge "$label" "/healthz, webhook: no errors or non-2xx" "$h_bad/$w_bad" "$(pass_if "$h_bad + $w_bad == 0")"
    judge "$label" "webhook intake >= 0.15 x /healthz" "$ratio" "$(pass_if "$ratio >= 0.15")"
    if [ -n "$p99_target" ]; then
      judge "$label" "webhook intake p99 < $p99_target ms" "${w_p99} ms" "$(pass_if "$w_p99 < $p99_target")"
    else
      judge "$label" "webhook intake p99 (informative)" "${w_p99} ms" INFO
    fi
    cleanup
  done
}

# Payments (issue 18): Stripe's events signed beforehand (bench/stripe_events.py: verified,
# deduplicated, recorded, 200; each request a new event until the signed ones run out, then
# redeliveries), then auto-pay.
bench_payments() {
  prepare_webhooks() {
    python3 "$BENCH_DIR/stripe_events.py" "$BENCH_SECRET" "${BENCH_WEBHOOK_EVENTS:-300000}" "$BENCH_WEBHOOKS"
  }
  bench_intake payments /webhook/stripe stripe-webhook.lua stripe_event STRIPE_WEBHOOK_SECRETS whsec_bench_ 20
  bench_ppa
}

# Quotes (issue 19): DocuSeal's events with the secret header, each a new one (bench/docuseal-webhook.lua
# numbers them), for envelopes of no quote: checked, recorded, 200, then processed off the request path
# (the issue's target is the ratio; p99 is printed: on SQLite the processor's writes, once a second
# during a burst, make the intake's writer wait, which shows in the tail).
bench_quotes() {
  prepare_webhooks() { :; }
  bench_intake quotation-signing /accept/docuseal-webhook docuseal-webhook.lua docuseal_event \
    DOCUSEAL_WEBHOOK_SECRETS bench-secret-
}

# Vision (issue 20): accuracy and local latency (the example judges the issue's targets), then the
# service's own overhead per request with the fake Gemini, on SQLite.
bench_vision() {
  local label="vision-ocr" dir=$WORK/vision out rc=0
  log "mode: $label accuracy (generated invoices and labels)"
  mkdir -p "$dir"
  cargo build --release -q -p vision-ocr --bins --examples
  local release=${CARGO_TARGET_DIR:-$ROOT/target}/release
  out=$(timeout 1800 "$release/examples/accuracy" 2>&1) || rc=$?
  echo "$out"
  judge_lines "$label accuracy" "$out" "$rc"

  log "mode: $label overhead per request (fake Gemini, SQLite)"
  "$release/examples/fake_gemini" "$dir" >"$dir/fake.out" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 100); do grep -q '^FAKE_GEMINI' "$dir/fake.out" && break; sleep 0.1; done
  local line port
  line=$(grep '^FAKE_GEMINI' "$dir/fake.out") || { judge "$label overhead" "fake Gemini started" "no" FAIL; cleanup; return; }
  field() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$line"; }
  export BENCH_VISION_BODY BENCH_VISION_BOUNDARY
  BENCH_VISION_BODY=$(field body) BENCH_VISION_BOUNDARY=$(field boundary)
  port=$(free_port)
  HUB_URL=http://127.0.0.1:$port
  (cd "$dir" && exec env BIND=127.0.0.1:$port DATABASE_URL="sqlite://$dir/vision.db?mode=rwc" RUST_LOG=warn \
    GEMINI_API_KEY="$(field key)" GEMINI_API_URL="$(field url)" "$release/vision-ocr" >"$dir/vision.log" 2>&1) &
  PIDS+=("$!")
  local ready=0
  for _ in $(seq 1 150); do curl -fs -o /dev/null "$HUB_URL/healthz" && { ready=1; break; }; sleep 0.2; done
  [ "$ready" = 1 ] || { tail -n 30 "$dir/vision.log" >&2; judge "$label overhead" "service ready" "no" FAIL; cleanup; return; }
  echo "photographed invoice: $(field photo_bytes) bytes (JPEG)"
  wrk -t2 -c"$CONNECTIONS" -d1s "$HUB_URL/healthz" >/dev/null   # warm-up, not counted
  run_wrk "/healthz" get.lua "$HUB_URL/healthz"
  local h_rps=$RPS h_bad=$BAD
  run_wrk "/vision/invoice" vision-invoice.lua "$HUB_URL"
  local v_rps=$RPS v_p50=$P50 v_p99=$P99 v_bad=$BAD
  run_wrk "/healthz (again)" get.lua "$HUB_URL/healthz"
  h_bad=$((h_bad + BAD))
  local baseline ratio
  baseline=$(awk "BEGIN { printf \"%.0f\", ($h_rps + $RPS) / 2 }")
  ratio=$(awk "BEGIN { printf \"%.4f\", $v_rps / $baseline }")
  echo "baseline /healthz: ${baseline} req/s; /vision/invoice (fake Gemini) / healthz: ${ratio}"
  judge "$label overhead" "/healthz, /vision/invoice: no errors or non-2xx" "$h_bad/$v_bad" "$(pass_if "$h_bad + $v_bad == 0")"
  judge "$label overhead" "/vision/invoice (fake Gemini) / healthz" "$ratio ($v_rps req/s, p50 $v_p50 ms, p99 $v_p99 ms)" INFO
  cleanup
}

# Auto-pay at scale: the figures services/payments/tests/ppa_bench.rs prints as `PPA_BENCH k=v …`.
bench_dispatch() {
  local label="dispatch optimiser" out rc=0
  local venv=${BENCH_VENV:-${CARGO_TARGET_DIR:-$ROOT/target}/bench-venv}
  log "mode: $label (Solomon's 56 instances against PyVRP and VROOM, ${BENCH_SOLVER_SECONDS:-10} s each)"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pyvrp, vroom' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "pyvrp==0.14.1" "pyvroom==1.15.2"
  fi
  cargo build --release -q -p dispatch-solver --bin dispatch --example day_bench
  local release=${CARGO_TARGET_DIR:-$ROOT/target}/release
  out=$("$release/examples/day_bench" 2>&1) || rc=$?
  echo "$out"
  judge_lines "$label" "$out" "$rc"
  rc=0
  out=$("$venv/bin/python" "$BENCH_DIR/solomon.py" --dispatch "$release/dispatch" \
    --seconds "${BENCH_SOLVER_SECONDS:-10}" ${BENCH_SOLVER_ONLY:+--only "$BENCH_SOLVER_ONLY"} 2>&1) || rc=$?
  echo "$out"
  judge_lines "$label" "$out" "$rc"
}

bench_ppa() {
  log "payments auto-pay (7,000 customers dry, a real run at the configured pace)"
  local out
  out=$(PPA_BENCH_CUSTOMERS=${BENCH_PPA_CUSTOMERS:-7000} PPA_BENCH_CHARGED=${BENCH_PPA_CHARGED:-400} \
    cargo test --release -q -p payments --test ppa_bench -- --ignored --nocapture --test-threads 1 2>&1) || true
  grep -E '^(dry run|real run|seeded)' <<<"$out" || true
  local dry per rate
  dry=$(sed -nE 's/^PPA_BENCH dry_run_s=([0-9.]+).*/\1/p' <<<"$out")
  per=$(sed -nE 's/^PPA_BENCH per_customer_ms=([0-9.]+).*/\1/p' <<<"$out")
  rate=$(sed -nE 's/^PPA_BENCH per_customer_ms=.* rate_per_s=([0-9]+).*/\1/p' <<<"$out")
  if [ -z "$dry" ] || [ -z "$per" ]; then
    tail -n 30 <<<"$out" >&2
    judge "payments auto-pay" "benchmark ran" "no" FAIL
    return
  fi
  judge "payments auto-pay" "dry run over ${BENCH_PPA_CUSTOMERS:-7000} customers < 30 s" "${dry} s" "$(pass_if "$dry < 30")"
  judge "payments auto-pay" "real run: time per customer at ${rate}/s" "${per} ms (the pace: $(awk "BEGIN { printf \"%.1f\", 1000 / $rate }") ms)" PASS
}

echo "machine: $(nproc) cores, $(uname -sr); hub: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
for mode in $MODES; do
  if [ "$mode" != embedded ] && [ "$mode" != dispatch ] && ! { up 5432 && up 4222; }; then
    echo "PostgreSQL (:5432) or NATS (:4222) is not running (scripts/ensure-services.sh starts them)" >&2
    judge "$mode" "services available" "no" FAIL
    continue
  fi
  case $mode in
    notifications) bench_notifications ;;
    payments) bench_payments ;;
    quotes) bench_quotes ;;
    vision) bench_vision ;;
    dispatch) bench_dispatch ;;
    *) bench_mode "$mode" ;;
  esac
done

log "targets"
failed=0
for r in "${RESULTS[@]}"; do
  IFS='|' read -r mode target value verdict <<<"$r"
  printf '%-4s  %-34s  %-48s %s\n' "$verdict" "$mode" "$target" "$value"
  [ "$verdict" = PASS ] || [ "$verdict" = AIM ] || [ "$verdict" = INFO ] || failed=1
done
exit "$failed"
