#!/usr/bin/env bash
# Installs what the real-client tests (tests/clients) need, and nothing when
# it is already there:
#   - GDAL's command-line tools (Debian gdal-bin: gdalinfo, gdal_translate,
#     gdallocationinfo) and, if this Python cannot make a venv, python3-venv;
#   - the PDF tools the print tests read printed maps with (Debian
#     poppler-utils: pdftotext, pdfinfo, pdftoppm; qpdf);
#   - the third-party WMS of the external-data tests (MapServer, nginx,
#     spawn-fcgi: scripts/third-party-wms.sh install); its nginx also runs
#     deploy/nginx in front of two numis instances (test_deploy_nginx.py);
#   - psql and pg_dump (Debian postgresql-client), with which that test makes
#     and searches its schema in the suite's PostgreSQL;
#   - PostGIS for that PostgreSQL (Debian postgresql-<major>-postgis-3, the
#     major version the server at 127.0.0.1:5432 reports): the PostGIS layer
#     tests load the demo data into it with ogr2ogr (gdal-bin);
#   - a Python venv in target/clients-venv with the pinned OWSLib, pytest and
#     Pillow of tests/clients/requirements.txt.
# Quiet on success (the installers' output is shown only if they fail), a
# second or so when everything is installed. Needs root (or sudo) only when
# Debian packages are missing; never asks anything, so it runs in CI.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/clients-venv
requirements=tests/clients/requirements.txt
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs a command with its output kept back, and shown only if it fails.
quietly() {
    if ! "$@" >"$log" 2>&1; then
        echo "tests/clients/setup.sh: failed: $*" >&2
        cat "$log" >&2
        exit 1
    fi
}

packages=()
command -v python3 >/dev/null || packages+=(python3)
for tool in gdalinfo gdal_translate gdallocationinfo; do
    if ! command -v "$tool" >/dev/null; then
        packages+=(gdal-bin)
        break
    fi
done
for tool in pdftotext pdfinfo pdftoppm; do
    if ! command -v "$tool" >/dev/null; then
        packages+=(poppler-utils)
        break
    fi
done
command -v qpdf >/dev/null || packages+=(qpdf)
if ! command -v psql >/dev/null || ! command -v pg_dump >/dev/null; then
    packages+=(postgresql-client)
fi
if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    packages+=(python3-venv)
fi

if ((${#packages[@]})); then
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null; then
            echo "tests/clients/setup.sh: install ${packages[*]} (as root: apt-get install ${packages[*]})" >&2
            exit 1
        fi
        sudo=(sudo -n)
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Another apt run on the machine holds the lock for a while; wait for it.
    apt=("${sudo[@]}" apt-get -q -o DPkg::Lock::Timeout=300)
    quietly "${apt[@]}" update
    quietly "${apt[@]}" install -y --no-install-recommends "${packages[@]}"
fi

# PostGIS must match the server's major version, which only the running
# server can tell; the package puts the extension where that server finds it.
pg_major=$(psql -h 127.0.0.1 -U postgres -d postgres -Atc 'SHOW server_version_num' 2>/dev/null |
    cut -c1-2 || true)
if [ -n "$pg_major" ] && [ ! -e "/usr/share/postgresql/$pg_major/extension/postgis.control" ]; then
    [ -n "${apt[*]:-}" ] || {
        sudo=()
        [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
        export DEBIAN_FRONTEND=noninteractive
        apt=("${sudo[@]}" apt-get -q -o DPkg::Lock::Timeout=300)
        quietly "${apt[@]}" update
    }
    quietly "${apt[@]}" install -y --no-install-recommends "postgresql-$pg_major-postgis-3"
fi

# The third-party WMS of the external-data tests (MapServer as FastCGI
# behind nginx, crates/numis/tests/it/external_wms.rs); quiet when present.
scripts/third-party-wms.sh install
PATH="$PATH:/usr/sbin:/sbin" command -v nginx >/dev/null || {
    echo "tests/clients/setup.sh: nginx is still missing after scripts/third-party-wms.sh install" >&2
    exit 1
}

# The venv is current when it holds a copy of the requirements it was made
# from and its Python still runs (a venv breaks when its base Python goes).
if cmp -s "$requirements" "$venv/requirements.txt" &&
    "$venv/bin/python" -c 'import owslib, PIL, pytest' 2>/dev/null; then
    exit 0
fi
rm -rf "$venv"
quietly python3 -m venv "$venv"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
quietly "$venv/bin/python" -m pip install -q -r "$requirements"
cp "$requirements" "$venv/requirements.txt"
