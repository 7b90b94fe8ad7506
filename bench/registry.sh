#!/usr/bin/env bash
# Registry import benchmark (issue 14): `qpan registry import` of 100,000 delegation records
# — every field checked against the pack, the records and their audit rows written, and the
# elements counted from them recounted and stored in the same transaction — against the
# sqlite3 shell's `.import` of the same CSV into a plain table (what a user keeping the
# register in a database would do: no checks, no counting).
#
#   bench/registry.sh [--build-dir build/release] [--runs 3] [--records 100000]
#                     [--work-dir /tmp/qpan-bench-registry] [--no-build]
#
# The file: N records of reg.foreign.delegation_in owned by Lai Châu (12), dated every day
# from 1 Jan 2016 on in turn, partners and sizes in a fixed cycle (deterministic). Each run,
# alternating which side goes first, on a fresh copy of a database holding the units and the
# pack (not timed): qpan's import is timed (wall clock, whole process), then sqlite3's into a
# fresh database. Row counts are checked after every load, and the counted figure
# foreign.in.delegations over 2016–2024 must equal the records dated then. Prints per-run
# times, medians, the ratio qpan/sqlite3, qpan's rate (goal: 100,000 records <= 2 s) and a
# markdown block to paste into bench/RESULTS.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=build/release
runs=3
records=100000
work_dir=/tmp/qpan-bench-registry
do_build=1

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "registry.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir=${2:?--build-dir needs a value}; shift 2 ;;
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --records) records=${2:?--records needs a value}; shift 2 ;;
    --work-dir) work_dir=${2:?--work-dir needs a value}; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive integer, got '$runs'"
[[ $records =~ ^[1-9][0-9]*$ ]] || die "--records wants a positive integer, got '$records'"
command -v sqlite3 >/dev/null || die "sqlite3 is needed (bash scripts/install-deps.sh)"

cd "$repo"
if [[ $do_build == 1 ]]; then
  say "building $build_dir (release)"
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQPAN_BUILD_TESTS=OFF >/dev/null
  ninja -C "$build_dir" qpan >/dev/null
fi
qpan="$repo/$build_dir/qpan"
[[ -x $qpan ]] || die "no qpan at $qpan"
mkdir -p "$work_dir"

csv="$work_dir/delegations-$records.csv"
if [[ ! -s $csv ]]; then
  say "writing $records records to $csv"
  awk -v n="$records" 'BEGIN {
    print "org_unit,partner,delegation,head_title,date_from,date_to,purpose,persons,worked_with"
    split("van_nam bac_lao dai_su_quan to_chuc_nn khac", partner, " ")
    split("31 28 31 30 31 30 31 31 30 31 30 31", days, " ")
    y = 2016; m = 1; d = 1
    for (i = 0; i < n; i++) {
      leap = (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)); last = days[m] + (m == 2 && leap)
      printf "12,%s,Đoàn số %d,Phó Chủ tịch,%04d-%02d-%02d,%04d-%02d-%02d,Trao đổi hợp tác,%d,%s\n",
             partner[i % 5 + 1], i + 1, y, m, d, y, m, d, 2 + i % 9, (i % 7 ? "true" : "false")
      if (i % 30 == 29) { if (++d > last) { d = 1; if (++m > 12) { m = 1; y++ } } }
    }
  }' >"$csv"
fi
expected_2016_2024=$(awk -F, 'NR > 1 && $5 >= "2016-01-01" && $5 <= "2024-12-31"' "$csv" | wc -l)

template="$work_dir/template.db"
if [[ ! -s $template ]]; then
  say "template database: units and pack"
  "$qpan" init --db "$template" >/dev/null
  "$qpan" units import --db "$template" "$repo/data/vn-admin" >/dev/null
  "$qpan" pack load --db "$template" "$repo/packs/qpan-vn" >/dev/null
fi

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

qpan_times=() sqlite_times=()
run_qpan() {
  rm -f "$work_dir/q.db"*
  cp "$template" "$work_dir/q.db"
  local t0 t1
  t0=$(now_ms)
  "$qpan" registry import --db "$work_dir/q.db" reg.foreign.delegation_in "$csv" >/dev/null
  t1=$(now_ms)
  qpan_times+=($((t1 - t0)))
  local held counted
  held=$(sqlite3 "$work_dir/q.db" 'SELECT count(*) FROM registry_record')
  [[ $held == "$records" ]] || die "qpan holds $held records, not $records"
  counted=$("$qpan" analytics --db "$work_dir/q.db" --dx foreign.in.delegations --ou 12 --pe 2016..2024 --format csv |
            awk -F, 'NR == 2 { print $4 }')
  [[ $counted == "$expected_2016_2024" ]] || die "foreign.in.delegations 2016–2024 is $counted, the file has $expected_2016_2024"
}
run_sqlite() {
  rm -f "$work_dir/s.db"*
  sqlite3 "$work_dir/s.db" 'PRAGMA journal_mode=WAL' \
    'CREATE TABLE delegation (org_unit TEXT, partner TEXT, delegation TEXT, head_title TEXT, date_from TEXT,
                              date_to TEXT, purpose TEXT, persons INTEGER, worked_with TEXT)' >/dev/null
  local t0 t1
  t0=$(now_ms)
  sqlite3 "$work_dir/s.db" 'PRAGMA synchronous=NORMAL' '.mode csv' ".import --skip 1 $csv delegation"
  t1=$(now_ms)
  sqlite_times+=($((t1 - t0)))
  local held
  held=$(sqlite3 "$work_dir/s.db" 'SELECT count(*) FROM delegation')
  [[ $held == "$records" ]] || die "sqlite3 holds $held rows, not $records"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 1; r <= runs; r++)); do
  if ((r % 2)); then run_qpan; run_sqlite; else run_sqlite; run_qpan; fi
  say "run $r: qpan ${qpan_times[-1]} ms, sqlite3 ${sqlite_times[-1]} ms"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
qm=$(printf '%s\n' "${qpan_times[@]}" | median)
sm=$(printf '%s\n' "${sqlite_times[@]}" | median)
ratio=$(awk -v a="$qm" -v b="$sm" 'BEGIN { printf "%.1f", a / b }')
rate=$(awk -v n="$records" -v t="$qm" 'BEGIN { printf "%.0f", n / (t / 1000) }')

cat <<MD
### Registry import (issue 14) — $(date -u '+%a, %d %b %Y %H:%M:%S GMT')

Command: \`bench/registry.sh --runs $runs --records $records\` (qpan $(git rev-parse --short HEAD), release build; $(sqlite3 --version | cut -d' ' -f1-2)).

Machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory; shared, so noisy: compare medians and the ratio. Load average (1, 5, 15 min) before: $load_before; after: $load_after.

$records records of reg.foreign.delegation_in (one owner, Lai Châu; dated 2016 on), median of $runs runs, alternating which side goes first:

| | median | runs |
|---|---:|---|
| \`qpan registry import\` (checked, audited, counted figures written in the same transaction) | $qm ms | ${qpan_times[*]} |
| sqlite3 \`.import\` into a plain table | $sm ms | ${sqlite_times[*]} |

Ratio qpan / sqlite3: $ratio. qpan: $rate records/s (goal: 100,000 records ≤ 2 s).
MD
