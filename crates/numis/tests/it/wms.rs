//! The OGC Web Map Service at `/ows` (WMS 1.3.0 and 1.1.1), proven against
//! the running server: capabilities with source notes, data dates and
//! licences (clauses L1, L5, L6), GetMap in every offered CRS and format,
//! service exceptions, feature info, legends, personal fields (clause L3),
//! restricted layers (clause L7), the render cache and the request
//! statistics, and rendered maps compared with reference images.
//!
//! Tests that only read from the demo map share one server (loading the
//! demo data takes seconds); tests that need their own configuration build
//! a small site in a temp folder.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use regex::Regex;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};

use crate::image_diff::{Image, assert_matches_reference, decode_png, png_color_type};
use crate::util::{TestServer, client, copy_tree, demo_site, repo_root};
use crate::xml::{self, Element};

// ------------------------------------------------------------------ helpers

/// The demo site's server, shared by the tests that only read from it. It
/// stops when the last test holding it ends.
pub(crate) fn demo_server() -> Arc<TestServer> {
    static SHARED: Mutex<Weak<TestServer>> = Mutex::new(Weak::new());
    let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(server) = shared.upgrade() {
        return server;
    }
    let server = Arc::new(TestServer::start(&demo_site()));
    *shared = Arc::downgrade(&server);
    server
}

/// A copy of the demo site with its own `map.toml` and `files` (name,
/// content) beside it. `{data}` in `map_toml` stands for the repository's
/// `data/` folder, so layers can use the demo data where they need it.
pub(crate) fn site_with_map(map_toml: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    copy_tree(&demo_site(), site.path());
    let data = repo_root().join("data");
    let data = data.to_str().expect("a UTF-8 path");
    std::fs::write(
        site.path().join("map.toml"),
        map_toml.replace("{data}", data),
    )
    .unwrap();
    for (name, content) in files {
        std::fs::write(site.path().join(name), content).unwrap();
    }
    site
}

/// An answer of `/ows`.
struct Reply {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }

    fn xml(&self) -> Element {
        xml::parse(&self.text())
    }

    /// The body as a PNG of `width`×`height`, checked.
    fn png(&self, width: u32, height: u32) -> Image {
        assert_eq!(self.status, StatusCode::OK);
        assert_eq!(
            self.content_type,
            "image/png",
            "not an image: {}",
            String::from_utf8_lossy(&self.body)
        );
        let image = decode_png(&self.body);
        assert_eq!(
            (image.width, image.height),
            (width, height),
            "the requested size"
        );
        image
    }
}

/// Query parameters, in order.
type Params = Vec<(String, String)>;

/// Percent-encodes a query key or value as WMS clients do: commas and
/// colons stay as they are (`BBOX=1,2,3,4`, `CRS=EPSG:25832`).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~,:".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `GET /ows?params`, with a bearer token if given.
async fn ows_as(server: &TestServer, params: &Params, token: Option<&str>) -> Reply {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let url = format!("{}?{}", server.url("/ows"), query.join("&"));
    let mut request = client().get(url);
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    // Without the URL: some are very long.
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET /ows: {}", e.without_url()));
    let status = response.status();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.bytes().await.unwrap().to_vec();
    Reply {
        status,
        content_type,
        body,
    }
}

async fn ows(server: &TestServer, params: &Params) -> Reply {
    ows_as(server, params, None).await
}

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// `params` with `key` set to `value` (replaced, case-insensitively, or
/// added); an empty value removes the key.
fn with(mut params: Params, changes: &[(&str, &str)]) -> Params {
    for (key, value) in changes {
        params.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        if !value.is_empty() {
            params.push(((*key).to_owned(), (*value).to_owned()));
        }
    }
    params
}

/// `minx,miny,maxx,maxy` for a bbox with x = easting or longitude; in WMS
/// 1.3.0, EPSG:4326 and EPSG:4258 are written latitude first and
/// EPSG:31467 northing first, as EPSG orders their axes.
fn bbox_param(version: &str, crs: &str, b: [f64; 4]) -> String {
    if version == "1.3.0" && matches!(crs, "EPSG:4326" | "EPSG:4258" | "EPSG:31467") {
        format!("{},{},{},{}", b[1], b[0], b[3], b[2])
    } else {
        format!("{},{},{},{}", b[0], b[1], b[2], b[3])
    }
}

/// A GetMap request (PNG, default styles).
fn get_map(version: &str, layers: &str, crs: &str, bbox: [f64; 4], size: (u32, u32)) -> Params {
    let crs_key = if version == "1.1.1" { "SRS" } else { "CRS" };
    params(&[
        ("SERVICE", "WMS"),
        ("REQUEST", "GetMap"),
        ("VERSION", version),
        ("LAYERS", layers),
        ("STYLES", ""),
        (crs_key, crs),
        ("BBOX", &bbox_param(version, crs, bbox)),
        ("WIDTH", &size.0.to_string()),
        ("HEIGHT", &size.1.to_string()),
        ("FORMAT", "image/png"),
    ])
}

/// A GetFeatureInfo request at pixel `(i, j)` of a GetMap of `layers`.
fn get_feature_info(
    version: &str,
    layers: &str,
    crs: &str,
    bbox: [f64; 4],
    size: (u32, u32),
    (i, j): (u32, u32),
    info_format: &str,
) -> Params {
    let (i_key, j_key) = if version == "1.1.1" {
        ("X", "Y")
    } else {
        ("I", "J")
    };
    with(
        get_map(version, layers, crs, bbox, size),
        &[
            ("REQUEST", "GetFeatureInfo"),
            ("QUERY_LAYERS", layers),
            ("INFO_FORMAT", info_format),
            (i_key, &i.to_string()),
            (j_key, &j.to_string()),
        ],
    )
}

fn get_legend(layer: &str) -> Params {
    params(&[
        ("SERVICE", "WMS"),
        ("VERSION", "1.3.0"),
        ("REQUEST", "GetLegendGraphic"),
        ("LAYER", layer),
        ("FORMAT", "image/png"),
    ])
}

fn get_capabilities(version: &str) -> Params {
    params(&[
        ("SERVICE", "WMS"),
        ("REQUEST", "GetCapabilities"),
        ("VERSION", version),
    ])
}

/// The pixel (column, row from the top) showing map coordinates `(x, y)`
/// in an image of `size` showing `bbox` (x = easting or longitude).
fn pixel_of(bbox: [f64; 4], size: (u32, u32), (x, y): (f64, f64)) -> (u32, u32) {
    let column = (x - bbox[0]) / (bbox[2] - bbox[0]) * f64::from(size.0);
    let row = (bbox[3] - y) / (bbox[3] - bbox[1]) * f64::from(size.1);
    (column.floor() as u32, row.floor() as u32)
}

/// Hannover (Kröpcke), longitude and latitude.
const HANNOVER: (f64, f64) = (9.7386, 52.3745);

/// Hannover in every offered CRS, x first (computed with PROJ's `cs2cs`).
const HANNOVER_IN: [(&str, f64, f64); 6] = [
    ("EPSG:25832", 550_280.7, 5_802_949.2),
    ("EPSG:3857", 1_084_096.0, 6_868_125.2),
    ("EPSG:4326", HANNOVER.0, HANNOVER.1),
    ("EPSG:4258", HANNOVER.0, HANNOVER.1),
    ("CRS:84", HANNOVER.0, HANNOVER.1),
    ("EPSG:31467", 3_550_373.1, 5_804_831.7),
];

/// Lower Saxony in EPSG:25832.
const NI_UTM: [f64; 4] = [330_000.0, 5_680_000.0, 690_000.0, 5_990_000.0];
/// Lower Saxony in longitude and latitude.
const NI_LONLAT: [f64; 4] = [6.5, 51.2, 11.7, 54.0];

/// A 500×300 map around Hannover in CRS:84 and the pixel of Hannover in it.
const AROUND_HANNOVER: [f64; 4] = [9.5, 52.2, 10.0, 52.5];
const AROUND_HANNOVER_SIZE: (u32, u32) = (500, 300);

fn hannover_pixel() -> (u32, u32) {
    pixel_of(AROUND_HANNOVER, AROUND_HANNOVER_SIZE, HANNOVER)
}

/// Share of pixels that differ from `background` (by more than 3 in some
/// channel, alpha included).
fn drawn_share(image: &Image, background: [u8; 4]) -> f64 {
    let drawn = image
        .pixels()
        .filter(|p| (0..4).any(|c| p[c].abs_diff(background[c]) > 3))
        .count();
    drawn as f64 / f64::from(image.width * image.height)
}

fn distinct_colours(image: &Image) -> usize {
    image.pixels().collect::<HashSet<_>>().len()
}

/// A map that shows something: a good part of it drawn, in several colours.
fn assert_not_blank(image: &Image, what: &str) {
    let share = drawn_share(image, [255, 255, 255, 255]);
    assert!(share > 0.25, "{what}: only {share:.3} of the pixels drawn");
    let colours = distinct_colours(image);
    assert!(colours > 16, "{what}: only {colours} colours");
}

/// Is `pixel` within `tolerance` of the colour `rgb`, and opaque?
fn near(pixel: [u8; 4], rgb: [u8; 3], tolerance: u8) -> bool {
    pixel[3] > 200 && (0..3).all(|c| pixel[c].abs_diff(rgb[c]) <= tolerance)
}

/// A `ServiceExceptionReport` of `version` with one exception of `code`
/// whose message contains every one of `says`; the server keeps answering.
async fn assert_exception(
    server: &TestServer,
    params: &Params,
    version: &str,
    code: &str,
    says: &[&str],
) -> Element {
    let reply = ows(server, params).await;
    assert_eq!(reply.status, StatusCode::OK, "OGC clients expect 200");
    let expected_type = if version == "1.1.1" {
        "application/vnd.ogc.se_xml"
    } else {
        "text/xml"
    };
    assert_eq!(reply.content_type, expected_type, "{}", reply.text());
    let report = reply.xml();
    assert_eq!(report.name, "ServiceExceptionReport", "{}", reply.text());
    assert_eq!(report.attr("version"), Some(version));
    let exception = report.child("ServiceException");
    assert_eq!(exception.attr("code"), Some(code), "{}", reply.text());
    for fragment in says {
        assert!(
            exception.text.contains(fragment),
            "the message names {fragment:?}: {}",
            exception.text
        );
    }
    assert_still_serving(server).await;
    exception.clone()
}

async fn assert_still_serving(server: &TestServer) {
    let health = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "the server is still up");
}

// ------------------------------------------------------- GetCapabilities

/// The demo layers with their German and English titles.
const DEMO_LAYERS: [(&str, &str, &str); 10] = [
    ("nachbarlaender", "Nachbarländer", "Neighbouring states"),
    ("kuestengewaesser", "Küstengewässer", "Coastal waters"),
    ("land", "Niedersachsen", "Lower Saxony"),
    ("gemeinden", "Gemeinden", "Municipalities"),
    (
        "kreise",
        "Landkreise und kreisfreie Städte",
        "Districts and district-free cities",
    ),
    ("orte", "Orte", "Places"),
    ("seen", "Seen", "Lakes"),
    ("fluesse", "Flüsse", "Rivers"),
    ("nationalparke", "Nationalparke", "National parks"),
    (
        "luftmessstationen",
        "Luftmessstationen",
        "Air quality stations",
    ),
];

/// The demo layer tree: each group and its members, in order.
const DEMO_GROUPS: [(&str, &[&str]); 5] = [
    ("demo", &["grundkarte", "gewaesser", "natur", "luft"]),
    (
        "grundkarte",
        &[
            "nachbarlaender",
            "kuestengewaesser",
            "land",
            "gemeinden",
            "kreise",
            "orte",
        ],
    ),
    ("gewaesser", &["seen", "fluesse"]),
    ("natur", &["nationalparke"]),
    ("luft", &["luftmessstationen"]),
];

/// Every `<Layer>` with a `<Name>`, by name.
fn named_layers(capabilities: &Element) -> Vec<(String, &Element)> {
    capabilities
        .descendants("Layer")
        .into_iter()
        .filter_map(|l| l.find("Name").map(|n| (n.text.trim().to_owned(), l)))
        .collect()
}

fn layer<'a>(capabilities: &'a Element, name: &str) -> &'a Element {
    named_layers(capabilities)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("layer {name} in the capabilities"))
        .1
}

fn child_layer_names(layer: &Element) -> Vec<&str> {
    layer
        .children_named("Layer")
        .map(|l| l.text_of("Name"))
        .collect()
}

/// The layer ids of the demo `map.toml`.
fn demo_layer_ids() -> Vec<String> {
    let map = std::fs::read_to_string(demo_site().join("map.toml")).unwrap();
    Regex::new(r#"(?m)^\[\[layer\]\]\s*\nid = "([^"]+)""#)
        .unwrap()
        .captures_iter(&map)
        .map(|c| c[1].to_owned())
        .collect()
}

/// What both versions' documents must say about the demo layers.
fn assert_demo_layer_tree(capabilities: &Element, lang: &str) {
    let names: Vec<String> = named_layers(capabilities)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let ids = demo_layer_ids();
    assert!(ids.len() >= DEMO_LAYERS.len(), "the demo layers: {ids:?}");
    for id in ids {
        assert!(names.contains(&id), "{id} is published: {names:?}");
    }
    for (name, de, en) in DEMO_LAYERS {
        let title = if lang == "en" { en } else { de };
        assert_eq!(layer(capabilities, name).text_of("Title"), title, "{name}");
    }
    for (group, members) in DEMO_GROUPS {
        assert_eq!(
            child_layer_names(layer(capabilities, group)),
            members,
            "the members of {group}, nested in order"
        );
    }
    // The root layer holds the tree; every named layer is below `demo`.
    let root = capabilities.child("Capability").child("Layer");
    assert_eq!(child_layer_names(root), ["demo"]);
    let below_demo = named_layers(layer(capabilities, "demo")).len();
    assert_eq!(below_demo, names.len() - 1, "everything sits below demo");
}

#[tokio::test]
async fn capabilities_1_3_0_publish_every_demo_layer_with_source_note_date_and_legend() {
    let server = demo_server();
    let reply = ows(&server, &get_capabilities("1.3.0")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type, "text/xml");
    let caps = reply.xml();
    assert_eq!(caps.name, "WMS_Capabilities");
    assert_eq!(caps.attr("version"), Some("1.3.0"));
    assert_demo_layer_tree(&caps, "de");

    // Clause L1: the source note, with licence and "Daten geändert".
    let gemeinden = layer(&caps, "gemeinden");
    let attribution = gemeinden.child("Attribution");
    assert_eq!(
        attribution.text_of("Title"),
        "© GeoBasis-DE / BKG 2016, dl-de/by-2-0, Daten geändert"
    );
    assert_eq!(
        attribution.child("OnlineResource").attr("xlink:href"),
        Some("https://www.govdata.de/dl-de/by-2-0")
    );
    for (name, note) in [
        ("orte", "Ortsnamen: GeoNames (geonames.org), CC BY 4.0"),
        ("fluesse", "Made with Natural Earth"),
        ("nationalparke", "(NLWKN), dl-de/by-2-0, Daten geändert"),
        ("luftmessstationen", "Luftqualität: Umweltbundesamt"),
    ] {
        let title = layer(&caps, name).child("Attribution").text_of("Title");
        assert!(title.contains(note), "{name}: {title}");
    }
    // Every demo layer names its source.
    for (name, _, _) in DEMO_LAYERS {
        assert!(
            !layer(&caps, name)
                .child("Attribution")
                .text_of("Title")
                .is_empty(),
            "{name} has a source note"
        );
    }

    // Clause L6: the data's date in the abstract.
    assert!(
        gemeinden
            .text_of("Abstract")
            .ends_with("\n\nStand: 2016-01-01"),
        "{}",
        gemeinden.text_of("Abstract")
    );
    assert!(
        layer(&caps, "luftmessstationen")
            .text_of("Abstract")
            .contains("Stand: 2012-08-29")
    );

    // The legend of the default style is a GetLegendGraphic of this server.
    let legend = gemeinden.child("Style").child("LegendURL");
    let href = legend.child("OnlineResource").attr("xlink:href").unwrap();
    assert!(href.starts_with(&server.url("/ows?")), "{href}");
    assert!(
        href.contains("REQUEST=GetLegendGraphic") && href.contains("LAYER=gemeinden"),
        "{href}"
    );
    assert_eq!(legend.text_of("Format"), "image/png");

    // Clause L5: the access constraints name every licence with its link.
    let constraints = caps.child("Service").text_of("AccessConstraints");
    for licence in [
        "dl-de/by-2-0 (https://www.govdata.de/dl-de/by-2-0)",
        "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
        "CC0-1.0 (https://creativecommons.org/publicdomain/zero/1.0/)",
    ] {
        assert!(constraints.contains(licence), "{licence}: {constraints}");
    }

    // WMS 1.3.0 (6.7.3.3): EPSG:4326 is latitude first, CRS:84 longitude first.
    let bbox = |crs: &str| -> [f64; 4] {
        let b = gemeinden
            .children_named("BoundingBox")
            .find(|b| b.attr("CRS") == Some(crs))
            .unwrap_or_else(|| panic!("a {crs} BoundingBox"));
        ["minx", "miny", "maxx", "maxy"].map(|a| b.attr(a).unwrap().parse().unwrap())
    };
    let [minx, miny, maxx, maxy] = bbox("EPSG:4326");
    assert!(
        (51.0..54.1).contains(&minx) && (51.0..54.1).contains(&maxx),
        "minx/maxx are latitudes: {minx} {maxx}"
    );
    assert!(
        (6.0..12.0).contains(&miny) && (6.0..12.0).contains(&maxy),
        "miny/maxy are longitudes: {miny} {maxy}"
    );
    assert_eq!(bbox("EPSG:4258"), [minx, miny, maxx, maxy]);
    assert_eq!(bbox("CRS:84"), [miny, minx, maxy, maxx]);
    let geographic = gemeinden.child("EX_GeographicBoundingBox");
    assert_eq!(
        geographic
            .text_of("westBoundLongitude")
            .parse::<f64>()
            .unwrap(),
        miny
    );
    let root = caps.child("Capability").child("Layer");
    let crss: Vec<&str> = root.children_named("CRS").map(|c| c.text.trim()).collect();
    assert_eq!(
        crss,
        [
            "EPSG:25832",
            "EPSG:3857",
            "EPSG:4326",
            "EPSG:4258",
            "CRS:84",
            "EPSG:31467"
        ]
    );
}

#[tokio::test]
async fn capabilities_1_1_1_publish_the_same_tree_longitude_first() {
    let server = demo_server();
    let reply = ows(&server, &get_capabilities("1.1.1")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type, "application/vnd.ogc.wms_xml");
    let caps = reply.xml();
    assert_eq!(caps.name, "WMT_MS_Capabilities");
    assert_eq!(caps.attr("version"), Some("1.1.1"));
    assert_demo_layer_tree(&caps, "de");
    let gemeinden = layer(&caps, "gemeinden");
    assert_eq!(
        gemeinden.child("Attribution").text_of("Title"),
        "© GeoBasis-DE / BKG 2016, dl-de/by-2-0, Daten geändert"
    );
    assert!(gemeinden.text_of("Abstract").contains("Stand: 2016-01-01"));
    let href = gemeinden
        .child("Style")
        .child("LegendURL")
        .child("OnlineResource")
        .attr("xlink:href")
        .unwrap();
    assert!(href.contains("REQUEST=GetLegendGraphic"), "{href}");
    let constraints = caps.child("Service").text_of("AccessConstraints");
    assert!(
        constraints.contains("dl-de/by-2-0") && constraints.contains("CC BY 4.0"),
        "{constraints}"
    );
    // WMS 1.1.1: longitude first everywhere.
    let b = gemeinden
        .children_named("BoundingBox")
        .find(|b| b.attr("SRS") == Some("EPSG:4326"))
        .expect("an EPSG:4326 BoundingBox");
    let [minx, miny, maxx, maxy] =
        ["minx", "miny", "maxx", "maxy"].map(|a| b.attr(a).unwrap().parse::<f64>().unwrap());
    assert!(
        (6.0..12.0).contains(&minx) && (6.0..12.0).contains(&maxx),
        "{minx} {maxx}"
    );
    assert!(
        (51.0..54.1).contains(&miny) && (51.0..54.1).contains(&maxy),
        "{miny} {maxy}"
    );
    let latlon = gemeinden.child("LatLonBoundingBox");
    assert_eq!(latlon.attr("minx"), b.attr("minx"));
    assert_eq!(latlon.attr("miny"), b.attr("miny"));
    let root = caps.child("Capability").child("Layer");
    let srss: Vec<&str> = root.children_named("SRS").map(|c| c.text.trim()).collect();
    assert!(
        srss.contains(&"EPSG:25832") && srss.contains(&"EPSG:4326"),
        "{srss:?}"
    );
    assert!(!srss.contains(&"CRS:84"), "CRS:84 is a WMS 1.3.0 name");
}

#[tokio::test]
async fn capabilities_in_english_have_english_titles_notes_and_dates() {
    let server = demo_server();
    let caps = ows(
        &server,
        &with(get_capabilities("1.3.0"), &[("LANGUAGE", "en")]),
    )
    .await
    .xml();
    assert_demo_layer_tree(&caps, "en");
    assert_eq!(
        caps.child("Service").text_of("Title"),
        "Environmental maps of Lower Saxony (numis demo)"
    );
    assert_eq!(layer(&caps, "demo").text_of("Title"), "All layers");
    let gemeinden = layer(&caps, "gemeinden");
    assert_eq!(
        gemeinden.child("Attribution").text_of("Title"),
        "© GeoBasis-DE / BKG 2016, dl-de/by-2-0, data modified"
    );
    assert!(
        gemeinden
            .text_of("Abstract")
            .contains("Data as of: 2016-01-01")
    );
    let href = gemeinden
        .child("Style")
        .child("LegendURL")
        .child("OnlineResource")
        .attr("xlink:href")
        .unwrap();
    assert!(href.contains("LANGUAGE=en"), "{href}");
}

// ------------------------------------------------------------------ GetMap

#[tokio::test]
async fn get_map_draws_lower_saxony_in_every_offered_crs() {
    let server = demo_server();
    // (version, CRS, extent with x first, image size)
    let cases: [(&str, &str, _, (u32, u32)); 7] = [
        ("1.3.0", "EPSG:25832", NI_UTM, (256, 220)),
        (
            "1.3.0",
            "EPSG:3857",
            [730_000.0, 6_660_000.0, 1_300_000.0, 7_160_000.0],
            (240, 210),
        ),
        ("1.3.0", "EPSG:4326", NI_LONLAT, (260, 140)),
        ("1.3.0", "EPSG:4258", NI_LONLAT, (260, 140)),
        ("1.3.0", "CRS:84", NI_LONLAT, (260, 140)),
        ("1.1.1", "EPSG:4326", NI_LONLAT, (260, 140)),
        (
            "1.3.0",
            "EPSG:31467",
            [3_330_000.0, 5_680_000.0, 3_690_000.0, 5_990_000.0],
            (200, 172),
        ),
    ];
    let mut geographic = Vec::new();
    for (version, crs, bbox, size) in cases {
        let reply = ows(&server, &get_map(version, "demo", crs, bbox, size)).await;
        let image = reply.png(size.0, size.1);
        assert_not_blank(&image, &format!("{version} {crs}"));
        if bbox == NI_LONLAT {
            geographic.push((format!("{version} {crs}"), image));
        }
    }
    // The same extent in longitude/latitude, whatever the axis order of the
    // request: EPSG:4326 and EPSG:4258 latitude first in 1.3.0, CRS:84 and
    // 1.1.1 longitude first. A mixed-up axis order would draw another image.
    let (first_name, first) = &geographic[0];
    for (name, image) in &geographic[1..] {
        assert!(image == first, "{name} draws what {first_name} draws");
    }
}

/// A frame around Lower Saxony whose corners lie outside the state.
const BEYOND_NI: [f64; 4] = [200_000.0, 5_550_000.0, 800_000.0, 6_150_000.0];

#[tokio::test]
async fn a_transparent_map_is_clear_outside_the_data() {
    let server = demo_server();
    let size = (200, 200);
    let reply = ows(
        &server,
        &with(
            get_map("1.3.0", "land", "EPSG:25832", BEYOND_NI, size),
            &[("TRANSPARENT", "TRUE")],
        ),
    )
    .await;
    assert_eq!(png_color_type(&reply.body), 6, "RGBA");
    let image = reply.png(size.0, size.1);
    for (x, y) in [(0, 0), (199, 0), (0, 199), (199, 199)] {
        assert_eq!(image.pixel(x, y)[3], 0, "corner ({x}, {y}) is transparent");
    }
    let (x, y) = pixel_of(BEYOND_NI, size, (HANNOVER_IN[0].1, HANNOVER_IN[0].2));
    assert!(
        near(image.pixel(x, y), [0xfb, 0xfa, 0xf4], 2),
        "the land fill at Hannover: {:?}",
        image.pixel(x, y)
    );
}

#[tokio::test]
async fn bgcolor_paints_the_background_where_there_is_no_data() {
    let server = demo_server();
    let size = (200, 200);
    let image = ows(
        &server,
        &with(
            get_map("1.3.0", "land", "EPSG:25832", BEYOND_NI, size),
            &[("BGCOLOR", "0xFF0000")],
        ),
    )
    .await
    .png(size.0, size.1);
    for (x, y) in [(0, 0), (199, 0), (0, 199), (199, 199)] {
        assert_eq!(image.pixel(x, y), [255, 0, 0, 255], "corner ({x}, {y})");
    }
    let (x, y) = pixel_of(BEYOND_NI, size, (HANNOVER_IN[0].1, HANNOVER_IN[0].2));
    assert!(near(image.pixel(x, y), [0xfb, 0xfa, 0xf4], 2));
    let red = image.pixels().filter(|&p| p == [255, 0, 0, 255]).count();
    let share = red as f64 / 40_000.0;
    assert!(
        (0.5..0.95).contains(&share),
        "red only around the state: {share}"
    );
}

/// Width and height from a JPEG's start-of-frame marker.
fn jpeg_size(jpeg: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < jpeg.len() {
        if jpeg[i] != 0xFF {
            return None;
        }
        let marker = jpeg[i + 1];
        let length = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if (0xC0..=0xC3).contains(&marker) {
            let height = u16::from_be_bytes([jpeg[i + 5], jpeg[i + 6]]);
            let width = u16::from_be_bytes([jpeg[i + 7], jpeg[i + 8]]);
            return Some((u32::from(width), u32::from(height)));
        }
        i += 2 + length;
    }
    None
}

#[tokio::test]
async fn format_image_jpeg_gives_a_jpeg_of_the_requested_size() {
    let server = demo_server();
    let reply = ows(
        &server,
        &with(
            get_map("1.3.0", "demo", "EPSG:25832", NI_UTM, (300, 250)),
            &[("FORMAT", "image/jpeg"), ("TRANSPARENT", "TRUE")],
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type, "image/jpeg");
    assert!(
        reply.body.starts_with(&[0xFF, 0xD8, 0xFF]),
        "JPEG signature"
    );
    assert!(reply.body.ends_with(&[0xFF, 0xD9]), "JPEG end marker");
    assert_eq!(jpeg_size(&reply.body), Some((300, 250)));
}

#[tokio::test]
async fn format_png_mode_8bit_gives_a_palette_png() {
    let server = demo_server();
    let reply = ows(
        &server,
        &with(
            get_map("1.3.0", "demo", "EPSG:25832", NI_UTM, (256, 220)),
            &[("FORMAT", "image/png; mode=8bit")],
        ),
    )
    .await;
    assert_eq!(png_color_type(&reply.body), 3, "colour type 3: palette");
    let image = reply.png(256, 220);
    assert_not_blank(&image, "8-bit PNG");
}

// -------------------------------------------------------------- exceptions

fn demo_map() -> Params {
    get_map("1.3.0", "gemeinden", "EPSG:25832", NI_UTM, (100, 80))
}

#[tokio::test]
async fn an_unknown_layer_is_layer_not_defined() {
    let server = demo_server();
    let exception = assert_exception(
        &server,
        &with(demo_map(), &[("LAYERS", "gemeinden,gibt_es_nicht")]),
        "1.3.0",
        "LayerNotDefined",
        &["gibt_es_nicht"],
    )
    .await;
    assert_eq!(exception.attr("locator"), Some("LAYERS"));
    assert_exception(
        &server,
        &with(
            demo_map(),
            &[("VERSION", "1.1.1"), ("LAYERS", "gibt_es_nicht")],
        ),
        "1.1.1",
        "LayerNotDefined",
        &["gibt_es_nicht"],
    )
    .await;
}

#[tokio::test]
async fn a_bbox_that_is_inverted_not_a_number_or_short_is_an_invalid_parameter_value() {
    let server = demo_server();
    for (bbox, says) in [
        ("690000,5680000,330000,5990000", "minimum must be less than"),
        (
            "330000,5680000,NaN,5990000",
            "not four comma-separated numbers",
        ),
        ("330000,5680000,690000", "not four comma-separated numbers"),
    ] {
        let exception = assert_exception(
            &server,
            &with(demo_map(), &[("BBOX", bbox)]),
            "1.3.0",
            "InvalidParameterValue",
            &["BBOX", says],
        )
        .await;
        assert_eq!(exception.attr("locator"), Some("BBOX"));
    }
}

#[tokio::test]
async fn a_width_or_height_that_is_zero_huge_or_no_number_is_an_invalid_parameter_value() {
    let server = demo_server();
    for (key, value) in [("WIDTH", "0"), ("WIDTH", "100000"), ("HEIGHT", "abc")] {
        let exception = assert_exception(
            &server,
            &with(demo_map(), &[(key, value)]),
            "1.3.0",
            "InvalidParameterValue",
            &[key, value, "from 1 to 4096"],
        )
        .await;
        assert_eq!(exception.attr("locator"), Some(key));
    }
}

#[tokio::test]
async fn an_unknown_crs_is_invalid_crs_in_1_3_0_and_invalid_srs_in_1_1_1() {
    let server = demo_server();
    assert_exception(
        &server,
        &with(demo_map(), &[("CRS", "EPSG:2056")]),
        "1.3.0",
        "InvalidCRS",
        &["EPSG:2056", "EPSG:25832"],
    )
    .await;
    assert_exception(
        &server,
        &get_map("1.1.1", "gemeinden", "EPSG:2056", NI_UTM, (100, 80)),
        "1.1.1",
        "InvalidSRS",
        &["SRS", "EPSG:2056", "EPSG:25832"],
    )
    .await;
}

#[tokio::test]
async fn an_unknown_format_is_invalid_format() {
    let server = demo_server();
    assert_exception(
        &server,
        &with(demo_map(), &[("FORMAT", "image/gif")]),
        "1.3.0",
        "InvalidFormat",
        &["image/gif", "image/png"],
    )
    .await;
}

#[tokio::test]
async fn an_unknown_request_is_operation_not_supported() {
    let server = demo_server();
    assert_exception(
        &server,
        &params(&[
            ("SERVICE", "WMS"),
            ("VERSION", "1.3.0"),
            ("REQUEST", "GetFeatures"),
        ]),
        "1.3.0",
        "OperationNotSupported",
        &["GetFeatures", "GetMap"],
    )
    .await;
}

#[tokio::test]
async fn a_style_other_than_default_is_style_not_defined() {
    let server = demo_server();
    assert_exception(
        &server,
        &with(demo_map(), &[("STYLES", "fancy")]),
        "1.3.0",
        "StyleNotDefined",
        &["fancy", "gemeinden"],
    )
    .await;
}

#[tokio::test]
async fn ten_thousand_layer_names_are_refused_quickly_with_a_clear_message() {
    let server = demo_server();
    let names: Vec<String> = (0..10_000).map(|n| format!("n{n}")).collect();
    let started = Instant::now();
    let exception = assert_exception(
        &server,
        &with(demo_map(), &[("LAYERS", &names.join(","))]),
        "1.3.0",
        "InvalidParameterValue",
        &["10000 layers", "at most 64"],
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(exception.attr("locator"), Some("LAYERS"));
    assert!(exception.text.len() < 200, "no echo of the whole list");
}

#[tokio::test]
async fn a_get_map_without_layers_is_missing_parameter_value() {
    let server = demo_server();
    let exception = assert_exception(
        &server,
        &with(demo_map(), &[("LAYERS", "")]),
        "1.3.0",
        "MissingParameterValue",
        &["LAYERS"],
    )
    .await;
    assert_eq!(exception.attr("locator"), Some("LAYERS"));
}

#[tokio::test]
async fn feature_info_outside_the_image_is_an_invalid_point() {
    let server = demo_server();
    let query = get_feature_info(
        "1.3.0",
        "gemeinden",
        "CRS:84",
        AROUND_HANNOVER,
        AROUND_HANNOVER_SIZE,
        (500, 10),
        "text/plain",
    );
    let exception = assert_exception(
        &server,
        &query,
        "1.3.0",
        "InvalidPoint",
        &["I", "500", "499"],
    )
    .await;
    assert_eq!(exception.attr("locator"), Some("I"));
}

#[tokio::test]
async fn exceptions_inimage_draws_the_message_into_the_requested_image() {
    let server = demo_server();
    for (version, exceptions) in [
        ("1.3.0", "INIMAGE"),
        ("1.1.1", "application/vnd.ogc.se_inimage"),
    ] {
        let query = with(
            get_map(version, "gibt_es_nicht", "EPSG:25832", NI_UTM, (300, 120)),
            &[("EXCEPTIONS", exceptions)],
        );
        let reply = ows(&server, &query).await;
        let image = reply.png(300, 120);
        // Text: a few per cent of the pixels, dark red on white.
        let share = drawn_share(&image, [255, 255, 255, 255]);
        assert!(
            (0.005..0.5).contains(&share),
            "{version}: text drawn {share}"
        );
        assert!(
            image.pixels().any(|p| near(p, [160, 20, 20], 40)),
            "{version}: dark red text"
        );
    }
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn exceptions_blank_answers_an_image_of_only_the_background() {
    let server = demo_server();
    let query = with(
        get_map("1.3.0", "gibt_es_nicht", "EPSG:25832", NI_UTM, (120, 90)),
        &[("EXCEPTIONS", "BLANK"), ("BGCOLOR", "0x336699")],
    );
    let image = ows(&server, &query).await.png(120, 90);
    assert!(image.pixels().all(|p| p == [0x33, 0x66, 0x99, 255]));
    let transparent = ows(
        &server,
        &with(query, &[("TRANSPARENT", "TRUE"), ("BGCOLOR", "")]),
    )
    .await
    .png(120, 90);
    assert!(transparent.pixels().all(|p| p[3] == 0));
}

#[tokio::test]
async fn exceptions_inimage_also_reports_invalid_parameters_in_the_image() {
    let server = demo_server();
    // WIDTH, HEIGHT and FORMAT are fine, so the image can be drawn
    // (WMS 1.3.0, 7.3.3.11; WMS 1.1.1, 7.2.3.11).
    for change in [
        ("CRS", "EPSG:2056"),
        ("BBOX", "3,2,1,4"),
        ("STYLES", "fancy"),
    ] {
        let query = with(demo_map(), &[change, ("EXCEPTIONS", "INIMAGE")]);
        let reply = ows(&server, &query).await;
        assert_eq!(reply.content_type, "image/png", "{change:?}");
    }
}

// ------------------------------------------------------- GetFeatureInfo

#[tokio::test]
async fn feature_info_at_hannover_names_hannover_in_every_format() {
    let server = demo_server();
    let query = |format: &str| {
        get_feature_info(
            "1.3.0",
            "gemeinden",
            "CRS:84",
            AROUND_HANNOVER,
            AROUND_HANNOVER_SIZE,
            hannover_pixel(),
            format,
        )
    };

    let text = ows(&server, &query("text/plain")).await;
    assert_eq!(text.content_type, "text/plain; charset=utf-8");
    let text = text.text();
    assert!(text.starts_with("GetFeatureInfo results:"), "{text}");
    assert!(text.contains("Layer 'gemeinden'"), "{text}");
    assert!(text.contains("Gemeinde = 'Hannover'"), "{text}");
    assert!(text.contains("Landkreis = 'Region Hannover'"), "{text}");

    let json = ows(&server, &query("application/json")).await;
    assert_eq!(json.content_type, "application/json");
    let collection: serde_json::Value = serde_json::from_slice(&json.body).unwrap();
    assert_eq!(collection["type"], "FeatureCollection");
    let first = &collection["features"][0];
    assert_eq!(first["type"], "Feature");
    assert_eq!(first["properties"]["name"], "Hannover");
    assert_eq!(first["properties"]["ags"], "03241001");

    let html = ows(&server, &query("text/html")).await;
    assert_eq!(html.content_type, "text/html; charset=utf-8");
    let html = html.text();
    assert!(html.contains("<td>Hannover</td>"), "{html}");
    assert!(!html.to_lowercase().contains("<script"), "{html}");
    assert!(
        !html.contains("http"),
        "nothing loaded from elsewhere: {html}"
    );

    for format in ["text/xml", "application/vnd.ogc.gml"] {
        let reply = ows(&server, &query(format)).await;
        assert_eq!(reply.content_type, "text/xml; charset=utf-8");
        let gml = reply.xml();
        assert_eq!(gml.name, "msGMLOutput");
        let feature = gml.child("gemeinden_layer").child("gemeinden_feature");
        assert_eq!(feature.text_of("name"), "Hannover");
    }
}

#[tokio::test]
async fn feature_info_1_1_1_reads_x_and_y_and_longitude_first() {
    let server = demo_server();
    let query = get_feature_info(
        "1.1.1",
        "gemeinden",
        "EPSG:4326",
        AROUND_HANNOVER,
        AROUND_HANNOVER_SIZE,
        hannover_pixel(),
        "application/json",
    );
    assert!(query.iter().any(|(k, _)| k == "X"));
    let reply = ows(&server, &query).await;
    let collection: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(collection["features"][0]["properties"]["name"], "Hannover");
}

#[tokio::test]
async fn feature_info_finds_hannover_at_the_centre_of_a_map_around_it_in_every_crs() {
    let server = demo_server();
    for (crs, x, y) in HANNOVER_IN {
        let half = if crs.starts_with("EPSG:4") || crs == "CRS:84" {
            0.03
        } else {
            3000.0
        };
        let bbox = [x - half, y - half, x + half, y + half];
        for version in ["1.3.0", "1.1.1"] {
            if version == "1.1.1" && crs == "CRS:84" {
                continue;
            }
            let query = get_feature_info(
                version,
                "gemeinden",
                crs,
                bbox,
                (101, 101),
                (50, 50),
                "application/json",
            );
            let reply = ows(&server, &query).await;
            let collection: serde_json::Value = serde_json::from_slice(&reply.body)
                .unwrap_or_else(|_| panic!("{version} {crs}: {}", reply.text()));
            assert_eq!(
                collection["features"][0]["properties"]["name"], "Hannover",
                "{version} {crs}"
            );
        }
    }
}

#[tokio::test]
async fn feature_info_returns_at_most_feature_count_features() {
    let server = demo_server();
    // All of Lower Saxony in 100×56 pixels: dozens of places lie within a
    // few pixels of Hannover.
    let bbox = [6.5, 51.2, 11.7, 54.0];
    let size = (100, 56);
    let query = get_feature_info(
        "1.3.0",
        "orte",
        "CRS:84",
        bbox,
        size,
        pixel_of(bbox, size, HANNOVER),
        "application/json",
    );
    let count = |reply: Reply| {
        let collection: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        collection["features"].as_array().unwrap().len()
    };
    assert_eq!(count(ows(&server, &query).await), 1, "one by default");
    for n in [1, 3, 7] {
        let reply = ows(
            &server,
            &with(query.clone(), &[("FEATURE_COUNT", &n.to_string())]),
        )
        .await;
        assert_eq!(count(reply), n, "FEATURE_COUNT={n}");
    }
    let text = ows(
        &server,
        &with(
            query,
            &[("FEATURE_COUNT", "3"), ("INFO_FORMAT", "text/plain")],
        ),
    )
    .await
    .text();
    assert_eq!(text.matches("  Feature ").count(), 3, "{text}");
}

#[tokio::test]
async fn feature_info_on_a_layer_without_queryable_fields_is_layer_not_queryable() {
    let server = demo_server();
    let query = get_feature_info(
        "1.3.0",
        "kuestengewaesser",
        "CRS:84",
        AROUND_HANNOVER,
        AROUND_HANNOVER_SIZE,
        (10, 10),
        "text/plain",
    );
    let exception = assert_exception(
        &server,
        &query,
        "1.3.0",
        "LayerNotQueryable",
        &["kuestengewaesser"],
    )
    .await;
    assert_eq!(exception.attr("locator"), Some("QUERY_LAYERS"));
}

#[tokio::test]
async fn feature_info_on_a_queryable_group_queries_its_queryable_members() {
    let server = demo_server();
    let caps = ows(&server, &get_capabilities("1.3.0")).await.xml();
    assert_eq!(layer(&caps, "grundkarte").attr("queryable"), Some("1"));
    // grundkarte holds kuestengewaesser, which has no queryable fields.
    let query = get_feature_info(
        "1.3.0",
        "grundkarte",
        "CRS:84",
        AROUND_HANNOVER,
        AROUND_HANNOVER_SIZE,
        hannover_pixel(),
        "text/plain",
    );
    let text = ows(&server, &query).await.text();
    assert!(text.contains("Gemeinde = 'Hannover'"), "{text}");
}

/// Data with markup in a value: it must never become markup.
const MARKUP_POINT: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"<script>alert(1)</script><img src=x onerror=alert(2)> & Co"},
   "geometry":{"type":"Point","coordinates":[9.7386,52.3745]}}]}"#;

#[tokio::test]
async fn feature_info_escapes_markup_from_the_data_in_every_format() {
    let site = site_with_map(
        r##"
[[layer]]
id = "punkte"
title = "Punkte"
source = { type = "geojson", path = "punkte.geojson" }
queryable = [{ field = "name", label = "Name" }]
[[layer.rule]]
name = "Punkt"
symbol = "circle"
fill = "#2471a3"
"##,
        &[("punkte.geojson", MARKUP_POINT)],
    );
    let server = TestServer::start(site.path());
    let query = |format: &str| {
        get_feature_info(
            "1.3.0",
            "punkte",
            "CRS:84",
            AROUND_HANNOVER,
            AROUND_HANNOVER_SIZE,
            hannover_pixel(),
            format,
        )
    };
    let html = ows(&server, &query("text/html")).await.text();
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );
    let json = ows(&server, &query("application/json")).await;
    let collection: serde_json::Value = serde_json::from_slice(&json.body).unwrap();
    assert!(
        collection["features"][0]["properties"]["name"]
            .as_str()
            .unwrap()
            .starts_with("<script>")
    );
    let gml = ows(&server, &query("text/xml")).await;
    assert!(!gml.text().contains("<script"), "{}", gml.text());
    let feature = gml.xml();
    let feature = feature.child("punkte_layer").child("punkte_feature");
    assert!(feature.text_of("name").contains("</script>"));
}

// ------------------------------------------------------ GetLegendGraphic

#[tokio::test]
async fn every_demo_layer_has_the_png_legend_its_capabilities_advertise() {
    let server = demo_server();
    let caps = ows(&server, &get_capabilities("1.3.0")).await.xml();
    for (name, _, _) in DEMO_LAYERS {
        let legend = layer(&caps, name).child("Style").child("LegendURL");
        let width: u32 = legend.attr("width").unwrap().parse().unwrap();
        let height: u32 = legend.attr("height").unwrap().parse().unwrap();
        let href = legend.child("OnlineResource").attr("xlink:href").unwrap();
        // The advertised link itself, as a client follows it.
        let response = client().get(href).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        assert_eq!(response.headers()[CONTENT_TYPE], "image/png", "{name}");
        let image = decode_png(&response.bytes().await.unwrap());
        assert_eq!((image.width, image.height), (width, height), "{name}");
        // Swatch and text: not empty.
        assert!(
            image.pixels().filter(|p| p[3] > 0).count() > 50,
            "{name}: the legend shows something"
        );
        // The plain request gives the same.
        let reply = ows(&server, &get_legend(name)).await;
        assert_eq!(decode_png(&reply.body), image, "{name}");
    }
}

#[tokio::test]
async fn the_luftmessstationen_legend_has_a_red_a_purple_and_a_blue_row() {
    let server = demo_server();
    let reply = ows(&server, &get_legend("luftmessstationen")).await;
    let image = decode_png(&reply.body);
    // 6 px margins and three rows of 26 px.
    assert_eq!(image.height, 6 + 3 * 26 + 6, "three rows");
    for (row, colour) in [
        (0, [0xc0, 0x39, 0x2b]),
        (1, [0x7d, 0x3c, 0x98]),
        (2, [0x24, 0x71, 0xa3]),
    ] {
        let top = 6 + 26 * row;
        let swatch: Vec<[u8; 4]> = (top..top + 26)
            .flat_map(|y| (6..26).map(move |x| (x, y)))
            .map(|(x, y)| image.pixel(x, y))
            .collect();
        let matching = swatch.iter().filter(|&&p| near(p, colour, 12)).count();
        assert!(
            matching > 20,
            "row {row}: {matching} pixels of {colour:02x?} in the swatch"
        );
    }
}

#[tokio::test]
async fn a_legend_at_a_scale_shows_only_the_rules_drawn_at_it() {
    let site = site_with_map(
        r##"
[[layer]]
id = "punkte"
title = "Punkte"
source = { type = "geojson", path = "punkte.geojson" }
[[layer.rule]]
name = "Immer"
symbol = "circle"
fill = "#2471a3"
[[layer.rule]]
name = "Nur nah"
max_scale = 100000
symbol = "square"
fill = "#ff0000"
"##,
        &[("punkte.geojson", MARKUP_POINT)],
    );
    let server = TestServer::start(site.path());
    let height = |scale: &str| {
        let query = with(get_legend("punkte"), &[("SCALE", scale)]);
        let server = &server;
        async move { decode_png(&ows(server, &query).await.body).height }
    };
    assert_eq!(height("25000").await, 6 + 2 * 26 + 6, "both rules");
    assert_eq!(height("5000000").await, 6 + 26 + 6, "only the rule drawn");
}

#[tokio::test]
async fn a_group_legend_stacks_the_legends_of_its_members_under_their_titles() {
    // Regression: the group is in the capabilities, but its legend was
    // refused as "not offered by this service".
    let server = demo_server();
    let group = ows(&server, &get_legend("gewaesser")).await;
    assert_eq!(group.status, StatusCode::OK);
    assert_eq!(group.content_type, "image/png", "{}", group.text());
    let group = decode_png(&group.body);
    let mut members_height = 0;
    for member in ["seen", "fluesse"] {
        let legend = decode_png(&ows(&server, &get_legend(member)).await.body);
        assert!(group.width >= legend.width, "{member} fits");
        members_height += legend.height;
    }
    assert!(
        group.height > members_height,
        "both members' legends and a title row each: {} > {members_height}",
        group.height
    );
    // The group's own style advertises it, as for a layer.
    let caps = ows(&server, &get_capabilities("1.3.0")).await.xml();
    let legend = layer(&caps, "gewaesser").child("Style").child("LegendURL");
    assert_eq!(
        legend.attr("height"),
        Some(group.height.to_string().as_str())
    );
}

#[tokio::test]
async fn a_group_legend_shows_only_the_members_the_caller_may_see() {
    let (_site, server) = restricted_server();
    let public = decode_png(&ows(&server, &get_legend("alles")).await.body);
    let operator = decode_png(
        &ows_as(&server, &get_legend("alles"), Some(TOKEN))
            .await
            .body,
    );
    assert!(
        public.height < operator.height,
        "{} < {}",
        public.height,
        operator.height
    );
    assert_eq!(red_pixels(&public), 0, "no swatch of the restricted layer");
    assert!(red_pixels(&operator) > 0);
}

#[tokio::test]
async fn a_legend_of_an_unknown_layer_says_it_is_not_offered() {
    let server = demo_server();
    assert_exception(
        &server,
        &get_legend("gibt_es_nicht"),
        "1.3.0",
        "LayerNotDefined",
        &["\"gibt_es_nicht\"", "not offered"],
    )
    .await;
}

#[tokio::test]
async fn capabilities_1_1_1_link_legends_with_1_1_1_requests() {
    // Regression: 1.1.1 capabilities advertised VERSION=1.3.0 legend links.
    let server = demo_server();
    let caps = ows(&server, &get_capabilities("1.1.1")).await.xml();
    let mut checked = 0;
    for layer in caps.descendants("Layer") {
        let Some(style) = layer.find("Style") else {
            continue;
        };
        let Some(legend) = style.find("LegendURL") else {
            continue;
        };
        let href = legend.child("OnlineResource").attr("xlink:href").unwrap();
        assert!(href.contains("VERSION=1.1.1"), "{href}");
        assert!(
            !href.contains("1.3.0") && !href.contains("SLD_VERSION"),
            "{href}"
        );
        let response = client().get(href).send().await.unwrap();
        assert_eq!(response.headers()[CONTENT_TYPE], "image/png", "{href}");
        let image = decode_png(&response.bytes().await.unwrap());
        let height: u32 = legend.attr("height").unwrap().parse().unwrap();
        assert_eq!(image.height, height, "{href}");
        checked += 1;
    }
    assert!(checked >= DEMO_LAYERS.len(), "{checked} legends");
}

// ------------------------------------------------ clause L3: personal data

const PERSONAL_SITE: &str = r##"
[[group]]
id = "alles"
title = "Alles"
members = ["messstellen"]

[[layer]]
id = "messstellen"
title = "Messstellen"
abstract = "Private Messstellen"
source = { type = "geojson", path = "messstellen.geojson" }
queryable = [
    { field = "name", label = "Name" },
    { field = "betreiber", label = "Betreiber" },
    { field = "telefon", label = "Telefon" },
]
personal = ["betreiber", "telefon"]
[[layer.rule]]
name = "Messstelle"
symbol = "circle"
symbol_size = 10
fill = "#2471a3"
"##;

const PERSONAL_DATA: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Messstelle Kröpcke","betreiber":"Erika Mustermann","telefon":"0511 555-0142"},
   "geometry":{"type":"Point","coordinates":[9.7386,52.3745]}},
  {"type":"Feature","properties":{"name":"Messstelle Nord","betreiber":"Max Mustermann","telefon":"0511 555-0199"},
   "geometry":{"type":"Point","coordinates":[9.7390,52.3750]}}]}"#;

/// The personal values of [`PERSONAL_DATA`] and the fields' names and labels.
const PERSONAL_MARKERS: [&str; 7] = [
    "Mustermann",
    "555-0142",
    "555-0199",
    "betreiber",
    "Betreiber",
    "telefon",
    "Telefon",
];

#[tokio::test]
async fn personal_fields_never_appear_in_feature_info_or_capabilities() {
    let site = site_with_map(PERSONAL_SITE, &[("messstellen.geojson", PERSONAL_DATA)]);
    let server = TestServer::start(site.path());
    let mut answers = Vec::new();
    for version in ["1.3.0", "1.1.1"] {
        for layers in ["messstellen", "alles"] {
            for format in [
                "text/plain",
                "application/json",
                "text/html",
                "text/xml",
                "application/vnd.ogc.gml",
            ] {
                let query = with(
                    get_feature_info(
                        version,
                        layers,
                        "EPSG:4326",
                        AROUND_HANNOVER,
                        AROUND_HANNOVER_SIZE,
                        hannover_pixel(),
                        format,
                    ),
                    &[("FEATURE_COUNT", "10")],
                );
                let reply = ows(&server, &query).await;
                let text = reply.text();
                // Not vacuous: both features were found.
                assert!(
                    text.contains("Messstelle Kr") && text.contains("Messstelle Nord"),
                    "{version} {layers} {format}: {text}"
                );
                answers.push((format!("{version} {layers} {format}"), text));
            }
        }
        answers.push((
            format!("capabilities {version}"),
            ows(&server, &get_capabilities(version)).await.text(),
        ));
        answers.push((
            format!("capabilities {version} en"),
            ows(
                &server,
                &with(get_capabilities(version), &[("LANGUAGE", "en")]),
            )
            .await
            .text(),
        ));
    }
    for (what, text) in &answers {
        for marker in PERSONAL_MARKERS {
            assert!(!text.contains(marker), "{marker} in {what}:\n{text}");
        }
    }
}

#[tokio::test]
async fn a_label_on_a_personal_field_is_refused_and_never_drawn() {
    // Clause L3 covers exports too: a GetMap image is one. A map whose label
    // would draw a personal value is refused as a whole, by `numis check`
    // and by the server, which then publishes no map at all.
    let labelled = PERSONAL_SITE.replace(
        "fill = \"#2471a3\"\n",
        "fill = \"#2471a3\"\nlabel = { field = \"betreiber\", size = 14 }\n",
    );
    assert_ne!(labelled, PERSONAL_SITE, "the label rule was added");
    let labelled = site_with_map(&labelled, &[("messstellen.geojson", PERSONAL_DATA)]);
    let (status, output) =
        crate::util::run_numis(&["check", "--site-dir", labelled.path().to_str().unwrap()]);
    assert_eq!(status.code(), Some(1), "{output}");
    assert!(
        output.contains("betreiber") && output.contains("personal"),
        "{output}"
    );
    let query = get_map(
        "1.3.0",
        "messstellen",
        "CRS:84",
        AROUND_HANNOVER,
        AROUND_HANNOVER_SIZE,
    );
    let server = TestServer::start(labelled.path());
    let reply = ows(&server, &query).await;
    assert!(
        !reply.content_type.starts_with("image/"),
        "no map image is served: {}",
        reply.content_type
    );
    assert!(String::from_utf8_lossy(&reply.body).contains("ServiceExceptionReport"));
}

// ------------------------------------------- clause L7: restricted layers

const RESTRICTED_SITE: &str = r##"
[[group]]
id = "alles"
title = "Alles"
members = ["messpunkte", "baustellen"]

[[group]]
id = "nur_intern"
title = "Nur intern"
members = ["baustellen"]

[[layer]]
id = "messpunkte"
title = "Öffentliche Messpunkte"
source = { type = "geojson", path = "messpunkte.geojson" }
queryable = [{ field = "name", label = "Name" }]
licence = { id = "CC-BY-4.0", url = "https://creativecommons.org/licenses/by/4.0/" }
attribution = "Öffentliche Quelle"
[[layer.rule]]
name = "Messpunkt"
symbol = "circle"
symbol_size = 10
fill = "#0000ff"

[[layer]]
id = "baustellen"
title = "Geplante Baustellen"
abstract = "Nur für den Dienstgebrauch"
source = { type = "geojson", path = "baustellen.geojson" }
access = "intern"
queryable = [{ field = "name", label = "Projekt" }]
licence = { id = "ODbL-1.0", url = "https://opendatacommons.org/licenses/odbl/1-0/" }
attribution = "Interne Planung"
data_date = "2024-05-01"
[[layer.rule]]
name = "Baustelle"
fill = "#ff0000"
"##;

const PUBLIC_POINTS: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Kröpcke"},"geometry":{"type":"Point","coordinates":[9.7386,52.3745]}},
  {"type":"Feature","properties":{"name":"Linden"},"geometry":{"type":"Point","coordinates":[9.70,52.36]}}]}"#;

/// Near Braunschweig, far east of the public points.
const RESTRICTED_AREA: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Geheimes Projekt"},"geometry":{"type":"Polygon",
   "coordinates":[[[10.45,52.22],[10.60,52.22],[10.60,52.32],[10.45,52.32],[10.45,52.22]]]}}]}"#;

/// A map showing both layers (CRS:84), and the restricted polygon's centre pixel.
const BOTH: [f64; 4] = [9.4, 52.0, 10.8, 52.6];
const BOTH_SIZE: (u32, u32) = (350, 150);
const SECRET: (f64, f64) = (10.525, 52.27);

pub(crate) const TOKEN: &str = "s3cret-operator-token";

pub(crate) fn restricted_server() -> (tempfile::TempDir, TestServer) {
    let site = site_with_map(
        RESTRICTED_SITE,
        &[
            ("messpunkte.geojson", PUBLIC_POINTS),
            ("baustellen.geojson", RESTRICTED_AREA),
        ],
    );
    let server = TestServer::start_with(site.path(), &[("NUMIS_WMS__OPERATOR_TOKEN", TOKEN)]);
    (site, server)
}

fn red_pixels(image: &Image) -> usize {
    image.pixels().filter(|&p| near(p, [255, 0, 0], 30)).count()
}

/// The body with `name` replaced, to compare answers about two names.
fn naming(reply: &Reply, name: &str) -> (StatusCode, String, String) {
    (
        reply.status,
        reply.content_type.clone(),
        reply.text().replace(name, "NAME"),
    )
}

#[tokio::test]
async fn a_restricted_layer_does_not_exist_for_the_public() {
    let (_site, server) = restricted_server();
    for token in [None, Some("wrong-token")] {
        // Not in the capabilities, in no form.
        for version in ["1.3.0", "1.1.1"] {
            let text = ows_as(&server, &get_capabilities(version), token)
                .await
                .text();
            for secret in [
                "baustellen",
                "Geplante Baustellen",
                "Dienstgebrauch",
                "Interne Planung",
                "ODbL",
                "nur_intern",
            ] {
                assert!(!text.contains(secret), "{secret} in {version}:\n{text}");
            }
            let caps = xml::parse(&text);
            assert_eq!(child_layer_names(layer(&caps, "alles")), ["messpunkte"]);
        }
        // Nor do its extents reach the public layer tree's extent.
        let caps = ows_as(&server, &get_capabilities("1.3.0"), token)
            .await
            .xml();
        let root = caps.child("Capability").child("Layer");
        let east: f64 = root
            .child("EX_GeographicBoundingBox")
            .text_of("eastBoundLongitude")
            .parse()
            .unwrap();
        assert!(east < 10.0, "the restricted extent leaks: {east}");

        // Every operation answers as for a name that does not exist.
        let map = get_map("1.3.0", "baustellen", "CRS:84", BOTH, BOTH_SIZE);
        let info = get_feature_info(
            "1.3.0",
            "baustellen",
            "CRS:84",
            BOTH,
            BOTH_SIZE,
            pixel_of(BOTH, BOTH_SIZE, SECRET),
            "text/plain",
        );
        for (query, key) in [
            (map.clone(), "LAYERS"),
            (info.clone(), "QUERY_LAYERS"),
            (get_legend("baustellen"), "LAYER"),
            (with(map.clone(), &[("LAYERS", "nur_intern")]), "LAYERS"),
        ] {
            let restricted = ows_as(&server, &query, token).await;
            let name = query
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap();
            let missing = ows_as(&server, &with(query, &[(key, "gibt_es_nicht")]), token).await;
            assert!(
                restricted.text().contains("LayerNotDefined"),
                "{}",
                restricted.text()
            );
            assert_eq!(
                naming(&restricted, &name),
                naming(&missing, "gibt_es_nicht"),
                "{key}={name} is answered like a missing layer"
            );
        }

        // The group draws and finds only its public members.
        let group = ows_as(&server, &with(map.clone(), &[("LAYERS", "alles")]), token)
            .await
            .png(BOTH_SIZE.0, BOTH_SIZE.1);
        let public = ows_as(
            &server,
            &with(map.clone(), &[("LAYERS", "messpunkte")]),
            token,
        )
        .await
        .png(BOTH_SIZE.0, BOTH_SIZE.1);
        assert_eq!(red_pixels(&group), 0, "nothing of the restricted layer");
        assert!(group == public, "the group draws only its public member");
        let found = ows_as(
            &server,
            &with(info, &[("LAYERS", "alles"), ("QUERY_LAYERS", "alles")]),
            token,
        )
        .await
        .text();
        assert!(!found.contains("Geheimes"), "{found}");
    }
}

#[tokio::test]
async fn the_operator_token_shows_and_draws_a_restricted_layer() {
    let (_site, server) = restricted_server();
    let token = Some(TOKEN);
    let caps = ows_as(&server, &get_capabilities("1.3.0"), token)
        .await
        .xml();
    assert_eq!(
        child_layer_names(layer(&caps, "alles")),
        ["messpunkte", "baustellen"]
    );
    let restricted = layer(&caps, "baustellen");
    assert_eq!(restricted.text_of("Title"), "Geplante Baustellen");
    assert!(restricted.text_of("Abstract").contains("Stand: 2024-05-01"));
    let map = get_map("1.3.0", "alles", "CRS:84", BOTH, BOTH_SIZE);
    let image = ows_as(&server, &map, token)
        .await
        .png(BOTH_SIZE.0, BOTH_SIZE.1);
    let (x, y) = pixel_of(BOTH, BOTH_SIZE, SECRET);
    assert!(near(image.pixel(x, y), [255, 0, 0], 2), "the red polygon");
    assert!(red_pixels(&image) > 500);
    let info = get_feature_info(
        "1.3.0",
        "baustellen",
        "CRS:84",
        BOTH,
        BOTH_SIZE,
        (x, y),
        "text/plain",
    );
    let found = ows_as(&server, &info, token).await.text();
    assert!(found.contains("Projekt = 'Geheimes Projekt'"), "{found}");
    let legend = ows_as(&server, &get_legend("baustellen"), token).await;
    assert_eq!(legend.content_type, "image/png");
    // The operator's image is not served to the public from the cache.
    let public = ows(&server, &map).await.png(BOTH_SIZE.0, BOTH_SIZE.1);
    assert_eq!(red_pixels(&public), 0);
}

// ------------------------------------------------------- render budget

/// The demo site with `settings` added to its `[service]` table.
fn demo_with_service(settings: &str) -> tempfile::TempDir {
    let demo = std::fs::read_to_string(demo_site().join("map.toml")).unwrap();
    let map = demo.replace("../data/", "{data}/").replacen(
        "[service]\n",
        &format!("[service]\n{settings}\n"),
        1,
    );
    assert!(map.contains(settings));
    site_with_map(&map, &[])
}

/// `LAYERS` naming the demo group `times` times.
fn demo_times(times: usize) -> String {
    vec!["demo"; times].join(",")
}

#[tokio::test]
async fn a_map_at_the_documented_size_and_layer_limits_is_refused_before_drawing() {
    let server = demo_server();
    let query = get_map("1.3.0", &demo_times(64), "EPSG:25832", NI_UTM, (4096, 4096));
    let started = Instant::now();
    let error = assert_exception(
        &server,
        &query,
        "1.3.0",
        "InvalidParameterValue",
        &["max_pixel_layers", "268435456", "4096 × 4096 × 640"],
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused without drawing: {:?}",
        started.elapsed()
    );
    assert!(error.attr("locator").is_none());
}

#[tokio::test]
async fn the_pixel_layer_budget_is_configurable_and_counts_a_groups_members() {
    let site = demo_with_service("max_pixel_layers = 1000000");
    let server = TestServer::start(site.path());
    let one = get_map("1.3.0", "land", "EPSG:25832", NI_UTM, (1000, 1000));
    ows(&server, &one).await.png(1000, 1000);
    let two = with(one.clone(), &[("LAYERS", "land,gemeinden")]);
    assert_exception(
        &server,
        &two,
        "1.3.0",
        "InvalidParameterValue",
        &["1000 × 1000 × 2 = 2000000", "1000000", "max_pixel_layers"],
    )
    .await;
    // The group stands for its members.
    let group = with(one, &[("LAYERS", "gewaesser"), ("WIDTH", "800")]);
    assert_exception(
        &server,
        &group,
        "1.3.0",
        "InvalidParameterValue",
        &["800 × 1000 × 2", "max_pixel_layers"],
    )
    .await;
}

#[tokio::test]
async fn a_map_that_takes_longer_than_the_time_budget_is_answered_with_an_exception() {
    let site = demo_with_service("max_render_ms = 1");
    let server = TestServer::start(site.path());
    let query = get_map("1.3.0", &demo_times(20), "EPSG:25832", NI_UTM, (1024, 1024));
    let started = Instant::now();
    assert_exception(
        &server,
        &query,
        "1.3.0",
        "InvalidParameterValue",
        &["1 ms", "max_render_ms"],
    )
    .await;
    // Twenty times the demo takes far longer than the budget to draw; the
    // budget stopped it early.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // A map within the budget draws as always.
    let relaxed = demo_with_service("max_render_ms = 60000");
    let server = TestServer::start(relaxed.path());
    let small = with(
        query,
        &[("LAYERS", "demo"), ("WIDTH", "256"), ("HEIGHT", "256")],
    );
    ows(&server, &small).await.png(256, 256);
}

#[tokio::test]
async fn shapes_too_small_to_draw_are_logged_once_per_map_not_once_per_shape() {
    // Regression: a world-sized extent collapses every polygon, and the
    // drawing library logged a warning for each (69 per demo map, 4,416
    // for 64 × demo).
    let server = TestServer::start(&demo_site());
    let before = server.log().lines().count();
    for layers in ["demo".to_owned(), demo_times(64)] {
        let query = params(&[
            ("SERVICE", "WMS"),
            ("VERSION", "1.3.0"),
            ("REQUEST", "GetMap"),
            ("LAYERS", &layers),
            ("STYLES", ""),
            ("CRS", "EPSG:25832"),
            ("BBOX", "-1e308,-1e308,1e308,1e308"),
            ("WIDTH", "256"),
            ("HEIGHT", "256"),
            ("FORMAT", "image/png"),
        ]);
        ows(&server, &query).await.png(256, 256);
    }
    let log = server.log();
    let new: Vec<&str> = log.lines().skip(before).collect();
    let library: Vec<&&str> = new
        .iter()
        .filter(|l| l.contains("tiny_skia") || l.contains("cannot be filled"))
        .collect();
    assert!(
        library.is_empty(),
        "{} library lines: {:?}",
        library.len(),
        library.first()
    );
    let warnings = new.iter().filter(|l| l.contains("WARN")).count();
    assert_eq!(warnings, 0, "{new:#?}");
    let summaries = new
        .iter()
        .filter(|l| l.contains("left out of the map"))
        .count();
    assert!(summaries <= 2, "at most one line per map: {summaries}");
    assert!(new.len() < 40, "{} lines for two maps", new.len());
}

// ------------------------------------------- render cache and statistics

#[tokio::test]
async fn the_same_get_map_gives_identical_bytes_with_and_without_the_render_cache() {
    // 1:500,000 around Hannover: every layer, labels included.
    let bbox = [514_400.0, 5_767_100.0, 586_080.0, 5_838_780.0];
    let query = get_map("1.3.0", "demo", "EPSG:25832", bbox, (512, 512));
    let cached = demo_server();
    let first = ows(&cached, &query).await;
    first.png(512, 512);
    let second = ows(&cached, &query).await;
    assert!(
        first.body == second.body,
        "the cache answers the same bytes"
    );
    let uncached = TestServer::start_with(&demo_site(), &[("NUMIS_WMS__RENDER_CACHE", "false")]);
    let third = ows(&uncached, &query).await;
    let fourth = ows(&uncached, &query).await;
    assert!(third.body == fourth.body, "rendering is deterministic");
    assert!(
        first.body == third.body,
        "the cache changes nothing in the image"
    );
}

/// A small site with one demo layer, read from the repository's `data/`.
const STATIONS_ONLY: &str = r##"
[[layer]]
id = "luftmessstationen"
title = "Luftmessstationen"
source = { type = "geojson", path = '{data}/ni_luft_messstationen_uba.geojson' }
queryable = [{ field = "name" }]
[[layer.rule]]
name = "Station"
symbol = "circle"
fill = "#2471a3"
"##;

#[tokio::test]
async fn ows_requests_are_counted_under_the_route_template_without_query_values() {
    let site = site_with_map(STATIONS_ONLY, &[]);
    let mut server = TestServer::start_with(site.path(), &[("NUMIS_STATS__FLUSH_SECONDS", "1")]);
    let marker = "qmarker7c41e9";
    let map = get_map("1.3.0", "luftmessstationen", "EPSG:25832", NI_UTM, (64, 64));
    let requests = [
        get_capabilities("1.3.0"),
        map.clone(),
        with(map.clone(), &[("LAYERS", marker)]),
        with(map, &[("BBOX", &format!("{marker},1,2,3"))]),
    ];
    for query in &requests {
        assert_eq!(ows(&server, query).await.status, StatusCode::OK);
    }
    let metrics = client()
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"numis_http_requests_total{route="/ows",status="2xx"} 4"#),
        "{metrics}"
    );
    for value in [marker, "GetMap", "luftmessstationen", "EPSG"] {
        assert!(!metrics.contains(value), "{value} in the metrics");
    }
    assert!(server.stop().success());
    let counts = access_counts(&server).await;
    let ows_count: u64 = counts
        .iter()
        .filter(|(route, _)| route == "/ows")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(ows_count, 4, "{counts:?}");
    for (route, _) in &counts {
        assert!(
            !route.contains(marker) && !route.contains('?'),
            "{route} is a template"
        );
    }
    assert!(!server.log().contains(marker), "{}", server.log());
}

async fn access_counts(server: &TestServer) -> Vec<(String, u64)> {
    use numis_store::Store;
    let store = server.store().await;
    let today = chrono::Utc::now().date_naive();
    let counts = store
        .access_counts(today - chrono::Days::new(1), today + chrono::Days::new(1))
        .await
        .unwrap();
    store.close().await;
    counts.into_iter().map(|c| (c.route, c.requests)).collect()
}

// ------------------------------------------------------- reference images
//
// Small renders compared with `tests/fixtures/reference/*.png` within a
// tolerance (see `image_diff`); `NUMIS_TEST_BLESS=1` rewrites the references.

async fn assert_render_matches(name: &str, layers: &str, bbox: [f64; 4], format: &str) {
    let server = demo_server();
    let query = with(
        get_map("1.3.0", layers, "EPSG:25832", bbox, (256, 256)),
        &[("FORMAT", format)],
    );
    let reply = ows(&server, &query).await;
    reply.png(256, 256);
    assert_matches_reference(name, &reply.body);
}

#[tokio::test]
async fn luftmessstationen_symbols_match_their_reference() {
    // Braunschweig, Salzgitter and Wolfsburg at about 1:840,000: triangles
    // (traffic), a square (industry) and circles (background).
    assert_render_matches(
        "luftmessstationen_braunschweig",
        "luftmessstationen",
        [572_000.0, 5_760_000.0, 632_000.0, 5_820_000.0],
        "image/png",
    )
    .await;
}

#[tokio::test]
async fn nationalparke_fill_and_dashed_outline_match_their_reference() {
    // The Harz national park at about 1:500,000, with its label.
    assert_render_matches(
        "nationalparke_harz",
        "nationalparke",
        [589_000.0, 5_720_000.0, 625_000.0, 5_756_000.0],
        "image/png",
    )
    .await;
}

#[tokio::test]
async fn fluesse_with_a_label_match_their_reference() {
    // Weser and Aller near Verden, the Weser labelled along its course.
    assert_render_matches(
        "fluesse_verden",
        "fluesse",
        [475_000.0, 5_824_000.0, 555_000.0, 5_904_000.0],
        "image/png",
    )
    .await;
}

#[tokio::test]
async fn the_demo_group_at_one_to_two_million_matches_its_reference() {
    // 256 px of 0.28 mm at 1:2,000,000 are 143.36 km, around Hannover. As
    // an 8-bit PNG: the busiest render, and the palette path, kept small.
    assert_render_matches(
        "demo_2m_hannover",
        "demo",
        [478_600.0, 5_731_300.0, 621_960.0, 5_874_660.0],
        "image/png; mode=8bit",
    )
    .await;
}
