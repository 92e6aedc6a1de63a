"""The WMS as GDAL's WMS driver (the one behind QGIS's raster layers,
gdal_translate and rasterio) sees it: capabilities as subdatasets, a GeoTIFF
cut from GetMap, WMS 1.3.0's latitude-first EPSG:4326, GetFeatureInfo
through gdallocationinfo. The command-line tools run as subprocesses, with
GDAL's WMS cache off."""

import json
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

from support import (
    ALIKE,
    AREA,
    HANNOVER_LAT,
    HANNOVER_LON,
    SIZE,
    correlation,
    distinct_colours,
    http_get,
    png,
)

# The extent of gemeinden in EPSG:25832 (as its capabilities give it, rounded
# outwards) and in EPSG:4326, latitude first as WMS 1.3.0 orders it.
GEMEINDEN_25832 = "342771,5682911,674203,5971590"
GEMEINDEN_4326_LATLON = "51.29,6.65,53.90,11.60"


@pytest.fixture
def gdal(tmp_path):
    """Runs a GDAL tool; fails with its output if it fails, else returns its
    standard output."""
    env = dict(
        os.environ,
        GDAL_ENABLE_WMS_CACHE="NO",
        GDAL_DEFAULT_WMS_CACHE_PATH=str(tmp_path / "wms-cache"),
        GDAL_HTTP_TIMEOUT="60",
        GDAL_HTTP_MAX_RETRY="0",
        # No .aux.xml files beside what the tests read.
        GDAL_PAM_ENABLED="NO",
        CPL_DEBUG="OFF",
    )

    def run(*args):
        result = subprocess.run(
            list(args), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
        return result.stdout

    return run


def wms_dataset(wms_url, version, crs, bbox, layers="gemeinden"):
    crs_key = "CRS" if version == "1.3.0" else "SRS"
    return (
        f"WMS:{wms_url}?SERVICE=WMS&VERSION={version}&REQUEST=GetMap"
        f"&LAYERS={layers}&{crs_key}={crs}&BBOX={bbox}&FORMAT=image/png"
    )


@pytest.mark.parametrize("version", ["1.1.1", "1.3.0"])
def test_gdalinfo_lists_every_layer_as_a_subdataset(gdal, wms_url, version):
    info = json.loads(
        gdal(
            "gdalinfo",
            "-json",
            f"WMS:{wms_url}?SERVICE=WMS&VERSION={version}&REQUEST=GetCapabilities",
        )
    )
    subdatasets = info["metadata"]["SUBDATASETS"]
    names = {
        key[: -len("_NAME")]: value for key, value in subdatasets.items() if key.endswith("_NAME")
    }
    by_layer = {}
    for key, name in names.items():
        query = name.split("?", 1)[1]
        params = dict(p.split("=", 1) for p in query.split("&"))
        by_layer[params["LAYERS"]] = (params, subdatasets[key + "_DESC"])
    assert {"demo", "gemeinden", "kreise", "luftmessstationen"} <= set(by_layer)
    params, title = by_layer["gemeinden"]
    assert title == "Gemeinden"
    assert params["VERSION"] == version
    assert params["CRS" if version == "1.3.0" else "SRS"] == "EPSG:25832"
    min_x, min_y, max_x, max_y = (float(n) for n in params["BBOX"].split(","))
    assert 300_000 < min_x < max_x < 700_000
    assert 5_600_000 < min_y < max_y < 6_000_000


def test_gdal_translate_cuts_a_georeferenced_geotiff_from_getmap(gdal, wms_url, tmp_path):
    min_x, min_y, max_x, max_y = AREA["EPSG:25832"]
    out = tmp_path / "gemeinden.tif"
    gdal(
        "gdal_translate",
        "-q",
        "-of",
        "GTiff",
        "-outsize",
        "256",
        "256",
        "-projwin",
        *(str(n) for n in (min_x, max_y, max_x, min_y)),
        "-projwin_srs",
        "EPSG:25832",
        wms_dataset(wms_url, "1.3.0", "EPSG:25832", GEMEINDEN_25832),
        str(out),
    )
    info = json.loads(gdal("gdalinfo", "-json", "-stats", str(out)))
    assert info["driverShortName"] == "GTiff"
    assert info["size"] == [256, 256]
    assert info["stac"]["proj:epsg"] == 25832
    origin_x, pixel_width, _, origin_y, _, pixel_height = info["geoTransform"]
    assert (origin_x, origin_y) == pytest.approx((min_x, max_y), abs=1)
    assert (pixel_width, pixel_height) == pytest.approx(((max_x - min_x) / 256, -(max_y - min_y) / 256))
    bands = info["bands"]
    assert len(bands) >= 3
    for band in bands[:3]:
        # Not one value: grey boundaries on white.
        assert band["minimum"] < band["maximum"], band
        assert band["stdDev"] > 1, band


def test_gdal_reads_epsg_4326_latitude_first_in_1_3_0(gdal, wms_url, tmp_path):
    """GDAL orders a 1.3.0 EPSG:4326 BBOX latitude first; the map it cuts
    from such a dataset is the one numis draws in EPSG:25832."""
    west, south, east, north = AREA["EPSG:4326"]
    out = tmp_path / "gemeinden-4326.png"
    gdal(
        "gdal_translate",
        "-q",
        "-of",
        "PNG",
        "-outsize",
        str(SIZE[0]),
        str(SIZE[1]),
        "-projwin",
        *(str(n) for n in (west, north, east, south)),
        wms_dataset(wms_url, "1.3.0", "EPSG:4326", GEMEINDEN_4326_LATLON),
        str(out),
    )
    image = png(out.read_bytes(), SIZE)
    assert distinct_colours(image) >= 16
    status, content_type, body = http_get(
        wms_url,
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetMap",
            "LAYERS": "gemeinden",
            "STYLES": "",
            "CRS": "EPSG:25832",
            "BBOX": ",".join(str(n) for n in AREA["EPSG:25832"]),
            "WIDTH": str(SIZE[0]),
            "HEIGHT": str(SIZE[1]),
            "FORMAT": "image/png",
        },
    )
    assert (status, content_type) == (200, "image/png")
    similarity = correlation(png(body, SIZE), image)
    assert similarity is not None and similarity > ALIKE, similarity


def test_gdallocationinfo_finds_hannover_with_getfeatureinfo(gdal, wms_url):
    """gdallocationinfo asks GetFeatureInfo (GML, X/Y even in 1.3.0) for the
    pixel under a WGS 84 point."""
    report = gdal(
        "gdallocationinfo",
        "-xml",
        "-b",
        "1",
        "-wgs84",
        wms_dataset(wms_url, "1.3.0", "EPSG:25832", GEMEINDEN_25832),
        str(HANNOVER_LON),
        str(HANNOVER_LAT),
    )
    root = ET.fromstring(report)
    names = [e.text for e in root.iter("name")]
    assert names == ["Hannover"], report
