# shellcheck shell=bash disable=SC2154,SC2034  # the scripts set what it reads and read what it sets
# Shared by the benchmarks over bench/generate_values' data (engine.sh, stores.sh), sourced
# once the script has set bench_name, repo, build_dir, work_dir, do_build, pg_bin and
# pg_port: messages, the data range's options, timing and statistics, the binaries, the work
# dir's lock, the private PostgreSQL 15 cluster and the generated values, kept in the work
# dir while their inputs match.

die() { echo "$bench_name: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

# The options both scripts take, with their defaults (set before the script's own, which
# may override them).
build_dir=build/release
runs=21
rounds=3
seed=42
province=01
year=2024
quarter=2024Q4
do_build=1
keep=0
pg_bin=/usr/lib/postgresql/15/bin
# take_common_option ARGS...: takes $1 (and its value) when it is one of those options or
# --work-dir, --from, --to, --write-runs; sets taken to the words used, 0 for another option.
take_common_option() {
  taken=2
  case "$1" in
    --build-dir) build_dir=${2:?--build-dir needs a value} ;;
    --work-dir) work_dir=${2:?--work-dir needs a value} ;;
    --runs) runs=${2:?--runs needs a value} ;;
    --rounds) rounds=${2:?--rounds needs a value} ;;
    --write-runs) write_runs=${2:?--write-runs needs a value} ;;
    --seed) seed=${2:?--seed needs a value} ;;
    --from) from=${2:?--from needs a value} ;;
    --to) to=${2:?--to needs a value} ;;
    --province) province=${2:?--province needs a value} ;;
    --year) year=${2:?--year needs a value} ;;
    --quarter) quarter=${2:?--quarter needs a value} ;;
    --no-build) do_build=0; taken=1 ;;
    --keep) keep=1; taken=1 ;;
    *) taken=0 ;;
  esac
}

# positive OPTION VALUE
positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 wants a positive integer, got '$2'"; }

# Checks --seed, --from, --to, --year and --quarter against each other; sets first_year,
# last_year, quarter_first and quarter_last (YYYYMM of the quarter's months).
check_data_range() {
  [[ $seed =~ ^[0-9]+$ ]] || die "--seed wants a non-negative integer, got '$seed'"
  [[ $from =~ ^[0-9]{4}(0[1-9]|1[0-2])$ ]] || die "--from wants YYYYMM, got '$from'"
  [[ $to =~ ^[0-9]{4}(0[1-9]|1[0-2])$ ]] || die "--to wants YYYYMM, got '$to'"
  ((from <= to)) || die "--from is after --to"
  [[ $year =~ ^[0-9]{4}$ ]] || die "--year wants YYYY, got '$year'"
  [[ $quarter =~ ^([0-9]{4})Q([1-4])$ ]] || die "--quarter wants YYYYQn, got '$quarter'"
  quarter_first=$((BASH_REMATCH[1] * 100 + BASH_REMATCH[2] * 3 - 2))
  quarter_last=$((quarter_first + 2))
  ((year * 100 + 12 >= from && year * 100 + 1 <= to)) || die "--year $year is outside $from..$to"
  ((quarter_last >= from && quarter_first <= to)) || die "--quarter $quarter is outside $from..$to"
  first_year=$((from / 100))
  last_year=$((to / 100))
}

# data_inputs: build_dir made absolute; units_dir (what `qpan units import` reads),
# units_csv and elements_json (the generator's inputs), which must exist.
data_inputs() {
  [[ $build_dir = /* ]] || build_dir=$repo/$build_dir
  units_dir=$repo/data/vn-admin
  units_csv=$units_dir/units-history.csv
  elements_json=$repo/bench/elements-engine.json
  [[ -f $units_csv ]] || die "missing $units_csv"
  [[ -f $elements_json ]] || die "missing $elements_json"
}

now() { date +%s.%N; }
now_ms() { date +%s%3N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
hash16() { sha256sum | cut -c1-16; }
# p50 (median) and p90 (nearest rank) of numbers, one per line on stdin.
percentiles() { sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) { print "- -"; exit }
  p50 = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
  r = int(0.9 * NR); if (r < 0.9 * NR) r++; if (r < 1) r = 1
  printf "%.6f %.6f\n", p50, v[r] }'; }
group() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# build TARGET...: the targets in build_dir, unless --no-build.
build() {
  ((do_build)) || return 0
  [[ -f $build_dir/CMakeCache.txt ]] ||
    die "$build_dir is not a configured CMake build dir (configure it, or pass --no-build)"
  grep -q '^QPAN_BUILD_BENCH:BOOL=ON' "$build_dir/CMakeCache.txt" ||
    die "$build_dir was configured with QPAN_BUILD_BENCH=OFF"
  say "building $* in $build_dir"
  cmake --build "$build_dir" --target "$@" >&2 || die "cmake --build $build_dir failed"
}
# find_binary NAME SUBDIR: the built binary, at the top of build_dir or in its SUBDIR.
find_binary() {
  local name=$1 sub=$2
  if [[ -x $build_dir/$name ]]; then echo "$build_dir/$name"
  elif [[ -x $build_dir/$sub/$name ]]; then echo "$build_dir/$sub/$name"
  else die "no $name binary in $build_dir (looked in . and $sub/)"; fi
}

# One run per work dir: two would share (and remove) each other's databases and cluster.
# Makes work_dir absolute.
lock_work_dir() {
  mkdir -p "$work_dir"
  work_dir=$(cd "$work_dir" && pwd)
  exec 9>"$work_dir/.lock"
  flock -n 9 || die "another $bench_name is running in $work_dir (use --work-dir)"
}

# --- The private PostgreSQL cluster (in WORK/postgres, Unix socket only) -------------------
pg_started=0
as_postgres() {  # PostgreSQL refuses to run as root
  if [[ $EUID -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
# pg_paths: pg_data and pg_sock in the (absolute) work dir.
pg_paths() {
  pg_data=$work_dir/postgres/data
  pg_sock=$work_dir/postgres/socket
}
# pg_create CONF: a new cluster with CONF appended to its postgresql.conf (what was there is
# removed).
pg_create() {
  rm -rf "$work_dir/postgres" "$work_dir/postgres.stamp-db"
  mkdir -p "$pg_data" "$pg_sock"
  [[ $EUID -ne 0 ]] || chown -R postgres: "$work_dir/postgres"
  say "creating a PostgreSQL cluster in $pg_data"
  as_postgres "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C \
    >"$work_dir/postgres-initdb.log" 2>&1 || { cat "$work_dir/postgres-initdb.log" >&2; die "initdb failed"; }
  echo "$1" | as_postgres tee -a "$pg_data/postgresql.conf" >/dev/null
}
pg_start() {
  as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$work_dir/postgres/server.log" -w start >/dev/null ||
    { tail -20 "$work_dir/postgres/server.log" >&2; die "PostgreSQL did not start"; }
  pg_started=1
}
pg_stop() {
  if ((pg_started)); then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
    pg_started=0
  fi
}

# --- The generated values -----------------------------------------------------------------
# data_key_of: data_stamp (what the values are made from) and data_key (its hash, in the
# generated files' names).
data_key_of() {
  data_stamp="seed=$seed from=$from to=$to units=$(hash16 <"$units_csv")"
  data_stamp+=" elements=$(hash16 <"$elements_json") generator=$(hash16 <"$repo/bench/generate_values.cc")"
  data_key=$(echo "$data_stamp" | hash16)
}
# need_space BYTES_PER_MONTH: dies unless the work dir has room for the data's months.
need_space() {
  local months need_gb avail_gb
  months=$(((last_year - first_year) * 12 + to % 100 - from % 100 + 1))
  need_gb=$((months * $1 / 1000000000 + 2))
  avail_gb=$(($(df -Pk "$work_dir" | awk 'NR==2 {print $4}') / 1048576))
  ((avail_gb >= need_gb)) || die "$work_dir has $avail_gb GB free, needs about $need_gb GB"
}
# generate OUT [ARGS...]: the values --from..--to into OUT (through OUT.tmp, so that a broken
# run leaves nothing that looks finished), ARGS passed to the generator; sets generated_rows.
generate() {
  local out=$1
  shift
  say "generating $out"
  "$generator" --units "$units_csv" --elements "$elements_json" --from "$from" --to "$to" \
      --seed "$seed" "$@" --out "$out.tmp" 2>"$work_dir/generate.log" ||
    { cat "$work_dir/generate.log" >&2; die "generator failed"; }
  cat "$work_dir/generate.log" >&2
  generated_rows=$(sed -n 's/.* \([0-9][0-9]*\) rows.*/\1/p' "$work_dir/generate.log")
  [[ -n $generated_rows ]] || die "the generator did not say how many rows it wrote"
  mv "$out.tmp" "$out"
}
