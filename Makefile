# The Gigafibre hub. `make run` starts everything in one process; `make test` runs every test.
SHELL := /bin/bash
SPA := apps/client

.PHONY: run test bench lint up spa services

run: spa ## the whole hub on :8080 (SQLite, in-process bus, erp-sandbox on :8000, Stripe stand-in on :8002, DocuSeal stand-in on :8003, SPA at /, OCR at /vision/)
	scripts/ensure-ocr.sh
	cargo run --release -p hub

test: services spa ## every test: Rust (SQLite, PostgreSQL, NATS), the API contract and the browser test
	cargo test --workspace --no-fail-fast
	scripts/contract.sh
	scripts/e2e.sh

bench: spa ## load figures against a running release hub (see docs/benchmarks.md)
	scripts/bench.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

up: ## the services mode: traefik + nats + postgres + every service (needs a Docker engine)
	docker compose up --build

spa: $(SPA)/dist/index.html

$(SPA)/dist/index.html: $(SPA)/package-lock.json $(SPA)/vite.config.js $(shell find $(SPA)/src $(SPA)/public $(SPA)/index.html -type f 2>/dev/null)
	cd $(SPA) && npm ci --no-audit --no-fund && npm run build

services:
	scripts/ensure-services.sh
