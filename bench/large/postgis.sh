#!/usr/bin/env bash
# The large-data comparison with both servers reading PostGIS: numis's
# `type = "postgis"` source against MapServer's CONNECTIONTYPE POSTGIS, on
# the buildings of ../shared/bench/large.
#
#   REPO=$PWD ../shared/bench/large/prepare.sh WORKDIR N    # first, once
#   bench/large/postgis.sh WORKDIR                          # this
#   REPO=$PWD ../shared/bench/large/run.sh WORKDIR/postgis  # then, as usual
#
# Loads WORKDIR/data/gebaeude.gpkg with ogr2ogr into the table `gebaeude`
# of the database `numis_bench` on the local PostgreSQL (made, with the
# PostGIS extension, if missing; the table is loaded again when its row
# count differs from the GeoPackage's), with a GiST index, analysed. Then
# writes WORKDIR/postgis, a folder run.sh takes: data/ linked to
# WORKDIR/data, mapserver/ a copy of WORKDIR/mapserver whose layer reads
# the table, site/ a copy of WORKDIR/site whose layer reads the table.
# Both servers keep their connections open between requests (MapServer:
# PROCESSING "CLOSE_CONNECTION=DEFER"; numis: its pool).
#
# Environment: PGURL (default postgresql://postgres@127.0.0.1:5432), the
# server without a database. Needs bench/setup.sh's tools.
set -euo pipefail

[ $# -eq 1 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
work=$(cd "$1" && pwd)
for f in data/gebaeude.gpkg mapserver/gebaeude.map site/map.toml; do
    [ -e "$work/$f" ] || { echo "missing $work/$f; run the kit's prepare.sh first" >&2; exit 1; }
done
server=${PGURL:-postgresql://postgres@127.0.0.1:5432}
db=numis_bench
url="$server/$db"

psql "$server/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
    psql "$server/postgres" -qc "CREATE DATABASE $db"
psql "$url" -qc "CREATE EXTENSION IF NOT EXISTS postgis"

want=$(ogrinfo -so "$work/data/gebaeude.gpkg" gebaeude | sed -n 's/^Feature Count: //p')
have=$(psql "$url" -Atc "SELECT count(*) FROM gebaeude" 2>/dev/null || echo 0)
if [ "$have" != "$want" ]; then
    echo "loading $want buildings into $db.gebaeude" >&2
    start=$(date +%s.%N)
    ogr2ogr -f PostgreSQL "PG:$url" "$work/data/gebaeude.gpkg" gebaeude \
        -nln gebaeude -overwrite -lco GEOMETRY_NAME=geom -lco FID=id -lco SPATIAL_INDEX=GIST \
        --config PG_USE_COPY YES
    psql "$url" -qc "ANALYZE gebaeude"
    echo "loaded in $(echo "$(date +%s.%N) - $start" | bc) s" >&2
fi

out="$work/postgis"
rm -rf "$out"
mkdir -p "$out"
ln -s ../data "$out/data"
cp -R "$work/mapserver" "$out/mapserver"
rm -rf "$out/mapserver/run"
# mapserver.conf names the mapfile by its absolute path.
sed -i -e "s|$work/mapserver/|$out/mapserver/|g" "$out/mapserver/mapserver.conf"
conn="host=127.0.0.1 port=5432 dbname=$db user=postgres"
sed -i -e "s|^    DATA \"gebaeude\"|    CONNECTIONTYPE POSTGIS\n    CONNECTION \"$conn\"\n    PROCESSING \"CLOSE_CONNECTION=DEFER\"\n    DATA \"geom FROM gebaeude USING UNIQUE id USING SRID=25832\"|" \
    "$out/mapserver/gebaeude.map"
grep -q 'CONNECTIONTYPE POSTGIS' "$out/mapserver/gebaeude.map" ||
    { echo "the mapfile's DATA line was not found" >&2; exit 1; }
cp -R "$work/site" "$out/site"
sed -i -e "s|^source = .*gebaeude.gpkg.*|source = { type = \"postgis\", connection = \"$url\", table = \"gebaeude\" }|" \
    "$out/site/map.toml"
grep -q 'type = "postgis"' "$out/site/map.toml" ||
    { echo "the site's source line was not found" >&2; exit 1; }
echo "ready: run.sh $out" >&2
