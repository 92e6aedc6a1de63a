"""OGC API – Features (/ogcapi) as GDAL's OAPIF driver sees it — the driver
behind QGIS's "WFS / OGC API – Features" layers and ogr2ogr: every open layer
listed, each with the same number of features as its source file, a copy to
GeoPackage that holds them all, and a read limited to an area (-spat), which
the driver sends as `bbox`."""

import json
import os
import subprocess

import pytest

from ogcapi_support import HANNOVER_BOX, open_layers, source_count


@pytest.fixture
def ogr(tmp_path):
    """Runs an OGR tool; fails with its output if it fails, else returns its
    standard output."""
    env = dict(os.environ, GDAL_HTTP_TIMEOUT="60", GDAL_HTTP_MAX_RETRY="0", CPL_DEBUG="OFF")

    def run(*args):
        result = subprocess.run(
            list(args), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
        return result.stdout

    return run


def feature_count(ogrinfo_output):
    for line in ogrinfo_output.splitlines():
        if line.startswith("Feature Count:"):
            return int(line.split(":")[1])
    raise AssertionError(f"no feature count in:\n{ogrinfo_output}")


def test_ogrinfo_lists_every_open_layer_and_nothing_else(ogr, ogcapi_url):
    output = ogr("ogrinfo", "-ro", "-so", f"OAPIF:{ogcapi_url}")
    listed = sorted(
        line.split(":", 1)[1].split("(")[0].strip()
        for line in output.splitlines()
        if line[:1].isdigit() and ":" in line
    )
    assert listed == sorted(open_layers())
    # Not open (licence NOASSERTION), and restricted to a role: absent.
    assert "luftmessstationen" not in output
    assert "intern_kueste" not in output


@pytest.mark.parametrize("layer", sorted(open_layers()))
def test_every_open_layer_has_the_feature_count_of_its_source(ogr, ogcapi_url, layer):
    output = ogr("ogrinfo", "-ro", "-so", f"OAPIF:{ogcapi_url}", layer)
    assert feature_count(output) == source_count(layer)


@pytest.mark.parametrize("layer", ["gemeinden", "orte"])
def test_ogr2ogr_copies_every_feature_into_a_geopackage(ogr, ogcapi_url, tmp_path, layer):
    target = tmp_path / f"{layer}.gpkg"
    ogr("ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{ogcapi_url}", layer)
    # Counted by reading every feature, not from a stored number.
    output = ogr("ogrinfo", "-ro", "-al", "-geom=NO", str(target))
    assert output.count("OGRFeature(") == source_count(layer)
    info = ogr("ogrinfo", "-ro", "-so", str(target), layer)
    assert feature_count(info) == source_count(layer)


def test_a_read_limited_to_an_area_gets_the_places_inside_it(ogr, ogcapi_url, tmp_path):
    west, south, east, north = HANNOVER_BOX
    target = tmp_path / "hannover.geojson"
    ogr(
        "ogr2ogr", "-f", "GeoJSON", str(target), f"OAPIF:{ogcapi_url}", "orte",
        "-spat", str(west), str(south), str(east), str(north),
    )
    features = json.loads(target.read_text())["features"]
    assert 3 <= len(features) < source_count("orte")
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"][:2]
        assert west <= lon <= east and south <= lat <= north, feature
    assert "Hannover" in {f["properties"]["name"] for f in features}
