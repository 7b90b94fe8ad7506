#!/usr/bin/env bash
# Web application speed (issue 12): the first screen over a slow link and the opening of a
# form of 100 cells, in real Chromium against a release `qpan serve`, with nginx serving the
# same application side by side. The measuring is bench/web_speed.mjs (see its header); this
# script builds what it needs and installs nginx when missing.
#
#   bench/web.sh [--build-dir build/release] [--work-dir /tmp/qpan-bench-web]
#                [--runs 5] [--opens 20] [--no-build]
#
# Prints progress on stderr and a markdown block for bench/RESULTS.md on stdout.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=build/release
work_dir=/tmp/qpan-bench-web
runs=5
opens=20
do_build=1

die() { echo "web.sh: $*" >&2; exit 1; }
while (($#)); do
  case $1 in
    --build-dir) build_dir=$2; shift 2 ;;
    --work-dir) work_dir=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --opens) opens=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends nginx-light >/dev/null
fi
cd "$repo"
bash scripts/install-deps.sh
if ((do_build)); then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQPAN_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build_dir" --target qpan >/dev/null
fi
bash scripts/build-web.sh >/dev/null
[ -x "$build_dir/qpan" ] || die "no binary at $build_dir/qpan"
exec node bench/web_speed.mjs --qpan "$repo/$build_dir/qpan" --work-dir "$work_dir" --runs "$runs" --opens "$opens" \
  --nginx "$(command -v nginx || echo /usr/sbin/nginx)"
