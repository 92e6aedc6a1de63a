#!/usr/bin/env bash
# A third-party WMS on this machine, for the tests of numis's external WMS proxy:
# MapServer (Debian's cgi-mapserver as FastCGI behind nginx) serving the demo data,
# set up by the benchmark kit in the shared folder, which is run in place.
#
#   third-party-wms.sh start PORT [WORKDIR]   install what is missing, prepare the map
#                                             once per WORKDIR, start on 127.0.0.1:PORT
#                                             and print the base URL
#   third-party-wms.sh stop [WORKDIR]         stop exactly the processes started there
#   third-party-wms.sh install                only install the Debian packages
#
# WORKDIR defaults to $TMPDIR/numis-third-party-wms. The shared folder is ../shared
# beside the repository unless NUMIS_TEST_SHARED_DIR names another one.
# Quiet on success apart from the base URL; installers' output only when they fail.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${NUMIS_TEST_SHARED_DIR:-$repo/../shared}
bench="$shared/bench"
default_work=${TMPDIR:-/tmp}/numis-third-party-wms

usage() {
    echo "usage: $0 start PORT [WORKDIR] | stop [WORKDIR] | install" >&2
    exit 2
}

# Installs the Debian packages the fixture needs when one of its programs is missing.
install_packages() {
    PATH="$PATH:/usr/sbin:/sbin"
    local missing=0 tool
    for tool in ogr2ogr shptree mapserv spawn-fcgi nginx; do
        command -v "$tool" >/dev/null 2>&1 || missing=1
    done
    dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null | grep -q 'ok installed' || missing=1
    [ "$missing" -eq 1 ] || return 0
    local sudo=() log
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || {
            echo "third-party-wms.sh: install as root: apt-get install gdal-bin mapserver-bin cgi-mapserver spawn-fcgi nginx fonts-dejavu-core" >&2
            exit 1
        }
        sudo=(sudo -n)
    fi
    log=$(mktemp)
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
    if ! { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends \
        gdal-bin mapserver-bin cgi-mapserver spawn-fcgi nginx fonts-dejavu-core; } >"$log" 2>&1; then
        echo "third-party-wms.sh: package installation failed" >&2
        cat "$log" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
}

action=${1:-}
case "$action" in
    install)
        install_packages
        ;;
    start)
        port=${2:-}
        [[ "$port" =~ ^[0-9]+$ ]] || usage
        work=${3:-$default_work}
        [ -d "$bench" ] || { echo "third-party-wms.sh: no benchmark kit at $bench" >&2; exit 1; }
        install_packages
        mkdir -p "$work"
        # Prepare once per work dir: the shapefiles and the mapfile do not change.
        if [ ! -f "$work/numis-demo.map" ] || [ ! -f "$work/mapserver.conf" ]; then
            log=$(mktemp)
            if ! "$bench/prepare-mapserver.sh" "$work" >"$log" 2>&1; then
                echo "third-party-wms.sh: preparing the map failed" >&2
                cat "$log" >&2
                rm -f "$log"
                exit 1
            fi
            rm -f "$log"
        fi
        # serve-mapserver.sh prints the base URL on stdout, its notes on stderr.
        log=$(mktemp)
        if ! base=$("$bench/serve-mapserver.sh" "127.0.0.1:$port" "$work" 2>"$log"); then
            echo "third-party-wms.sh: starting MapServer failed" >&2
            cat "$log" >&2
            rm -f "$log"
            exit 1
        fi
        rm -f "$log"
        echo "$base"
        ;;
    stop)
        work=${2:-$default_work}
        "$bench/serve-mapserver.sh" stop "$work" 2>/dev/null
        ;;
    *)
        usage
        ;;
esac
