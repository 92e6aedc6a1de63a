//! Open-data downloads (clauses L3, L5, L7, P7): every format of every
//! open demo layer arrives as a ZIP of the data file and the licence note
//! with the source note; the files hold as many features as the source;
//! a personal field is in no file; a restricted layer exists only for its
//! role; a layer without an open licence is offered nowhere; the
//! catalogue page `/daten` lists what `/api/data` lists.

use std::io::{Cursor, Read};

use reqwest::StatusCode;
use reqwest::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    SET_COOKIE,
};
use serde_json::Value;

use crate::open_data_site;
use crate::util::{TestServer, client, demo_site, repo_root};
use crate::wms::TOKEN;

/// The demo's open layers and their source files.
const OPEN_DEMO_LAYERS: [(&str, &str); 9] = [
    ("nachbarlaender", "de_nachbarlaender.geojson"),
    ("kuestengewaesser", "ni_kuestengewaesser.geojson"),
    ("land", "ni_land.geojson"),
    ("gemeinden", "ni_gemeinden.geojson"),
    ("kreise", "ni_kreise.geojson"),
    ("orte", "ni_orte_geonames.geojson"),
    ("seen", "ni_seen_ne.geojson"),
    ("fluesse", "ni_fluesse_ne.geojson"),
    ("nationalparke", "ni_nationalparke.geojson"),
];

/// Features with a geometry in a GeoJSON file of `data/`.
fn source_count(file: &str) -> usize {
    open_data_site::source_count(&repo_root().join("data").join(file))
}

struct File {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

async fn fetch(server: &TestServer, path: &str, token: Option<&str>) -> File {
    let mut request = client().get(server.url(path));
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = request.send().await.unwrap();
    File {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}

fn header(file: &File, name: reqwest::header::HeaderName) -> &str {
    file.headers
        .get(name)
        .map_or("", |v| v.to_str().unwrap_or(""))
}

/// The entries of a ZIP: name and content.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            (entry.name().to_owned(), content)
        })
        .collect()
}

/// Placemarks and Styles of a KML document, counted by a real XML parser.
fn kml_counts(kml: &[u8]) -> (usize, usize, bool) {
    let mut reader = quick_xml::Reader::from_reader(kml);
    let (mut placemarks, mut styles, mut network_link) = (0, 0, false);
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer).unwrap() {
            quick_xml::events::Event::Start(e) => match e.local_name().as_ref() {
                b"Placemark" => placemarks += 1,
                b"Style" => styles += 1,
                b"NetworkLink" => network_link = true,
                _ => {}
            },
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    (placemarks, styles, network_link)
}

/// Rows of the feature table and the SRS of a GeoPackage.
fn gpkg_facts(bytes: &[u8], table: &str) -> (i64, i64, i32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.gpkg");
    std::fs::write(&path, bytes).unwrap();
    let db = rusqlite::Connection::open(&path).unwrap();
    let rows: i64 = db
        .query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
            r.get(0)
        })
        .unwrap();
    let srs: i64 = db
        .query_row(
            "SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?1",
            [table],
            |r| r.get(0),
        )
        .unwrap();
    let application: i32 = db
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    (rows, srs, application)
}

fn csv_rows(bytes: &[u8]) -> usize {
    csv::Reader::from_reader(bytes)
        .records()
        .map(Result::unwrap)
        .count()
}

#[tokio::test]
async fn every_format_of_every_open_demo_layer_unzips_to_its_data_and_licence_note() {
    let server = TestServer::start(&demo_site());
    let list = fetch(&server, "/api/data", None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.headers.get(SET_COOKIE).is_none());
    let list: Value = serde_json::from_slice(&list.body).unwrap();
    let layers = list["layers"].as_array().unwrap();
    let ids: Vec<&str> = layers.iter().map(|l| l["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = OPEN_DEMO_LAYERS.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, expected);
    for layer in layers {
        let id = layer["id"].as_str().unwrap();
        let source = OPEN_DEMO_LAYERS
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, file)| source_count(file))
            .unwrap();
        assert_eq!(layer["feature_count"], source, "{id}");
        let note = layer["attribution"].as_str().unwrap();
        assert!(!note.is_empty(), "{id} has a source note");
        let formats: Vec<&str> = layer["formats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["format"].as_str().unwrap())
            .collect();
        if id == "orte" {
            assert_eq!(formats, ["geojson", "kml", "gpkg", "csv"]);
        } else {
            assert_eq!(formats, ["geojson", "kml", "gpkg"], "CSV only for points");
        }
        for offer in layer["formats"].as_array().unwrap() {
            let format = offer["format"].as_str().unwrap();
            let file = fetch(&server, offer["url"].as_str().unwrap(), None).await;
            assert_eq!(file.status, StatusCode::OK, "{id}/{format}");
            assert_eq!(header(&file, CONTENT_TYPE), "application/zip");
            assert_eq!(
                header(&file, CONTENT_DISPOSITION),
                format!("attachment; filename=\"numis-{id}-{format}.zip\"")
            );
            assert!(file.headers.get(SET_COOKIE).is_none());
            assert_eq!(
                offer["size"].as_u64().unwrap(),
                file.body.len() as u64,
                "the size listed is the size served: {id}/{format}"
            );
            let entries = unzip(&file.body);
            let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
            let extension = if format == "gpkg" { "gpkg" } else { format };
            assert_eq!(names, [format!("{id}.{extension}").as_str(), "LIZENZ.txt"]);
            let licence = String::from_utf8(entries[1].1.clone()).unwrap();
            assert!(licence.contains(note), "{id}: {licence}");
            assert!(licence.contains(offer["url"].as_str().unwrap()));
            let data = &entries[0].1;
            match format {
                "geojson" => {
                    let value: Value = serde_json::from_slice(data).unwrap();
                    assert_eq!(value["features"].as_array().unwrap().len(), source, "{id}");
                }
                "kml" => {
                    let (placemarks, styles, network_link) = kml_counts(data);
                    assert_eq!(placemarks, source, "{id}");
                    assert!(styles >= 1, "{id} has styles");
                    assert!(!network_link);
                }
                "gpkg" => {
                    let (rows, srs, application) = gpkg_facts(data, id);
                    assert_eq!(rows as usize, source, "{id}");
                    assert_eq!(srs, 25832);
                    assert_eq!(application, 0x4750_4B47, "GPKG");
                }
                "csv" => assert_eq!(csv_rows(data), source, "{id}"),
                other => panic!("unexpected format {other}"),
            }
        }
    }
}

#[tokio::test]
async fn downloads_revalidate_and_speak_english_when_asked() {
    let server = TestServer::start(&demo_site());
    let first = fetch(&server, "/api/data/seen/geojson?lang=en", None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(header(&first, CACHE_CONTROL), "public, no-cache");
    let entries = unzip(&first.body);
    assert_eq!(entries[1].0, "LICENCE.txt");
    let licence = String::from_utf8(entries[1].1.clone()).unwrap();
    assert!(
        licence.contains("Source note: Made with Natural Earth"),
        "{licence}"
    );
    assert!(licence.contains("Creative Commons Zero"), "{licence}");
    let tag = header(&first, ETAG).to_owned();
    assert!(!tag.is_empty());
    let again = client()
        .get(server.url("/api/data/seen/geojson?lang=en"))
        .header(IF_NONE_MATCH, &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let german = fetch(&server, "/api/data/seen/geojson", None).await;
    assert_ne!(header(&german, ETAG), tag, "another file, another tag");
}

#[tokio::test]
async fn the_plain_kml_opens_directly_with_styles_and_data() {
    let server = TestServer::start(&demo_site());
    let file = fetch(&server, "/api/data/nationalparke.kml", None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(
        header(&file, CONTENT_TYPE),
        "application/vnd.google-earth.kml+xml"
    );
    let (placemarks, styles, network_link) = kml_counts(&file.body);
    assert_eq!(placemarks, source_count("ni_nationalparke.geojson"));
    assert_eq!(styles, 1);
    assert!(!network_link);
    let text = String::from_utf8(file.body).unwrap();
    assert!(text.contains("<name>Nationalparke</name>"));
    assert!(
        text.contains("NLWKN"),
        "the source note is in the description"
    );
    assert!(text.contains("dl-de/by-2-0"), "and the licence");
    // #5a9e4b at 35 % as aabbggrr, #2f6b24 at full opacity.
    assert!(text.contains("<PolyStyle><color>594b9e5a</color></PolyStyle>"));
    assert!(text.contains("<LineStyle><color>ff246b2f</color><width>1.4</width></LineStyle>"));
    assert!(text.contains("<styleUrl>#rule0</styleUrl>"));
    assert!(text.contains("<ExtendedData>"));
    let missing = fetch(&server, "/api/data/nationalparke.shp", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_layer_without_an_open_licence_is_offered_nowhere() {
    let server = TestServer::start(&demo_site());
    for path in [
        "/api/data/luftmessstationen/geojson",
        "/api/data/luftmessstationen/csv",
        "/api/data/luftmessstationen.kml",
        "/api/data/nichts/geojson",
        "/api/data/seen/shp",
    ] {
        let file = fetch(&server, path, None).await;
        assert_eq!(file.status, StatusCode::NOT_FOUND, "{path}");
        let error: Value = serde_json::from_slice(&file.body).unwrap();
        assert!(
            error["error"].as_str().unwrap().len() > 20,
            "a sentence: {error}"
        );
    }
    let csv_of_areas = fetch(&server, "/api/data/seen/csv", None).await;
    assert_eq!(csv_of_areas.status, StatusCode::NOT_FOUND);
    let list = fetch(&server, "/api/data", None).await;
    assert!(!String::from_utf8_lossy(&list.body).contains("luftmessstationen"));
    let page = fetch(&server, "/daten", None).await;
    let html = String::from_utf8(page.body).unwrap();
    assert!(!html.contains("Luftmessstationen"));
    assert!(!html.contains("/api/data/luftmessstationen"));
}

#[tokio::test]
async fn the_catalogue_page_lists_the_open_layers_in_both_languages_without_cookie_or_script() {
    let server = TestServer::start(&demo_site());
    for (path, titles, licence) in [
        (
            "/daten",
            ["Gemeinden", "Nationalparke", "Orte"],
            "Datenlizenz Deutschland",
        ),
        (
            "/en/data",
            ["Municipalities", "National parks", "Places"],
            "Data licence Germany",
        ),
    ] {
        let page = fetch(&server, path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(header(&page, CONTENT_TYPE).starts_with("text/html"));
        assert!(page.headers.get(SET_COOKIE).is_none(), "{path}");
        let html = String::from_utf8(page.body).unwrap();
        assert!(!html.contains("<script"), "{path}");
        assert!(!html.contains(" style="), "{path}");
        for title in titles {
            assert!(
                html.contains(&format!(">{title}</h2>")),
                "{title} on {path}"
            );
        }
        assert!(html.contains(licence), "{path}");
        assert!(html.contains("/ogcapi"));
        assert!(html.contains("/ows?SERVICE=WMS&amp;REQUEST=GetCapabilities"));
        assert!(html.contains("<main"));
        // Every download link of /api/data is on the page.
        let lang = if path == "/daten" { "de" } else { "en" };
        let list = fetch(&server, &format!("/api/data?lang={lang}"), None).await;
        let list: Value = serde_json::from_slice(&list.body).unwrap();
        for layer in list["layers"].as_array().unwrap() {
            for offer in layer["formats"].as_array().unwrap() {
                let url = offer["url"].as_str().unwrap().replace('&', "&amp;");
                assert!(html.contains(&format!("href=\"{url}\"")), "{url} on {path}");
            }
        }
    }
    let home = fetch(&server, "/", None).await;
    assert!(
        String::from_utf8(home.body)
            .unwrap()
            .contains("href=\"/daten\"")
    );
    let sitemap = fetch(&server, "/sitemap.xml", None).await;
    let sitemap = String::from_utf8(sitemap.body).unwrap();
    assert!(sitemap.contains("/daten</loc>") && sitemap.contains("/en/data</loc>"));
}

#[tokio::test]
async fn a_personal_field_is_in_no_file_of_any_format() {
    let (_site, server) = open_data_site::start(&[]);
    let mut checked = 0;
    for format in ["geojson", "kml", "gpkg", "csv"] {
        for lang in ["de", "en"] {
            let file = fetch(
                &server,
                &format!("/api/data/messpunkte/{format}?lang={lang}"),
                None,
            )
            .await;
            assert_eq!(file.status, StatusCode::OK, "{format}");
            for (name, content) in unzip(&file.body) {
                let text = String::from_utf8_lossy(&content);
                for personal in ["betreuer", "Mustermann", "Erika"] {
                    assert!(!text.contains(personal), "{personal} in {name}");
                }
                if name.ends_with(".txt") {
                    assert!(
                        text.contains("personenbezogenen") || text.contains("personal data"),
                        "{text}"
                    );
                } else {
                    assert!(text.contains("Kröpcke"), "the public data are there");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 8);
    let kml = fetch(&server, "/api/data/messpunkte.kml", None).await;
    assert!(!String::from_utf8_lossy(&kml.body).contains("Mustermann"));
    let list = fetch(&server, "/api/data", None).await;
    let list: Value = serde_json::from_slice(&list.body).unwrap();
    assert_eq!(list["layers"][0]["personal_fields_removed"], true);
    assert!(!list.to_string().contains("betreuer"));
}

#[tokio::test]
async fn a_restricted_layer_is_downloadable_only_for_its_role() {
    let (_site, server) = open_data_site::start(&[]);
    let anonymous = fetch(&server, "/api/data/baustellen/geojson", None).await;
    assert_eq!(anonymous.status, StatusCode::NOT_FOUND);
    let list = fetch(&server, "/api/data", None).await;
    let text = String::from_utf8(list.body).unwrap();
    assert!(!text.contains("baustellen") && !text.contains("Interne Planung"));
    let page = fetch(&server, "/daten", None).await;
    assert!(
        !String::from_utf8(page.body)
            .unwrap()
            .contains("Geplante Baustellen")
    );

    let operator = fetch(&server, "/api/data/baustellen/geojson", Some(TOKEN)).await;
    assert_eq!(operator.status, StatusCode::OK);
    assert_eq!(
        header(&operator, CACHE_CONTROL),
        "private, no-cache",
        "no shared cache keeps a restricted layer"
    );
    let entries = unzip(&operator.body);
    assert!(String::from_utf8_lossy(&entries[0].1).contains("Geheimes Projekt"));
    let list = fetch(&server, "/api/data", Some(TOKEN)).await;
    let list: Value = serde_json::from_slice(&list.body).unwrap();
    let ids: Vec<&str> = list["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["messpunkte", "baustellen"], "not the withheld layer");
    let withheld = fetch(&server, "/api/data/zurueckgehalten/geojson", Some(TOKEN)).await;
    assert_eq!(withheld.status, StatusCode::NOT_FOUND, "open_data = false");
}
