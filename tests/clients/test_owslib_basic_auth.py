"""A QGIS-like WMS client with an account (clause L7): OWSLib sends the
account's pseudonym and password with HTTP Basic authentication, as QGIS
does with a "Basic" authentication configuration. A restricted layer
exists for an account holding its role — in the capabilities and in
GetMap — and for nobody else; wrong credentials are refused with 401."""

import io
import os

import pytest
import requests
from owslib.util import Authentication, ServiceException
from owslib.wms import WebMapService
from PIL import Image

RESTRICTED = "intern_kueste"
# The North Sea coast, where the restricted layer's red polygons are.
COAST = (6.6, 53.4, 9.0, 54.1)


def password():
    value = os.environ.get("NUMIS_WMS_ACCOUNT_PASSWORD")
    if not value:
        pytest.fail("NUMIS_WMS_ACCOUNT_PASSWORD is not set: run these tests with tests/clients/run.sh")
    return value


def service(url, version, pseudonym=None):
    auth = Authentication(username=pseudonym, password=password()) if pseudonym else None
    return WebMapService(url, version=version, timeout=60, auth=auth)


def red_share(png):
    raw = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    pixels = [raw[i : i + 3] for i in range(0, len(raw), 3)]
    red = sum(1 for r, g, b in pixels if r > 220 and g < 40 and b < 40)
    return red / len(pixels)


@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
def test_the_role_holder_sees_the_restricted_layer_and_others_do_not(wms_url, version):
    with_role = service(wms_url, version, "Förster Nord")
    assert RESTRICTED in with_role.contents
    assert "gemeinden" in with_role.contents, "and the public layers as well"
    for other in (service(wms_url, version), service(wms_url, version, "Ohne Rolle")):
        assert RESTRICTED not in other.contents
        assert "gemeinden" in other.contents


def test_getmap_draws_the_restricted_layer_only_for_the_role(wms_url):
    def draw(wms):
        answer = wms.getmap(
            layers=[RESTRICTED],
            styles=[""],
            srs="CRS:84",
            bbox=COAST,
            size=(400, 200),
            format="image/png",
        )
        return answer.read()

    assert red_share(draw(service(wms_url, "1.3.0", "Förster Nord"))) > 0.02
    # Without the role the layer does not exist: a LayerNotDefined report.
    for other in (service(wms_url, "1.3.0"), service(wms_url, "1.3.0", "Ohne Rolle")):
        with pytest.raises(ServiceException) as refused:
            draw(other)
        assert "intern_kueste" in str(refused.value)


def test_wrong_credentials_are_refused_with_a_basic_challenge(wms_url):
    answer = requests.get(
        wms_url,
        params={"SERVICE": "WMS", "REQUEST": "GetCapabilities"},
        auth=("Förster Nord", "falsches Passwort"),
        timeout=30,
    )
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith('Basic realm="numis"')
    assert RESTRICTED not in answer.text
