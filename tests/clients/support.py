"""What the real-client tests share: where they look on the demo map, and how
they judge the images the clients bring back.

No client code here: OWSLib and GDAL do the talking in the test modules; this
only knows the demo data (site/map.toml) and reads PNGs with Pillow.
"""

import io
import math
import urllib.parse
import urllib.request

from PIL import Image

# Image size of every map in these tests. Over AREA it is about 1:360,000 in
# EPSG:25832 (1:590,000 in EPSG:4326), inside the scale range of `gemeinden`
# (max_scale 1:1,000,000 in site/map.toml), so the municipal boundaries are
# drawn.
SIZE = (400, 400)

# Hannover's town hall area, inside the municipality "Hannover".
HANNOVER_LON, HANNOVER_LAT = 9.7386, 52.3745


def _mercator(lon, lat):
    """EPSG:3857 from longitude and latitude in degrees (its definition)."""
    r = 6378137.0
    return (
        r * math.radians(lon),
        r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)),
    )


# The same 40 km x 40 km square around Hannover in each CRS the service
# offers, as (min x, min y, max x, max y) with x = easting or longitude,
# whatever order the CRS's axes have. EPSG:25832 is the reference; the others
# were computed with PROJ (`cs2cs EPSG:25832 EPSG:4326` of its corners, the
# mean of the two corners on each side, rounded to about 100 m; likewise
# EPSG:31467).
AREA = {
    "EPSG:25832": (530000.0, 5783000.0, 570000.0, 5823000.0),
    "EPSG:4326": (9.44, 52.195, 10.03, 52.555),
    # ETRS89 and WGS 84 differ by less than a metre here.
    "EPSG:4258": (9.44, 52.195, 10.03, 52.555),
    "CRS:84": (9.44, 52.195, 10.03, 52.555),
    "EPSG:3857": _mercator(9.44, 52.195) + _mercator(10.03, 52.555),
    "EPSG:31467": (3530000.0, 5785000.0, 3570000.0, 5825000.0),
}

# Hannover (HANNOVER_LON, HANNOVER_LAT) in each CRS, x = easting/longitude;
# from `echo "52.3745 9.7386" | cs2cs -f %.3f EPSG:4326 EPSG:25832` (and
# EPSG:31467).
HANNOVER = {
    "EPSG:25832": (550280.727, 5802949.186),
    "EPSG:4326": (HANNOVER_LON, HANNOVER_LAT),
    "EPSG:4258": (HANNOVER_LON, HANNOVER_LAT),
    "CRS:84": (HANNOVER_LON, HANNOVER_LAT),
    "EPSG:3857": _mercator(HANNOVER_LON, HANNOVER_LAT),
    "EPSG:31467": (3550373.1, 5804831.7),
}


def hannover_pixel(crs, size=SIZE):
    """The (column, row) of Hannover in a SIZE map of AREA[crs], from the top
    left, as GetFeatureInfo's I/J (X/Y) take it."""
    min_x, min_y, max_x, max_y = AREA[crs]
    x, y = HANNOVER[crs]
    return (
        int((x - min_x) / (max_x - min_x) * size[0]),
        int((max_y - y) / (max_y - min_y) * size[1]),
    )


def swapped(box):
    """(a, b, c, d) -> (b, a, d, c): the other axis order."""
    return (box[1], box[0], box[3], box[2])


def query_of(url):
    """The query of a request URL as a dict with lower-case keys."""
    pairs = urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)
    return {key.lower(): value for key, value in pairs}


def numbers(text):
    return [float(n) for n in text.split(",")]


def http_get(url, params=None):
    """GET without any WMS client: (HTTP status, Content-Type, body)."""
    if params:
        url = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png(data, size=None):
    """Decodes a PNG (failing with the start of the body if it is none) and
    checks its size."""
    assert data[:8] == PNG_SIGNATURE, f"not a PNG: {data[:300]!r}"
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    if size is not None:
        assert image.size == tuple(size)
    return image


def distinct_colours(image):
    colours = image.convert("RGBA").getcolors(maxcolors=1 << 24)
    return len(colours)


def is_blank(image):
    """One colour everywhere."""
    return image.convert("RGBA").getcolors(maxcolors=1) is not None


def thumbnail(image):
    """The image as 32 x 32 grey levels (area averages): thin lines become
    smooth densities, so two renderings of the same lines in slightly
    different projections still match."""
    grey = image.convert("RGBA")
    # Transparent pixels count as white paper.
    paper = Image.new("RGBA", grey.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(paper, grey).convert("L")
    return list(grey.resize((32, 32), Image.Resampling.BOX).tobytes())


def correlation(a, b):
    """Pearson correlation of the thumbnails of two images; None when either
    is one flat grey (a blank map correlates with nothing)."""
    x, y = thumbnail(a), thumbnail(b)
    n = len(x)
    mean_x, mean_y = sum(x) / n, sum(y) / n
    dx = [v - mean_x for v in x]
    dy = [v - mean_y for v in y]
    sxx = sum(v * v for v in dx)
    syy = sum(v * v for v in dy)
    if sxx == 0 or syy == 0:
        return None
    return sum(p * q for p, q in zip(dx, dy)) / math.sqrt(sxx * syy)


# Two maps "look alike" above this correlation. The same boundaries drawn in
# EPSG:25832 and EPSG:4326 correlate at about 0.95, in GDAL's resampled copy
# at about 0.93; the same square shifted by its own width at about 0.
ALIKE = 0.8
UNLIKE = 0.3
