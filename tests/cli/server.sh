# A `qpan serve` for end-to-end scripts (sourced after lib.sh): start it on a free port over
# $DB, make API tokens, send requests and read the replies.
PW='mat-khau-thu-nghiem-dai'
PACK="$SRC/packs/qpan-vn"
PORT=""
SERVER_PID=""

# http METHOD PATH TOKEN [BODY_FILE]: one request to the running server; the status on the
# first line of $OUT, the body after it.
http() {
  LAST_COMMAND="$1 $2"
  python3 - "$PORT" "$1" "$2" "$3" "${4:-}" >"$OUT" 2>"$ERR" <<'PY'
import http.client, sys
port, method, path, token, body_file = sys.argv[1:6]
body = open(body_file, "rb").read() if body_file else None
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
headers = {"Authorization": "Bearer " + token} if token else {}
if body_file.endswith(".json"):
    headers["Content-Type"] = "application/json"
conn.request(method, path, body=body, headers=headers)
reply = conn.getresponse()
print(reply.status)
sys.stdout.write(reply.read().decode("utf-8"))
PY
  RC=$?
  [ "$RC" = 0 ] || fail "$1 $2: the request failed" "a reply" "$(cat "$ERR")"
}
status() { head -n 1 "$OUT"; }
body() { tail -n +2 "$OUT"; }

# token VAR USER: sets VAR to a new API token of USER.
token() {
  qok users token --db "$DB" "$2" --name e2e
  printf -v "$1" '%s' "$(grep -o 'qpan_[A-Za-z0-9_-]*' "$OUT" | head -n 1)"
}

# server_db NAME: DB is a new NAME.db with the units, the qpan-vn pack, one commune officer
# of Xã Tả Lèng (03400), the reviewer of its district (106), a province administrator (12)
# and one value (4 cases in January 2016 at 03400).
server_db() {
  local db="$WORK/$1.db"
  DB=$db
  qok init --db "$db"
  qok units import --db "$db" "$VN_ADMIN"
  qok pack load --db "$db" "$PACK"
  qok users add --db "$db" canbo.xa --role commune_entry --scope 03400 --scope-at 2020-01-01 <<<"$PW"
  qok users add --db "$db" huyen --role district_reviewer --scope 106 --scope-at 2020-01-01 <<<"$PW"
  qok users add --db "$db" tinh --role province_admin --scope 12 --scope-at 2020-01-01 <<<"$PW"
  csv "$WORK/first.csv" 'crime.ttxh.cases,201601,03400,,,4,,,,'
  qok values import --db "$db" "$WORK/first.csv"
}

# submit_and_approve XA_TOKEN HUYEN_TOKEN: the commune submits January 2016 of 03400 and the
# district approves it.
submit_and_approve() {
  local xa=$1 huyen=$2
  printf '{"dataSet":"ds.antt.commune.monthly","orgUnit":"03400","period":"201601"}' >"$WORK/form.json"
  http POST /api/approvals/submit "$xa" "$WORK/form.json"
  assert_eq 200 "$(status)" "the commune submits January 2016"
  http POST /api/approvals/approve "$huyen" "$WORK/form.json"
  assert_eq 200 "$(status)" "the district approves it"
}

# launch_server NAME: starts `qpan serve` over $DB on a free port; sets LAUNCHED_PID and
# LAUNCHED_PORT (its output in $WORK/NAME.out and .err).
launch_server() {
  "$QPAN" serve --db "$DB" --listen 127.0.0.1:0 --threads 2 >"$WORK/$1.out" 2>"$WORK/$1.err" &
  LAUNCHED_PID=$!
  SERVER_PIDS+=("$LAUNCHED_PID")
  local i
  for i in $(seq 1 300); do
    LAUNCHED_PORT=$(grep -oE 'on http://127\.0\.0\.1:[0-9]+' "$WORK/$1.out" 2>/dev/null | grep -oE '[0-9]+$')
    [ -n "$LAUNCHED_PORT" ] && return 0
    kill -0 "$LAUNCHED_PID" 2>/dev/null || fail "qpan serve exited" "a server" "$(cat "$WORK/$1.err")"
    sleep 0.1
  done
  fail "qpan serve did not start in 30 s" "a port" "$(cat "$WORK/$1.err")"
}

# start_server: the one server http() talks to.
start_server() {
  launch_server serve
  SERVER_PID=$LAUNCHED_PID
  PORT=$LAUNCHED_PORT
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}
SERVER_PIDS=()
trap 'for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null; done; cd /; rm -rf "$WORK"' EXIT
