#!/usr/bin/env bash
# Throughput of numis deployments, measured with wrk on this machine:
#
#   1 × SQLite, direct       one instance on its SQLite file, no proxy
#   1 × PostgreSQL, nginx    one instance on PostgreSQL behind nginx
#   2 × PostgreSQL, nginx    two instances on one PostgreSQL behind nginx
#
# nginx runs the deploy/ configuration (deploy/nginx/numis-proxy.conf and
# the parameters of numis-upstream.conf, with this run's instances as its
# servers), in a temporary prefix. Each deployment gets a fresh data
# directory or a fresh PostgreSQL schema, the creation limit off and the
# render cache off (GetMap measures rendering, not the cache).
#
# Phases, each WARMUP seconds of load (not counted) then DURATION seconds
# measured: drawing creates (bench/drawings/wrk.lua with the drawing of
# bench/drawings/run.sh, about 3 KB of GeoJSON), drawing reads (the same
# script over IDS drawings made beforehand), GetMap (the 2000 random
# 512×512 requests of ../shared/bench/requests.py, seed 42, cycled by
# ../shared/bench/wrk-cycle.lua; both read in place). Around each measured
# phase, the CPU time of numis, nginx and every PostgreSQL process is read
# from /proc and divided by the requests served: the CPU cost of a request,
# from which bench/README.md reasons about bigger machines. PostgreSQL's
# figure includes anything else the cluster does meanwhile.
#
#   bench/instances/run.sh [--numis target/release/numis] [--only sqlite1,pg1,pg2]
#       [--duration 15] [--warmup 3] [--connections 8] [--threads 2]
#       [--postgres postgres://postgres@127.0.0.1:5432/test] [--shared ../shared]
#
# Prints a Markdown table on stdout, progress and the raw figures (JSON) on
# stderr. Exit status 3 when any error was counted (the figures are then
# invalid). Needs a release build with the PostgreSQL store
# (`cargo build --release`), PostgreSQL with trust authentication for
# `postgres` on this machine, psql, wrk, nginx and python3; installs wrk and
# nginx from Debian when they are missing (as root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PATH="$PATH:/usr/sbin:/sbin"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx)
if ((${#missing[@]})); then
    [ "$(id -u)" -eq 0 ] || { echo "missing: ${missing[*]} (as root: apt-get install ${missing[*]})" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
for tool in psql python3 pgrep; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

exec python3 "$here/instances.py" "$@"
