"""What the OGC API – Features client tests know of the demo data: which
layers of site/map.toml are open data, and how many features with a geometry
each source file holds (the number the service must hand out)."""

import json
import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SITE = ROOT / "site"

# Around Hannover, longitude/latitude (west, south, east, north).
HANNOVER_BOX = (9.6, 52.3, 9.9, 52.45)

# The licences the map engine counts as open (numis_map::attribution::
# is_open_licence), unless a layer sets `open_data` itself.
_OPEN = {
    "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "DL-DE-BY-2.0", "DL-DE-ZERO-2.0",
    "ODBL-1.0", "ODC-BY-1.0", "PDDL-1.0",
}


def _layers():
    return tomllib.loads((SITE / "map.toml").read_text())["layer"]


def open_layers():
    """The ids of the demo layers that are public and open data."""
    return [
        layer["id"]
        for layer in _layers()
        if layer.get("access", "public") == "public"
        and layer.get("open_data", layer.get("licence", {}).get("id", "").upper() in _OPEN)
    ]


def source_count(layer_id):
    """Features with a geometry in the layer's GeoJSON source."""
    layer = next(l for l in _layers() if l["id"] == layer_id)
    path = (SITE / layer["source"]["path"]).resolve()
    features = json.loads(path.read_text())["features"]
    return sum(1 for f in features if f.get("geometry"))
