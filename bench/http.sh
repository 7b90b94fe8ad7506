#!/usr/bin/env bash
# HTTP benchmark (issues 6 and 11): `qpan serve` against nginx serving a static file of the
# same or similar size, in one run, on loopback with wrk (Debian packages wrk, nginx-light
# and jq, installed here when missing).
#
#   bench/http.sh [--build-dir build/release] [--work-dir /tmp/qpan-bench-http]
#                 [--duration 10] [--connections 64] [--runs 3] [--mix-rate 40000]
#                 [--no-build]
#
# Each run, alternating which side goes first in each pair:
#   cached read:   GET /api/analytics, one fixed question (Lai Châu demo, about 1.4 KB of
#                  DHIS2-shaped JSON), so every request after the first is an answer from the
#                  server's analytics cache; nginx serves the same bytes as a static file;
#   uncached read mix: GET /api/analytics, a different question on every request, none
#                  repeated in the whole benchmark, so that every request misses the cache and
#                  is answered by the engine: four elements of the loaded pack × one unit of Lai
#                  Châu (12: the province, a district or a commune in force that year) × one
#                  month, quarter or year of the demo's monthly data. The questions are one file
#                  made before the runs from the server's own answers (GET /api/units/{code}?at=
#                  for the units, GET /api/pack for the elements) and `qpan values export` (the
#                  months with data); each wrk thread walks its own slice of it and each run its
#                  own part, and a thread that reaches the end of its slice stops rather than
#                  repeat a question (the run is then flagged). --mix-rate is the request rate per
#                  run the file is sized for. nginx serves an answer of the median size of a
#                  sample of the mix (questions kept out of the runs);
#   single PUT:    PUT /api/dataValues of one value with If-Match, on a server of its own over a
#                  fresh copy of the demo database. Every connection has cells of its own (4
#                  commune × month × element values of the demo), read first (GET → ETag "vN");
#                  each PUT changes the value and carries the version the previous answer to that
#                  cell returned, so each is a real, accepted update. wrk runs one connection per
#                  thread here (-t = -c), so that each answer is known to belong to its
#                  connection's last request; nginx is measured in the same client shape (its
#                  static file: the cached read's bytes). Answers other than 200 with
#                  "updated":1 are counted and flag the run;
#   batch writes:  POST /api/dataValueSets with 100 values per request in two shapes (one
#                  commune's monthly form; one element across 100 communes), values changing
#                  every request, each on its own server over a fresh copy of the demo database.
# wrk: --connections connections (2 threads, or one per connection for PUT), --duration
# seconds, --latency. Prints per-run requests/s, p99 and p50, medians, ratios against nginx,
# the goals (cached reads >= 0.5 x nginx, uncached reads >= 0.3 x nginx, read p99 <= 20 ms,
# batch writes >= 200,000 values/s), the server's own time per request from its access log,
# any errors, and a markdown block for bench/RESULTS.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=build/release
work_dir=/tmp/qpan-bench-http
duration=10
connections=64
runs=3
mix_rate=40000
do_build=1

usage() { sed -n '2,42p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "http.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

while (($#)); do
  case $1 in
    --build-dir) build_dir=$2; shift 2 ;;
    --work-dir) work_dir=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --mix-rate) mix_rate=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
for n in "$duration" "$connections" "$runs" "$mix_rate"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "--duration, --connections, --runs and --mix-rate want positive integers"
done
((connections >= 2)) || die "--connections: at least 2 (wrk runs 2 threads)"

for tool in wrk nginx jq; do
  if ! command -v "$tool" >/dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    say "installing $tool"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends wrk nginx-light jq >/dev/null
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cd "$repo"
if ((do_build)); then
  say "building $build_dir"
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQPAN_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build_dir" --target qpan >/dev/null
fi
qpan=$repo/$build_dir/qpan
[ -x "$qpan" ] || die "no binary at $qpan"

rm -rf "$work_dir"
mkdir -p "$work_dir/www" "$work_dir/nginx"
db=$work_dir/demo.db
say "demo database"
"$qpan" demo --db "$db" >/dev/null
printf 'mat-khau-do-tai-bench\n' | "$qpan" users add --db "$db" bench.admin --role province_admin --scope 12 >/dev/null
token=$("$qpan" users token --db "$db" bench.admin --name wrk | grep -o 'qpan_[A-Za-z0-9_-]*' | head -n 1)
[ -n "$token" ] || die "no API token"
# Every write measurement starts from this copy (the same values, audit and log), so that
# runs compare and the order of the shapes does not matter.
cp "$db" "$work_dir/demo-before-writes.db"

qpan_port=18181
nginx_port=18182
write_port=18183
read_path="/api/analytics?dx=crime.ttxh.cases,crime.ttxh.solved,drug.cases,traffic.accidents&ou=12&pe=2016,2017"

"$qpan" serve --db "$db" --listen "127.0.0.1:$qpan_port" --threads 2 >"$work_dir/serve.out" 2>"$work_dir/access.log" &
qpan_pid=$!
write_pid=
cleanup() {
  kill "$qpan_pid" 2>/dev/null || true
  [ -n "$write_pid" ] && kill "$write_pid" 2>/dev/null || true
  [ -f "$work_dir/nginx/nginx.pid" ] && kill "$(cat "$work_dir/nginx/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
wait_healthy() {  # PORT
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0
    sleep 0.2
  done
  die "the server on port $1 did not start"
}
wait_healthy "$qpan_port"
api() { curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$qpan_port$1"; }
api "$read_path" >"$work_dir/www/analytics.json" || die "the analytics request failed"
bytes=$(wc -c <"$work_dir/www/analytics.json")
say "the cached read returns $bytes bytes"

# --- The uncached read mix: distinct questions, from the server's own answers -------------
# Periods: the months of the demo's monthly values for Lai Châu (and under it), as stored;
# per year of them, every month, every quarter and the year wholly within those months.
# Units: per year, those under 12 in force both on the first and on the last day of the
# year's months (GET /api/units/{code}?at=, level by level). Elements: every data element
# of the loaded pack (GET /api/pack), in code order; a question asks four of them,
# {e[a], e[a+d], e[a+2d], e[a+3d]} (indices mod n, d = 1..26: distinct as sets). The
# (unit, period) pairs are shuffled (seed 42); question k is pair k mod P with element set
# (k div P + shift of the pair) mod S — no two questions the same.
units_at() {  # DATE → the province 12 and every unit under it in force that day
  local queue=(12) code child level
  while ((${#queue[@]})); do
    code=${queue[0]}
    queue=("${queue[@]:1}")
    echo "$code"
    while IFS=$'\t' read -r child level; do
      if [ "$level" = commune ]; then echo "$child"; else queue+=("$child"); fi
    done < <(api "/api/units/$code?at=$1" | jq -r '.children[] | [.code, .level] | @tsv')
  done
}
mix_sample=200  # questions after the runs' part, asked once to size nginx's file
mix_thread=$((duration * mix_rate / 2))  # questions per wrk thread and run
mix_slice=$((mix_thread * 2))            # per run
mix_count=$((runs * mix_thread * 2 + mix_sample))
say "the uncached read mix: $mix_count distinct questions"
mapfile -t months < <("$qpan" values export --db "$db" --ou 12 2>/dev/null |
  awk -F, 'NR > 1 && length($2) == 6 && $2 ~ /^[0-9]+$/ { print $2 }' | sort -u)
((${#months[@]} > 0)) || die "no monthly values under 12 in the demo"
first_month=${months[0]}
last_month=${months[${#months[@]} - 1]}
api /api/pack | jq -r '.dataElements[].code' | sort >"$work_dir/mix-elements"
: >"$work_dir/mix-pairs"
mix_note=""
for ((y = first_month / 100; y <= last_month / 100; y++)); do
  m1=$((y * 100 + 1)); ((m1 >= first_month)) || m1=$first_month
  m2=$((y * 100 + 12)); ((m2 <= last_month)) || m2=$last_month
  day1=$(printf '%d-%02d-01' "$y" $((m1 % 100)))
  day2=$(date -d "$(printf '%d-%02d-01' "$y" $((m2 % 100))) +1 month -1 day" +%F)
  comm -12 <(units_at "$day1" | sort) <(units_at "$day2" | sort) >"$work_dir/mix-units-$y"
  periods=()
  for ((m = m1; m <= m2; m++)); do
    periods+=("$m")
    if (((m % 100) % 3 == 1 && m + 2 <= m2)); then periods+=("${y}Q$(((m % 100 + 2) / 3))"); fi
  done
  if ((m1 == y * 100 + 1 && m2 == y * 100 + 12)); then periods+=("$y"); fi
  for p in "${periods[@]}"; do awk -v p="$p" '{ print $1 "\t" p }' "$work_dir/mix-units-$y"; done >>"$work_dir/mix-pairs"
  mix_note+="$y: $(wc -l <"$work_dir/mix-units-$y") units × ${#periods[@]} periods; "
done
awk -v n="$mix_count" -v elements="$(tr '\n' ' ' <"$work_dir/mix-elements")" '
  BEGIN { ne = split(elements, e, " "); srand(42) }
  { pair[NR] = $0 }
  END {
    P = NR; S = ne * 26
    if (ne < 8 || n > P * S) { print "not enough distinct questions" > "/dev/stderr"; exit 1 }
    for (i = P; i > 1; i--) { j = int(rand() * i) + 1; t = pair[i]; pair[i] = pair[j]; pair[j] = t }
    for (i = 1; i <= P; i++) shift[i] = int(rand() * S)
    for (k = 0; k < n; k++) {
      r = k % P + 1
      split(pair[r], up, "\t")
      s = (int(k / P) + shift[r]) % S
      a = s % ne; d = 1 + int(s / ne)
      print "/api/analytics?dx=" e[a + 1] "," e[(a + d) % ne + 1] "," e[(a + 2 * d) % ne + 1] "," \
            e[(a + 3 * d) % ne + 1] "&ou=" up[1] "&pe=" up[2]
    }
  }' "$work_dir/mix-pairs" >"$work_dir/mix-paths" || die "could not make the question list"
[ "$(sort -u "$work_dir/mix-paths" | wc -l)" -eq "$mix_count" ] || die "the question list has repeats"
mix_elements=$(wc -l <"$work_dir/mix-elements")
mix_pairs=$(wc -l <"$work_dir/mix-pairs")
say "mix: months $first_month..$last_month, ${mix_note}$mix_elements elements; $mix_pairs unit-periods"
# nginx's file: the answer of median size among the sample (the last questions of the file).
i=0
while read -r path; do
  i=$((i + 1))
  api "$path" >"$work_dir/mix-sample-$i.json" || die "the mix question $path failed"
done < <(tail -n "$mix_sample" "$work_dir/mix-paths")
read -r mix_bytes_min mix_bytes mix_bytes_max mix_file < <(
  for f in "$work_dir"/mix-sample-*.json; do echo "$(wc -c <"$f") $f"; done | sort -n |
    awk '{ s[NR] = $1; f[NR] = $2 } END { m = int((NR + 1) / 2); print s[1], s[m], s[NR], f[m] }')
cp "$mix_file" "$work_dir/www/mix.json"
rm -f "$work_dir"/mix-sample-*.json
say "mix answers: median $mix_bytes bytes (sample of $mix_sample: $mix_bytes_min–$mix_bytes_max)"

cat >"$work_dir/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $work_dir/nginx/nginx.pid;
error_log $work_dir/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work_dir/www;
    location / { }
  }
}
EOF
"$NGINX" -c "$work_dir/nginx/nginx.conf" -p "$work_dir/nginx" 2>/dev/null
sleep 0.5
cmp -s "$work_dir/www/analytics.json" <(curl -sf "http://127.0.0.1:$nginx_port/analytics.json") ||
  die "nginx does not serve the same bytes"
cmp -s "$work_dir/www/mix.json" <(curl -sf "http://127.0.0.1:$nginx_port/mix.json") ||
  die "nginx does not serve the mix file"

# --- Lua scripts ---------------------------------------------------------------------------
# Two shapes of the batch write, 100 values each, values changing every request so that
# (after the first round) each value is a real update with its audit row:
#   form:    one commune's monthly form: the 95 plain numeric and yes/no elements of the
#            pack and the 5 options of awards.commendation.individuals, for one of 100
#            communes of Lai Châu (in force 2016–2018) and one month of 2016–2018, both
#            cycling: 3,600 forms, each rewritten a few times in a run, as corrections are
#            (what a commune's form or another system's data set submission writes);
#   column:  one element (crime.ttxh.suspects) for the 100 communes, one month of 2016 per
#            request (a clerk's column across communes: every value on another page of the
#            store, and each rewritten many times).
mapfile -t communes < <("$qpan" units tree --db "$db" 12 --at 2018-06-30 | awk '/^    [0-9]/ { print $1 }' | head -n 100)
((${#communes[@]} == 100)) || die "expected 100 communes, found ${#communes[@]}"
mapfile -t form_elements < <("$qpan" elements list --db "$db" | awk -F'\t' '$2 != "text" && $4 == "-" { print $1 "\t" $2 }')
((${#form_elements[@]} == 95)) || die "expected 95 plain elements in the pack, found ${#form_elements[@]}"
lua_common() {
  echo "local units = {$(printf '"%s",' "${communes[@]}")}"
  cat <<EOF
local counter = 0
local headers = {["Authorization"] = "Bearer $token", ["Content-Type"] = "application/json"}
response = function(status, headers, body)
  if status ~= 200 then io.stderr:write("write failed: " .. status .. " " .. body .. "\n") end
end
EOF
}
{
  lua_common
  cat <<'EOF'
request = function()
  counter = counter + 1
  local month = 201601 + (counter % 12)
  local parts = {}
  for i = 1, 100 do
    parts[i] = string.format('{"dataElement":"crime.ttxh.suspects","period":"%d","orgUnit":"%s","value":"%d"}',
                             month, units[i], (counter + i) % 97)
  end
  return wrk.format("POST", "/api/dataValueSets", headers, '{"dataValues":[' .. table.concat(parts, ",") .. ']}')
end
EOF
} >"$work_dir/write-column.lua"
{
  lua_common
  echo "local elements = {$(for e in "${form_elements[@]}"; do printf '"%s",' "${e%%$'\t'*}"; done)}"
  echo "local boolean = {$(for e in "${form_elements[@]}"; do [ "${e##*$'\t'}" = boolean ] && printf 'true,' || printf 'false,'; done)}"
  cat <<'EOF'
local options = {"bo_chqs_tinh", "bo_cong_an", "chu_tich_ubnd_tinh", "giam_doc_cong_an_tinh", "khac"}
request = function()
  counter = counter + 1
  local unit = units[1 + (counter % #units)]
  local m = math.floor(counter / #units) % 36
  local month = (2016 + math.floor(m / 12)) * 100 + 1 + m % 12
  local parts = {}
  for i = 1, #elements do
    local v = boolean[i] and ((counter + i) % 2 == 0 and "true" or "false") or tostring((counter + i) % 97)
    parts[#parts + 1] = string.format('{"dataElement":"%s","period":"%d","orgUnit":"%s","value":"%s"}',
                                      elements[i], month, unit, v)
  end
  for i = 1, #options do
    parts[#parts + 1] = string.format(
      '{"dataElement":"awards.commendation.individuals","categoryOptionCombo":"%s","period":"%d","orgUnit":"%s","value":"%d"}',
      options[i], month, unit, (counter + i) % 7)
  end
  return wrk.format("POST", "/api/dataValueSets", headers, '{"dataValues":[' .. table.concat(parts, ",") .. ']}')
end
EOF
} >"$work_dir/write-form.lua"
cat >"$work_dir/read.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $token"
EOF

# The mix: wrk's arguments are the file, the first line of this run's part (0-based) and
# the lines per thread. Thread i walks lines first + i * per .. first + (i + 1) * per - 1.
{
  echo "wrk.headers[\"Authorization\"] = \"Bearer $token\""
  cat <<'EOF'
local threads = {}
setup = function(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end
local paths, sent = {}, 0
init = function(args)
  local file, first, per = args[1], tonumber(args[2]), tonumber(args[3])
  local from = first + wrk.thread:get("id") * per
  local line = 0
  for path in io.lines(file) do
    if line >= from + per then break end
    if line >= from then paths[#paths + 1] = path end
    line = line + 1
  end
  if #paths ~= per then error("the question list ends before line " .. (from + per)) end
end
request = function()
  if sent == #paths then
    -- The slice is used up: stop this thread rather than ask a question again.
    wrk.thread:set("exhausted", 1)
    wrk.thread:stop()
    return wrk.format(nil, "/healthz")
  end
  sent = sent + 1
  wrk.thread:set("sent", sent)
  return wrk.format(nil, paths[sent])
end
done = function(summary, latency, requests)
  local sent, exhausted = 0, 0
  for _, t in ipairs(threads) do
    sent = sent + (t:get("sent") or 0)
    exhausted = exhausted + (t:get("exhausted") or 0)
  end
  io.write(string.format("mix_sent %d\nmix_exhausted_threads %d\n", sent, exhausted))
end
EOF
} >"$work_dir/read-mix.lua"

# Single PUT: wrk's arguments are the cells file (element, period, unit, version, value;
# tab-separated) and the cells per connection. One connection per thread: the answer in
# response() is to the request this thread's connection sent last.
{
  echo "local headers = {[\"Authorization\"] = \"Bearer $token\", [\"Content-Type\"] = \"application/json\"}"
  cat <<'EOF'
local threads = {}
setup = function(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end
local cells, sent, current = {}, 0, nil
local updated, refused = 0, 0
init = function(args)
  local file, per = args[1], tonumber(args[2])
  local from = wrk.thread:get("id") * per
  local line = 0
  for text in io.lines(file) do
    if line >= from + per then break end
    if line >= from then
      local de, pe, ou, version, value = text:match("^(%S+)\t(%S+)\t(%S+)\t(%d+)\t(%-?%d+)$")
      if not de then error("bad cell line: " .. text) end
      cells[#cells + 1] = {de = de, pe = pe, ou = ou, version = tonumber(version), value = tonumber(value)}
    end
    line = line + 1
  end
  if #cells ~= per then error("the cells file ends before line " .. (from + per)) end
end
request = function()
  sent = sent + 1
  current = cells[(sent - 1) % #cells + 1]
  current.value = current.value + 1
  headers["If-Match"] = '"v' .. current.version .. '"'
  return wrk.format("PUT", "/api/dataValues", headers, string.format(
    '{"dataElement":"%s","period":"%s","orgUnit":"%s","value":"%d"}', current.de, current.pe, current.ou, current.value))
end
response = function(status, response_headers, body)
  local etag = response_headers["ETag"] or response_headers["Etag"] or response_headers["etag"]
  if status == 200 and etag and body:find('"updated":1', 1, true) then
    current.version = tonumber(etag:match("v(%d+)"))
    updated = updated + 1
    wrk.thread:set("updated", updated)
  else
    refused = refused + 1
    wrk.thread:set("refused", refused)
    if refused <= 3 then io.stderr:write("PUT answered " .. status .. ": " .. body .. "\n") end
    -- A 412 names the version stored now: the next write to the cell goes on from it.
    local v = body:match('"etag":"\\"v(%d+)\\""')
    if v then current.version = tonumber(v) end
  end
end
done = function(summary, latency, requests)
  local updated, refused = 0, 0
  for _, t in ipairs(threads) do
    updated = updated + (t:get("updated") or 0)
    refused = refused + (t:get("refused") or 0)
  end
  io.write(string.format("put_updated %d\nput_refused %d\n", updated, refused))
end
EOF
} >"$work_dir/put.lua"

# The PUT's cells: commune values of 2021 months of plain summed counts (no options), every
# 37th of the export to spread them over communes, months and elements; 4 per connection.
put_cells_per_connection=4
put_cells=$((connections * put_cells_per_connection))
"$qpan" elements list --db "$db" | awk -F'\t' '$2 == "count" && $3 == "sum" && $4 == "-" { print $1 }' >"$work_dir/put-elements"
"$qpan" values export --db "$work_dir/demo-before-writes.db" --ou 12 --pe 2021 -o "$work_dir/put-export.csv" 2>/dev/null
awk -F, -v max="$put_cells" 'NR == FNR { plain[$1] = 1; next }
  FNR > 1 && ($1 in plain) && length($3) == 5 && length($2) == 6 && $4 == "" && $6 ~ /^[0-9]+$/ {
    if (++n % 37 == 0 && ++k <= max) print $1 "\t" $2 "\t" $3 "\t" $6 }' \
  "$work_dir/put-elements" "$work_dir/put-export.csv" >"$work_dir/put-cells-base"
[ "$(wc -l <"$work_dir/put-cells-base")" -eq "$put_cells" ] || die "not $put_cells cells for the PUTs"
[ "$(cut -f1-3 "$work_dir/put-cells-base" | sort -u | wc -l)" -eq "$put_cells" ] || die "the PUT cells repeat"
# Each cell's version as the server gives it (GET → ETag), into the cells file.
read_put_versions() {  # PORT
  local port=$1
  awk -F'\t' -v base="http://127.0.0.1:$port" '{
      print "url = \"" base "/api/dataValues?de=" $1 "&pe=" $2 "&ou=" $3 "\""; print "output = \"/dev/null\"" }' \
    "$work_dir/put-cells-base" >"$work_dir/put-get.curl"
  curl -sf -H "Authorization: Bearer $token" -K "$work_dir/put-get.curl" -w '%header{etag}\n' >"$work_dir/put-etags" ||
    die "reading the PUT cells failed"
  paste "$work_dir/put-cells-base" <(sed 's/^"v\([0-9]*\)"$/\1/' "$work_dir/put-etags") |
    awk -F'\t' 'NF == 5 && $5 ~ /^[0-9]+$/ { print $1 "\t" $2 "\t" $3 "\t" $5 "\t" $4; next } { exit 1 }' \
    >"$work_dir/put-cells" || die "a PUT cell has no ETag"
  [ "$(wc -l <"$work_dir/put-cells")" -eq "$put_cells" ] || die "not every PUT cell has an ETag"
}

# --- Measuring -----------------------------------------------------------------------------
# wrk → "requests_per_second p99_ms p50_ms errors"; errors: non-2xx answers and socket
# errors. Its whole output goes to wrk.log and $work_dir/last.out.
ms_of() { awk -v k="$1" '$1 == k { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }'; }
measure() {  # THREADS URL [LUA [ARGS...]]
  local threads=$1 url=$2 out
  shift 2
  if (($#)); then
    local lua=$1
    shift
    out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$lua" "$url" "$@")
  else
    out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$url")
  fi
  printf '%s\n' "$out" >>"$work_dir/wrk.log"
  printf '%s\n' "$out" >"$work_dir/last.out"
  local rps p99 p50 errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p99=$(ms_of 99% <<<"$out")
  p50=$(ms_of 50% <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
                /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
                END { print n + 0 }' <<<"$out")
  echo "$rps $p99 $p50 $errors"
}
last() { awk -v k="$1" '$1 == k { print $2 }' "$work_dir/last.out"; }
# The server's own time per request (access log "ms": from the parsed request to the answer
# handed to the connection) of the lines after line FROM matching PATTERN: "p50 p99".
server_ms() {  # LOG FROM PATTERN
  tail -n +"$(($2 + 1))" "$1" | grep -F "$3" | sed 's/.*"ms":\([^,}]*\).*/\1/' | sort -g |
    awk '{ v[NR] = $1 + 0 } END { if (!NR) { print "- -"; exit }
      r = int(0.99 * NR); if (r < 0.99 * NR) r++
      printf "%.3f %.3f\n", v[int((NR + 1) / 2)], v[r] }'
}
# A server of its own over a fresh copy of the demo database (the reading one stays as it is).
start_write_server() {
  rm -f "$work_dir"/write.db*
  cp "$work_dir/demo-before-writes.db" "$work_dir/write.db"
  "$qpan" serve --db "$work_dir/write.db" --listen "127.0.0.1:$write_port" --threads 2 \
    >>"$work_dir/serve.out" 2>"$work_dir/access-write.log" &
  write_pid=$!
  wait_healthy "$write_port"
}
stop_write_server() {
  kill "$write_pid"
  wait "$write_pid" 2>/dev/null || true
  write_pid=
}
record() {  # NAME RUN "rps p99 p50 errors" [note]
  local name=$1 run=$2 rps p99 p50 errors
  read -r rps p99 p50 errors <<<"$3"
  echo "$name $run $rps $p99 $p50 $errors ${4:-}" >>"$work_dir/results"
  local flag=""
  ((errors == 0)) || flag=" — $errors ERRORS"
  say "run $run $name: $rps requests/s, p99 $p99 ms, p50 $p50 ms${4:+, $4}$flag"
}

: >"$work_dir/results"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for run in $(seq 1 "$runs"); do
  if ((run % 2)); then order="qpan nginx"; else order="nginx qpan"; fi
  # Cached read.
  for side in $order; do
    if [ "$side" = qpan ]; then
      from=$(wc -l <"$work_dir/access.log")
      r=$(measure 2 "http://127.0.0.1:$qpan_port$read_path" "$work_dir/read.lua")
      record cached-qpan "$run" "$r" "server $(server_ms "$work_dir/access.log" "$from" '"route":"/api/analytics"' | sed 's/ / \/ /') ms"
    else
      record cached-nginx "$run" "$(measure 2 "http://127.0.0.1:$nginx_port/analytics.json")"
    fi
  done
  # Uncached read mix: this run's part of the question file.
  for side in $order; do
    if [ "$side" = qpan ]; then
      from=$(wc -l <"$work_dir/access.log")
      r=$(measure 2 "http://127.0.0.1:$qpan_port" "$work_dir/read-mix.lua" \
        "$work_dir/mix-paths" $(((run - 1) * mix_slice)) "$mix_thread")
      sent=$(last mix_sent)
      exhausted=$(last mix_exhausted_threads)
      [ -n "$sent" ] && [ -n "$exhausted" ] || die "the mix script did not report"
      read -r rps p99 p50 errors <<<"$r"
      record mix-qpan "$run" "$rps $p99 $p50 $((errors + exhausted))" \
        "$sent of $mix_slice questions sent, $exhausted threads out of questions; server $(server_ms "$work_dir/access.log" "$from" '"route":"/api/analytics"' | sed 's/ / \/ /') ms"
    else
      record mix-nginx "$run" "$(measure 2 "http://127.0.0.1:$nginx_port/mix.json")"
    fi
  done
  # Single PUT, one connection per wrk thread on both sides.
  for side in $order; do
    if [ "$side" = qpan ]; then
      start_write_server
      read_put_versions "$write_port"
      r=$(measure "$connections" "http://127.0.0.1:$write_port" "$work_dir/put.lua" "$work_dir/put-cells" "$put_cells_per_connection")
      updated=$(last put_updated)
      refused=$(last put_refused)
      [ -n "$updated" ] && [ -n "$refused" ] || die "the PUT script did not report"
      note="$updated updated, $refused refused; server $(server_ms "$work_dir/access-write.log" 0 '"method":"PUT"' | sed 's/ / \/ /') ms"
      stop_write_server
      read -r rps p99 p50 errors <<<"$r"
      record put-qpan "$run" "$rps $p99 $p50 $((errors > refused ? errors : refused))" "$note"
    else
      record put-nginx "$run" "$(measure "$connections" "http://127.0.0.1:$nginx_port/analytics.json")"
    fi
  done
  # Batch writes.
  for shape in form column; do
    start_write_server
    r=$(measure 2 "http://127.0.0.1:$write_port/api/dataValueSets" "$work_dir/write-$shape.lua")
    stop_write_server
    record "write-$shape" "$run" "$r" "$(awk -v r="${r%% *}" 'BEGIN { printf "%d values/s", r * 100 }')"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Report --------------------------------------------------------------------------------
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
field() { awk -v k="$1" -v r="$2" -v f="$3" '$1 == k && $2 == r { print $f }' "$work_dir/results"; }
pick() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$work_dir/results" | median; }
errors_of() { awk -v k="$1" '$1 == k { n += $6 } END { print n + 0 }' "$work_dir/results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
met() { awk -v v="$1" -v g="$2" -v dir="$3" 'BEGIN { ok = dir == "le" ? v + 0 <= g + 0 : v + 0 >= g + 0; print ok ? "met" : "**NOT met**" }'; }
row() {  # NAME LABEL
  local line="| $2 |" r errors
  for run in $(seq 1 "$runs"); do
    errors=$(field "$1" "$run" 6)
    line+=" $(field "$1" "$run" 3) ($(field "$1" "$run" 4))"
    ((errors == 0)) || line+=" **$errors errors**"
    line+=" |"
  done
  echo "$line $(pick "$1" 3) | $(pick "$1" 4) | $(pick "$1" 5) |"
}
per_run_ratios() {  # QPAN NGINX
  local out=""
  for run in $(seq 1 "$runs"); do out+="${out:+, }$(ratio "$(field "$1" "$run" 3)" "$(field "$2" "$run" 3)")"; done
  echo "$out"
}
notes() {  # NAME
  for run in $(seq 1 "$runs"); do
    echo "  - run $run: $(awk -v k="$1" -v r="$run" '$1 == k && $2 == r { $1 = $2 = $3 = $4 = $5 = $6 = ""; sub(/^ +/, ""); print }' "$work_dir/results")"
  done
}

cached_ratio=$(ratio "$(pick cached-qpan 3)" "$(pick cached-nginx 3)")
mix_ratio=$(ratio "$(pick mix-qpan 3)" "$(pick mix-nginx 3)")
put_ratio=$(ratio "$(pick put-qpan 3)" "$(pick put-nginx 3)")
f_values=$(awk -v r="$(pick write-form 3)" 'BEGIN { printf "%d", r * 100 }')
c_values=$(awk -v r="$(pick write-column 3)" 'BEGIN { printf "%d", r * 100 }')
total_errors=$(awk '{ n += $6 } END { print n + 0 }' "$work_dir/results")
flagged=$(awk '$6 > 0 { printf "%s%s run %s (%s)", sep, $1, $2, $6; sep = ", " }' "$work_dir/results")
header="| | $(for run in $(seq 1 "$runs"); do printf 'run %s req/s (p99 ms) | ' "$run"; done)median req/s | median p99 ms | median p50 ms |"
rule="|---|$(for _ in $(seq 1 "$runs"); do printf -- '---:|'; done)---:|---:|---:|"
rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "no commit")
[[ -z $(git -C "$repo" status --porcelain 2>/dev/null | head -1) ]] || rev="$rev (with uncommitted changes)"
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: *//')
wrk_version=$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $1, $2 }')
nginx_version=$("$NGINX" -v 2>&1 | sed 's/.*: //')

cat <<EOF

### HTTP server (issues 6 and 11) — $(date)

Command: \`bench/http.sh --duration $duration --connections $connections --runs $runs$([ "$mix_rate" = 40000 ] || echo " --mix-rate $mix_rate")\` (qpan $rev; $wrk_version, $nginx_version; loopback;
qpan serve --threads 2; nginx 2 workers; wrk 2 threads, -c$connections, except the single PUT and its nginx
counterpart: one connection per wrk thread, -t$connections -c$connections).

Machine: nproc $(nproc), $cpu, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory; shared with other work, so noisy: compare
medians and the ratios of sides measured alternately in the same run. Load average (1, 5, 15 min)
before: $load_before; after: $load_after.

- Cached read: \`GET $read_path\` ($bytes bytes; after the first request an answer from the analytics cache),
  against nginx serving the same bytes.
- Uncached read mix: $((runs * mix_slice)) distinct questions (4 of the pack's $mix_elements elements × one of
  $mix_pairs unit-periods of Lai Châu: ${mix_note}months $first_month–$last_month), $mix_slice per run, none
  repeated; answers of median $mix_bytes bytes ($mix_bytes_min–$mix_bytes_max in a sample of $mix_sample), against nginx
  serving one of median size.
- Single PUT: \`PUT /api/dataValues\` with If-Match, $put_cells_per_connection cells per connection ($put_cells commune values of 2021),
  each PUT carrying the version the last answer for its cell returned; against nginx serving the cached read's file in
  the same client shape.
- Batch writes: \`POST /api/dataValueSets\`, 100 values per request, each shape on a fresh copy of the demo database.

$header
$rule
$(row cached-qpan "qpan cached read (analytics)")
$(row cached-nginx "nginx static file, same bytes")
$(row mix-qpan "qpan uncached read mix (analytics)")
$(row mix-nginx "nginx static file, mix median size")
$(row put-qpan "qpan single PUT with If-Match")
$(row put-nginx "nginx static file, -t$connections -c$connections")
$(row write-form "qpan write, one commune's monthly form (100 values per request)")
$(row write-column "qpan write, one element × 100 communes (100 values per request)")

- Cached read / nginx (medians): **$cached_ratio** (per run: $(per_run_ratios cached-qpan cached-nginx); goal ≥ 0.5: $(met "$cached_ratio" 0.5 ge));
  p99 **$(pick cached-qpan 4) ms** (goal ≤ 20 ms at $connections connections: $(met "$(pick cached-qpan 4)" 20 le))
- Uncached read mix / nginx (medians): **$mix_ratio** (per run: $(per_run_ratios mix-qpan mix-nginx); goal ≥ 0.3: $(met "$mix_ratio" 0.3 ge));
  p99 **$(pick mix-qpan 4) ms** (goal ≤ 20 ms at $connections connections: $(met "$(pick mix-qpan 4)" 20 le))
- Single PUT / nginx in the same client shape (medians): **$put_ratio** (per run: $(per_run_ratios put-qpan put-nginx));
  p99 $(pick put-qpan 4) ms
- Values written per second through the batch endpoint: **$f_values** as forms, **$c_values**
  as columns across communes (goal ≥ 200,000: $(met "$f_values" 200000 ge) as forms, $(met "$c_values" 200000 ge) as columns)
- Errors (non-2xx answers, socket errors, refused PUTs, mix threads out of questions): $([ "$total_errors" -eq 0 ] && echo "none" || echo "**$total_errors — flagged: $flagged**")
- Cached read, per run (server time per request from its access log: p50 / p99):
$(notes cached-qpan)
- Uncached read mix, per run:
$(notes mix-qpan)
- Single PUT, per run:
$(notes put-qpan)
EOF
