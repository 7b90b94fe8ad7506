#!/usr/bin/env bash
# Builds the web application into web/dist (`make web`, `make run` and the web tests' CTest
# fixture). `npm ci` runs only when web/node_modules is missing or package-lock.json has
# changed since the last install, so a rebuild costs only Vite's few seconds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/web"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "qpan: node and npm are needed to build the web application (scripts/install-deps.sh installs them)" >&2
  exit 1
fi

# The lockfile's hash at the last install, kept inside node_modules so that removing the
# folder also forgets it.
stamp=node_modules/.qpan-lockfile.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -d node_modules || ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "qpan: installing the web application's packages (npm ci)"
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi
npm run --silent build
