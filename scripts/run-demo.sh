#!/usr/bin/env bash
# `make run`: creates the embedded database with the demo data and shows what it holds.
# (The HTTP server and the full demo datasets come with later work; until then this prints
# the administrative structure the demo is built on.)
set -euo pipefail
qpan=${1:?usage: run-demo.sh QPAN_BINARY DB}
db=${2:?usage: run-demo.sh QPAN_BINARY DB}
root=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$(dirname "$db")"
"$qpan" init --db "$db"
"$qpan" units import --db "$db" "$root/data/vn-admin"

count() { "$qpan" units tree --db "$db" "$1" --at "$2" | awk -v d="$3" '{ match($0, /^ */); if (RLENGTH == 2 * d) n++ } END { print n + 0 }'; }
echo
echo "Lai Châu (12) on 2018-06-30: $(count 12 2018-06-30 1) districts, $(count 12 2018-06-30 2) communes"
echo "Lai Châu (12) on 2025-03-01: $(count 12 2025-03-01 1) districts, $(count 12 2025-03-01 2) communes"
echo "Lai Châu (12) on 2025-07-01: $(count 12 2025-07-01 1) communes directly under the province"
echo "Code 15 on 2024-01-01: $("$qpan" units tree --db "$db" 15 --at 2024-01-01 --depth 0)"
echo "Code 15 on 2025-08-01: $("$qpan" units tree --db "$db" 15 --at 2025-08-01 --depth 0)"
echo
echo "Search ignores accents: qpan units find --db $db \"lai chau\""
"$qpan" units find --db "$db" "lai chau" --limit 5
