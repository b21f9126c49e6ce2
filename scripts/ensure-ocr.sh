#!/usr/bin/env bash
# What vision-ocr's local provider needs on this machine: Tesseract with French and English,
# poppler's pdftoppm and pdfinfo (PDF invoices), and the DejaVu fonts the OCR test fixtures print
# with. Idempotent: does nothing when all are there. As root, installs what is missing with apt-get.
#
# `make run` runs it as is: when the packages cannot be installed (not root, no network) it says in
# one line that /vision answers 503 until they are, and exits 0 so the hub still starts.
# `--strict` (scripts/ensure-services.sh, for `make test`) exits 1 instead.
set -euo pipefail

PACKAGES=(tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng poppler-utils fonts-dejavu-core fonts-dejavu-extra)
DEJAVU=/usr/share/fonts/truetype/dejavu
strict=false
[ "${1:-}" = "--strict" ] && strict=true

ready() {
  local langs
  langs=$(tesseract --list-langs 2>/dev/null) || return 1
  grep -qx fra <<<"$langs" && grep -qx eng <<<"$langs" &&
    command -v pdftoppm >/dev/null && command -v pdfinfo >/dev/null &&
    [ -f "$DEJAVU/DejaVuSans.ttf" ] && [ -f "$DEJAVU/DejaVuSansCondensed.ttf" ]
}

# Not installed and cannot be: fail under --strict, else say so once and let the hub start.
missing() {
  if $strict; then
    echo "vision-ocr needs ${PACKAGES[*]}: $1" >&2
    exit 1
  fi
  echo "OCR: ${PACKAGES[*]} missing ($1): /vision answers 503 VIS_12 until they are installed (as root: scripts/ensure-ocr.sh)" >&2
  exit 0
}

ready && exit 0
[ "$(id -u)" -eq 0 ] || missing "need root to apt-get install them"
{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${PACKAGES[@]}" >/dev/null; } || missing "apt-get install failed"
ready || missing "installed, but tesseract --list-langs lacks fra or eng"
