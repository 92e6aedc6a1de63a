//! `/api/series/{layer}/{station}`, the measured series behind the
//! stations' charts, against the demo's CSV: every value as the table has
//! it, periods, parameters, CSV download with source note and licence, the
//! configured limits, and clear refusals.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, SET_COOKIE};
use serde_json::Value;

use numis_store::testing::{ScratchSchema, postgres_url};

use crate::util::{TestServer, client, demo_site, repo_root};
use crate::wms::{demo_server, site_with_map};

/// The demo table's rows of `station` and `parameter`: (date, value),
/// oldest first.
fn table_rows(station: &str, parameter: &str) -> Vec<(String, f64)> {
    let text = std::fs::read_to_string(repo_root().join("data/ni_luft_messwerte_uba.csv")).unwrap();
    let mut rows: Vec<(String, f64)> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[0] == station && f[1] == parameter)
        .map(|f| (f[3].to_owned(), f[4].parse().unwrap()))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

async fn get(server: &TestServer, path: &str) -> reqwest::Response {
    let response = client().get(server.url(path)).send().await.unwrap();
    assert!(response.headers().get(SET_COOKIE).is_none(), "{path}");
    response
}

async fn get_json(server: &TestServer, path: &str) -> (StatusCode, Value) {
    let response = get(server, path).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap())
}

fn points(series: &Value) -> Vec<(String, f64)> {
    series["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["date"].as_str().unwrap().to_owned(),
                p["value"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_station_has_every_value_of_the_table_with_limits_source_and_licence() {
    let server = demo_server();
    let (status, body) = get_json(&server, "/api/series/luftmessstationen/DENI054").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["station"], "DENI054");
    let series = body["series"].as_array().unwrap();
    assert_eq!(series.len(), 3, "{body}");
    for s in series {
        let parameter = s["parameter"].as_str().unwrap();
        assert_eq!(points(s), table_rows("DENI054", parameter), "{parameter}");
        assert!(!s["label"].as_str().unwrap().is_empty());
    }
    let no2 = series
        .iter()
        .find(|s| s["parameter"] == "NO2_annual_mean")
        .unwrap();
    assert_eq!(no2["unit"], "µg/m³");
    assert_eq!(no2["label"], "NO₂-Jahresmittelwert");
    assert_eq!(no2["limit"]["value"], 40.0);
    assert!(
        no2["limit"]["label"]
            .as_str()
            .unwrap()
            .contains("39. BImSchV")
    );
    let days = series
        .iter()
        .find(|s| s["parameter"] == "PM10_days_over_50")
        .unwrap();
    assert_eq!(days["limit"]["value"], 35.0);
    assert!(
        body["source"].as_str().unwrap().contains("Umweltbundesamt"),
        "{body}"
    );
    assert_eq!(body["licence"]["id"], "NOASSERTION");

    let (_, english) = get_json(&server, "/api/series/luftmessstationen/DENI054?lang=en").await;
    let no2 = &english["series"].as_array().unwrap()[0];
    assert_eq!(no2["label"], "NO₂ annual mean");
    assert!(
        no2["limit"]["label"]
            .as_str()
            .unwrap()
            .contains("2008/50/EC")
    );
}

#[tokio::test]
async fn parameters_and_periods_select_what_is_shown() {
    let server = demo_server();
    let (status, body) = get_json(
        &server,
        "/api/series/luftmessstationen/DENI054?parameter=PM10_annual_mean&from=2005&to=2008",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let series = body["series"].as_array().unwrap();
    assert_eq!(series.len(), 1);
    let expected: Vec<(String, f64)> = table_rows("DENI054", "PM10_annual_mean")
        .into_iter()
        .filter(|(date, _)| ("2005".."2009").contains(&date.as_str()))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(points(&series[0]), expected);
    assert_eq!(
        (body["from"].as_str(), body["to"].as_str()),
        (Some("2005"), Some("2008"))
    );

    let (_, two) = get_json(
        &server,
        "/api/series/luftmessstationen/DENI054?parameter=NO2_annual_mean,PM10_annual_mean",
    )
    .await;
    assert_eq!(two["series"].as_array().unwrap().len(), 2);
    let (_, none) = get_json(&server, "/api/series/luftmessstationen/DENI054?from=2030").await;
    assert!(
        none["series"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["points"].as_array().unwrap().is_empty()),
        "a period without values is no error: {none}"
    );
}

#[tokio::test]
async fn the_csv_download_carries_the_values_source_and_licence() {
    let server = demo_server();
    let response = get(
        &server,
        "/api/series/luftmessstationen/DENI054?parameter=NO2_annual_mean&format=csv",
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = response.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("luftmessstationen-DENI054.csv"),
        "{disposition}"
    );
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "station",
            "parameter",
            "unit",
            "date",
            "value",
            "source",
            "licence"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let expected = table_rows("DENI054", "NO2_annual_mean");
    assert_eq!(rows.len(), expected.len());
    for (row, (date, value)) in rows.iter().zip(&expected) {
        assert_eq!(&row[0], "DENI054");
        assert_eq!(&row[3], date);
        assert_eq!(row[4].parse::<f64>().unwrap(), *value);
        assert!(row[5].contains("Umweltbundesamt"), "{row:?}");
        assert_eq!(&row[6], "NOASSERTION");
    }
}

#[tokio::test]
async fn unknown_things_are_404_and_bad_periods_400_with_a_reason() {
    let server = demo_server();
    for path in [
        "/api/series/luftmessstationen/DENI999",
        "/api/series/gibtsnicht/DENI054",
        "/api/series/fluesse/Weser",
        "/api/series/luftmessstationen/DENI054?parameter=O3_annual_mean",
    ] {
        let (status, body) = get_json(&server, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    for (query, says) in [
        ("from=letztes%20Jahr", "from"),
        ("to=2010-13", "to"),
        ("from=2011&to=2010", "after"),
        ("format=xlsx", "format"),
    ] {
        let path = format!("/api/series/luftmessstationen/DENI054?{query}");
        let (status, body) = get_json(&server, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(body.to_string().contains(says), "{path}: {body}");
    }
    // The server goes on.
    let (status, _) = get_json(&server, "/api/series/luftmessstationen/DENI054").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_stations_of_a_layer_are_listed_by_name_with_their_keys() {
    let server = demo_server();
    let (status, body) = get_json(&server, "/api/series/luftmessstationen").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stations = body["stations"].as_array().unwrap();
    let geojson: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("data/ni_luft_messstationen_uba.geojson"))
            .unwrap(),
    )
    .unwrap();
    let features = geojson["features"].as_array().unwrap();
    assert_eq!(stations.len(), features.len());
    let names: Vec<&str> = stations
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "in name order");
    for feature in features {
        let key = &feature["properties"]["station_id"];
        let listed = stations.iter().find(|s| &s["station"] == key).unwrap();
        assert_eq!(listed["name"], feature["properties"]["name"]);
        // The position in EPSG:25832, whole metres, for marking it on the map.
        let [lon, lat] = [0, 1].map(|i| feature["geometry"]["coordinates"][i].as_f64().unwrap());
        let (x, y) = numis_map::crs::Crs::Wgs84
            .transform(numis_map::crs::Crs::Utm32, lon, lat)
            .unwrap();
        let at = listed["at"].as_array().expect("a position");
        assert!(
            (at[0].as_f64().unwrap() - x).abs() <= 1.0,
            "{key}: x {at:?} against {x}"
        );
        assert!(
            (at[1].as_f64().unwrap() - y).abs() <= 1.0,
            "{key}: y {at:?} against {y}"
        );
    }
    for path in ["/api/series/fluesse", "/api/series/gibtsnicht"] {
        let (status, _) = get_json(&server, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_series() {
    let server = demo_server();
    let (status, api) = get_json(&server, "/ogcapi/api?f=json").await;
    assert_eq!(status, StatusCode::OK);
    let path = &api["paths"]["/api/series/{layer}/{station}"];
    assert_eq!(path["get"]["operationId"], "series", "{api}");
    let server_url = path["servers"][0]["url"].as_str().unwrap();
    assert!(!server_url.ends_with("/ogcapi"), "{server_url}");
    let layers = &path["get"]["parameters"][0]["schema"]["enum"];
    assert_eq!(layers, &serde_json::json!(["luftmessstationen"]));
    assert_eq!(
        api["paths"]["/api/series/{layer}"]["get"]["operationId"],
        "stations"
    );
}

/// The demo's measurements in a PostgreSQL table of a scratch schema, with
/// the date as `date` and the value as `numeric`, and a site whose station
/// layer reads them from there. `None` (skipped) without PostgreSQL
/// outside CI.
fn database_site() -> Option<(TestServer, tempfile::TempDir, ScratchSchema)> {
    let schema = ScratchSchema::create_blocking()?;
    let url = postgres_url();
    let csv = repo_root().join("data/ni_luft_messwerte_uba.csv");
    let sql = format!(
        "CREATE TABLE {s}.messwerte (station_id text, parameter text, unit text, date date, value numeric); \
         \\copy {s}.messwerte FROM '{csv}' WITH (FORMAT csv, HEADER true)",
        s = schema.name(),
        csv = csv.display()
    );
    for statement in sql.split("; ") {
        let output = std::process::Command::new("psql")
            .args([url.as_str(), "-v", "ON_ERROR_STOP=1", "-q", "-c", statement])
            .output()
            .expect("psql runs");
        assert!(
            output.status.success(),
            "{statement}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let demo = std::fs::read_to_string(demo_site().join("map.toml")).unwrap();
    let map = demo.replace(
        "path = \"../data/ni_luft_messwerte_uba.csv\"",
        &format!(
            "database = {{ connection = \"{url}\", table = \"{}.messwerte\" }}",
            schema.name()
        ),
    );
    assert_ne!(map, demo);
    let site = site_with_map(&map.replace("../data/", "{data}/"), &[]);
    let server = TestServer::start(site.path());
    Some((server, site, schema))
}

#[tokio::test]
async fn a_postgresql_table_serves_the_same_series_as_the_csv() {
    let Some((server, _site, _schema)) = tokio::task::spawn_blocking(database_site).await.unwrap()
    else {
        return;
    };
    let demo = demo_server();
    for path in [
        "/api/series/luftmessstationen/DENI054",
        "/api/series/luftmessstationen/DENI052?parameter=PM10_days_over_50&from=2004&to=2009",
        "/api/series/luftmessstationen/DENI054?lang=en&to=2003-06",
    ] {
        let (status, from_database) = get_json(&server, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {from_database}");
        let (_, from_csv) = get_json(&demo, path).await;
        assert_eq!(from_database, from_csv, "{path}");
    }
    let (status, latest) = get_json(&server, "/api/measurements/luftmessstationen/DENI054").await;
    assert_eq!(status, StatusCode::OK);
    let (_, latest_csv) = get_json(&demo, "/api/measurements/luftmessstationen/DENI054").await;
    assert_eq!(latest, latest_csv);
    let (status, _) = get_json(&server, "/api/series/luftmessstationen/DENI999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
