#!/usr/bin/env bash
# Start-up benchmark (issue 15): how long `qpan serve` takes from launch to its first
# answer over a large store, building its engine from the database (--no-snapshot) against
# reading its snapshot and replaying the log after it.
#
#   bench/startup.sh [--build-dir build/release] [--db FILE] [--work-dir /tmp/qpan-bench-engine]
#                    [--runs 3] [--no-build]
#
# The store: --db, else bench/engine.sh's qpan store in the work dir (98,560,320 values;
# made by `bench/engine.sh --sides qpan --keep` when missing). The snapshot goes to
# WORK/startup-snapshot: written once by a server that built its engine (not timed: the
# server serves meanwhile), then read by every timed snapshot start.
# Each run, alternating which goes first: a start without the snapshot and one with it,
# each timed from launch until GET /healthz answers 200 (wall clock, whole process), then
# stopped; beside it the CPU time the server had used by then (user + system, all threads,
# from /proc), which a busy machine changes less than the wall clock. Prints per-run times,
# medians, their ratio and a markdown block for bench/RESULTS.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=build/release
work_dir=/tmp/qpan-bench-engine
db=""
runs=3
do_build=1

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "startup.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

while (($#)); do
  case "$1" in
    --build-dir) build_dir=${2:?--build-dir needs a value}; shift 2 ;;
    --db) db=${2:?--db needs a value}; shift 2 ;;
    --work-dir) work_dir=${2:?--work-dir needs a value}; shift 2 ;;
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs: a positive number"

cd "$repo"
if ((do_build)); then
  say "building qpan in $build_dir"
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQPAN_BUILD_TESTS=OFF >/dev/null
  ninja -C "$build_dir" qpan >/dev/null
fi
qpan="$repo/$build_dir/qpan"
[[ -x $qpan ]] || die "no qpan at $qpan"
if [[ -z $db ]]; then
  db=$work_dir/qpan.db
  if [[ ! -f $db ]]; then
    say "no store at $db: loading it with bench/engine.sh (long)"
    bash bench/engine.sh --build-dir "$build_dir" --work-dir "$work_dir" --sides qpan --keep --no-build \
      --runs 1 --rounds 1 --write-runs 1 >&2
  fi
fi
[[ -f $db ]] || die "no database at $db"
snapshot_dir=$work_dir/startup-snapshot
mkdir -p "$work_dir"
out=$work_dir/startup-serve.out
err=$work_dir/startup-serve.err

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
server_pid=""
trap '[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; true' EXIT

# serve ARGS...: starts qpan serve over $db on a free port with ARGS, waits for /healthz;
# sets elapsed to the milliseconds from launch to the answer and cpu to the CPU
# milliseconds the server had used then. The server keeps running ($server_pid; not in a
# subshell, so that stop() finds it).
elapsed=0
cpu=0
ticks_per_s=$(getconf CLK_TCK)
serve() {
  local t0 port="" i
  t0=$(now_ms)
  "$qpan" serve --db "$db" --listen 127.0.0.1:0 "$@" >"$out" 2>"$err" &
  server_pid=$!
  for ((i = 0; i < 60000; i++)); do
    port=$(grep -oE 'on http://127\.0\.0\.1:[0-9]+' "$out" 2>/dev/null | grep -oE '[0-9]+$' || true)
    if [[ -n $port ]] && curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; then
      elapsed=$(( $(now_ms) - t0 ))
      # utime and stime: fields 14 and 15 of /proc/PID/stat (the name, field 2, has no spaces).
      cpu=$(awk -v hz="$ticks_per_s" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$server_pid/stat")
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || die "qpan serve exited: $(cat "$err")"
    sleep 0.01
  done
  die "qpan serve did not answer in 10 minutes"
}
stop() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

values=$(sqlite3 "$db" 'SELECT count(*) FROM data_value')
say "store $db: $values values"
say "writing the snapshot (a server that built its engine, serving meanwhile)"
rm -rf "$snapshot_dir"
serve --snapshot-dir "$snapshot_dir"
for ((i = 0; i < 60000; i++)); do
  grep -q 'snapshot at log entry [0-9]* written' "$err" && break
  sleep 0.05
done
grep -q 'written' "$err" || die "no snapshot written: $(cat "$err")"
written_line=$(grep -o 'snapshot at log entry [0-9]* written in [0-9.]* s' "$err")
stop
snapshot_mb=$(( $(stat -c %s "$snapshot_dir/engine.snapshot") / 1048576 ))
say "$written_line, $snapshot_mb MB"

declare -a without with without_cpu with_cpu
for ((r = 1; r <= runs; r++)); do
  if ((r % 2)); then
    serve --no-snapshot; without+=("$elapsed"); without_cpu+=("$cpu"); stop
    serve --snapshot-dir "$snapshot_dir"; with+=("$elapsed"); with_cpu+=("$cpu")
    grep -q 'read from the snapshot' "$out" || die "the snapshot was not read: $(cat "$err")"
    stop
  else
    serve --snapshot-dir "$snapshot_dir"; with+=("$elapsed"); with_cpu+=("$cpu")
    grep -q 'read from the snapshot' "$out" || die "the snapshot was not read: $(cat "$err")"
    stop
    serve --no-snapshot; without+=("$elapsed"); without_cpu+=("$cpu"); stop
  fi
  say "run $r: without the snapshot ${without[-1]} ms (CPU ${without_cpu[-1]} ms), with it ${with[-1]} ms (CPU ${with_cpu[-1]} ms)"
done
without_cpu_median=$(printf '%s\n' "${without_cpu[@]}" | median)
with_cpu_median=$(printf '%s\n' "${with_cpu[@]}" | median)
without_median=$(printf '%s\n' "${without[@]}" | median)
with_median=$(printf '%s\n' "${with[@]}" | median)
ratio=$(awk -v a="$without_median" -v b="$with_median" 'BEGIN { printf "%.1f", a / b }')

cat <<MD

### Server start-up with and without a snapshot (issue 15) — $(date -u '+%a, %d %b %Y %H:%M GMT')

Command: \`bench/startup.sh --runs $runs\` (qpan $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include || echo ' with uncommitted changes')). Machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory.

Store: $db, $values values (SQLite). Snapshot: $snapshot_mb MB, $written_line by a serving server (not timed).
Times: launch of \`qpan serve\` until \`GET /healthz\` answers 200, whole process, wall clock; CPU: user + system time of the server (all threads) by then. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg).

| | median (ms) | runs (ms) | CPU median (ms) | CPU runs (ms) |
|---|---|---|---|---|
| built from the database (\`--no-snapshot\`) | $without_median | ${without[*]} | $without_cpu_median | ${without_cpu[*]} |
| read from the snapshot | $with_median | ${with[*]} | $with_cpu_median | ${with_cpu[*]} |

- From the snapshot **$ratio×** faster; goal with a snapshot ≤ 5,000 ms for 100 M values, without (PostgreSQL) ≤ 60,000 ms.
MD
