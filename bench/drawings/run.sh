#!/usr/bin/env bash
# Drawings API throughput on SQLite: creates and reads per second and their
# latency, with wrk at CONNECTIONS connections.
#
#   bench/drawings/run.sh [BASE_URL]      (default http://127.0.0.1:8080)
#
# The server under test must run with the creation rate limit off, e.g.
#   NUMIS_DRAWINGS__CREATES_PER_HOUR=0 target/release/numis serve --data-dir /tmp/bench-drawings
# (a release build, an empty data directory). Each created drawing is a
# realistic one: a polygon of 60 vertices, a line of 40 and three points,
# about 4 KB of GeoJSON. First CREATE_DURATION seconds of creates, then
# READ_DURATION seconds of reads cycling through IDS drawings made with curl
# beforehand (so reads never miss). Each phase starts after WARMUP seconds of
# the same load, not counted. A non-2xx answer or socket error makes the
# figures invalid (exit status 3).
#
# Settings (environment): CONNECTIONS=8 THREADS=2 CREATE_DURATION=20
# READ_DURATION=20 WARMUP=3 IDS=500
# Needs wrk and curl; installs wrk from Debian when it is missing (as root).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
base=${1:-http://127.0.0.1:8080}
base=${base%/}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}
CREATE_DURATION=${CREATE_DURATION:-20}
READ_DURATION=${READ_DURATION:-20}
WARMUP=${WARMUP:-3}
IDS=${IDS:-500}

if ! command -v wrk >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { echo "wrk is missing (as root: apt-get install wrk)" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y --no-install-recommends wrk >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The drawing: rings and lines around Hannover with 7-decimal coordinates.
python3 - >"$tmp/drawing.geojson" <<'PY'
import json, math
cx, cy = 9.7386, 52.3745
ring = [[round(cx + 0.02 * math.cos(a), 7), round(cy + 0.012 * math.sin(a), 7)]
        for a in (2 * math.pi * i / 60 for i in range(60))]
ring.append(ring[0])
line = [[round(cx - 0.05 + i * 0.0025, 7), round(cy + 0.01 * math.sin(i / 4), 7)] for i in range(40)]
points = [[cx + d, cy - d] for d in (0.001, 0.002, 0.003)]
features = [
    {"type": "Feature", "properties": {"name": "Fläche", "stroke": "#c00000", "stroke-width": 2,
                                        "fill": "#c00000", "fill-opacity": 0.3},
     "geometry": {"type": "Polygon", "coordinates": [ring]}},
    {"type": "Feature", "properties": {"name": "Weg", "stroke": "#0050a0", "stroke-width": 3},
     "geometry": {"type": "LineString", "coordinates": line}},
] + [
    {"type": "Feature", "properties": {"name": f"Punkt {i}", "icon": "pin"},
     "geometry": {"type": "Point", "coordinates": p}} for i, p in enumerate(points, 1)
]
print(json.dumps({"type": "FeatureCollection", "features": features}))
PY
echo "drawing: $(wc -c <"$tmp/drawing.geojson") bytes of GeoJSON"

status=$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz") || status=000
[ "$status" = 200 ] || { echo "no healthy numis at $base (HTTP $status)" >&2; exit 1; }

invalid=0
phase() { # mode (create|read) duration url file
    local name=$1 duration=$2 url=$3 file=$4 line
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$here/wrk.lua" "$url" -- "$name" "$file" >/dev/null
    line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${duration}s" --timeout 10s -s "$here/wrk.lua" "$url" -- "$name" "$file" |
        grep '^WRKSTAT')
    echo "$name: ${line#WRKSTAT }"
    case $line in *" non2xx=0 socket_errors=0"*) ;; *) invalid=1 ;; esac
}

phase create "$CREATE_DURATION" "$base" "$tmp/drawing.geojson"

for _ in $(seq "$IDS"); do
    curl -sf -H 'Content-Type: application/geo+json' --data-binary "@$tmp/drawing.geojson" \
        "$base/api/drawings?title=Bench" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
done >"$tmp/ids"
phase read "$READ_DURATION" "$base" "$tmp/ids"

if [ "$invalid" -ne 0 ]; then
    echo "errors were counted: the figures are invalid" >&2
    exit 3
fi
