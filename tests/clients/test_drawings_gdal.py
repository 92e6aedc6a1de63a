"""A drawing saved through the API and exported, as GDAL reads it: the KML
and GPX exports of numis opened by ogr2ogr (GDAL's KML/LIBKML and GPX
drivers, the ones behind QGIS's vector import) give the same features and
the same coordinates, within 1e-7 degrees, as were saved."""

import json
import os
import re
import subprocess
import urllib.request

import pytest

TOLERANCE = 1e-7

# Seven decimals and more, so that rounding in any writer shows. A point, a
# line, a polygon with a hole and a multipolygon, each named.
SAVED = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Messpunkt am Maschsee"},
            "geometry": {"type": "Point", "coordinates": [9.73831234, 52.35987654]},
        },
        {
            "type": "Feature",
            "properties": {"name": "Weg", "stroke": "#d00000", "stroke-width": 3},
            "geometry": {
                "type": "LineString",
                "coordinates": [[9.7351234, 52.3661234], [9.7412345, 52.3598765], [9.7456789, 52.3523456]],
            },
        },
        {
            "type": "Feature",
            "properties": {"name": "Fläche mit Loch", "fill": "#00a000", "fill-opacity": 0.4},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[9.70, 52.30], [9.80, 52.30], [9.80, 52.40], [9.70, 52.40], [9.70, 52.30]],
                    [[9.74, 52.34], [9.76, 52.34], [9.76, 52.36], [9.74, 52.34]],
                ],
            },
        },
        {
            "type": "Feature",
            "properties": {"name": "Zwei Inseln"},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [
                    [[[7.1, 53.7], [7.2, 53.7], [7.2, 53.75], [7.1, 53.7]]],
                    [[[7.3, 53.71], [7.4, 53.71], [7.4, 53.76], [7.3, 53.71]]],
                ],
            },
        },
    ],
}


@pytest.fixture(scope="module")
def api(wms_url):
    return wms_url.rsplit("/ows", 1)[0] + "/api"


@pytest.fixture(scope="module")
def saved(api):
    request = urllib.request.Request(
        f"{api}/drawings?title=GDAL",
        data=json.dumps(SAVED).encode(),
        headers={"Content-Type": "application/geo+json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201
        return json.load(response)["id"]


def download(url, path):
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
        path.write_bytes(response.read())


def ogr_features(path):
    """Every feature of every layer of `path`, as ogr2ogr writes GeoJSON."""
    # "1: waypoints (Point)": ogrinfo's list of layers (its -json option
    # only exists from GDAL 3.7 on).
    listing = subprocess.run(
        ["ogrinfo", "-ro", "-q", str(path)],
        capture_output=True, text=True, timeout=120, check=True,
        env=dict(os.environ, CPL_DEBUG="OFF"),
    )
    layers = re.findall(r"^\d+: (.+?)(?: \([^)]*\))?$", listing.stdout, re.M)
    assert layers, listing.stdout
    features = []
    for layer in layers:
        out = subprocess.run(
            ["ogr2ogr", "-f", "GeoJSON", "-lco", "COORDINATE_PRECISION=12",
             "/vsistdout/", str(path), layer],
            capture_output=True, text=True, timeout=120, check=True,
        )
        features += json.loads(out.stdout)["features"]
    return features


def rings(geometry):
    """The coordinate sequences of a geometry, flattened to lists of (x, y)."""
    kind, c = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return [[c[:2]]]
    if kind in ("LineString", "MultiPoint"):
        return [[p[:2] for p in c]]
    if kind in ("Polygon", "MultiLineString"):
        return [[p[:2] for p in ring] for ring in c]
    if kind == "MultiPolygon":
        return [[p[:2] for p in ring] for polygon in c for ring in polygon]
    raise AssertionError(f"unexpected geometry {kind}")


def assert_same(expected, actual, what):
    assert len(expected) == len(actual), f"{what}: {len(actual)} sequences, saved {len(expected)}"
    for e_ring, a_ring in zip(expected, actual):
        assert len(e_ring) == len(a_ring), f"{what}: {a_ring} vs {e_ring}"
        for e, a in zip(e_ring, a_ring):
            assert abs(e[0] - a[0]) <= TOLERANCE and abs(e[1] - a[1]) <= TOLERANCE, f"{what}: {a} vs {e}"


def test_the_kml_export_reads_back_in_gdal_with_the_saved_coordinates(api, saved, tmp_path):
    path = tmp_path / "drawing.kml"
    download(f"{api}/drawings/{saved}.kml", path)
    features = ogr_features(path)
    assert len(features) == len(SAVED["features"])
    by_name = {f["properties"]["Name"]: f for f in features}
    for feature in SAVED["features"]:
        name = feature["properties"]["name"]
        assert name in by_name, f"{name} missing from {sorted(by_name)}"
        read = by_name[name]["geometry"]
        assert read["type"] == feature["geometry"]["type"], name
        assert_same(rings(feature["geometry"]), rings(read), name)


def test_the_gpx_export_reads_back_in_gdal_with_the_saved_vertices(api, saved, tmp_path):
    """GPX has only waypoints, routes and tracks: the point stays a waypoint,
    the line becomes a track, a polygon a track along its outer ring."""
    path = tmp_path / "drawing.gpx"
    download(f"{api}/drawings/{saved}.gpx", path)
    features = ogr_features(path)
    waypoints = [f for f in features if f["geometry"]["type"] == "Point" and "track_fid" not in f["properties"]
                 and "route_fid" not in f["properties"]]
    tracks = {f["properties"]["name"]: f for f in features if f["geometry"]["type"] == "MultiLineString"}
    assert [w["properties"]["name"] for w in waypoints] == ["Messpunkt am Maschsee"]
    assert_same(rings(SAVED["features"][0]["geometry"]), rings(waypoints[0]["geometry"]), "waypoint")
    for feature in SAVED["features"][1:]:
        name = feature["properties"]["name"]
        assert name in tracks, f"{name} missing from {sorted(tracks)}"
        assert_same(outlines(feature["geometry"]), rings(tracks[name]["geometry"]), name)


def outlines(geometry):
    """What GPX keeps of a geometry: lines as they are, polygons' outer rings."""
    if geometry["type"] == "Polygon":
        return rings(geometry)[:1]
    if geometry["type"] == "MultiPolygon":
        return [[p[:2] for p in polygon[0]] for polygon in geometry["coordinates"]]
    return rings(geometry)
