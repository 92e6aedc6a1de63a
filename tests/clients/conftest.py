"""Fixtures of the real-client tests. tests/clients/run.sh starts the server
and passes its WMS address in NUMIS_WMS_URL and its OGC API – Features
address in NUMIS_OGCAPI_URL."""

import os

import pytest
from owslib.wms import WebMapService


@pytest.fixture(scope="session")
def wms_url():
    url = os.environ.get("NUMIS_WMS_URL")
    if not url:
        pytest.fail("NUMIS_WMS_URL is not set: run these tests with tests/clients/run.sh")
    return url


@pytest.fixture(scope="session")
def ogcapi_url():
    """The OGC API – Features landing page (tests/clients/run.sh sets it)."""
    url = os.environ.get("NUMIS_OGCAPI_URL")
    if not url:
        pytest.fail("NUMIS_OGCAPI_URL is not set: run these tests with tests/clients/run.sh")
    return url


@pytest.fixture(scope="session")
def connect(wms_url):
    """OWSLib's WebMapService for a WMS version; reads the capabilities once
    per version."""
    services = {}

    def connect(version):
        if version not in services:
            services[version] = WebMapService(wms_url, version=version, timeout=60)
        return services[version]

    return connect
