//! OGC API – Features at `/ogcapi` (issue 15): the landing page,
//! conformance, the API definition, collections of the open layers only,
//! items with counts equal to the sources, paging through next links,
//! bbox and bbox-crs, crs with Content-Crs and axis order, property
//! filters, features by id, the refusals, personal fields never present
//! (clause L3), restricted layers only for their role (clause L7), and
//! HTML pages without cookie or inline script.

use std::collections::{BTreeMap, HashSet};

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, COOKIE, SET_COOKIE};
use serde_json::Value;

use crate::open_data_site;
use crate::util::{TestServer, client, create_account, demo_site, login};
use crate::wms::TOKEN;

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const EPSG_25832: &str = "http://www.opengis.net/def/crs/EPSG/0/25832";
const EPSG_4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";

struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }
}

async fn fetch(url: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = client().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

async fn get(server: &TestServer, path: &str) -> Answer {
    fetch(&server.url(path), &[]).await
}

/// The layers of the demo `map.toml` and the GeoJSON file of each.
fn demo_layers() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(demo_site().join("map.toml")).unwrap();
    let id = regex::Regex::new(r#"(?m)^id = "([^"]+)""#).unwrap();
    let path = regex::Regex::new(r#"(?m)^source = \{ type = "geojson", path = "([^"]+)""#).unwrap();
    text.split("[[layer]]")
        .skip(1)
        .map(|block| {
            let id = id.captures(block).unwrap()[1].to_owned();
            let path = path.captures(block).unwrap()[1].to_owned();
            (id, path)
        })
        .collect()
}

/// Features with a geometry in a GeoJSON file of the demo site.
fn source_count(relative: &str) -> usize {
    open_data_site::source_count(&demo_site().join(relative))
}

fn rel<'a>(document: &'a Value, rel: &str) -> Option<&'a str> {
    document["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
}

fn ids(collection: &Value) -> Vec<String> {
    collection["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].to_string())
        .collect()
}

#[tokio::test]
async fn the_landing_page_conformance_and_api_describe_the_service() {
    let server = TestServer::start(&demo_site());
    let landing = get(&server, "/ogcapi").await;
    assert_eq!(landing.status, StatusCode::OK);
    assert!(
        landing
            .header("content-type")
            .starts_with("application/json")
    );
    let landing = landing.json();
    assert!(landing["title"].as_str().is_some_and(|t| !t.is_empty()));
    for wanted in ["self", "alternate", "service-desc", "conformance", "data"] {
        assert!(rel(&landing, wanted).is_some(), "{wanted} in {landing}");
    }
    let conformance = get(&server, "/ogcapi/conformance").await.json();
    let classes: Vec<&str> = conformance["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for class in [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    ] {
        assert!(classes.contains(&class), "{class}");
    }
    let api = fetch(rel(&landing, "service-desc").unwrap(), &[]).await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(
        api.header("content-type")
            .starts_with("application/vnd.oai.openapi+json")
    );
    let api = api.json();
    assert!(api["openapi"].as_str().unwrap().starts_with("3.0"));
    assert_eq!(
        api["components"]["parameters"]["limit"]["schema"]["maximum"],
        10000
    );
    assert!(api["paths"]["/collections/orte/items"]["get"].is_object());
    assert!(
        api["paths"]
            .get("/collections/luftmessstationen/items")
            .is_none()
    );
    // The WMS links each open layer's features (DataURL), and only those.
    let capabilities = get(
        &server,
        "/ows?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0",
    )
    .await;
    let orte = format!("{}/ogcapi/collections/orte/items", server.base);
    assert!(
        capabilities
            .body
            .contains(&format!("xlink:href=\"{orte}\"")),
        "DataURL of orte"
    );
    assert!(
        !capabilities
            .body
            .contains("/ogcapi/collections/luftmessstationen")
    );
    // A landing page that is asked with something else than f and lang.
    let refused = get(&server, "/ogcapi?service=WFS").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["code"], "InvalidParameterValue");
    let refused = get(&server, "/ogcapi?f=xml").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let refused = fetch(&server.url("/ogcapi"), &[("accept", "application/xml")]).await;
    assert_eq!(refused.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn collections_are_the_open_layers_and_items_match_the_sources() {
    let server = TestServer::start(&demo_site());
    let collections = get(&server, "/ogcapi/collections").await.json();
    let listed: Vec<&str> = collections["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let layers = demo_layers();
    // The air stations' licence is NOASSERTION: not open data.
    assert!(!listed.contains(&"luftmessstationen"), "{listed:?}");
    let open: Vec<&str> = layers
        .keys()
        .map(String::as_str)
        .filter(|id| *id != "luftmessstationen")
        .collect();
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, open);
    for id in open {
        let collection = get(&server, &format!("/ogcapi/collections/{id}"))
            .await
            .json();
        assert_eq!(collection["id"], id);
        assert_eq!(collection["itemType"], "feature");
        assert_eq!(collection["storageCrs"], EPSG_25832);
        let crs = collection["crs"].as_array().unwrap();
        assert!(crs.contains(&Value::from(CRS84)) && crs.contains(&Value::from(EPSG_25832)));
        let bbox = &collection["extent"]["spatial"]["bbox"][0];
        let (west, south) = (bbox[0].as_f64().unwrap(), bbox[1].as_f64().unwrap());
        assert!(
            (3.0..16.0).contains(&west) && (46.0..56.0).contains(&south),
            "{bbox}"
        );
        assert!(rel(&collection, "items").is_some());
        let items = get(&server, &format!("/ogcapi/collections/{id}/items?limit=1")).await;
        assert_eq!(items.status, StatusCode::OK);
        assert!(
            items
                .header("content-type")
                .starts_with("application/geo+json")
        );
        assert_eq!(items.header("content-crs"), format!("<{CRS84}>"));
        let items = items.json();
        let expected = source_count(&layers[id]);
        assert_eq!(items["numberMatched"], expected, "{id}");
        assert_eq!(items["numberReturned"], 1, "{id}");
        assert!(items["timeStamp"].as_str().is_some());
        assert!(rel(&items, "collection").is_some());
    }
    let hidden = get(&server, "/ogcapi/collections/luftmessstationen/items").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.json()["code"], "NotFound");
}

#[tokio::test]
async fn next_links_page_through_a_whole_collection_once() {
    let server = TestServer::start(&demo_site());
    let expected = source_count(&demo_layers()["orte"]);
    let mut url = server.url("/ogcapi/collections/orte/items?limit=100");
    let mut seen = HashSet::new();
    let mut pages = 0;
    loop {
        let page = fetch(&url, &[]).await.json();
        pages += 1;
        for id in ids(&page) {
            assert!(seen.insert(id.clone()), "feature {id} came twice");
        }
        assert_eq!(page["numberMatched"], expected);
        match rel(&page, "next") {
            Some(next) => url = next.to_owned(),
            None => break,
        }
        assert!(pages < 100, "next links do not end");
    }
    assert_eq!(seen.len(), expected);
    assert_eq!(pages, expected.div_ceil(100));
    // A prev link goes back; an offset past the end is an empty page.
    let second = get(&server, "/ogcapi/collections/orte/items?limit=10&offset=10")
        .await
        .json();
    let prev = fetch(rel(&second, "prev").unwrap(), &[]).await.json();
    let first = get(&server, "/ogcapi/collections/orte/items?limit=10")
        .await
        .json();
    assert_eq!(ids(&prev), ids(&first));
    let beyond = get(&server, "/ogcapi/collections/orte/items?offset=100000")
        .await
        .json();
    assert_eq!(beyond["numberReturned"], 0);
    assert!(rel(&beyond, "next").is_none());
    // A limit above the maximum is served as the maximum, not refused.
    let all = get(&server, "/ogcapi/collections/orte/items?limit=50000")
        .await
        .json();
    assert_eq!(all["numberReturned"], expected);
}

#[tokio::test]
async fn bbox_bbox_crs_and_crs_select_and_project_features() {
    let server = TestServer::start(&demo_site());
    let path = "/ogcapi/collections/orte/items?limit=10000";
    let everything = get(&server, path).await.json();
    // Around Hannover, in CRS84 (lon/lat), in EPSG:4326 (lat/lon) and in
    // EPSG:25832 (metres): the same places.
    let (west, south, east, north) = (9.6, 52.3, 9.9, 52.45);
    let inside: Vec<String> = everything["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let c = &f["geometry"]["coordinates"];
            let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            (west..=east).contains(&x) && (south..=north).contains(&y)
        })
        .map(|f| f["id"].to_string())
        .collect();
    assert!(inside.len() >= 3, "{inside:?}");
    let in_crs84 = get(
        &server,
        &format!("{path}&bbox={west},{south},{east},{north}"),
    )
    .await
    .json();
    let mut found = ids(&in_crs84);
    found.sort();
    let mut expected = inside.clone();
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(in_crs84["numberMatched"], inside.len());
    let in_4326 = get(
        &server,
        &format!("{path}&bbox={south},{west},{north},{east}&bbox-crs={EPSG_4326}"),
    )
    .await
    .json();
    assert_eq!(ids(&in_4326), ids(&in_crs84));
    // The same box in metres is a little larger (its corners are
    // projected), so it holds at least these places.
    let in_utm = get(
        &server,
        &format!("{path}&bbox=540000,5795000,560000,5812000&bbox-crs={EPSG_25832}"),
    )
    .await
    .json();
    assert!(in_utm["numberMatched"].as_u64().unwrap() >= 1);

    // Output in EPSG:25832: metres, two decimals, and the header says so.
    let first = get(&server, "/ogcapi/collections/orte/items?limit=1")
        .await
        .json();
    let lonlat = &first["features"][0]["geometry"]["coordinates"];
    let utm = get(
        &server,
        &format!("/ogcapi/collections/orte/items?limit=1&crs={EPSG_25832}"),
    )
    .await;
    assert_eq!(utm.status, StatusCode::OK);
    assert_eq!(utm.header("content-crs"), format!("<{EPSG_25832}>"));
    let metres = &utm.json()["features"][0]["geometry"]["coordinates"];
    let (e, n) = (metres[0].as_f64().unwrap(), metres[1].as_f64().unwrap());
    assert!(
        (250_000.0..900_000.0).contains(&e) && (5_600_000.0..6_100_000.0).contains(&n),
        "{metres}"
    );
    assert_eq!((e * 100.0).round() / 100.0, e, "two decimals");
    let text = lonlat[0].to_string();
    assert!(
        text.split('.').nth(1).is_none_or(|d| d.len() <= 7),
        "{text}"
    );
    // EPSG:4326 is latitude first.
    let wgs = get(
        &server,
        &format!("/ogcapi/collections/orte/items?limit=1&crs={EPSG_4326}"),
    )
    .await;
    assert_eq!(wgs.header("content-crs"), format!("<{EPSG_4326}>"));
    let latlon = &wgs.json()["features"][0]["geometry"]["coordinates"];
    assert_eq!(latlon[0], lonlat[1]);
    assert_eq!(latlon[1], lonlat[0]);

    for bad in [
        "bbox=1,2,3",
        "bbox=10,53,9,52",
        "bbox=a,b,c,d",
        "limit=0",
        "limit=many",
        "offset=-1",
        "crs=http://www.opengis.net/def/crs/EPSG/0/31467",
        "bbox=1,2,3,4&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/2056",
        "resultType=hits",
    ] {
        let refused = get(&server, &format!("/ogcapi/collections/orte/items?{bad}")).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
        let body = refused.json();
        assert_eq!(body["code"], "InvalidParameterValue", "{bad}");
        assert!(!body["description"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn property_filters_features_by_id_and_no_personal_field_anywhere() {
    let (_site, server) = open_data_site::start(&[]);
    let air = get(&server, "/ogcapi/collections/messpunkte/items?art=Luft")
        .await
        .json();
    assert_eq!(ids(&air), ["\"mp-1\"", "\"mp-3\""]);
    assert_eq!(air["numberMatched"], 2);
    let one = get(
        &server,
        "/ogcapi/collections/messpunkte/items?art=Luft&name=Eilenriede",
    )
    .await
    .json();
    assert_eq!(ids(&one), ["\"mp-3\""]);
    let none = get(
        &server,
        "/ogcapi/collections/messpunkte/items?name=Nirgendwo",
    )
    .await
    .json();
    assert_eq!(none["numberMatched"], 0);
    // A personal field is no filter: it does not exist for the public.
    let refused = get(
        &server,
        "/ogcapi/collections/messpunkte/items?betreuer=Erika%20Mustermann",
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    let feature = get(&server, "/ogcapi/collections/messpunkte/items/mp-2").await;
    assert_eq!(feature.status, StatusCode::OK);
    assert!(
        feature
            .header("content-type")
            .starts_with("application/geo+json")
    );
    let feature = feature.json();
    assert_eq!(feature["type"], "Feature");
    assert_eq!(feature["id"], "mp-2");
    assert_eq!(feature["properties"]["name"], "Maschsee");
    assert_eq!(feature["geometry"]["coordinates"][0], 9.745);
    assert!(rel(&feature, "collection").is_some());
    let metres = get(
        &server,
        &format!("/ogcapi/collections/messpunkte/items/mp-2?crs={EPSG_25832}"),
    )
    .await;
    assert_eq!(metres.header("content-crs"), format!("<{EPSG_25832}>"));
    assert!(
        metres.json()["geometry"]["coordinates"][0]
            .as_f64()
            .unwrap()
            > 500_000.0
    );

    for missing in [
        "/ogcapi/collections/messpunkte/items/mp-9",
        "/ogcapi/collections/nirgendwo",
        "/ogcapi/collections/nirgendwo/items",
        "/ogcapi/collections/nirgendwo/items/1",
    ] {
        let answer = get(&server, missing).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(answer.json()["code"], "NotFound");
    }
    let refused = get(&server, "/ogcapi/collections/messpunkte/items/mp-2?limit=3").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    // Clause L3: the personal field and its values appear in no answer,
    // JSON or HTML, not even for the operator.
    for path in [
        "/ogcapi/collections",
        "/ogcapi/collections/messpunkte",
        "/ogcapi/collections/messpunkte/items",
        "/ogcapi/collections/messpunkte/items?f=html",
        "/ogcapi/collections/messpunkte/items/mp-1",
        "/ogcapi/collections/messpunkte/items/mp-1?f=html",
        "/ogcapi/api",
    ] {
        for token in [None, Some(TOKEN)] {
            let mut headers = Vec::new();
            let bearer = format!("Bearer {TOKEN}");
            if token.is_some() {
                headers.push((AUTHORIZATION.as_str(), bearer.as_str()));
            }
            let answer = fetch(&server.url(path), &headers).await;
            assert_eq!(answer.status, StatusCode::OK, "{path}");
            for marker in ["betreuer", "Mustermann"] {
                assert!(
                    !answer.body.contains(marker),
                    "{marker} in {path}:\n{}",
                    answer.body
                );
            }
        }
    }
}

#[tokio::test]
async fn a_restricted_layer_is_a_collection_only_for_its_role() {
    let (_site, server) = open_data_site::start(&[("NUMIS_ACCOUNTS__ENABLED", "true")]);
    let anonymous = get(&server, "/ogcapi/collections").await;
    assert!(!anonymous.body.contains("baustellen"), "{}", anonymous.body);
    assert!(!anonymous.body.contains("Geplante Baustellen"));
    assert!(
        !get(&server, "/ogcapi/api")
            .await
            .body
            .contains("baustellen")
    );
    // Exactly like a name that never existed.
    let hidden = get(&server, "/ogcapi/collections/baustellen/items").await;
    let unknown = get(&server, "/ogcapi/collections/baustellex/items").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(
        hidden.body.replace("baustellen", "X"),
        unknown.body.replace("baustellex", "X")
    );

    // A session whose account holds the role sees it, privately.
    create_account(&server, "Förster", false);
    let (status, output) = server.run_numis(&["account", "grant", "Förster", "intern"]);
    assert!(status.success(), "{output}");
    let browser = login(&server, "Förster").await;
    let cookie = [(COOKIE.as_str(), browser.cookie.as_str())];
    let with_role = fetch(&server.url("/ogcapi/collections"), &cookie)
        .await
        .json();
    let ids: Vec<&str> = with_role["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["messpunkte", "baustellen"]);
    let items = fetch(&server.url("/ogcapi/collections/baustellen/items"), &cookie).await;
    assert_eq!(items.status, StatusCode::OK);
    assert!(items.header("cache-control").contains("private"));
    assert!(items.headers.get(SET_COOKIE).is_none());
    assert_eq!(items.json()["numberMatched"], 1);
}

#[tokio::test]
async fn html_pages_are_themed_translated_and_carry_no_cookie_or_inline_script() {
    let server = TestServer::start(&demo_site());
    let browser = [(ACCEPT.as_str(), "text/html,application/xhtml+xml,*/*;q=0.8")];
    for path in [
        "/ogcapi",
        "/ogcapi/conformance",
        "/ogcapi/api",
        "/ogcapi/collections",
        "/ogcapi/collections/gemeinden",
        "/ogcapi/collections/gemeinden/items?limit=20",
        "/ogcapi/collections/gemeinden/items/0",
    ] {
        let page = fetch(&server.url(path), &browser).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(
            page.header("content-type").starts_with("text/html"),
            "{path}"
        );
        assert!(page.headers.get(SET_COOKIE).is_none(), "{path}");
        assert!(!page.body.contains("<script"), "{path}: no script at all");
        assert!(!page.body.contains(" style="), "{path}: no inline style");
        assert!(page.body.contains("<main"), "{path}: landmarks");
        assert!(page.body.contains("<h1>"), "{path}: a heading");
        assert!(
            page.header("content-security-policy")
                .contains("script-src 'self'")
        );
    }
    let items = fetch(
        &server.url("/ogcapi/collections/gemeinden/items?limit=20"),
        &browser,
    )
    .await;
    assert!(items.body.contains("<caption>"), "{}", items.body);
    assert!(
        items.body.contains("/karte?layers=gemeinden"),
        "a link to the map"
    );
    assert!(items.body.contains("rel=\"next\""));
    assert!(items.body.contains("Nächste Seite"), "German by default");
    let english = fetch(
        &server.url("/ogcapi/collections/gemeinden/items?limit=20"),
        &[browser[0], ("accept-language", "en-GB,en;q=0.8")],
    )
    .await;
    assert!(english.body.contains("Next page"));
    assert!(english.body.contains("/en/karte?layers=gemeinden"));
    let by_param = get(&server, "/ogcapi/collections?f=html&lang=en").await;
    assert!(by_param.header("content-type").starts_with("text/html"));
    assert!(by_param.body.contains("<html lang=\"en\""));
    // An HTML refusal is a page too, with the status.
    let missing = fetch(&server.url("/ogcapi/collections/nirgendwo"), &browser).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.header("content-type").starts_with("text/html"));
}

#[tokio::test]
async fn reads_are_counted_per_collection_and_unknown_names_not_at_all() {
    let mut server = TestServer::start(&demo_site());
    for path in [
        "/ogcapi",
        "/ogcapi/collections",
        "/ogcapi/collections/orte",
        "/ogcapi/collections/orte/items?limit=5",
        "/ogcapi/collections/orte/items?limit=5&offset=5",
        "/ogcapi/collections/orte/items/0",
        "/ogcapi/collections/geheimnisvoll/items",
    ] {
        get(&server, path).await;
    }
    let status = server.stop();
    assert!(status.success(), "clean shutdown: {status}");
    use numis_store::Store;
    let store = server.store().await;
    let today = chrono::Utc::now().date_naive();
    let mut counts: Vec<(String, String, u64)> = store
        .event_counts(today - chrono::Days::new(1), today + chrono::Days::new(1))
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.event.starts_with("ogcapi."))
        .map(|c| (c.event, c.subject, c.count))
        .collect();
    counts.sort();
    let expected: Vec<(String, String, u64)> = [
        ("ogcapi.collection", "orte", 1),
        ("ogcapi.feature", "orte", 1),
        ("ogcapi.items", "orte", 2),
        ("ogcapi.request", "collection", 1),
        ("ogcapi.request", "collections", 1),
        ("ogcapi.request", "landing", 1),
    ]
    .into_iter()
    .map(|(e, s, n)| (e.to_owned(), s.to_owned(), n))
    .collect();
    assert_eq!(counts, expected);
    store.close().await;
    for (path, bytes) in server.stored_data() {
        assert!(
            !bytes.windows(13).any(|w| w == b"geheimnisvoll"),
            "a name the client made up reached {path}"
        );
    }
}
