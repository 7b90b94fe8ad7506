#!/usr/bin/env bash
# Runs the DHIS2 client tests (CTest's dhis2.client): `npm ci` when needed, then
# `node --test` over every *.test.mjs here. QPAN_BIN must name the qpan binary to test;
# arguments go to node.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ -z ${QPAN_BIN:-} ]]; then
  echo "qpan: set QPAN_BIN to the qpan binary to test" >&2
  exit 1
fi
bash "$here/../../scripts/npm-ci-if-changed.sh" "$here" "the DHIS2 client tests"
cd "$here"
exec node --test "$@"
