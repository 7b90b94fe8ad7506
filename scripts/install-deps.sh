#!/usr/bin/env bash
# Installs the Debian packages qpan builds and tests with. Idempotent: installs only what
# is missing, so `make run` and CI can call it every time at almost no cost.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libicu-dev libcli11-dev libfmt-dev libspdlog-dev libsodium-dev
  libgtest-dev googletest
  libxlsxwriter-dev  # XLSX workbooks
  libxml2-dev  # ADX documents, and the parts of XLSX workbooks read back
  libzip-dev  # XLSX workbooks read back (filled forms)
  zlib1g-dev  # gzip of HTTP answers
  libxxhash-dev  # the checksum of engine snapshots
  libpq-dev  # the PostgreSQL store's client library
  postgresql-15  # the server the PostgreSQL store's tests start privately (and bench/engine.sh)
  libcairo2-dev libpango1.0-dev  # review reports as PDF and their charts
  fonts-liberation2  # Liberation Serif: Times New Roman's metrics, embedded in report PDFs
  poppler-utils  # the report tests read PDFs back (pdftotext, pdftoppm)
  libreoffice-writer-nogui  # the report tests open the DOCX in LibreOffice (--convert-to pdf)
  python3  # the end-to-end tests parse JSON output with it
  python3-openpyxl  # the tests fill Excel forms with a library other than qpan's
)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
# The web application's toolchain and the browser its tests drive, checked by command: a
# Node.js installed otherwise serves as well (NodeSource's bundles npm and conflicts with
# Debian's npm package). Debian 12's Node 18 is the oldest the web application supports.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v chromium >/dev/null || missing+=(chromium)

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "qpan: installing missing packages: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them once if a package is unknown.
if ! apt-cache show "${missing[0]}" >/dev/null 2>&1; then
  $SUDO apt-get update -q
fi
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
