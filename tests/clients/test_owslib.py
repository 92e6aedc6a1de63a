"""The WMS as OWSLib (the Python OGC client QGIS plugins and many scripts use)
sees it, in WMS 1.3.0 and 1.1.1: capabilities, GetMap in each offered CRS
(with the axis order of WMS 1.3.0), GetFeatureInfo, exceptions, legends.
Requests that OWSLib cannot make (invalid ones) go out with urllib."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from owslib.util import ServiceException

from support import (
    ALIKE,
    AREA,
    SIZE,
    UNLIKE,
    correlation,
    distinct_colours,
    hannover_pixel,
    http_get,
    is_blank,
    numbers,
    png,
    query_of,
    swapped,
)

VERSIONS = ["1.3.0", "1.1.1"]
TITLE = "Umweltkarten Niedersachsen (numis-Demo)"
DEMO_LAYERS = {
    "demo",
    "grundkarte",
    "nachbarlaender",
    "kuestengewaesser",
    "land",
    "gemeinden",
    "kreise",
    "orte",
    "gewaesser",
    "seen",
    "fluesse",
    "natur",
    "nationalparke",
    "luft",
    "luftmessstationen",
}
# Lower Saxony, generously: what gemeinden's geographic extent must lie in.
LOWER_SAXONY = (6.5, 51.2, 11.7, 54.0)


def get_map(wms, crs, bbox, layers=("gemeinden",), size=SIZE):
    """GetMap through OWSLib; returns the decoded PNG. `bbox` is in OWSLib's
    x/y order (longitude first): OWSLib itself turns it round for CRSs whose
    axes are the other way round in WMS 1.3.0."""
    response = wms.getmap(
        layers=list(layers), srs=crs, bbox=bbox, size=size, format="image/png"
    )
    content_type = response.info()["Content-Type"]
    assert content_type == "image/png", wms.request
    return png(response.read(), size)


@pytest.fixture(scope="module")
def reference_map(connect):
    """gemeinden around Hannover in the native CRS, EPSG:25832."""
    return get_map(connect("1.3.0"), "EPSG:25832", AREA["EPSG:25832"])


# ------------------------------------------------------------ capabilities


@pytest.mark.parametrize("version", VERSIONS)
def test_capabilities_name_the_service_and_the_layer_tree(connect, version):
    wms = connect(version)
    assert wms.version == version
    assert wms.identification.title == TITLE
    assert DEMO_LAYERS <= set(wms.contents)
    # gemeinden sits in grundkarte, in demo, under the unnamed root layer.
    ancestors = []
    layer = wms["gemeinden"].parent
    while layer is not None:
        ancestors.append(layer.name)
        layer = layer.parent
    assert ancestors[:2] == ["grundkarte", "demo"]
    assert {child.name for child in wms["demo"].children} == {
        "grundkarte",
        "gewaesser",
        "natur",
        "luft",
    }
    operations = {op.name for op in wms.operations}
    assert {"GetCapabilities", "GetMap", "GetFeatureInfo"} <= operations
    assert "image/png" in wms.getOperationByName("GetMap").formatOptions
    info_formats = wms.getOperationByName("GetFeatureInfo").formatOptions
    assert {"application/json", "text/plain"} <= set(info_formats)


@pytest.mark.parametrize("version", VERSIONS)
def test_gemeinden_is_described_as_clients_need_it(connect, version):
    layer = connect(version)["gemeinden"]
    assert layer.title == "Gemeinden"
    assert {"EPSG:25832", "EPSG:4326"} <= set(layer.crsOptions)
    west, south, east, north = layer.boundingBoxWGS84
    assert LOWER_SAXONY[0] <= west < east <= LOWER_SAXONY[2]
    assert LOWER_SAXONY[1] <= south < north <= LOWER_SAXONY[3]
    assert layer.queryable == 1
    assert "GeoBasis-DE / BKG" in layer.attribution["title"]
    assert layer.attribution["url"].startswith("https://")
    # The native bounding box is in metres of UTM zone 32 (first one listed).
    min_x, min_y, max_x, max_y, crs = layer.boundingBox
    assert crs == "EPSG:25832"
    assert 300_000 < min_x < max_x < 700_000
    assert 5_600_000 < min_y < max_y < 6_000_000


def test_the_1_3_0_bounding_box_in_epsg_4326_is_latitude_first(connect):
    """OWSLib reads <BoundingBox CRS="EPSG:4326"> latitude first, as WMS 1.3.0
    says; it must come out as the same box as EX_GeographicBoundingBox."""
    layer = connect("1.3.0")["gemeinden"]
    boxes = {box[4]: box[:4] for box in layer.crs_list}
    assert boxes["EPSG:4326"] == pytest.approx(layer.boundingBoxWGS84)
    assert boxes["CRS:84"] == pytest.approx(layer.boundingBoxWGS84)


# ------------------------------------------------------------------ GetMap


def test_getmap_in_the_native_crs_is_a_real_map(reference_map):
    # Antialiased grey boundaries on white: many shades, not one colour.
    assert distinct_colours(reference_map) >= 16


CRS_CASES = [
    "EPSG:4326",
    "EPSG:4258",
    "CRS:84",
    "EPSG:3857",
    "EPSG:31467",
]


@pytest.mark.parametrize("crs", CRS_CASES)
def test_getmap_1_3_0_draws_the_same_map_in_every_offered_crs(connect, reference_map, crs):
    wms = connect("1.3.0")
    image = get_map(wms, crs, AREA[crs])
    sent = query_of(wms.request)
    assert sent["crs"] == crs
    if crs in ("EPSG:4326", "EPSG:4258"):
        # OWSLib sent the box latitude first, as WMS 1.3.0 wants for these.
        assert numbers(sent["bbox"]) == pytest.approx(list(swapped(AREA[crs])))
    assert distinct_colours(image) >= 16
    similarity = correlation(reference_map, image)
    assert similarity is not None and similarity > ALIKE, similarity


def test_getmap_1_1_1_reads_epsg_4326_longitude_first(connect, reference_map):
    wms = connect("1.1.1")
    image = get_map(wms, "EPSG:4326", AREA["EPSG:4326"])
    sent = query_of(wms.request)
    assert sent["srs"] == "EPSG:4326"
    assert numbers(sent["bbox"]) == pytest.approx(list(AREA["EPSG:4326"]))
    similarity = correlation(reference_map, image)
    assert similarity is not None and similarity > ALIKE, similarity


def test_a_1_3_0_epsg_4326_box_in_the_wrong_axis_order_misses_the_area(connect, reference_map):
    """BBOX=lon,lat,lon,lat with CRS=EPSG:4326 in 1.3.0 means latitudes 9-10
    and longitudes 52-53, far from Lower Saxony: not the reference map."""
    wms = connect("1.3.0")
    # OWSLib turns the box round for EPSG:4326, so hand it latitude first.
    image = get_map(wms, "EPSG:4326", swapped(AREA["EPSG:4326"]))
    assert numbers(query_of(wms.request)["bbox"]) == pytest.approx(list(AREA["EPSG:4326"]))
    similarity = correlation(reference_map, image)
    assert is_blank(image) or similarity < UNLIKE, similarity


def test_the_comparison_tells_different_areas_apart(connect, reference_map):
    """Control for the two tests above: the square east of the reference one
    does not look like it."""
    min_x, min_y, max_x, max_y = AREA["EPSG:25832"]
    width = max_x - min_x
    image = get_map(connect("1.3.0"), "EPSG:25832", (min_x + width, min_y, max_x + width, max_y))
    assert distinct_colours(image) >= 16
    similarity = correlation(reference_map, image)
    assert similarity is not None and similarity < UNLIKE, similarity


# ---------------------------------------------------------- GetFeatureInfo


def feature_info(wms, crs, info_format):
    """GetFeatureInfo through OWSLib at Hannover's pixel of a SIZE map of
    AREA[crs]; returns the decoded body."""
    response = wms.getfeatureinfo(
        layers=["gemeinden"],
        query_layers=["gemeinden"],
        srs=crs,
        bbox=AREA[crs],
        size=SIZE,
        format="image/png",
        xy=hannover_pixel(crs),
        info_format=info_format,
    )
    content_type = response.info()["Content-Type"]
    assert content_type.split(";")[0].strip() == info_format, wms.request
    return response.read().decode("utf-8")


@pytest.mark.parametrize(
    "version, crs",
    [
        ("1.3.0", "EPSG:25832"),
        ("1.3.0", "EPSG:4326"),
        ("1.1.1", "EPSG:4326"),
        ("1.1.1", "EPSG:25832"),
    ],
)
@pytest.mark.parametrize("info_format", ["application/json", "text/plain"])
def test_getfeatureinfo_at_hannover_names_hannover(connect, version, crs, info_format):
    wms = connect(version)
    body = feature_info(wms, crs, info_format)
    sent = query_of(wms.request)
    column, row = hannover_pixel(crs)
    # 1.3.0 names the pixel I/J, 1.1.1 X/Y.
    pixel_keys = ("i", "j") if version == "1.3.0" else ("x", "y")
    assert (sent[pixel_keys[0]], sent[pixel_keys[1]]) == (str(column), str(row))
    if info_format == "application/json":
        features = json.loads(body)["features"]
        names = [f["properties"]["name"] for f in features if f.get("layer", "gemeinden") == "gemeinden"]
        assert names == ["Hannover"], body
    else:
        # MapServer-style text: `    Gemeinde = 'Hannover'`.
        assert re.search(r"^\s+\S.* = 'Hannover'$", body, re.MULTILINE), body


# -------------------------------------------------------------- exceptions


@pytest.mark.parametrize("version", VERSIONS)
def test_an_unknown_layer_is_a_service_exception(connect, version):
    wms = connect(version)
    crs = "EPSG:25832"
    with pytest.raises(ServiceException) as raised:
        wms.getmap(layers=["gibtsnicht"], srs=crs, bbox=AREA[crs], size=SIZE, format="image/png")
    assert "gibtsnicht" in str(raised.value)
    # OWSLib keeps only the message; the code is in the document it read.
    _, _, body = http_get(wms.request)
    (exception,) = exceptions_in(body)
    assert exception.get("code") == "LayerNotDefined"


def exceptions_in(body):
    root = ET.fromstring(body)
    assert root.tag.split("}")[-1] == "ServiceExceptionReport", body
    return [e for e in root.iter() if e.tag.split("}")[-1] == "ServiceException"]


BAD_REQUESTS = [
    ("inverted BBOX", {"BBOX": "570000,5783000,530000,5823000"}, "InvalidParameterValue"),
    ("WIDTH=0", {"WIDTH": "0"}, "InvalidParameterValue"),
    ("WIDTH=100000", {"WIDTH": "100000"}, "InvalidParameterValue"),
    ("unknown CRS", {"CRS": "EPSG:2056"}, "InvalidCRS"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "change, code", [case[1:] for case in BAD_REQUESTS], ids=[case[0] for case in BAD_REQUESTS]
)
def test_bad_getmap_parameters_get_an_exception_report_with_the_right_code(
    wms_url, version, change, code
):
    crs_key = "CRS" if version == "1.3.0" else "SRS"
    params = {
        "SERVICE": "WMS",
        "VERSION": version,
        "REQUEST": "GetMap",
        "LAYERS": "gemeinden",
        "STYLES": "",
        crs_key: "EPSG:25832",
        "BBOX": ",".join(str(n) for n in AREA["EPSG:25832"]),
        "WIDTH": "400",
        "HEIGHT": "400",
        "FORMAT": "image/png",
    }
    for key, value in change.items():
        params[crs_key if key == "CRS" else key] = value
    if code == "InvalidCRS" and version == "1.1.1":
        code = "InvalidSRS"
    status, content_type, body = http_get(wms_url, params)
    assert status == 200
    expected_type = "text/xml" if version == "1.3.0" else "application/vnd.ogc.se_xml"
    assert content_type.split(";")[0] == expected_type
    assert ET.fromstring(body).get("version") == version
    (exception,) = exceptions_in(body)
    assert exception.get("code") == code, body
    assert exception.text and exception.text.strip()


# ------------------------------------------------------- GetLegendGraphic


def test_the_advertised_legend_of_the_air_stations_is_a_png_of_its_symbols(connect):
    style = connect("1.3.0")["luftmessstationen"].styles["default"]
    status, content_type, body = http_get(style["legend"])
    assert (status, content_type) == (200, "image/png")
    image = png(body, (int(style["legend_width"]), int(style["legend_height"])))
    colours = {rgba[:3] for _, rgba in image.convert("RGBA").getcolors(1 << 24) if rgba[3] == 255}
    # The fills of the three station types (site/map.toml).
    assert {(0xC0, 0x39, 0x2B), (0x7D, 0x3C, 0x98), (0x24, 0x71, 0xA3)} <= colours


def test_getlegendgraphic_asked_directly_in_1_1_1_is_a_png(wms_url):
    status, content_type, body = http_get(
        wms_url,
        {
            "SERVICE": "WMS",
            "VERSION": "1.1.1",
            "REQUEST": "GetLegendGraphic",
            "LAYER": "luftmessstationen",
            "FORMAT": "image/png",
        },
    )
    assert (status, content_type) == (200, "image/png")
    assert not is_blank(png(body))
