#!/usr/bin/env bash
# Stores benchmark (issue 15): `qpan serve` over PostgreSQL 15 against `qpan serve` over
# SQLite, the same values in both, side by side in one run.
#
#   bench/stores.sh [--build-dir build/release] [--work-dir /tmp/qpan-bench-stores]
#                   [--runs 21] [--rounds 3] [--from 202301] [--to 202412] [--seed 42]
#                   [--province 01] [--year 2024] [--quarter 2024Q4]
#                   [--duration 10] [--connections 48] [--write-runs 3] [--startup-runs 3]
#                   [--parts queries,startup,writes] [--no-build] [--keep] [--reuse-stores]
#
# The data: bench/engine.sh's, from bench/generate_values (every month --from..--to × every
# commune in force that month × the 80 elements of bench/elements-engine.json; about
# 0.86 M values a month, 98.6 M for engine.sh's 201601..202506), as a DHIS2 CSV kept in the
# work dir and reused while its inputs match. Loaded through the real binary into a SQLite
# file and into a PostgreSQL database (a private cluster in the work dir, Unix socket only,
# port 54331, durable: fsync and synchronous_commit on, as SQLite's WAL with
# synchronous=FULL): qpan init, units import, elements import, values import (timed: the
# load rate), then an account (users add, province_admin, scope VN) and its API token; on
# PostgreSQL then VACUUM (ANALYZE), what autovacuum does a while after the import (timed).
# With --keep the databases stay, and a later run with the same inputs and binary reuses
# them (the writes below add values in the year before --from, which no question asks).
# A new binary loads them again (the load rates are its own), unless --reuse-stores: then
# databases another binary loaded from the same data, into the same PostgreSQL with the same
# settings, are kept, for timing a new build's start-ups and queries without the 30-minute
# PostgreSQL load of 98.6 M values (a server opening them migrates an older schema, as on
# an upgrade).
#
# 1. Queries: one server over each store (--no-snapshot, --threads 2), both running; engine.sh's
#    four questions as GET /api/analytics in DHIS2's form (dimension=dx/ou/pe):
#      Q1  province --province × --year × the 80 elements
#      Q2  the country (VN) × crime.ttxh.cases × every year of the data
#      Q3  every district (LEVEL-2) × crime.ttxh.solved and crime.ttxh.cases (the indicator's
#          two elements: the elements file has no indicators) × --quarter
#      Q4  every commune of the province (LEVEL-3) × the 9 elements of engine.sh's five
#          criteria × --year
#    Every timed request carries a parameter of its own (nocache=…), so that it misses the
#    server's analytics cache and is answered by the engine; a last row asks Q1 again without
#    it (the cached answer: authentication and the cache). --rounds rounds; in each, per
#    question, each side runs one warm-up request then --runs / --rounds timed ones on one
#    kept-alive connection (curl, time_total), the side going first alternating. p50 and
#    p90 per question and side, the ratio PostgreSQL / SQLite of the medians; the answers of
#    both servers compared byte for byte.
# 2. Start-up without a snapshot: `qpan serve --no-snapshot` over each store, from launch
#    until GET /healthz answers 200, --startup-runs runs alternating the side that goes first;
#    medians, the ratio, ms per million values and the linear estimate for 100 M values.
# 3. Batch writes: POST /api/dataValueSets of 100 values (one element × 100 communes × one
#    month, bench/http.sh's "column" shape), values changing on every request, for --duration
#    seconds with wrk: 1 server over the SQLite file (wrk -t3 -c--connections) against
#    3 servers over the PostgreSQL database at once (3 wrk, each -t1 -c--connections/3 on
#    its own server). Each wrk thread writes its own element (crime.ttxh.suspects,
#    env.violations, fire.incidents), so no two servers write the same cells; months of the
#    year before --from, communes in force all that year. Values/s counted from the answers'
#    importCount (imported + updated); ignored values and answers other than 200 are
#    counted and flag the run. Beside them, for the reading, one of the three PostgreSQL
#    servers alone in SQLite's shape (wrk -t3 -c--connections). --write-runs runs, the order
#    of the sides reversed from one run to the next.
# Prints per-run figures, medians, ratios and a markdown block for bench/RESULTS.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_name=stores.sh
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
work_dir=/tmp/qpan-bench-stores
from=202301
to=202412
duration=10
connections=48
write_runs=3
startup_runs=3
parts=queries,startup,writes
reuse_stores=0
pg_port=54331
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  take_common_option "$@"
  if ((taken)); then shift "$taken"; continue; fi
  case "$1" in
    --duration) duration=${2:?--duration needs a value}; shift 2 ;;
    --connections) connections=${2:?--connections needs a value}; shift 2 ;;
    --startup-runs) startup_runs=${2:?--startup-runs needs a value}; shift 2 ;;
    --parts) parts=${2:?--parts needs a value}; shift 2 ;;
    --reuse-stores) reuse_stores=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
positive --runs "$runs"
positive --rounds "$rounds"
positive --duration "$duration"
positive --connections "$connections"
positive --write-runs "$write_runs"
positive --startup-runs "$startup_runs"
((connections >= 3 && connections % 3 == 0)) || die "--connections: a multiple of 3 (split over the 3 PostgreSQL servers)"
check_data_range
part() { [[ ",$parts," == *",$1,"* ]]; }
for p in ${parts//,/ }; do
  case "$p" in queries|startup|writes) ;; *) die "--parts: unknown part '$p'" ;; esac
done
write_year=$((first_year - 1))
data_inputs
[[ -x $pg_bin/postgres ]] || die "PostgreSQL 15 is not installed ($pg_bin/postgres)"
for tool in wrk jq curl sqlite3; do
  if ! command -v "$tool" >/dev/null; then
    say "installing $tool"
    SUDO=""; [[ $EUID -eq 0 ]] || SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "$tool" >/dev/null ||
      die "could not install $tool"
  fi
done

# --- Build --------------------------------------------------------------------------------
build qpan generate_values
qpan=$(find_binary qpan src/cli)
generator=$(find_binary generate_values bench)

# --- Helpers ------------------------------------------------------------------------------
median() { percentiles | awk '{ printf "%.0f\n", $1 }'; }
ratio() {  # $1 / $2, or – when either is missing
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || a == "-" || b == "" || b == "-" || b == 0) print "–";
    else { r = a / b; printf (r >= 100 ? "%.0f" : r >= 10 ? "%.1f" : "%.2f"), r } }'
}
fmt() {  # milliseconds with the digits that matter
  awk -v v="${1:-}" 'BEGIN { if (v == "" || v == "-") { printf "–"; exit }
    printf (v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.3f"), v }'
}

lock_work_dir
chmod a+x "$work_dir"
pg_paths
pg_url="postgresql:///qpan?host=$pg_sock&port=$pg_port&user=postgres"
declare -A server_pid server_port
stop_server() {  # NAME
  local pid=${server_pid[$1]:-}
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "server_pid[$1]"
}
cleanup() {
  local name
  for name in "${!server_pid[@]}"; do stop_server "$name"; done
  pg_stop
  if ((keep == 0)); then
    rm -rf "$work_dir/postgres" "$work_dir"/sqlite.db* "$work_dir"/*.stamp-db "$work_dir"/*.token "$work_dir"/*.load-s \
      "$work_dir"/*.vacuum-s
  fi
}
trap cleanup EXIT

# start_server NAME DB [ARGS...]: `qpan serve` on a free port, --no-snapshot (no snapshot
# is read, none is written in the background while measuring); waits for /healthz and sets
# started_ms to the milliseconds from launch to its first 200.
started_ms=0
start_server() {
  local name=$1 db=$2 t0 port="" i
  shift 2
  t0=$(now_ms)
  "$qpan" serve --db "$db" --listen 127.0.0.1:0 --threads 2 --no-snapshot "$@" \
    >"$work_dir/$name.out" 2>"$work_dir/$name.log" &
  server_pid[$name]=$!
  for ((i = 0; i < 120000; i++)); do
    port=$(grep -oE 'on http://127\.0\.0\.1:[0-9]+' "$work_dir/$name.out" 2>/dev/null | grep -oE '[0-9]+$' || true)
    if [[ -n $port ]] && curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; then
      started_ms=$(($(now_ms) - t0))
      server_port[$name]=$port
      return 0
    fi
    kill -0 "${server_pid[$name]}" 2>/dev/null ||
      { tail -5 "$work_dir/$name.log" >&2; die "qpan serve ($name) exited"; }
    sleep 0.01
  done
  die "qpan serve ($name) did not answer in 20 minutes"
}
server_values() { sed -n 's/.*(\([0-9]*\) values in memory.*/\1/p' "$work_dir/$1.out"; }

# --- The data -----------------------------------------------------------------------------
data_key_of
values_csv=$work_dir/values-$data_key.csv
if [[ -f $values_csv && -f $work_dir/data-$data_key.stamp ]]; then
  rows=$(sed -n 2p "$work_dir/data-$data_key.stamp")
  say "reusing the generated data ($rows values, $data_key)"
else
  rm -f "$work_dir"/values-*.csv "$work_dir"/data-*.stamp
  need_space $((880000 * 200))  # a month's values: the CSV and the two databases
  generate "$values_csv"
  rows=$generated_rows
  printf '%s\n%s\n' "$data_stamp" "$rows" >"$work_dir/data-$data_key.stamp"
fi

# --- The stores ---------------------------------------------------------------------------
sqlite_db=$work_dir/sqlite.db
store_stamp="$data_stamp qpan=$(hash16 <"$qpan")"
# Whether the stamp of the databases in the work dir ($1, a file) allows reusing them for
# the stamp $2: the same, or with --reuse-stores the same but for the binary that loaded them.
stamp_allows() {
  [[ -f $1 ]] || return 1
  local kept
  kept=$(cat "$1")
  [[ $kept == "$2" ]] && return 0
  ((reuse_stores)) && [[ $(sed -E 's/ qpan=[0-9a-f]+//' <<<"$kept") == $(sed -E 's/ qpan=[0-9a-f]+//' <<<"$2") ]]
}
password=mat-khau-bench-stores

# load SIDE DB: the store through the real binary; sets load_s (the values import) and
# writes the account's API token to WORK/SIDE.token.
load_s=reused
load() {
  local side=$1 db=$2 log=$work_dir/$1-load.log t0
  "$qpan" init --db "$db" >"$log" 2>&1 || { cat "$log" >&2; die "$side: qpan init failed"; }
  "$qpan" units import --db "$db" "$units_dir" >>"$log" 2>&1 || { tail -20 "$log" >&2; die "$side: units import failed"; }
  "$qpan" elements import --db "$db" "$elements_json" >>"$log" 2>&1 ||
    { tail -20 "$log" >&2; die "$side: elements import failed"; }
  say "$side: qpan values import of $(group "$rows") values"
  t0=$(now)
  "$qpan" values import --db "$db" "$values_csv" >>"$log" 2>&1 || { tail -20 "$log" >&2; die "$side: values import failed"; }
  load_s=$(elapsed "$t0" "$(now)")
  echo "$load_s" >"$work_dir/$side.load-s"
  echo "$password" | "$qpan" users add --db "$db" bench.admin --role province_admin --scope VN >>"$log" 2>&1 ||
    { tail -5 "$log" >&2; die "$side: users add failed"; }
  "$qpan" users token --db "$db" bench.admin --name stores-bench 2>>"$log" | grep -o 'qpan_[A-Za-z0-9_-]*' | head -n 1 \
    >"$work_dir/$side.token"
  [[ -s $work_dir/$side.token ]] || die "$side: no API token"
  say "$side: values import $load_s s ($(awk -v n="$rows" -v s="$load_s" 'BEGIN { printf "%d", n / s }') values/s)"
}

sqlite_load_s=reused
if [[ -f $sqlite_db && -f $work_dir/sqlite.token ]] && stamp_allows "$work_dir/sqlite.stamp-db" "$store_stamp"; then
  say "reusing $sqlite_db ($(grep -oE 'qpan=[0-9a-f]+' "$work_dir/sqlite.stamp-db") loaded it)"
else
  rm -f "$sqlite_db" "$sqlite_db"-wal "$sqlite_db"-shm "$work_dir/sqlite.stamp-db"
  rm -rf "$sqlite_db.snapshot"
  load sqlite "$sqlite_db"
  sqlite_load_s=$load_s
  echo "$store_stamp" >"$work_dir/sqlite.stamp-db"
fi

# A durable cluster (fsync, synchronous_commit and full_page_writes as shipped), sized for
# this machine; WAL large enough that the import is not checkpointed every few seconds, small
# enough that 98.6 M values (about 18 GB in PostgreSQL) leave room for it.
pg_conf="
listen_addresses = ''
port = $pg_port
unix_socket_directories = '$pg_sock'
shared_buffers = 2GB
effective_cache_size = 8GB
maintenance_work_mem = 512MB
max_wal_size = 4GB
checkpoint_timeout = 30min
jit = off
"
pg_stamp="$store_stamp pg=$("$pg_bin/postgres" --version) conf=$(echo "$pg_conf" | hash16)"
pg_load_s=reused
pg_vacuum_s=reused
pg_reuse=0
[[ -f $pg_data/PG_VERSION && -f $work_dir/postgres.token ]] && stamp_allows "$work_dir/postgres.stamp-db" "$pg_stamp" &&
  pg_reuse=1
((pg_reuse)) || pg_create "$pg_conf"
pg_start
pg_version=$(psql -h "$pg_sock" -p "$pg_port" -U postgres -d postgres -X -A -t -c 'SHOW server_version' | cut -d' ' -f1)
if ((pg_reuse)); then
  say "reusing the PostgreSQL database in $pg_data ($(grep -oE 'qpan=[0-9a-f]+' "$work_dir/postgres.stamp-db") loaded it)"
else
  as_postgres "$pg_bin/createdb" -h "$pg_sock" -p "$pg_port" -U postgres qpan || die "createdb failed"
  load postgres "$pg_url"
  pg_load_s=$load_s
  # What autovacuum would do within a minute or so of the import's commit, done here so that
  # no server is timed before it: without statistics the planner reads each page of the
  # engine's start-up scan with a sequential scan and a sort (see the reading in RESULTS.md).
  t0=$(now)
  psql -h "$pg_sock" -p "$pg_port" -U postgres -d qpan -X -q -c 'VACUUM (ANALYZE)' || die "VACUUM failed"
  pg_vacuum_s=$(elapsed "$t0" "$(now)")
  echo "$pg_vacuum_s" >"$work_dir/postgres.vacuum-s"
  say "postgres: VACUUM (ANALYZE) $pg_vacuum_s s"
  echo "$pg_stamp" >"$work_dir/postgres.stamp-db"
fi
loaded() {  # a reused store: its load time from the run that loaded it
  local f=$work_dir/$2.load-s
  [[ $2 != *.vacuum ]] || f=$work_dir/${2%.vacuum}.vacuum-s
  if [[ $1 == reused && -f $f ]]; then echo "$(cat "$f") (an earlier run)"
  else echo "$1"; fi
}
sqlite_load_shown=$(loaded "$sqlite_load_s" sqlite)
pg_load_shown=$(loaded "$pg_load_s" postgres)
pg_vacuum_shown=$(loaded "$pg_vacuum_s" postgres.vacuum)
rate_of() {  # seconds → values/s
  awk -v n="$rows" -v s="${1%% *}" 'BEGIN { if (s + 0 > 0) printf "%d", n / s; else printf "–" }'
}
sqlite_mb=$((($(stat -c %s "$sqlite_db") + $(stat -c %s "$sqlite_db-wal" 2>/dev/null || echo 0)) / 1048576))
pg_mb=$(psql -h "$pg_sock" -p "$pg_port" -U postgres -d qpan -X -A -t -c 'SELECT pg_database_size(current_database()) / 1048576')
declare -A db_of token_of
db_of[sqlite]=$sqlite_db
db_of[postgres]=$pg_url
token_of[sqlite]=$(cat "$work_dir/sqlite.token")
token_of[postgres]=$(cat "$work_dir/postgres.token")
sides=(postgres sqlite)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 1. Queries ---------------------------------------------------------------------------
all_elements=$(jq -r '.elements[].code' "$elements_json" | paste -sd';')
q4_elements="drug.cases;crime.trafficking.cases;crime.ttxh.cases;crime.ttxh.solved;traffic.deaths;fire.deaths"
q4_elements+=";antt.police_advanced_unit;movement.public_crime_reports;mil.militia.strength"
years=$(seq "$first_year" "$last_year" | paste -sd';')
declare -A question
question[q1]="dimension=dx:$all_elements&dimension=ou:$province&dimension=pe:$year"
question[q2]="dimension=dx:crime.ttxh.cases&dimension=ou:VN&dimension=pe:$years"
question[q3]="dimension=dx:crime.ttxh.solved;crime.ttxh.cases&dimension=ou:LEVEL-2&dimension=pe:$quarter"
question[q4]="dimension=dx:$q4_elements&dimension=ou:$province;LEVEL-3&dimension=pe:$year"
question[cached]=${question[q1]}
query_names=(q1 q2 q3 q4 cached)
times=$work_dir/times
answers=$work_dir/answers
per_round=$(((runs + rounds - 1) / rounds))
timed=$((per_round * rounds))
agree=-
declare -A p50 p90 q_rows
query_lines=""

# block SIDE QUESTION ROUND: one warm-up request and $per_round timed ones on one kept-alive
# connection; each asks the question with a parameter of its own (none for "cached").
block() {
  local side=$1 q=$2 r=$3 cfg=$work_dir/curl-$1.cfg i suffix="" out
  local base="http://127.0.0.1:${server_port[$side]}/api/analytics?${question[$q]}"
  {
    echo "header = \"Authorization: Bearer ${token_of[$side]}\""
    for ((i = 0; i <= per_round; i++)); do
      [[ $q == cached ]] || suffix="&nocache=$r-$i"
      echo "url = \"$base$suffix\""
      echo 'output = "/dev/null"'
    done
  } >"$cfg"
  out=$(curl -s -K "$cfg" -w '%{http_code} %{time_total}\n') || die "$side $q: curl failed"
  awk '$1 != 200 { bad++ } END { exit bad > 0 }' <<<"$out" ||
    die "$side $q: answers other than 200: $(awk '$1 != 200 { print $1 }' <<<"$out" | sort | uniq -c | tr '\n' ' ')"
  awk 'NR > 1 { printf "%.3f\n", $2 * 1000 }' <<<"$out" >>"$times/$side-$q"
}

if part queries; then
  rm -rf "$times" "$answers"
  mkdir -p "$times" "$answers"
  for side in "${sides[@]}"; do
    say "queries: starting a server over $side"
    start_server "q-$side" "${db_of[$side]}"
    say "queries: $side ready in $started_ms ms ($(server_values "q-$side") values in memory)"
  done
  # The answers, once each, outside the timing; the same bytes from both servers?
  agree=yes
  for q in q1 q2 q3 q4; do
    for side in "${sides[@]}"; do
      curl -sf -H "Authorization: Bearer ${token_of[$side]}" \
        "http://127.0.0.1:${server_port[q-$side]}/api/analytics?${question[$q]}" >"$answers/$side-$q.json" ||
        die "$side: $q failed: $(curl -s -H "Authorization: Bearer ${token_of[$side]}" \
          "http://127.0.0.1:${server_port[q-$side]}/api/analytics?${question[$q]}" | head -c 400)"
    done
    q_rows[$q]=$(jq '.rows | length' "$answers/sqlite-$q.json")
    if cmp -s "$answers/sqlite-$q.json" "$answers/postgres-$q.json"; then
      query_lines+="$q: ${q_rows[$q]} rows, $(wc -c <"$answers/sqlite-$q.json") bytes, the same bytes from both"$'\n'
    else
      agree=no
      query_lines+="$q: the answers DIFFER (see $answers)"$'\n'
    fi
  done
  printf '%s' "$query_lines" >&2
  for side in "${sides[@]}"; do server_port[$side]=${server_port[q-$side]}; done
  order=("${sides[@]}")
  for ((r = 1; r <= rounds; r++)); do
    say "queries, round $r of $rounds: ${order[*]} first in turn, 1 + $per_round requests per question"
    for q in "${query_names[@]}"; do
      for side in "${order[@]}"; do block "$side" "$q" "$r"; done
      order=("${order[1]}" "${order[0]}")
    done
  done
  for side in "${sides[@]}"; do stop_server "q-$side"; done
  for f in "$times"/*; do
    [[ $(wc -l <"$f") -eq $timed ]] || die "$f has $(wc -l <"$f") times, expected $timed"
    read -r "p50[${f##*/}]" "p90[${f##*/}]" < <(percentiles <"$f")
  done
  for q in "${query_names[@]}"; do
    say "$q: PostgreSQL p50 $(fmt "${p50[postgres-$q]}") ms (p90 $(fmt "${p90[postgres-$q]}")), SQLite p50 $(fmt "${p50[sqlite-$q]}") ms (p90 $(fmt "${p90[sqlite-$q]}")), ratio $(ratio "${p50[postgres-$q]}" "${p50[sqlite-$q]}")"
  done
fi

# --- 2. Start-up without a snapshot -------------------------------------------------------
declare -A startup
startup_values_sqlite=- startup_values_postgres=-
if part startup; then
  order=(sqlite postgres)
  for ((r = 1; r <= startup_runs; r++)); do
    for side in "${order[@]}"; do
      start_server "start-$side" "${db_of[$side]}"
      startup[$side]+="$started_ms "
      printf -v "startup_values_$side" '%s' "$(server_values "start-$side")"
      stop_server "start-$side"
    done
    say "start-up run $r (${order[*]}): SQLite $(echo "${startup[sqlite]}" | awk '{ print $NF }') ms, PostgreSQL $(echo "${startup[postgres]}" | awk '{ print $NF }') ms"
    order=("${order[1]}" "${order[0]}")
  done
  startup_sqlite=$(tr ' ' '\n' <<<"${startup[sqlite]}" | grep . | median)
  startup_postgres=$(tr ' ' '\n' <<<"${startup[postgres]}" | grep . | median)
  # Linear in the values (the fixed part — units, catalogue, accounts — included, so high).
  per_million() { awk -v ms="$1" -v n="$2" 'BEGIN { printf "%.0f", ms / (n / 1e6) }'; }
  estimate_s() { awk -v ms="$1" -v n="$2" 'BEGIN { printf "%.0f", ms / n * 1e8 / 1000 }'; }
fi

# --- 3. Batch writes ----------------------------------------------------------------------
write_elements=(crime.ttxh.suspects env.violations fire.incidents)
declare -A w_values w_requests w_ignored w_bad w_p50 w_p99
if part writes; then
  # 100 communes in force every day of the write year, spread over the country.
  mapfile -t communes < <(awk -F, -v a="$write_year-01-01" -v b="$((write_year + 1))-01-01" '
      NR > 1 && $1 == "commune" && ($6 == "" || $6 <= a) && ($7 == "" || $7 >= b) { print $2 }' "$units_csv" |
    sort -u | awk '{ c[NR] = $1 } END { step = int(NR / 100); for (i = 0; i < 100; i++) print c[1 + i * step] }')
  ((${#communes[@]} == 100)) || die "expected 100 communes in force in $write_year, found ${#communes[@]}"
  {
    echo "local units = {$(printf '"%s",' "${communes[@]}")}"
    echo "local elements = {$(printf '"%s",' "${write_elements[@]}")}"
    echo "local year = $write_year"
    cat <<'EOF'
-- wrk's arguments: the Bearer token, the first element's index (0-based) and the phase (a
-- number of its own per wrk run). Thread i of this wrk writes element first + i, one month of
-- the year per request; values 1000 × phase + (counter + commune) mod 97, so that every
-- request changes the cells it writes (a cell is written again 12 requests later, and
-- never with a value of an earlier phase).
local threads = {}
setup = function(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end
local headers, element, phase
local counter, values, requests, ignored, bad = 0, 0, 0, 0, 0
init = function(args)
  headers = {["Authorization"] = "Bearer " .. args[1], ["Content-Type"] = "application/json"}
  element = elements[tonumber(args[2]) + wrk.thread:get("id") + 1]
  phase = tonumber(args[3])
end
request = function()
  counter = counter + 1
  local month = year * 100 + 1 + counter % 12
  local parts = {}
  for i = 1, 100 do
    parts[i] = string.format('{"dataElement":"%s","period":"%d","orgUnit":"%s","value":"%d"}',
                             element, month, units[i], 1000 * phase + (counter + i) % 97)
  end
  return wrk.format("POST", "/api/dataValueSets", headers, '{"dataValues":[' .. table.concat(parts, ",") .. ']}')
end
response = function(status, response_headers, body)
  requests = requests + 1
  local count = status == 200 and body:match('"importCount":(%b{})')
  if count then
    values = values + tonumber(count:match('"imported":(%d+)')) + tonumber(count:match('"updated":(%d+)'))
    ignored = ignored + tonumber(count:match('"ignored":(%d+)'))
  else
    bad = bad + 1
    if bad <= 3 then io.stderr:write("write answered " .. status .. ": " .. body:sub(1, 300) .. "\n") end
  end
  wrk.thread:set("values", values)
  wrk.thread:set("requests", requests)
  wrk.thread:set("ignored", ignored)
  wrk.thread:set("bad", bad)
end
done = function(summary, latency, reqs)
  local v, n, i, b = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    v = v + (t:get("values") or 0); n = n + (t:get("requests") or 0)
    i = i + (t:get("ignored") or 0); b = b + (t:get("bad") or 0)
  end
  io.write(string.format("written_values %d\nanswers %d\nignored_values %d\nbad_answers %d\n", v, n, i, b))
end
EOF
  } >"$work_dir/write.lua"

  say "writes: starting 1 server over SQLite and 3 over PostgreSQL"
  start_server w-sqlite "$sqlite_db"
  for k in 1 2 3; do start_server "w-postgres-$k" "$pg_url"; done
  ms_of() { awk -v k="$1" '$1 == k { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }'; }
  kv() { awk -v k="$1" '$1 == k { n += $2 } END { print n + 0 }' "${@:2}"; }
  # wrk_run OUT THREADS CONNECTIONS PORT SIDE FIRST_ELEMENT: one wrk, a phase of its own
  # (numbered from the time, so that a later run over kept stores has other phases too).
  phase=$(($(date +%s) / 60 % 100000 * 10))
  wrk_run() {
    wrk -t"$2" -c"$3" -d"${duration}s" --timeout 60s --latency -s "$work_dir/write.lua" "http://127.0.0.1:$4" \
      "${token_of[$5]}" "$6" "$phase" >"$1" 2>"$1.err" || die "wrk failed: $(cat "$1.err")"
  }
  # Sides: sqlite (1 server), postgres (3 servers) and, to tell the store from the three
  # servers, postgres1 (one of the three alone, in SQLite's shape).
  # Waits until no server has answered anything for 2 s (at most 120 s): requests still queued
  # when wrk stopped are not left to slow the next side down.
  settle() {
    local before after i
    for ((i = 0; i < 60; i++)); do
      before=$(cat "$work_dir"/w-*.log | wc -l)
      sleep 2
      after=$(cat "$work_dir"/w-*.log | wc -l)
      [[ $before != "$after" ]] || return 0
    done
    say "the servers were still answering 120 s after wrk stopped"
  }
  order=(sqlite postgres1 postgres)
  for ((r = 1; r <= write_runs; r++)); do
    for side in "${order[@]}"; do
      settle
      phase=$((phase + 1))
      if [[ $side == sqlite ]]; then
        wrk_run "$work_dir/wrk-sqlite-$r.out" 3 "$connections" "${server_port[w-sqlite]}" sqlite 0
        outs=("$work_dir/wrk-sqlite-$r.out")
      elif [[ $side == postgres1 ]]; then
        wrk_run "$work_dir/wrk-postgres1-$r.out" 3 "$connections" "${server_port[w-postgres-1]}" postgres 0
        outs=("$work_dir/wrk-postgres1-$r.out")
      else
        pids=()
        outs=()
        for k in 1 2 3; do
          wrk_run "$work_dir/wrk-postgres-$r-$k.out" 1 $((connections / 3)) "${server_port[w-postgres-$k]}" postgres $((k - 1)) &
          pids+=($!)
          outs+=("$work_dir/wrk-postgres-$r-$k.out")
        done
        for pid in "${pids[@]}"; do wait "$pid" || die "a wrk over PostgreSQL failed"; done
      fi
      cat "${outs[@]}" >>"$work_dir/wrk.log"
      w_values[$side-$r]=$(awk -v n="$(kv written_values "${outs[@]}")" -v d="$duration" 'BEGIN { printf "%d", n / d }')
      w_requests[$side-$r]=$(kv answers "${outs[@]}")
      w_ignored[$side-$r]=$(kv ignored_values "${outs[@]}")
      w_bad[$side-$r]=$(($(kv bad_answers "${outs[@]}") + $(cat "${outs[@]}" |
        awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }')))
      # Latency: the slowest server's p50 and p99 (one wrk per server on PostgreSQL).
      w_p50[$side-$r]=$(for o in "${outs[@]}"; do ms_of 50% <"$o"; done | sort -g | tail -1)
      w_p99[$side-$r]=$(for o in "${outs[@]}"; do ms_of 99% <"$o"; done | sort -g | tail -1)
      flag=""
      ((w_ignored[$side-$r] == 0 && w_bad[$side-$r] == 0)) ||
        flag=" — FLAGGED: ${w_ignored[$side-$r]} values ignored, ${w_bad[$side-$r]} answers not 200/imported"
      say "write run $r $side: ${w_values[$side-$r]} values/s (${w_requests[$side-$r]} answers; p50 ${w_p50[$side-$r]} ms, p99 ${w_p99[$side-$r]} ms)$flag"
    done
    order=("${order[2]}" "${order[1]}" "${order[0]}")
  done
  stop_server w-sqlite
  for k in 1 2 3; do stop_server "w-postgres-$k"; done
  w_median() { for ((r = 1; r <= write_runs; r++)); do echo "${w_values[$1-$r]}"; done | median; }
  w_sqlite=$(w_median sqlite)
  w_postgres=$(w_median postgres)
  w_postgres1=$(w_median postgres1)
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Report -------------------------------------------------------------------------------
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: *//')
mem_gb=$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "no commit yet")
[[ -z $(git -C "$repo" status --porcelain -- src include CMakeLists.txt 2>/dev/null | head -1) ]] ||
  rev="$rev (with uncommitted changes)"
cmdline="bench/stores.sh"
[[ $build_dir == "$repo/build/release" ]] || cmdline+=" --build-dir ${build_dir#"$repo"/}"
[[ $from == 202301 && $to == 202412 ]] || cmdline+=" --from $from --to $to"
[[ $runs == 21 ]] || cmdline+=" --runs $runs"
[[ $rounds == 3 ]] || cmdline+=" --rounds $rounds"
[[ $seed == 42 ]] || cmdline+=" --seed $seed"
[[ $province == 01 ]] || cmdline+=" --province $province"
[[ $year == 2024 ]] || cmdline+=" --year $year"
[[ $quarter == 2024Q4 ]] || cmdline+=" --quarter $quarter"
[[ $duration == 10 ]] || cmdline+=" --duration $duration"
[[ $connections == 48 ]] || cmdline+=" --connections $connections"
[[ $write_runs == 3 ]] || cmdline+=" --write-runs $write_runs"
[[ $startup_runs == 3 ]] || cmdline+=" --startup-runs $startup_runs"
[[ $parts == queries,startup,writes ]] || cmdline+=" --parts $parts"

cat <<EOF

### One server over PostgreSQL against one over SQLite (issue 15) — $(date -u '+%a, %d %b %Y %H:%M GMT')

Command: \`$cmdline\` (qpan $rev, release build; PostgreSQL $pg_version, a private cluster with
fsync and synchronous_commit on, shared_buffers 2 GB; SQLite in WAL with synchronous=FULL).

Machine: nproc $(nproc), $cpu, $mem_gb GiB memory; shared with other work, so noisy: compare
medians and the ratios of sides measured alternately in the same run. Load average (1, 5, 15 min)
before: $load_before; after: $load_after.

Data: $(group "$rows") values (months $from–$to × communes in force × the 80 elements of
bench/elements-engine.json, seed $seed), loaded through \`qpan values import\`: SQLite
$sqlite_load_shown s ($(rate_of "$sqlite_load_shown") values/s), PostgreSQL $pg_load_shown s
($(rate_of "$pg_load_shown") values/s), then VACUUM (ANALYZE) $pg_vacuum_shown s. Sizes: SQLite ${sqlite_mb} MB,
PostgreSQL ${pg_mb} MB.
EOF
if part queries; then
  names=([1]="Q1 province $province × $year × 80 elements"
         [2]="Q2 country × crime.ttxh.cases × $first_year–$last_year by year"
         [3]="Q3 every district × 2 elements × $quarter"
         [4]="Q4 communes of $province × 9 elements × $year")
  cat <<EOF

Queries: \`GET /api/analytics\` (DHIS2's form, JSON) to one \`qpan serve --no-snapshot --threads 2\`
over each store, both running; each request with a parameter of its own so that it misses the
analytics cache, except the last row (Q1 asked again: the cached answer). $timed timed requests
per question and side in $rounds rounds (each block: one warm-up request, then $per_round on one
kept-alive connection; the side going first alternating); curl's time_total, **p50** (p90) in ms.

| question | rows | PostgreSQL | SQLite | PostgreSQL / SQLite (p50) |
|---|---:|---:|---:|---:|
EOF
  for i in 1 2 3 4; do
    q=q$i
    echo "| ${names[$i]} | ${q_rows[$q]} | **$(fmt "${p50[postgres-$q]}")** ($(fmt "${p90[postgres-$q]}")) | **$(fmt "${p50[sqlite-$q]}")** ($(fmt "${p90[sqlite-$q]}")) | **$(ratio "${p50[postgres-$q]}" "${p50[sqlite-$q]}")** |"
  done
  echo "| Q1 again, from the analytics cache | ${q_rows[q1]} | $(fmt "${p50[postgres-cached]}") ($(fmt "${p90[postgres-cached]}")) | $(fmt "${p50[sqlite-cached]}") ($(fmt "${p90[sqlite-cached]}")) | $(ratio "${p50[postgres-cached]}" "${p50[sqlite-cached]}") |"
  echo
  echo "- Same answers, byte for byte: $agree"
  printf '%s' "$query_lines" | sed 's/^/  - /'
fi
if part startup; then
  cat <<EOF

Start-up without a snapshot: launch of \`qpan serve --no-snapshot\` until \`GET /healthz\` answers
200, whole process, wall clock; $startup_runs runs alternating the side that goes first.

| store | values | runs (ms) | median (ms) | ms per million values | linear estimate for 100 M values |
|---|---:|---|---:|---:|---:|
| PostgreSQL | $(group "$startup_values_postgres") | ${startup[postgres]% } | **$startup_postgres** | $(per_million "$startup_postgres" "$startup_values_postgres") | **~$(estimate_s "$startup_postgres" "$startup_values_postgres") s** (estimate) |
| SQLite | $(group "$startup_values_sqlite") | ${startup[sqlite]% } | **$startup_sqlite** | $(per_million "$startup_sqlite" "$startup_values_sqlite") | ~$(estimate_s "$startup_sqlite" "$startup_values_sqlite") s (estimate) |

- Ratio PostgreSQL / SQLite: **$(ratio "$startup_postgres" "$startup_sqlite")**. Goal without a snapshot on PostgreSQL over 100 M values ≤ 60 s:
  $(awk -v s="$(estimate_s "$startup_postgres" "$startup_values_postgres")" 'BEGIN { print (s <= 60 ? "met by the estimate" : "**not met** by the estimate") }')
  (an extrapolation from $(group "$startup_values_postgres") values, not a measurement).
EOF
fi
if part writes; then
  cat <<EOF

Batch writes: \`POST /api/dataValueSets\`, 100 values per request (one element × 100 communes in
force all $write_year × one month of $write_year, values changing on every request), $duration s per run,
$connections connections in all: 1 server over the SQLite file (wrk -t3 -c$connections) against 3 servers
over the PostgreSQL database at once (3 wrk, each -t1 -c$((connections / 3)) on its own server); each wrk
thread its own element (${write_elements[*]}). Values/s from the answers' importCount
(imported + updated) of the answers received within the run; latency: wrk's (timeout 60 s), the
slowest server's. Between sides, the servers are left to finish what was queued.

| run | PostgreSQL, 3 servers: values/s (p50 / p99 ms) | SQLite, 1 server | ratio 3 PostgreSQL / SQLite | PostgreSQL, 1 server (wrk -t3 -c$connections) |
|---|---:|---:|---:|---:|
EOF
  for ((r = 1; r <= write_runs; r++)); do
    line="| $r |"
    for side in postgres sqlite ratio postgres1; do
      if [[ $side == ratio ]]; then
        line+=" $(ratio "${w_values[postgres-$r]}" "${w_values[sqlite-$r]}") |"
        continue
      fi
      line+=" ${w_values[$side-$r]} (${w_p50[$side-$r]} / ${w_p99[$side-$r]})"
      ((w_ignored[$side-$r] == 0 && w_bad[$side-$r] == 0)) ||
        line+=" **flagged: ${w_ignored[$side-$r]} values ignored, ${w_bad[$side-$r]} bad answers**"
      line+=" |"
    done
    echo "$line"
  done
  echo "| median | **$w_postgres** | **$w_sqlite** | **$(ratio "$w_postgres" "$w_sqlite")** | $w_postgres1 |"
  echo
  echo "- One server over PostgreSQL / one over SQLite: $(ratio "$w_postgres1" "$w_sqlite"); three servers over PostgreSQL / one: $(ratio "$w_postgres" "$w_postgres1")."
fi
