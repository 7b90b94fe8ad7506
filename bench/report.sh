#!/usr/bin/env bash
# Review report benchmark (issue 13): `qpan report` writing the Lai Châu mid-term review
# (ou 12, 201601..201806: 31 figures, two tables, two charts) from the demo database as PDF
# and as DOCX — the whole process: opening the database, building the engine, asking every
# figure, laying out and writing the file — against what a user would otherwise do to get the
# PDF: LibreOffice converting the same DOCX (`soffice --headless --convert-to pdf`).
#
#   bench/report.sh [--build-dir build/release] [--runs 5] [--work-dir /tmp/qpan-bench-report]
#                   [--no-build]
#
# Goals: PDF ≤ 1 s, DOCX ≤ 0.5 s. Prints per-run times, medians, the ratio of LibreOffice's
# conversion to qpan's PDF, and a markdown block to paste into bench/RESULTS.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=build/release
runs=5
work_dir=/tmp/qpan-bench-report
do_build=1

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "report.sh: $*" >&2; exit 1; }
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
command -v soffice >/dev/null || die "LibreOffice is needed (bash scripts/install-deps.sh)"

cd "$repo"
if [[ $do_build == 1 ]]; then
  say "building $build_dir (release)"
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQPAN_BUILD_TESTS=OFF >/dev/null
  ninja -C "$build_dir" qpan >/dev/null
fi
qpan="$repo/$build_dir/qpan"
[[ -x $qpan ]] || die "no qpan at $qpan"
mkdir -p "$work_dir"
db="$work_dir/demo.db"
if [[ ! -s $db ]]; then
  say "demo database"
  "$qpan" demo --db "$db" >/dev/null
fi
args=(report --db "$db" --template rpt.midterm_review --ou 12 --pe 201601..201806 --date 2018-07-15)

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
timed() {  # timed COMMAND...: milliseconds of the command, its output discarded
  local t0 t1
  t0=$(now_ms)
  "$@" >/dev/null 2>&1 || die "failed: $*"
  t1=$(now_ms)
  echo $((t1 - t0))
}

# LibreOffice's first start builds its profile: once before timing.
profile="file://$work_dir/lo-profile"
"$qpan" "${args[@]}" -o "$work_dir/m.docx" >/dev/null
soffice --headless "-env:UserInstallation=$profile" --convert-to pdf --outdir "$work_dir/lo" "$work_dir/m.docx" >/dev/null 2>&1

pdf_times=() docx_times=() lo_times=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 1; r <= runs; r++)); do
  pdf_times+=("$(timed "$qpan" "${args[@]}" -o "$work_dir/m.pdf")")
  docx_times+=("$(timed "$qpan" "${args[@]}" -o "$work_dir/m.docx")")
  lo_times+=("$(timed soffice --headless "-env:UserInstallation=$profile" --convert-to pdf --outdir "$work_dir/lo" "$work_dir/m.docx")")
  say "run $r: qpan pdf ${pdf_times[-1]} ms, qpan docx ${docx_times[-1]} ms, LibreOffice docx→pdf ${lo_times[-1]} ms"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
pm=$(printf '%s\n' "${pdf_times[@]}" | median)
dm=$(printf '%s\n' "${docx_times[@]}" | median)
lm=$(printf '%s\n' "${lo_times[@]}" | median)
ratio=$(awk -v a="$lm" -v b="$pm" 'BEGIN { printf "%.1f", a / b }')
pages=$(pdfinfo "$work_dir/m.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
verdict() { awk -v t="$1" -v goal="$2" 'BEGIN { print (t <= goal ? "met" : "not met") }'; }

cat <<MD
### Review reports (issue 13) — $(date -u '+%a, %d %b %Y %H:%M:%S GMT')

Command: \`bench/report.sh --runs $runs\` (qpan $(git rev-parse --short HEAD), release build; $(soffice --version 2>/dev/null | head -n 1 | cut -d' ' -f1-2)).

Machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory; shared, so noisy: compare medians and the ratio. Load average (1, 5, 15 min) before: $load_before; after: $load_after.

The Lai Châu mid-term review (ou 12, 201601..201806; ${pages:-?} pages), whole process, median of $runs runs:

| | median | runs |
|---|---:|---|
| \`qpan report … -o m.pdf\` (engine built, figures asked, Pango layout, Cairo PDF) | $pm ms | ${pdf_times[*]} |
| \`qpan report … -o m.docx\` (the same, WordprocessingML in a zip) | $dm ms | ${docx_times[*]} |
| LibreOffice \`soffice --headless --convert-to pdf m.docx\` | $lm ms | ${lo_times[*]} |

Ratio LibreOffice's DOCX → PDF / qpan's PDF from the data: $ratio. Goals: PDF ≤ 1 s ($(verdict "$pm" 1000)), DOCX ≤ 0.5 s ($(verdict "$dm" 500)).
MD
