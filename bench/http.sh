#!/usr/bin/env bash
# HTTP benchmark (issue 6): `qpan serve` against nginx serving the same bytes as a static
# file, in one run, on loopback with wrk (Debian packages wrk and nginx-light, installed here
# when missing).
#
#   bench/http.sh [--build-dir build/release] [--work-dir /tmp/qpan-bench-http]
#                 [--duration 10] [--connections 64] [--runs 3] [--no-build]
#
# Each run, alternating which goes first:
#   read:   GET /api/analytics (Lai Châu demo, about 1 KB of DHIS2-shaped JSON) from qpan
#           with 2 server threads, authenticated by an API token, and the same response body
#           from nginx (2 worker processes) as a static file;
#   write:  POST /api/dataValueSets with 100 values per request in two shapes (one
#           commune's monthly form; one element across 100 communes), values changing every
#           request so each is a real update, all-or-nothing, validated, durable and in the
#           engine when answered.
# wrk: 2 threads, --connections connections, --duration seconds, --latency. Prints per-run
# requests/s and p99, medians, the ratio qpan/nginx for reads (goal >= 0.5), the read p99
# (goal <= 20 ms) and values written per second in each shape (goal >= 200,000), and a
# markdown block for bench/RESULTS.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=build/release
work_dir=/tmp/qpan-bench-http
duration=10
connections=64
runs=3
do_build=1

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "http.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

while (($#)); do
  case $1 in
    --build-dir) build_dir=$2; shift 2 ;;
    --work-dir) work_dir=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    say "installing $tool"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends wrk nginx-light >/dev/null
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
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$qpan_port/healthz" >/dev/null && break
  sleep 0.2
done
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$qpan_port$read_path" >"$work_dir/www/analytics.json" ||
  die "the analytics request failed"
bytes=$(wc -c <"$work_dir/www/analytics.json")
say "the read returns $bytes bytes"

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
# Each write measurement runs on its own server over a fresh copy of the demo database.
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

# wrk's summary → "requests_per_second p99_ms"
measure() {  # URL [LUA]
  local out
  if [ -n "${2:-}" ]; then
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$2" "$1")
  else
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$1")
  fi
  echo "$out" >>"$work_dir/wrk.log"
  local rps p99
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then die "non-2xx answers: $(grep Non-2xx <<<"$out")"; fi
  echo "$rps $p99"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

: >"$work_dir/results"
for run in $(seq 1 "$runs"); do
  if ((run % 2)); then order="qpan nginx"; else order="nginx qpan"; fi
  for side in $order; do
    if [ "$side" = qpan ]; then
      read -r rps p99 < <(measure "http://127.0.0.1:$qpan_port$read_path" "$work_dir/read.lua")
    else
      read -r rps p99 < <(measure "http://127.0.0.1:$nginx_port/analytics.json")
    fi
    say "run $run read $side: $rps requests/s, p99 $p99 ms"
    echo "read $side $rps $p99" >>"$work_dir/results"
  done
  for shape in form column; do
    # A second server on a fresh copy of the database (the reading one stays as it is).
    rm -f "$work_dir"/write.db*
    cp "$work_dir/demo-before-writes.db" "$work_dir/write.db"
    "$qpan" serve --db "$work_dir/write.db" --listen "127.0.0.1:$write_port" --threads 2 \
      >>"$work_dir/serve.out" 2>"$work_dir/access-write.log" &
    write_pid=$!
    for _ in $(seq 1 100); do
      curl -sf "http://127.0.0.1:$write_port/healthz" >/dev/null && break
      sleep 0.2
    done
    read -r rps p99 < <(measure "http://127.0.0.1:$write_port/api/dataValueSets" "$work_dir/write-$shape.lua")
    kill "$write_pid"
    wait "$write_pid" 2>/dev/null || true
    write_pid=
    say "run $run write $shape: $rps requests/s ($(awk -v r="$rps" 'BEGIN { printf "%d", r * 100 }') values/s), p99 $p99 ms"
    echo "write $shape $rps $p99" >>"$work_dir/results"
  done
done

pick() { awk -v k="$1" -v s="$2" -v f="$3" '$1 == k && $2 == s { print $f }' "$work_dir/results" | median; }
q_rps=$(pick read qpan 3); q_p99=$(pick read qpan 4)
n_rps=$(pick read nginx 3); n_p99=$(pick read nginx 4)
f_rps=$(pick write form 3); f_p99=$(pick write form 4)
c_rps=$(pick write column 3); c_p99=$(pick write column 4)
ratio=$(awk -v a="$q_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')
f_values=$(awk -v r="$f_rps" 'BEGIN { printf "%d", r * 100 }')
c_values=$(awk -v r="$c_rps" 'BEGIN { printf "%d", r * 100 }')

cat <<EOF

### HTTP server (issue 6) — $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)

Command: \`bench/http.sh --duration $duration --connections $connections --runs $runs\` (wrk -t2 -c$connections, loopback; qpan serve --threads 2; nginx 2 workers).
The read returns $bytes bytes (\`GET $read_path\`, API token).

| | requests/s (median of $runs) | p99 ms (median) |
|---|---:|---:|
| qpan read (analytics) | $q_rps | $q_p99 |
| nginx static file, same bytes | $n_rps | $n_p99 |
| qpan write, one commune's monthly form (100 values per request) | $f_rps | $f_p99 |
| qpan write, one element × 100 communes (100 values per request) | $c_rps | $c_p99 |

Read throughput qpan / nginx: **$ratio** (goal >= 0.5); read p99 **$q_p99 ms** (goal <= 20).
Values written per second through the batch endpoint: **$f_values** as forms, **$c_values**
as columns across communes (goal >= 200,000).
EOF
