#!/usr/bin/env bash
# Installs what the side-by-side benchmarks of ../shared/bench need and the
# machine lacks, from Debian: GDAL (ogr2ogr, ogrinfo), MapServer (mapserv,
# shptree), spawn-fcgi, nginx, wrk, curl, DejaVu fonts, GNU time, and
# PostGIS for the local PostgreSQL (the major version the server at
# 127.0.0.1:5432 reports). Nothing when all is there. Needs root or sudo.
#
#   bench/setup.sh
set -euo pipefail

packages=()
need() {  # need COMMAND PACKAGE
    PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null || packages+=("$2")
}
need ogr2ogr gdal-bin
need shptree mapserver-bin
need spawn-fcgi spawn-fcgi
need nginx nginx
need wrk wrk
need curl curl
need psql postgresql-client
[ -x /usr/lib/cgi-bin/mapserv ] || command -v mapserv >/dev/null || packages+=(cgi-mapserver)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || packages+=(fonts-dejavu-core)
[ -x /usr/bin/time ] || packages+=(time)

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
export DEBIAN_FRONTEND=noninteractive
apt=("${sudo[@]}" apt-get -q -o DPkg::Lock::Timeout=300)
updated=0
install() {
    [ "$updated" -eq 1 ] || { "${apt[@]}" update >/dev/null; updated=1; }
    "${apt[@]}" install -y --no-install-recommends "$@" >/dev/null
}
((${#packages[@]} == 0)) || install "${packages[@]}"

pg_major=$(psql -h 127.0.0.1 -U postgres -d postgres -Atc 'SHOW server_version_num' | cut -c1-2)
[ -e "/usr/share/postgresql/$pg_major/extension/postgis.control" ] ||
    install "postgresql-$pg_major-postgis-3"
echo "bench/setup.sh: benchmark tools present"
