#!/usr/bin/env bash
# Import benchmark (issue 3): qpan's validated `qpan values import` against the sqlite3
# shell's `.import` of the same national-scale CSV into a table with the same primary key.
#
#   bench/import.sh [--build-dir build/release] [--runs 3] [--work-dir /tmp/qpan-bench]
#                   [--seed 42] [--sqlite-journal wal|delete] [--no-build] [--keep]
#
# The file: every month 2016-01..2025-06 × every commune in force that month × 12 elements
# = 14,784,048 values (bench/generate_values, deterministic by --seed), reused from the work
# dir when its stamp (seed, inputs, size) matches.
#
# Each run, alternating which side goes first:
#   qpan:    fresh database: qpan init, units import, elements import (not timed), then
#            `qpan values import --db D FILE` is timed (wall clock, whole process).
#   sqlite3: fresh database with table datavalue(... PRIMARY KEY (dataelement, period,
#            orgunit, categoryoptioncombo, attributeoptioncombo)), journal_mode=WAL (or
#            DELETE with --sqlite-journal delete), then
#            `sqlite3 DB 'PRAGMA synchronous=NORMAL' '.mode csv' '.import --skip 1 FILE datavalue'`
#            is timed (wall clock, whole process, including the final checkpoint).
# Row counts are checked after every load. Prints per-run times, medians, the ratio
# qpan/sqlite3 (goal <= 1.0) and qpan's rate (goal >= 1,000,000 values/s), and a markdown
# block to paste into bench/RESULTS.md. Appends nothing itself.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=build/release
runs=3
work_dir=/tmp/qpan-bench
seed=42
journal=wal
do_build=1
keep=0
from=201601
to=202506
expected_rows=14784048   # for the default range; recomputed from the generator's report

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "import.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir=${2:?--build-dir needs a value}; shift 2 ;;
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --work-dir) work_dir=${2:?--work-dir needs a value}; shift 2 ;;
    --seed) seed=${2:?--seed needs a value}; shift 2 ;;
    --sqlite-journal) journal=${2:?--sqlite-journal needs a value}; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive integer, got '$runs'"
[[ $seed =~ ^[0-9]+$ ]] || die "--seed wants a non-negative integer, got '$seed'"
case "$journal" in
  wal) journal_pragma=WAL ;;
  delete) journal_pragma=DELETE ;;
  *) die "--sqlite-journal wants wal or delete, got '$journal'" ;;
esac
[[ $build_dir = /* ]] || build_dir=$repo/$build_dir

command -v sqlite3 >/dev/null || die "sqlite3 is not installed (apt-get install sqlite3)"
units_dir=$repo/data/vn-admin
units_csv=$units_dir/units-history.csv
elements_json=$repo/bench/elements-national.json
[[ -f $units_csv ]] || die "missing $units_csv"
[[ -f $elements_json ]] || die "missing $elements_json"

# --- Build --------------------------------------------------------------------------------
if [[ $do_build -eq 1 ]]; then
  [[ -f $build_dir/CMakeCache.txt ]] ||
    die "$build_dir is not a configured CMake build dir (configure it, or pass --no-build)"
  say "building qpan and generate_values in $build_dir"
  cmake --build "$build_dir" --target qpan generate_values >&2 ||
    die "cmake --build $build_dir failed"
fi
qpan=$build_dir/qpan
[[ -x $qpan ]] || qpan=$build_dir/src/cli/qpan
generator=$build_dir/generate_values
[[ -x $generator ]] || generator=$build_dir/bench/generate_values
[[ -x $qpan ]] || die "no qpan binary in $build_dir (looked for qpan and src/cli/qpan)"
[[ -x $generator ]] || die "no generate_values binary in $build_dir (looked in . and bench/)"

# --- The file -----------------------------------------------------------------------------
mkdir -p "$work_dir"
avail_kb=$(df -Pk "$work_dir" | awk 'NR==2 {print $4}')
csv=$work_dir/values-seed$seed-$from-$to.csv
stamp=$csv.stamp
want_stamp="seed=$seed from=$from to=$to units=$(sha256sum <"$units_csv" | cut -c1-16)"
want_stamp+=" elements=$(sha256sum <"$elements_json" | cut -c1-16)"
want_stamp+=" generator=$(sha256sum <"$repo/bench/generate_values.cc" | cut -c1-16)"
reuse=0
if [[ -f $csv && -f $stamp ]]; then
  stamp_line=$(head -1 "$stamp")
  stamp_size=$(sed -n 2p "$stamp")
  stamp_rows=$(sed -n 3p "$stamp")
  if [[ $stamp_line == "$want_stamp" && $(stat -c %s "$csv") == "$stamp_size" ]]; then
    reuse=1
    rows=$stamp_rows
  fi
fi
if [[ $reuse -eq 1 ]]; then
  say "reusing $csv ($rows values)"
else
  # ~1 GB for the CSV, then at most one database at a time (qpan's, or sqlite3's ~1.8 GB).
  (( avail_kb > 5 * 1024 * 1024 )) ||
    die "less than 5 GB free in $work_dir ($((avail_kb / 1024)) MB); use --work-dir"
  rm -f "$csv" "$stamp"
  say "generating $csv"
  gen_log=$work_dir/generate.log
  "$generator" --units "$units_csv" --elements "$elements_json" --from "$from" --to "$to" \
      --seed "$seed" --out "$csv.tmp" 2>"$gen_log" || { cat "$gen_log" >&2; die "generator failed"; }
  cat "$gen_log" >&2
  rows=$(sed -n 's/.* \([0-9][0-9]*\) rows.*/\1/p' "$gen_log")
  [[ -n $rows ]] || die "cannot read the row count from the generator's report"
  lines=$(wc -l <"$csv.tmp")
  [[ $lines -eq $((rows + 1)) ]] || die "generated file has $lines lines, expected $((rows + 1))"
  mv "$csv.tmp" "$csv"
  printf '%s\n%s\n%s\n' "$want_stamp" "$(stat -c %s "$csv")" "$rows" >"$stamp"
fi
if [[ $from == 201601 && $to == 202506 && $rows -ne $expected_rows ]]; then
  die "the file has $rows values, expected $expected_rows for $from..$to"
fi
csv_mb=$(( $(stat -c %s "$csv") / 1000000 ))

# Both sides read the CSV from the page cache: read it once before timing anything.
cat "$csv" >/dev/null

# --- Helpers ------------------------------------------------------------------------------
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
  if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cleanup() {
  if [[ $keep -eq 0 ]]; then
    rm -f "$work_dir"/qpan-run.db* "$work_dir"/sqlite-run.db* "$csv.tmp"
  fi
}
trap cleanup EXIT

sqlite_schema="CREATE TABLE datavalue(dataelement TEXT NOT NULL, period TEXT NOT NULL,
  orgunit TEXT NOT NULL, categoryoptioncombo TEXT NOT NULL, attributeoptioncombo TEXT NOT NULL,
  value TEXT, storedby TEXT, lastupdated TEXT, comment TEXT, followup TEXT,
  PRIMARY KEY (dataelement, period, orgunit, categoryoptioncombo, attributeoptioncombo));"

qpan_times=()
sqlite_times=()

run_qpan() {
  local db=$work_dir/qpan-run.db log=$work_dir/qpan-run.log
  rm -f "$db" "$db"-wal "$db"-shm "$db"-journal
  "$qpan" init --db "$db" >"$log" 2>&1 || { cat "$log" >&2; die "qpan init failed"; }
  "$qpan" units import --db "$db" "$units_dir" >>"$log" 2>&1 ||
    { cat "$log" >&2; die "qpan units import failed"; }
  "$qpan" elements import --db "$db" "$elements_json" >>"$log" 2>&1 ||
    { cat "$log" >&2; die "qpan elements import failed"; }
  sync
  local t0 t1
  t0=$(now)
  "$qpan" values import --db "$db" "$csv" >>"$log" 2>&1 ||
    { cat "$log" >&2; die "qpan values import failed"; }
  t1=$(now)
  local count
  count=$(sqlite3 "$db" 'SELECT count(*) FROM data_value')
  [[ $count -eq $rows ]] || die "qpan database holds $count values, expected $rows"
  local t
  t=$(elapsed "$t0" "$t1")
  qpan_times+=("$t")
  echo "   qpan values import: $t s ($count values, database $(( $(du -sk "$db" | cut -f1) / 1024 )) MB)" >&2
  rm -f "$db" "$db"-wal "$db"-shm "$db"-journal
}

run_sqlite() {
  local db=$work_dir/sqlite-run.db log=$work_dir/sqlite-run.log
  rm -f "$db" "$db"-wal "$db"-shm "$db"-journal
  sqlite3 -bail "$db" "PRAGMA journal_mode=$journal_pragma;" "$sqlite_schema" >/dev/null
  sync
  local t0 t1
  t0=$(now)
  sqlite3 -bail "$db" 'PRAGMA synchronous=NORMAL' '.mode csv' \
      ".import --skip 1 '$csv' datavalue" >"$log" 2>&1 ||
    { head -20 "$log" >&2; die "sqlite3 .import failed"; }
  t1=$(now)
  # .import reports bad rows and goes on: any message means the load is not comparable.
  [[ ! -s $log ]] || { head -20 "$log" >&2; die "sqlite3 .import reported errors"; }
  local count
  count=$(sqlite3 "$db" 'SELECT count(*) FROM datavalue')
  [[ $count -eq $rows ]] || die "sqlite3 database holds $count rows, expected $rows"
  local t
  t=$(elapsed "$t0" "$t1")
  sqlite_times+=("$t")
  echo "   sqlite3 .import:    $t s ($count rows, database $(( $(du -sk "$db" | cut -f1) / 1024 )) MB)" >&2
  rm -f "$db" "$db"-wal "$db"-shm "$db"-journal
}

# --- Runs ---------------------------------------------------------------------------------
for ((i = 1; i <= runs; i++)); do
  say "run $i of $runs"
  if (( i % 2 )); then run_qpan; run_sqlite; else run_sqlite; run_qpan; fi
done

qpan_median=$(median "${qpan_times[@]}")
sqlite_median=$(median "${sqlite_times[@]}")
ratio=$(awk -v q="$qpan_median" -v s="$sqlite_median" 'BEGIN { printf "%.2f", q / s }')
rate=$(awk -v n="$rows" -v q="$qpan_median" 'BEGIN { printf "%.0f", n / q }')
sqlite_rate=$(awk -v n="$rows" -v s="$sqlite_median" 'BEGIN { printf "%.0f", n / s }')
ratio_ok=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.0) ? "met" : "NOT met" }')
rate_ok=$(awk -v r="$rate" 'BEGIN { print (r >= 1000000) ? "met" : "NOT met" }')
group() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: *//')
mem_gb=$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "no commit yet")
dirty=$(git -C "$repo" status --porcelain 2>/dev/null | head -1)
[[ -z $dirty ]] || rev="$rev (with uncommitted changes)"
sqlite_version=$(sqlite3 --version | cut -d' ' -f1)
cmdline="bench/import.sh --build-dir ${build_dir#"$repo"/} --runs $runs"
[[ $seed == 42 ]] || cmdline+=" --seed $seed"
[[ $journal == wal ]] || cmdline+=" --sqlite-journal $journal"

run_rows=""
for ((i = 0; i < runs; i++)); do
  run_rows+="| $((i + 1)) | ${qpan_times[$i]} | ${sqlite_times[$i]} |"$'\n'
done

cat <<EOF

### Import (issue 3) — $(date -u +%Y-%m-%d)

Command: \`$cmdline\` (qpan $rev, sqlite3 $sqlite_version)

Machine: nproc $(nproc), $cpu, $mem_gb GiB memory

File: $(group "$rows") values (months $from–$to × communes in force × 12 elements), $csv_mb MB, seed $seed

sqlite3 side: \`.mode csv\` + \`.import --skip 1\` into a table with the same primary key,
journal_mode=$journal_pragma, synchronous=NORMAL, other pragmas default.
Times are wall clock of the whole process; the CSV is in the page cache for both.

| run | qpan values import (s) | sqlite3 .import (s) |
|---|---|---|
${run_rows}| **median** | **$qpan_median** | **$sqlite_median** |

- Ratio qpan / sqlite3 (medians): **$ratio** (goal ≤ 1.0: $ratio_ok)
- qpan rate: **$(group "$rate") values/s** (goal ≥ 1,000,000: $rate_ok); sqlite3 .import: $(group "$sqlite_rate") rows/s
EOF
