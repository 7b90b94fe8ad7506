#!/usr/bin/env bash
# `npm ci` in FOLDER only when its node_modules is missing or its package-lock.json has
# changed since the last install (the web application's build, the DHIS2 client tests), so
# a second run costs nothing. Usage: scripts/npm-ci-if-changed.sh FOLDER WHAT
set -euo pipefail
folder=$1
what=$2
cd "$folder"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "qpan: node and npm are needed for $what (scripts/install-deps.sh installs them)" >&2
  exit 1
fi
# The lockfile's hash at the last install, kept inside node_modules so that removing the
# folder also forgets it.
stamp=node_modules/.qpan-lockfile.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -d node_modules || ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "qpan: installing the packages of $what (npm ci)"
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi
