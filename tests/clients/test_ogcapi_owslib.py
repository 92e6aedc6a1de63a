"""OGC API – Features (/ogcapi) as OWSLib's `owslib.ogcapi.features.Features`
client sees it: the landing page, the conformance classes, the collections
(open layers only), and a whole collection read page by page — by `offset`
and by following the `next` links — with every feature exactly once."""

import pytest
import requests
from owslib.ogcapi.features import Features

from ogcapi_support import open_layers, source_count


@pytest.fixture(scope="module")
def features(ogcapi_url):
    return Features(ogcapi_url, timeout=60)


def test_the_service_conforms_to_core_geojson_and_crs(features):
    classes = features.conformance()["conformsTo"]
    for wanted in ("core", "geojson", "html", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{wanted}" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes
    assert any(link["rel"] == "service-desc" for link in features.links)


def test_the_collections_are_the_open_layers(features):
    listed = sorted(c["id"] for c in features.collections()["collections"])
    assert listed == sorted(open_layers())
    orte = features.collection("orte")
    assert orte["itemType"] == "feature"
    assert orte["storageCrs"] == "http://www.opengis.net/def/crs/EPSG/0/25832"


@pytest.mark.parametrize("layer", ["orte", "gemeinden"])
def test_paging_by_offset_reads_every_feature_once(features, layer):
    expected = source_count(layer)
    seen = []
    offset = 0
    while True:
        page = features.collection_items(layer, limit=100, offset=offset)
        assert page["numberMatched"] == expected
        seen.extend(f["id"] for f in page["features"])
        if page["numberReturned"] < 100:
            break
        offset += 100
    assert len(seen) == expected
    assert len(set(seen)) == expected


def test_following_next_links_reads_every_feature_once(features):
    expected = source_count("orte")
    page = features.collection_items("orte", limit=250)
    seen = [f["id"] for f in page["features"]]
    while True:
        following = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not following:
            break
        page = requests.get(following[0], timeout=60).json()
        seen.extend(f["id"] for f in page["features"])
    assert len(seen) == expected == len(set(seen))


def test_one_feature_by_its_id(features):
    first = features.collection_items("kreise", limit=1)["features"][0]
    again = features.collection_item("kreise", str(first["id"]))
    assert again["id"] == first["id"]
    assert again["properties"] == first["properties"]
