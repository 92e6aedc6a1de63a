//! PostGIS as a layer source (issue 17), against the running server and a
//! real PostGIS in the suite's PostgreSQL: the demo's municipalities and
//! places loaded with `ogr2ogr`, and 40,000 generated buildings. A PostGIS
//! layer draws what the same data draw from a file, at large scales and at
//! small ones (where the database sends one mark per pixel), answers
//! feature info without its personal fields, is found by the search, exists
//! only for its role when restricted, and a query slower than its timeout
//! is cancelled with an exception while the server goes on.
//!
//! `tests/clients/setup.sh` (run by `scripts/test.sh`) installs PostGIS and
//! GDAL; without them, or without the database, the tests are skipped
//! outside CI and fail in it.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use numis_store::testing::{ScratchSchema, postgres_url};
use reqwest::header::AUTHORIZATION;
use serde_json::Value;

use crate::image_diff::{Image, decode_png};
use crate::util::{TestServer, client, copy_tree, demo_site, repo_root};

/// The operator sees restricted layers through this token.
const TOKEN: &str = "postgis-operator-token";
/// Buildings generated in the database: a 200 × 200 grid, 40 m apart,
/// east of Hannover.
const BUILDINGS: u32 = 40_000;

/// The site's map: each PostGIS layer beside the same data from a file,
/// drawn alike. `{schema}`, `{url}`, `{data}`, `{gpkg}` and
/// `{building_rules}` are filled in.
const MAP: &str = r##"
[service]
title = "PostGIS"

[[layer]]
id = "gemeinden_pg"
title = "Gemeinden (PostGIS)"
source = { type = "postgis", connection = "{url}", table = "{schema}.gemeinden", geometry = "geom", id = "id" }
queryable = [
    { field = "name", label = "Gemeinde" },
    { field = "kreis_name", label = "Landkreis" },
    { field = "kontakt", label = "Kontakt" },
]
personal = ["kontakt"]
search = { kind = "Gemeinde (PostGIS)", name = "name", keys = ["ags"], detail = ["kreis_name"] }
[[layer.rule]]
fill = "#e4dcc8"
stroke = "#6b5f48"
stroke_width = 1.0
[[layer.rule]]
max_scale = 300000
label = { field = "name", size = 11, color = "#333333" }

[[layer]]
id = "gemeinden_file"
title = "Gemeinden (Datei)"
source = { type = "geojson", path = "{data}/ni_gemeinden.geojson" }
[[layer.rule]]
fill = "#e4dcc8"
stroke = "#6b5f48"
stroke_width = 1.0
[[layer.rule]]
max_scale = 300000
label = { field = "name", size = 11, color = "#333333" }

[[layer]]
id = "orte_pg"
title = "Orte (PostGIS)"
source = { type = "postgis", connection = "{url}", table = "{schema}.orte" }
queryable = [{ field = "name", label = "Ort" }]
search = { kind = "Ort (PostGIS)", name = "name", detail = ["gemeinde"] }
[[layer.rule]]
symbol = "circle"
symbol_size = 6
fill = "#1f5fa8"

[[layer]]
id = "gebaeude_pg"
title = "Gebäude (PostGIS)"
source = { type = "postgis", connection = "{url}", sql = "SELECT id, kind, geom FROM {schema}.gebaeude" }
queryable = [{ field = "kind", label = "Art" }]
{building_rules}

[[layer]]
id = "gebaeude_file"
title = "Gebäude (GeoPackage)"
source = { type = "geopackage", path = "{gpkg}" }
{building_rules}

[[layer]]
id = "intern_pg"
title = "Interne Planung (PostGIS)"
source = { type = "postgis", connection = "{url}", table = "{schema}.gemeinden" }
access = "intern"
[[layer.rule]]
fill = "#ff0000"

[[layer]]
id = "langsam_pg"
title = "Langsame Abfrage"
source = { type = "postgis", connection = "{url}", sql = "SELECT id, geom, pg_sleep(0.05) AS pause FROM {schema}.gemeinden", statement_timeout_ms = 200 }
[[layer.rule]]
stroke = "#000000"

[[layer]]
id = "fehlt_pg"
title = "Fehlende Tabelle"
source = { type = "postgis", connection = "{url}", table = "{schema}.gibt_es_nicht" }
[[layer.rule]]
stroke = "#000000"
"##;

/// The buildings' classes, the same for the database's layer and the
/// file's.
const BUILDING_RULES: &str = r##"[[layer.rule]]
filter = { field = "kind", equals = "wohnen" }
fill = "#c0504d"
[[layer.rule]]
filter = { field = "kind", equals = "gewerbe" }
fill = "#4f81bd"
[[layer.rule]]
else = true
fill = "#9bbb59""##;

/// The database, the site and the server, shared by the tests of this
/// file; dropped (schema too) when the last test holding it ends.
struct Fixture {
    server: TestServer,
    _site: tempfile::TempDir,
    _schema: ScratchSchema,
}

fn fixture() -> Option<Arc<Fixture>> {
    static SHARED: Mutex<Weak<Fixture>> = Mutex::new(Weak::new());
    let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(fixture) = shared.upgrade() {
        return Some(fixture);
    }
    let fixture = Arc::new(Fixture::create()?);
    *shared = Arc::downgrade(&fixture);
    Some(fixture)
}

/// `None`, after saying why, where a tool is missing outside CI.
fn tools_present() -> bool {
    let missing: Vec<&str> = ["psql", "ogr2ogr"]
        .into_iter()
        .filter(|tool| Command::new(tool).arg("--version").output().is_err())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("missing in CI: {missing:?} (tests/clients/setup.sh installs them)");
    }
    eprintln!("SKIPPED: PostGIS tests need {missing:?} (tests/clients/setup.sh installs them)");
    false
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn psql(url: &str, sql: &str) {
    run(Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .env("PGCONNECT_TIMEOUT", "10"));
}

/// `postgres://user[:password]@host[:port]/database` as GDAL's
/// `PG:key=value …` (GDAL 3.6 takes no URL).
fn gdal_source(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split('?').next().unwrap_or(rest);
    let (login, place) = rest.rsplit_once('@').unwrap_or(("", rest));
    let (user, password) = login.split_once(':').unwrap_or((login, ""));
    let (address, database) = place.split_once('/').unwrap_or((place, ""));
    let (host, port) = address.split_once(':').unwrap_or((address, "5432"));
    let mut pairs = vec![format!("host={host}"), format!("port={port}")];
    for (key, value) in [("user", user), ("password", password), ("dbname", database)] {
        if !value.is_empty() {
            pairs.push(format!("{key}={value}"));
        }
    }
    format!("PG:{}", pairs.join(" "))
}

fn ogr2ogr_into(url: &str, schema: &str, table: &str, file: &Path, extra: &[&str]) {
    run(Command::new("ogr2ogr")
        .args(["-f", "PostgreSQL", &gdal_source(url)])
        .arg(file)
        .args(["-nln", &format!("{schema}.{table}"), "-t_srs", "EPSG:25832"])
        .args(["-lco", "GEOMETRY_NAME=geom", "-lco", "FID=id"])
        .args(extra));
}

impl Fixture {
    fn create() -> Option<Self> {
        if !tools_present() {
            return None;
        }
        let schema = ScratchSchema::create_blocking()?;
        let name = schema.name().to_owned();
        let url = postgres_url();
        // One extension per database, made by whichever test run comes
        // first; the lock keeps two runs from making it at once.
        psql(
            &url,
            "SELECT pg_advisory_lock(25832); \
             CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public; \
             SELECT pg_advisory_unlock(25832);",
        );
        let data = repo_root().join("data");
        ogr2ogr_into(
            &url,
            &name,
            "gemeinden",
            &data.join("ni_gemeinden.geojson"),
            &["-nlt", "PROMOTE_TO_MULTI"],
        );
        ogr2ogr_into(
            &url,
            &name,
            "orte",
            &data.join("ni_orte_geonames.geojson"),
            &[],
        );
        psql(
            &url,
            &format!(
                "ALTER TABLE {name}.gemeinden ADD COLUMN kontakt text; \
                 UPDATE {name}.gemeinden SET kontakt = 'Frau Geheim, ' || name; \
                 CREATE TABLE {name}.gebaeude AS SELECT g AS id, \
                   (ARRAY['wohnen', 'gewerbe', 'landwirtschaft'])[1 + g % 3] AS kind, \
                   ST_MakeEnvelope(x, y, x + 12, y + 10, 25832)::geometry(Polygon, 25832) AS geom \
                 FROM (SELECT g, 560000 + (g % 200) * 40 AS x, 5790000 + (g / 200) * 40 AS y \
                       FROM generate_series(0, {last}) AS g) AS grid; \
                 ALTER TABLE {name}.gebaeude ADD PRIMARY KEY (id); \
                 CREATE INDEX ON {name}.gebaeude USING gist (geom); \
                 ANALYZE {name}.gebaeude;",
                last = BUILDINGS - 1
            ),
        );
        let site = tempfile::tempdir().expect("a temp folder");
        copy_tree(&demo_site(), site.path());
        let gpkg = site.path().join("gebaeude.gpkg");
        // The same buildings as a GeoPackage, for the file layer beside.
        run(Command::new("ogr2ogr")
            .args(["-f", "GPKG"])
            .arg(&gpkg)
            .arg(gdal_source(&url))
            .args([
                "-sql",
                &format!("SELECT id, kind, geom FROM {name}.gebaeude"),
            ])
            .args(["-nln", "gebaeude"]));
        let text = MAP
            .replace("{building_rules}", BUILDING_RULES)
            .replace("{schema}", &name)
            .replace("{url}", &url)
            .replace("{data}", data.to_str().expect("a UTF-8 path"))
            .replace("{gpkg}", gpkg.to_str().expect("a UTF-8 path"));
        std::fs::write(site.path().join("map.toml"), text).expect("map.toml written");
        let server = TestServer::start_with(site.path(), &[("NUMIS_WMS__OPERATOR_TOKEN", TOKEN)]);
        Some(Self {
            server,
            _site: site,
            _schema: schema,
        })
    }
}

/// A GetMap of 400 × 400 pixels in `crs` (WMS 1.3.0; axis order as
/// EPSG:25832 and EPSG:3857 have it: east first).
fn get_map(layers: &str, crs: &str, bbox: [f64; 4]) -> String {
    let [a, b, c, d] = bbox;
    format!(
        "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layers}&STYLES=&CRS={crs}\
         &BBOX={a},{b},{c},{d}&WIDTH=400&HEIGHT=400&FORMAT=image/png"
    )
}

async fn get(server: &TestServer, path: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut request = client().get(server.url(path));
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        response.bytes().await.expect("a body").to_vec(),
    )
}

async fn image(server: &TestServer, path: &str) -> Image {
    let (status, content_type, body) = get(server, path, None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "image/png"),
        "{path}: {}",
        String::from_utf8_lossy(&body)
    );
    decode_png(&body)
}

/// With `NUMIS_TEST_KEEP` set, writes `image` to the temp folder as
/// `postgis-NAME.png`, to look at both sides of a comparison.
fn keep(name: &str, image: &Image) {
    if std::env::var_os("NUMIS_TEST_KEEP").is_none() {
        return;
    }
    let path = std::env::temp_dir().join(format!("postgis-{name}.png"));
    let file = std::fs::File::create(&path).expect("a file");
    let mut encoder = png::Encoder::new(file, image.width, image.height);
    encoder.set_color(png::ColorType::Rgba);
    let mut writer = encoder.write_header().expect("a header");
    writer.write_image_data(&image.rgba).expect("written");
}

/// Pixels that are not the white background.
fn drawn(image: &Image) -> Vec<bool> {
    image
        .pixels()
        .map(|[r, g, b, a]| a > 0 && (r, g, b) != (255, 255, 255))
        .collect()
}

/// Share of the pixels drawn in either image that differ by more than a
/// little in some channel.
fn differing_share(a: &Image, b: &Image) -> f64 {
    let (da, db) = (drawn(a), drawn(b));
    let mut either = 0usize;
    let mut differ = 0usize;
    for (i, (pa, pb)) in a.pixels().zip(b.pixels()).enumerate() {
        if da[i] || db[i] {
            either += 1;
            if pa.iter().zip(&pb).any(|(x, y)| x.abs_diff(*y) > 40) {
                differ += 1;
            }
        }
    }
    differ as f64 / either.max(1) as f64
}

/// Hannover and its surroundings at about 1:250,000, in EPSG:25832.
const HANNOVER: [f64; 4] = [520_000.0, 5_780_000.0, 570_000.0, 5_830_000.0];
/// Lower Saxony at about 1:2,000,000.
const STATE: [f64; 4] = [330_000.0, 5_670_000.0, 690_000.0, 6_030_000.0];

#[tokio::test]
async fn a_postgis_layer_draws_what_the_same_data_draw_from_a_file() {
    let Some(fixture) = fixture() else { return };
    let server = &fixture.server;
    let web_mercator_hannover = [1_050_000.0, 6_820_000.0, 1_120_000.0, 6_890_000.0];
    for (crs, bbox) in [
        ("EPSG:25832", HANNOVER),
        ("EPSG:25832", STATE),
        ("EPSG:3857", web_mercator_hannover),
    ] {
        let from_database = image(server, &get_map("gemeinden_pg", crs, bbox)).await;
        let from_file = image(server, &get_map("gemeinden_file", crs, bbox)).await;
        let drawn_share =
            drawn(&from_database).iter().filter(|&&d| d).count() as f64 / (400.0 * 400.0);
        // The state fills a third of its square box.
        assert!(
            drawn_share > 0.3,
            "{crs} {bbox:?}: only {drawn_share:.2} drawn"
        );
        let share = differing_share(&from_database, &from_file);
        keep(&format!("gemeinden-{}-database", bbox[0]), &from_database);
        keep(&format!("gemeinden-{}-file", bbox[0]), &from_file);
        // Snapped to a quarter pixel, outlines move by a fraction of one:
        // the reference images' allowance.
        assert!(
            share < 0.05,
            "{crs} {bbox:?}: {:.1} % of the drawn pixels differ",
            share * 100.0
        );
    }
}

#[tokio::test]
async fn many_small_buildings_are_drawn_as_marks_where_the_file_draws_them() {
    let Some(fixture) = fixture() else { return };
    let server = &fixture.server;
    // The buildings' grid: 8 km square east of Hannover.
    let close = [560_000.0, 5_790_000.0, 561_000.0, 5_791_000.0];
    let region = [545_000.0, 5_775_000.0, 585_000.0, 5_815_000.0];
    for (scale, bbox) in [
        ("1:2,500", close),
        ("1:350,000", region),
        ("1:2,000,000", STATE),
    ] {
        let from_database = image(server, &get_map("gebaeude_pg", "EPSG:25832", bbox)).await;
        let from_file = image(server, &get_map("gebaeude_file", "EPSG:25832", bbox)).await;
        keep(&format!("gebaeude-{}-database", bbox[0]), &from_database);
        keep(&format!("gebaeude-{}-file", bbox[0]), &from_file);
        let count = |image: &Image| drawn(image).iter().filter(|&&d| d).count();
        let (database, file) = (count(&from_database), count(&from_file));
        assert!(database > 0, "{scale}: the PostGIS map is white");
        // The same pixels are drawn, give or take a mark's edge.
        let ratio = database as f64 / file as f64;
        assert!(
            (0.8..1.25).contains(&ratio),
            "{scale}: {database} pixels drawn from PostGIS, {file} from the file"
        );
        // And in the same colours: the kinds' three fills.
        let colours = |image: &Image| {
            let mut seen: Vec<[u8; 3]> = image
                .pixels()
                .filter(|p| p[3] == 255)
                .map(|[r, g, b, _]| [r, g, b])
                .filter(|c| {
                    [[0xc0, 0x50, 0x4d], [0x4f, 0x81, 0xbd], [0x9b, 0xbb, 0x59]].contains(c)
                })
                .collect();
            seen.sort_unstable();
            seen.dedup();
            seen
        };
        assert_eq!(colours(&from_database).len(), 3, "{scale}");
        assert_eq!(colours(&from_database), colours(&from_file), "{scale}");
    }
}

#[tokio::test]
async fn feature_info_reads_the_database_and_never_a_personal_field() {
    let Some(fixture) = fixture() else { return };
    let server = &fixture.server;
    // The middle of Hannover.
    let bbox = [549_000.0, 5_801_000.0, 551_000.0, 5_803_000.0];
    let path = format!(
        "{}&REQUEST=GetFeatureInfo&QUERY_LAYERS=gemeinden_pg&INFO_FORMAT=application/json&I=200&J=200",
        get_map("gemeinden_pg", "EPSG:25832", bbox).replace("&REQUEST=GetMap", "")
    );
    let (status, _, body) = get(server, &path, None).await;
    let text = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("Hannover"), "{text}");
    assert!(text.contains("Region Hannover"), "{text}");
    assert!(
        !text.contains("Frau Geheim"),
        "a personal field left the server: {text}"
    );
    assert!(!text.contains("kontakt"), "{text}");
}

#[tokio::test]
async fn the_search_finds_features_of_postgis_layers() {
    let Some(fixture) = fixture() else { return };
    let server = &fixture.server;
    let (status, _, body) = get(server, "/api/search?q=goettingen", None).await;
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_slice(&body).expect("JSON");
    let results = answer["results"].as_array().expect("results");
    let municipality = results
        .iter()
        .find(|r| r["kind"] == "gemeinden_pg" && r["label"] == "Göttingen")
        .unwrap_or_else(|| panic!("no Göttingen from PostGIS in {results:#?}"));
    // Where it is, in EPSG:25832: Göttingen lies about 565 km east, 5,710 km north.
    let (x, y) = (
        municipality["x"].as_f64().expect("x"),
        municipality["y"].as_f64().expect("y"),
    );
    assert!((555_000.0..575_000.0).contains(&x) && (5_700_000.0..5_720_000.0).contains(&y));
    assert!(municipality["bbox"].is_array());
    let (_, _, body) = get(server, "/api/search?q=Abbesbuettel", None).await;
    let answer: Value = serde_json::from_slice(&body).expect("JSON");
    let place = &answer["results"][0];
    assert_eq!(place["kind"], "orte_pg", "{answer:#}");
    assert_eq!(place["detail"], "Meine");
    assert!(place["bbox"].is_null(), "a place is a point: {place}");
}

#[tokio::test]
async fn a_restricted_postgis_layer_exists_only_for_its_role() {
    let Some(fixture) = fixture() else { return };
    let server = &fixture.server;
    let path = get_map("intern_pg", "EPSG:25832", HANNOVER);
    let (status, _, body) = get(server, &path, None).await;
    let text = String::from_utf8_lossy(&body);
    assert_eq!(status, 200);
    assert!(text.contains("LayerNotDefined"), "{text}");
    let (_, _, capabilities) = get(
        server,
        "/ows?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0",
        None,
    )
    .await;
    let capabilities = String::from_utf8_lossy(&capabilities);
    assert!(capabilities.contains("gemeinden_pg"));
    assert!(!capabilities.contains("intern_pg"));
    let (status, content_type, body) = get(server, &path, Some(TOKEN)).await;
    assert_eq!((status, content_type.as_str()), (200, "image/png"));
    let red = decode_png(&body)
        .pixels()
        .filter(|&[r, g, b, _]| r > 200 && g < 60 && b < 60)
        .count();
    assert!(
        red > 100_000,
        "the operator sees the layer: {red} red pixels"
    );
}

#[tokio::test]
async fn a_slow_query_is_cancelled_with_an_exception_and_the_server_goes_on() {
    let Some(fixture) = fixture() else { return };
    let server = &fixture.server;
    let (status, content_type, body) =
        get(server, &get_map("langsam_pg", "EPSG:25832", STATE), None).await;
    let text = String::from_utf8_lossy(&body);
    // The server's side failed: 500, with the standard's exception.
    assert_eq!(status, 500, "{text}");
    assert!(content_type.contains("xml"), "{content_type}: {text}");
    assert!(text.contains("ServiceException"), "{text}");
    assert!(text.contains("statement timeout"), "{text}");
    assert!(
        !text.contains("postgres://"),
        "the connection leaked: {text}"
    );
    // The next map is drawn as ever.
    image(server, &get_map("gemeinden_pg", "EPSG:25832", HANNOVER)).await;
}

#[tokio::test]
async fn a_missing_table_takes_only_its_own_layer_out() {
    let Some(fixture) = fixture() else { return };
    let server = &fixture.server;
    let (_, _, body) = get(server, &get_map("fehlt_pg", "EPSG:25832", STATE), None).await;
    assert!(String::from_utf8_lossy(&body).contains("LayerNotDefined"));
    let log = server.log();
    assert!(log.contains("gibt_es_nicht"), "{log}");
    assert!(log.contains("does not exist"), "{log}");
    image(server, &get_map("gemeinden_pg", "EPSG:25832", HANNOVER)).await;
}
