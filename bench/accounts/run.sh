#!/usr/bin/env bash
# Accounts: what a login costs, and what a session costs a map request.
#
#   bench/accounts/run.sh [BASE_URL]      (default http://127.0.0.1:8080)
#
# The server under test: a release build on an empty data directory, e.g.
#   target/release/numis serve --data-dir /tmp/bench-accounts
# Three phases, each after WARMUP seconds of the same load (not counted),
# with wrk at CONNECTIONS connections:
# 1. logins: POST /konto/anmelden with a right password (Argon2id with the
#    shipped parameters verifies every one) for LOGIN_DURATION seconds;
# 2. and 3. GetMap, anonymous and then with a session cookie, for
#    MAP_DURATION seconds each, over the same PATHS 256×256 PNG tiles of
#    the demo map around Hannover. The render cache is on and warm, so a
#    request costs little besides what a session adds: the difference of
#    the two phases is the cost of the session lookup (cookie parsing,
#    token hash, one indexed SQLite read).
# A 4xx/5xx answer or socket error makes the figures invalid (exit 3).
#
# Settings (environment): CONNECTIONS=8 THREADS=2 LOGIN_DURATION=20
# MAP_DURATION=20 WARMUP=3 PATHS=64
# Needs wrk, curl and python3; installs wrk from Debian when it is missing
# (as root).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
base=${1:-http://127.0.0.1:8080}
base=${base%/}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}
LOGIN_DURATION=${LOGIN_DURATION:-20}
MAP_DURATION=${MAP_DURATION:-20}
WARMUP=${WARMUP:-3}
PATHS=${PATHS:-64}

if ! command -v wrk >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { echo "wrk is missing (as root: apt-get install wrk)" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y --no-install-recommends wrk >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz") || status=000
[ "$status" = 200 ] || { echo "no healthy numis at $base (HTTP $status)" >&2; exit 1; }

pseudonym="Bench-$RANDOM$RANDOM"
password="Wiesen-und-Moore-$RANDOM$RANDOM"
curl -sf -o /dev/null -H "Origin: $base" --data-urlencode "pseudonym=$pseudonym" \
    --data-urlencode "password=$password" --data-urlencode "password_repeat=$password" \
    "$base/konto/registrieren"
cookie=$(curl -s -o /dev/null -D - -H "Origin: $base" --data-urlencode "pseudonym=$pseudonym" \
    --data-urlencode "password=$password" "$base/konto/anmelden" |
    sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' | head -n 1)
[ -n "$cookie" ] || { echo "could not log in" >&2; exit 1; }

# Tiles of the demo map around Hannover, zoom 11 to 13 of the web grid.
python3 - "$PATHS" >"$tmp/paths" <<'PY'
import math, random, sys
random.seed(7)
R = 6378137.0
def merc(lon, lat):
    return R * math.radians(lon), R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
cx, cy = merc(9.7386, 52.3745)
for _ in range(int(sys.argv[1])):
    z = random.choice((11, 12, 13))
    size = 2 * math.pi * R / 2 ** z
    x = cx + random.uniform(-4, 4) * size
    y = cy + random.uniform(-4, 4) * size
    x0 = math.floor(x / size) * size
    y0 = math.floor(y / size) * size
    print("/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=demo&STYLES=&CRS=EPSG:3857"
          f"&BBOX={x0:.2f},{y0:.2f},{x0 + size:.2f},{y0 + size:.2f}&WIDTH=256&HEIGHT=256&FORMAT=image/png")
PY

invalid=0
phase() { # name duration args...
    local name=$1 duration=$2 line
    shift 2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$here/wrk.lua" "$base" -- "$@" >/dev/null
    line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${duration}s" --timeout 10s -s "$here/wrk.lua" "$base" -- "$@" |
        grep '^WRKSTAT')
    echo "$name: ${line#WRKSTAT }"
    case $line in *" non2xx=0 socket_errors=0"*) ;; *) invalid=1 ;; esac
}

phase login "$LOGIN_DURATION" login "$base" "$pseudonym" "$password"
phase getmap-anonymous "$MAP_DURATION" get "$tmp/paths"
phase getmap-session "$MAP_DURATION" get "$tmp/paths" "$cookie"

if [ "$invalid" -ne 0 ]; then
    echo "errors were counted: the figures are invalid" >&2
    exit 3
fi
