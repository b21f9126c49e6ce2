#!/usr/bin/env bash
# Makes sure what the tests need is installed and running: PostgreSQL and NATS JetStream on loopback,
# Debian's chromium for the browser test, Tesseract, poppler and the DejaVu fonts for vision-ocr
# (scripts/ensure-ocr.sh), nginx for the portal's headers test, Debian's prometheus package for its
# promtool (the alert rules' tests; its daemon is never started), and a Python venv
# with kubernetes-validate for the Kubernetes manifests test and schemathesis for the API contract;
# checks kubectl (its kustomize renders deploy/k8s for that test) is there. Idempotent; needs root
# to install.
set -euo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then echo "need root to apt-get install $*" >&2; return 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# apt_install with every service start refused (policy-rc.d answering 101, as in Docker images); the
# machine's own policy-rc.d, if any, is put back afterwards.
apt_install_without_starting() {
  if [ "$(id -u)" -ne 0 ]; then echo "need root to apt-get install $*" >&2; return 1; fi
  local policy=/usr/sbin/policy-rc.d saved="" status=0
  if [ -e "$policy" ]; then saved=$(mktemp) && cp -p "$policy" "$saved"; fi
  printf '#!/bin/sh\n# scripts/ensure-services.sh: no service starts during this install\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  apt_install "$@" || status=$?
  if [ -n "$saved" ]; then mv "$saved" "$policy"; else rm -f "$policy"; fi
  return "$status"
}

if ! up 5432; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
fi

if ! up 4222; then
  [ -x /usr/sbin/nats-server ] || apt_install nats-server
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
fi

[ -x /usr/bin/chromium ] || apt_install chromium
# vision-ocr's local provider and its tests: Debian's tesseract-ocr with -fra and -eng, poppler-utils
# (pdftoppm, pdfinfo) and the DejaVu fonts (fonts-dejavu-core, -extra) the OCR fixtures print with;
# installed when `tesseract --list-langs` lacks fra or eng, or a program or a font is missing.
"$(dirname "$0")/ensure-ocr.sh" --strict
# services/hub/tests/traefik/ runs deploy/portal-nginx.conf in Debian's nginx (not as a service).
[ -x /usr/sbin/nginx ] || apt_install nginx-light

# services/hub/tests/deploy/ checks and unit-tests deploy/prometheus with promtool, which comes with
# Debian's prometheus package. Only promtool is wanted: the package's postinst would start the
# prometheus daemon (invoke-rc.d, or systemd), so the install runs under a policy-rc.d that refuses
# every start (101), restored afterwards, and the unit is disabled where systemd runs; no Recommends
# (prometheus-node-exporter is another daemon).
if [ ! -x /usr/bin/promtool ]; then
  apt_install_without_starting --no-install-recommends prometheus
  if [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  else
    update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
fi

# services/hub/tests/deploy/ renders deploy/k8s with `kubectl kustomize` (kustomize v5+). kubectl
# ships with this machine image (/usr/bin/kubectl); Debian's kubernetes-client is too old (1.20,
# kustomize v2) and conflicts with it, so it is never installed here.
if ! kubectl version --client 2>/dev/null | grep -q '^Kustomize Version: v5'; then
  echo "kubectl with kustomize v5 is missing: it ships with the machine image; the deploy test" >&2
  echo "renders deploy/k8s with \`kubectl kustomize\` (deploy/k8s/README.md, Checked offline)" >&2
  exit 1
fi

# services/hub/tests/deploy/ validates deploy/k8s against the Kubernetes schemas offline with this
# pinned kubernetes-validate (it bundles the schemas; --strict rejects unknown fields), and
# scripts/contract.sh holds a running hub to its /openapi.json with this pinned schemathesis.
KUBERNETES_VALIDATE_VERSION=1.37.0
SCHEMATHESIS_VERSION=4.32.5
VENV=/var/cache/gigafibre-hub/venv
if ! "$VENV/bin/kubernetes-validate" --version 2>/dev/null | grep -qx "$KUBERNETES_VALIDATE_VERSION" ||
  ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qx "schemathesis, version $SCHEMATHESIS_VERSION"; then
  mkdir -p "$(dirname "$VENV")"
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" "schemathesis==$SCHEMATHESIS_VERSION"
fi

for _ in $(seq 1 50); do up 5432 && up 4222 && break; sleep 0.2; done
up 5432 || { echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
up 4222 || { echo "NATS is not answering on 127.0.0.1:4222" >&2; exit 1; }
