"""Open-data downloads as GDAL reads them (clause L5): every format of every
open layer listed by /api/data, opened by ogrinfo straight from the ZIP
(/vsizip/), has as many features as the catalogue says; the GeoPackage is
in EPSG:25832 and opens without a single warning; the plain KML opens too."""

import json
import os
import re
import subprocess

import pytest

from support import http_get


@pytest.fixture(scope="module")
def base(wms_url):
    return wms_url.rsplit("/ows", 1)[0]


@pytest.fixture(scope="module")
def catalogue(base):
    status, content_type, body = http_get(f"{base}/api/data")
    assert status == 200 and content_type.startswith("application/json")
    layers = json.loads(body)["layers"]
    assert layers, "the demo has open layers"
    return layers


def ogrinfo(path, tmp_path):
    """`ogrinfo -ro -al -so path`: (standard output, standard error)."""
    env = dict(os.environ, CPL_DEBUG="OFF", GDAL_PAM_ENABLED="NO")
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", path],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"{path}\n{result.stdout}\n{result.stderr}"
    return result.stdout, result.stderr


def feature_count(summary):
    """The features of all layers of an ogrinfo summary."""
    counts = [int(n) for n in re.findall(r"^Feature Count: (\d+)", summary, re.M)]
    assert counts, summary
    return sum(counts)


def download(url, tmp_path, name):
    status, content_type, body = http_get(url)
    assert status == 200, url
    path = tmp_path / name
    path.write_bytes(body)
    return path, content_type, body


def test_gdal_reads_every_format_of_every_open_layer(base, catalogue, tmp_path):
    read = 0
    for layer in catalogue:
        layer_id = layer["id"]
        for offer in layer["formats"]:
            extension = offer["format"]
            path, content_type, body = download(
                base + offer["url"], tmp_path, f"{layer_id}-{extension}.zip"
            )
            assert content_type == "application/zip"
            assert len(body) == offer["size"], "the size listed is the size served"
            summary, warnings = ogrinfo(f"/vsizip/{path}/{layer_id}.{extension}", tmp_path)
            assert feature_count(summary) == layer["feature_count"], (layer_id, extension)
            if extension == "gpkg":
                assert re.search(r'(ID|AUTHORITY)\["EPSG",\s*"?25832"?\]', summary), summary
                assert warnings.strip() == "", f"GDAL warns about {layer_id}.gpkg: {warnings}"
            read += 1
    assert read >= 3 * len(catalogue)


def test_gdal_opens_the_plain_kml(base, catalogue, tmp_path):
    layer = next(l for l in catalogue if l["id"] == "nationalparke")
    path, content_type, _ = download(base + layer["kml_url"], tmp_path, "nationalparke.kml")
    assert content_type == "application/vnd.google-earth.kml+xml"
    summary, _ = ogrinfo(str(path), tmp_path)
    assert feature_count(summary) == layer["feature_count"]
