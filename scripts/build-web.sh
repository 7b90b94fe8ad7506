#!/usr/bin/env bash
# Builds the web application into web/dist (`make web`, `make run` and the web tests' CTest
# fixture). `npm ci` runs only when web/node_modules is missing or package-lock.json has
# changed since the last install, so a rebuild costs only Vite's few seconds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/npm-ci-if-changed.sh" "$root/web" "the web application"
cd "$root/web"
npm run --silent build
