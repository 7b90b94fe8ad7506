#!/usr/bin/env bash
# Figures as known on a past date (issue 15): `qpan analytics` for a province and a year on
# the demo database as it is, as of a time before a correction (one value undone from the
# change log), and as of a second after the units and pack were loaded (nearly every value
# of the demo undone) — each the whole process: opening the database, building the engine,
# undoing, answering.
# Goal: a province-year question as of a past date in ≤ 2 s on the demo.
#
#   bench/as_of.sh [--build-dir build/release] [--runs 5] [--work-dir /tmp/qpan-bench-as-of]
#                  [--no-build]
#
# Prints per-run times, medians and a markdown block to paste into bench/RESULTS.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=build/release
runs=5
work_dir=/tmp/qpan-bench-as-of
do_build=1

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "as_of.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir=${2:?--build-dir needs a value}; shift 2 ;;
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --work-dir) work_dir=${2:?--work-dir needs a value}; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive integer, got '$runs'"

cd "$repo"
if [[ $do_build == 1 ]]; then
  say "building $build_dir (release)"
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQPAN_BUILD_TESTS=OFF >/dev/null
  ninja -C "$build_dir" qpan >/dev/null
fi
qpan="$repo/$build_dir/qpan"
[[ -x $qpan ]] || die "no qpan at $qpan"
rm -rf "$work_dir"
mkdir -p "$work_dir"
db="$work_dir/demo.db"
say "demo database, then one correction a few seconds later"
"$qpan" demo --db "$db" >/dev/null
sleep 1.2
before_correction=$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%dT%H:%M:%S%:z)
sleep 1.2
printf 'dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup\n%s\n' \
  'crime.ttxh.cases,201601,03400,,,99,,,,' >"$work_dir/fix.csv"
"$qpan" values import --db "$db" "$work_dir/fix.csv" >/dev/null
# The whole second after the last unit or pack entry (--as-of takes whole seconds): the
# values written after it are undone, nearly all of the demo's.
structure_ms=$(sqlite3 "$db" "SELECT max(at) FROM change_log WHERE kind IN ('units', 'pack', 'catalogue')")
before_values=$(date -u -d "@$(( structure_ms / 1000 + 1 ))" +%Y-%m-%dT%H:%M:%SZ)
# The log's value entries after it (values created together by an import share one entry).
undone_all=$(sqlite3 "$db" "SELECT count(*) FROM change_log WHERE kind IN ('value', 'values')
                            AND at > ($structure_ms / 1000 + 1) * 1000")

query=(analytics --db "$db" --dx crime.ttxh.cases --ou 12 --pe 2016 --format csv)
now_ms() { date +%s%3N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
timed() {  # timed COMMAND...: milliseconds of the command, its output discarded
  local t0 t1
  t0=$(now_ms)
  "$@" >/dev/null 2>&1 || die "failed: $*"
  t1=$(now_ms)
  echo $(( t1 - t0 ))
}
# The figure of the answer, "none" when it has no row.
figure() { "$qpan" "${query[@]}" "$@" | awk -F, 'NR == 2 { v = $4 } END { print (v == "" ? "none" : v) }'; }

declare -a now_t then_t empty_t
for (( i = 1; i <= runs; i++ )); do
  now_t+=("$(timed "$qpan" "${query[@]}")")
  then_t+=("$(timed "$qpan" "${query[@]}" --as-of "$before_correction")")
  empty_t+=("$(timed "$qpan" "${query[@]}" --as-of "$before_values")")
  say "run $i: now ${now_t[-1]} ms, before the correction ${then_t[-1]} ms, after the structure ${empty_t[-1]} ms"
done
now_median=$(printf '%s\n' "${now_t[@]}" | median)
then_median=$(printf '%s\n' "${then_t[@]}" | median)
empty_median=$(printf '%s\n' "${empty_t[@]}" | median)
values=$(sqlite3 "$db" "SELECT count(*) FROM data_value")
cat <<MD

### As known on a date (issue 15)

Command: \`bench/as_of.sh --runs $runs\` ($(date -u +%Y-%m-%d), $(nproc) cores, qpan $(git -C "$repo" rev-parse --short HEAD))

\`qpan analytics --dx crime.ttxh.cases --ou 12 --pe 2016\` on the demo database ($values values), whole process, $runs runs:

| question | answer | median (ms) | runs (ms) |
|---|---|---|---|
| as it is now | $(figure) | $now_median | ${now_t[*]} |
| \`--as-of\` before one correction (1 value undone) | $(figure --as-of "$before_correction") | $then_median | ${then_t[*]} |
| \`--as-of\` a second after the units and pack ($undone_all log entries of values undone) | $(figure --as-of "$before_values") | $empty_median | ${empty_t[*]} |

Goal ≤ 2 s for a province-year question as of a past date.
MD
