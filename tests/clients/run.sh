#!/usr/bin/env bash
# Runs the real-client tests: builds numis, serves the demo site (plus one
# restricted layer and two accounts, for the Basic-auth test) on a free
# port with an empty temporary data directory, points OWSLib and GDAL at its
# WMS and its OGC API – Features (pytest on tests/clients, with
# NUMIS_WMS_URL=http://127.0.0.1:PORT/ows, NUMIS_OGCAPI_URL=…/ogcapi)
# and stops the server with SIGTERM. Exits with pytest's status.
# tests/clients/setup.sh installs the clients first.
#
# Extra arguments go to pytest, e.g. `tests/clients/run.sh -k gdal -v`.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/clients-venv
if [ ! -x "$venv/bin/python" ] || ! command -v gdalinfo >/dev/null; then
    echo "tests/clients/run.sh: the clients are not installed; run tests/clients/setup.sh first" >&2
    exit 1
fi

# The server is built with the dependency features of the test suite
# (`--workspace --tests`), so that after `cargo test` this costs nothing:
# `cargo build -p numis` alone resolves features without the dev-dependencies
# and compiles some 24 crates again (about 3 CPU-minutes on a fresh clone).
echo "== cargo build (numis, for the real-client tests)"
cargo build --locked --workspace --tests --quiet
numis="${CARGO_TARGET_DIR:-target}/debug/numis"

tmp=$(mktemp -d)
server=""
stop_server() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null || true
        # Graceful shutdown finishes requests in flight; don't wait forever.
        for _ in $(seq 50); do
            kill -0 "$server" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    server=""
}
trap 'stop_server; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Only the flags decide: no configuration file or NUMIS_* variable of the
# caller's shell changes the server under test. RUST_LOG=info keeps the
# "listening on" line that tells the port.
while IFS='=' read -r name _; do
    case $name in NUMIS_*) unset "$name" ;; esac
done < <(env)
# The demo site plus one restricted layer (clause L7), and an account
# holding its role: OWSLib must see the layer with the account's HTTP Basic
# credentials and not without (test_owslib_basic_auth.py). The copy keeps
# the demo's relative data paths by linking data/ beside it.
mkdir -p "$tmp/portal"
cp -R site "$tmp/portal/site"
ln -s "$PWD/data" "$tmp/portal/data"
cat >>"$tmp/portal/site/map.toml" <<'TOML'

# Added by tests/clients/run.sh: a layer only the role "intern" sees.
[[layer]]
id = "intern_kueste"
title = "Küstengewässer (intern)"
source = { type = "geojson", path = "../data/ni_kuestengewaesser.geojson" }
access = "intern"
licence = { id = "DL-DE-BY-2.0", url = "https://www.govdata.de/dl-de/by-2-0" }
attribution = "© GeoBasis-DE / BKG 2016"
[[layer.rule]]
name = "Küstengewässer"
fill = "#ff0000"
TOML
account_password="Watt-und-Wellen-$RANDOM-$RANDOM"
printf '%s\n' "$account_password" | "$numis" account create "Förster Nord" --role intern \
    --password-stdin --data-dir "$tmp/data" >/dev/null
printf '%s\n' "$account_password" | "$numis" account create "Ohne Rolle" \
    --password-stdin --data-dir "$tmp/data" >/dev/null

RUST_LOG=info "$numis" serve --bind 127.0.0.1:0 --data-dir "$tmp/data" --site-dir "$tmp/portal/site" \
    >"$tmp/server.log" 2>&1 &
server=$!

url=""
deadline=$((SECONDS + 120))
while [ -z "$url" ]; do
    url=$(sed -n 's|.*numis listening on \(http://[0-9.:]*\).*|\1|p' "$tmp/server.log" | head -n 1)
    [ -n "$url" ] && break
    if ! kill -0 "$server" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
        echo "tests/clients/run.sh: the server exited or did not listen within 120 s; its log:" >&2
        cat "$tmp/server.log" >&2
        exit 1
    fi
    sleep 0.2
done
# The server listens at once and loads the map behind it: wait for /healthz.
until python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$url/healthz" 2>/dev/null; do
    if ! kill -0 "$server" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
        echo "tests/clients/run.sh: the server exited or did not load its map within 120 s; its log:" >&2
        cat "$tmp/server.log" >&2
        exit 1
    fi
    sleep 0.2
done

echo "== pytest tests/clients (OWSLib, GDAL) against $url/ows and $url/ogcapi"
set +e
NUMIS_WMS_URL="$url/ows" NUMIS_OGCAPI_URL="$url/ogcapi" NUMIS_WMS_ACCOUNT_PASSWORD="$account_password" NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
    PYTHONDONTWRITEBYTECODE=1 \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/clients "$@"
status=$?
set -e
if [ "$status" -ne 0 ]; then
    echo "-- server log (last 40 lines)" >&2
    tail -n 40 "$tmp/server.log" >&2
fi
stop_server
exit "$status"
