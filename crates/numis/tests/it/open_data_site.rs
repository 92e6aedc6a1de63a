//! The site the open-data tests share (downloads, OGC API – Features): a
//! point layer with a personal field, a layer restricted to the role
//! `intern`, and a layer withheld (`open_data = false`) although its
//! licence is open.

use serde_json::Value;

use crate::util::TestServer;
use crate::wms::{TOKEN, site_with_map};

const SITE: &str = r##"
[[layer]]
id = "messpunkte"
title = "Öffentliche Messpunkte"
source = { type = "geojson", path = "messpunkte.geojson" }
licence = { id = "CC-BY-4.0", url = "https://creativecommons.org/licenses/by/4.0/" }
attribution = "Öffentliche Quelle"
queryable = [{ field = "name", label = "Name" }, { field = "art" }, { field = "betreuer" }]
personal = ["betreuer"]
[[layer.rule]]
symbol = "circle"
fill = "#0000ff"

[[layer]]
id = "baustellen"
title = "Geplante Baustellen"
source = { type = "geojson", path = "baustellen.geojson" }
access = "intern"
licence = { id = "DL-DE-BY-2.0" }
attribution = "Interne Planung"
[[layer.rule]]
fill = "#ff0000"

[[layer]]
id = "zurueckgehalten"
title = "Zurückgehalten"
source = { type = "geojson", path = "messpunkte.geojson" }
licence = { id = "CC-BY-4.0" }
open_data = false
"##;

/// Three measuring points in Hannover; `betreuer` names a person.
const POINTS: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","id":"mp-1","properties":{"name":"Kröpcke","art":"Luft","betreuer":"Erika Mustermann","hoehe":55},"geometry":{"type":"Point","coordinates":[9.7386,52.3745]}},
  {"type":"Feature","id":"mp-2","properties":{"name":"Maschsee","art":"Wasser","betreuer":"Erika Mustermann","hoehe":53.5},"geometry":{"type":"Point","coordinates":[9.745,52.36]}},
  {"type":"Feature","id":"mp-3","properties":{"name":"Eilenriede","art":"Luft","betreuer":"Max Mustermann","hoehe":60},"geometry":{"type":"Point","coordinates":[9.78,52.385]}}]}"#;

/// The restricted layer's one area, east of Braunschweig.
const AREA: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Geheimes Projekt"},"geometry":{"type":"Polygon",
   "coordinates":[[[10.45,52.22],[10.60,52.22],[10.60,52.32],[10.45,52.32],[10.45,52.22]]]}}]}"#;

/// Serves the site with the operator token `wms::TOKEN` and `env`.
pub fn start(env: &[(&str, &str)]) -> (tempfile::TempDir, TestServer) {
    let site = site_with_map(
        SITE,
        &[("messpunkte.geojson", POINTS), ("baustellen.geojson", AREA)],
    );
    let mut all = vec![("NUMIS_WMS__OPERATOR_TOKEN", TOKEN)];
    all.extend_from_slice(env);
    let server = TestServer::start_with(site.path(), &all);
    (site, server)
}

/// Features with a geometry in the GeoJSON file at `path` (what a layer
/// of it holds).
pub fn source_count(path: &std::path::Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    value["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["geometry"].is_null())
        .count()
}
