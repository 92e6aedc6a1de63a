//! L3 and L5, live: what an anonymous caller can take away of each
//! layer's data — the open-data list and its ZIPs, OGC API – Features,
//! feature info — is read: a field the operator declared personal must be
//! in none of them, no field a visitor gets may look like personal data
//! (a name such as `email` or `telefon`, values that are e-mail
//! addresses), and every open layer's files carry its licence note.

use std::io::Read as _;
use std::path::Path;

use numis_map::config::{LayerConfig, MapConfig};
use serde_json::Value;
use url::Url;

use super::crawl::Crawl;
use super::findings::Findings;
use super::http::get_json;

/// Field names that hold personal data in German and English geodata.
const PERSONAL_NAMES: &[&str] = &[
    "email",
    "e_mail",
    "e-mail",
    "mail",
    "telefon",
    "telephone",
    "phone",
    "tel",
    "mobil",
    "mobile",
    "fax",
    "vorname",
    "nachname",
    "familienname",
    "firstname",
    "first_name",
    "lastname",
    "last_name",
    "surname",
    "geburtsdatum",
    "birthdate",
    "date_of_birth",
    "eigentuemer",
    "eigentümer",
    "besitzer",
    "owner",
    "halter",
    "anschrift",
    "postanschrift",
    "iban",
];
/// The most features read per layer from OGC API – Features.
const SAMPLE: usize = 50;
/// The largest ZIP the audit downloads to read its licence note.
const MAX_ZIP_BYTES: u64 = 64 * 1024 * 1024;
/// Values of a personal field searched for, per field: the first distinct
/// ones of at least [`MIN_VALUE_CHARS`] characters (shorter ones, "1" or
/// "ja", occur anywhere).
const VALUES_PER_FIELD: usize = 10;
const MIN_VALUE_CHARS: usize = 4;

/// What the data showed.
#[derive(Default)]
pub struct Data {
    pub l3: Findings,
    pub l5: Findings,
    pub not_run: Vec<String>,
    /// The text files of each open layer's ZIP, by layer, for L3.
    zips: std::collections::HashMap<String, Vec<(String, String)>>,
}

/// Reads every layer's outputs as an anonymous caller. With the site's
/// folder (`site_dir`, when the audit runs beside the portal), values of
/// the personal fields are read from the layers' files and searched for
/// as well.
pub async fn check(
    client: &reqwest::Client,
    base: &Url,
    crawl: &Crawl,
    map: &MapConfig,
    site_dir: Option<&Path>,
) -> Data {
    let mut out = Data::default();
    let capabilities = crawl
        .answers
        .iter()
        .find(|a| a.path.contains("GetCapabilities"))
        .map(|a| a.body.as_str())
        .unwrap_or_default();
    let offered = offered(&crawl.json("/api/data"));
    let catalogue = crawl.json("/api/layers");
    let mut values_searched = 0;
    for layer in &map.layers {
        let id = layer.id.as_str();
        let open = is_open(layer);
        let offer = offered.iter().find(|o| o["id"].as_str() == Some(id));
        judge_listing(client, base, layer, open, offer, &mut out).await;
        if layer.access != "public" {
            continue;
        }
        let outputs = outputs(client, base, id, open, &catalogue["layers"][id], &mut out).await;
        judge_fields(id, &layer.personal, &outputs, &mut out.l3);
        let Some(site_dir) = site_dir.filter(|_| !layer.personal.is_empty()) else {
            continue;
        };
        // Where a value would show: the outputs above, the capabilities,
        // the layer's listing and its downloads (and the search, asked
        // for each value).
        let mut texts: Vec<(String, String)> = outputs
            .iter()
            .map(|(what, value)| (what.clone(), value.to_string()))
            .collect();
        texts.push(("the WMS capabilities".into(), capabilities.to_owned()));
        texts.push(("/api/layers".into(), catalogue["layers"][id].to_string()));
        texts.extend(out.zips.remove(id).unwrap_or_default());
        values_searched += search_values(client, base, site_dir, layer, &texts, &mut out).await;
    }
    if values_searched > 0 {
        out.l3.saw(format!(
            "{values_searched} values of the personal fields, read from the layers' files, searched for in the capabilities, /api/layers, the search, feature info, OGC API items and downloads: none found"
        ));
    }
    let declared: usize = map.layers.iter().map(|l| l.personal.len()).sum();
    out.l3.saw(format!(
        "{declared} fields declared personal in map.toml; every public layer's feature info fields, and of open layers their OGC API items, feature info and downloads, searched for them and for fields that look personal"
    ));
    out
}

/// Are the layer's data to be offered as open data (clause L5)? As
/// numis decides it: public, from a file, and `open_data` or else an open
/// licence.
fn is_open(layer: &LayerConfig) -> bool {
    layer.access == "public"
        && layer.source.file().is_some()
        && layer
            .open_data
            .unwrap_or_else(|| numis_map::attribution::is_open_licence(&layer.licence.id))
}

/// L5: an open layer is offered (and its offer read), any other is not.
async fn judge_listing(
    client: &reqwest::Client,
    base: &Url,
    layer: &LayerConfig,
    open: bool,
    offer: Option<&Value>,
    out: &mut Data,
) {
    let id = layer.id.as_str();
    match (open, offer) {
        (true, Some(offer)) => judge_offer(client, base, id, offer, &layer.personal, out).await,
        (true, None) => out
            .l5
            .problem(format!("the open layer {id:?} is not offered at /api/data")),
        (false, Some(_)) => out.l5.problem(format!(
            "the layer {id:?} is offered as open data, but its licence {:?} is not an open one (or open_data = false, or it is restricted)",
            layer.licence.id
        )),
        (false, None) if layer.access == "public" => out.l5.saw(format!(
            "{id:?} ({}) is offered nowhere as open data",
            if layer.licence.id.is_empty() { "no licence" } else { layer.licence.id.as_str() }
        )),
        (false, None) => {}
    }
}

/// What a visitor gets of the layer's features: the feature info fields
/// of its `listing` in `/api/layers`, and of an open layer OGC API items
/// and feature info at the first of them.
async fn outputs(
    client: &reqwest::Client,
    base: &Url,
    id: &str,
    open: bool,
    listing: &Value,
    out: &mut Data,
) -> Vec<(String, Value)> {
    let mut outputs: Vec<(String, Value)> = Vec::new();
    let fields = listing["fields"].as_array();
    let queryable = fields.is_some_and(|f| !f.is_empty());
    if let Some(fields) = fields {
        let names: Vec<Value> = fields.iter().map(|f| f["field"].clone()).collect();
        outputs.push((
            "feature info fields of /api/layers".into(),
            Value::Array(names),
        ));
    }
    if !open {
        return outputs;
    }
    match items(client, base, id).await {
        Ok(items) => {
            if let Some(at) = first_position(&items).filter(|_| queryable) {
                match feature_info(client, base, id, at).await {
                    Ok(info) => outputs.push(("GetFeatureInfo".into(), info)),
                    Err(e) => out.not_run.push(format!("L3: feature info of {id:?}: {e}")),
                }
            }
            outputs.push(("OGC API – Features items".into(), items));
        }
        Err(e) => out.not_run.push(format!("L3: items of {id:?}: {e}")),
    }
    outputs
}

/// Values of the layer's personal fields, read from its file, searched
/// for in `texts` and in the search's answer to each; how many were.
async fn search_values(
    client: &reqwest::Client,
    base: &Url,
    site_dir: &Path,
    layer: &LayerConfig,
    texts: &[(String, String)],
    out: &mut Data,
) -> usize {
    let id = layer.id.as_str();
    let values = match personal_values(site_dir, layer) {
        Ok(values) => values,
        Err(e) => {
            out.not_run.push(format!(
                "L3: the personal values of {id:?} could not be read ({e})"
            ));
            return 0;
        }
    };
    for (field, value) in &values {
        let search = match get_json(client, base, &search_path(value)).await {
            Ok(found) => Some((
                format!("the search for a value of {field:?}"),
                found.to_string(),
            )),
            Err(e) => {
                out.not_run.push(format!("L3: search: {e}"));
                None
            }
        };
        // As written in JSON, too (quotes and backslashes escaped).
        let escaped = Value::String(value.clone()).to_string();
        let bare = &escaped[1..escaped.len() - 1];
        for (what, text) in texts.iter().chain(search.as_ref()) {
            if text.contains(value.as_str()) || text.contains(bare) {
                out.l3.problem(format!(
                    "a value of the personal field {field:?} of {id:?} is in {what}"
                ));
            }
        }
    }
    values.len()
}

/// The layers `/api/data` offers.
fn offered(listing: &Value) -> Vec<Value> {
    listing["layers"].as_array().cloned().unwrap_or_default()
}

/// An open layer's offer: licence and source note listed, its ZIP holds
/// them in its licence file and no personal field.
async fn judge_offer(
    client: &reqwest::Client,
    base: &Url,
    id: &str,
    offer: &Value,
    personal: &[String],
    out: &mut Data,
) {
    let attribution = offer["attribution"].as_str().unwrap_or_default();
    let licence = offer["licence"]["id"].as_str().unwrap_or_default();
    if attribution.is_empty() || licence.is_empty() {
        out.l5.problem(format!(
            "/api/data lists {id:?} without licence or source note"
        ));
        return;
    }
    let Some(file) = offer["formats"].as_array().and_then(|f| {
        f.iter()
            .find(|f| f["format"] == "geojson")
            .or_else(|| f.first())
    }) else {
        out.l5
            .problem(format!("/api/data lists {id:?} without any file"));
        return;
    };
    let url = file["url"].as_str().unwrap_or_default();
    match zip_texts(client, base, url).await {
        Ok(files) => {
            let note = files
                .iter()
                .find(|(name, _)| name.ends_with("LIZENZ.txt") || name.ends_with("LICENCE.txt"));
            match note {
                Some((name, text)) if text.contains(attribution) && names_licence(text, &offer["licence"]) => {
                    out.l5.saw(format!(
                        "{id:?}: offered with {licence} and its source note; {url} holds {name} naming both"
                    ));
                }
                Some((name, _)) => out.l5.problem(format!(
                    "{url}: {name} does not name the source note {attribution:?} and the licence {licence}"
                )),
                None => out
                    .l5
                    .problem(format!("{url} holds no licence note (LIZENZ.txt)")),
            }
            for field in personal {
                let key = format!("\"{field}\"");
                if let Some((name, _)) = files.iter().find(|(_, text)| text.contains(&key)) {
                    out.l3.problem(format!(
                        "the personal field {field:?} of {id:?} is in {name} of {url}"
                    ));
                }
            }
            let named = files
                .into_iter()
                .map(|(name, text)| (format!("{name} of {url}"), text))
                .collect();
            out.zips.insert(id.to_owned(), named);
        }
        Err(e) => out.not_run.push(format!("L5: {url}: {e}")),
    }
}

/// Does the licence note name the licence — by its id, its short name
/// ("dl-de/by-2-0") or its address?
fn names_licence(text: &str, licence: &Value) -> bool {
    let lower = text.to_lowercase();
    ["id", "name", "url"].iter().any(|k| {
        licence[*k]
            .as_str()
            .is_some_and(|v| !v.is_empty() && lower.contains(&v.to_lowercase()))
    })
}

/// No declared personal field in any output; no output field that looks
/// personal.
fn judge_fields(id: &str, personal: &[String], outputs: &[(String, Value)], l3: &mut Findings) {
    for (what, value) in outputs {
        let mut keys = Vec::new();
        let mut emails = Vec::new();
        collect(
            value,
            &mut keys,
            &mut emails,
            what.starts_with("feature info fields"),
        );
        for field in personal {
            if keys.iter().any(|k| k == field) {
                l3.problem(format!(
                    "the personal field {field:?} of {id:?} reaches anonymous callers in {what}"
                ));
            }
        }
        keys.sort();
        keys.dedup();
        for key in keys.iter().filter(|k| looks_personal(k)) {
            if !personal.contains(key) {
                l3.problem(format!(
                    "{id:?} gives anonymous callers the field {key:?} in {what}: if it holds personal data, list it in the layer's `personal`"
                ));
            }
        }
        if let Some(email) = emails.first() {
            l3.problem(format!(
                "{id:?} gives anonymous callers e-mail addresses in {what} (e.g. {email:?}): list their field in the layer's `personal`"
            ));
        }
    }
}

/// The property names (object keys of features' `properties`, or the
/// names listed when `names` is a list of fields) and e-mail-like values.
fn collect(value: &Value, keys: &mut Vec<String>, emails: &mut Vec<String>, names: bool) {
    match value {
        Value::Array(items) if names => {
            keys.extend(items.iter().filter_map(|v| v.as_str().map(str::to_owned)));
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, keys, emails, false)),
        Value::Object(object) => {
            for (key, value) in object {
                if key == "properties" {
                    if let Some(properties) = value.as_object() {
                        keys.extend(properties.keys().cloned());
                        emails.extend(
                            properties
                                .values()
                                .filter_map(Value::as_str)
                                .filter(|s| is_email(s))
                                .map(str::to_owned),
                        );
                    }
                } else {
                    collect(value, keys, emails, false);
                }
            }
        }
        _ => {}
    }
}

fn looks_personal(key: &str) -> bool {
    let key = key.to_lowercase();
    PERSONAL_NAMES.contains(&key.as_str())
}

/// `local@domain.tld`, roughly: enough to tell an address from a name.
fn is_email(text: &str) -> bool {
    text.split_whitespace().any(|word| {
        let Some((local, domain)) = word.split_once('@') else {
            return false;
        };
        !local.is_empty()
            && domain.rsplit_once('.').is_some_and(|(host, tld)| {
                !host.is_empty() && tld.len() >= 2 && tld.chars().all(char::is_alphabetic)
            })
    })
}

/// Up to [`VALUES_PER_FIELD`] distinct values of each personal field of
/// `layer`, read from its file.
fn personal_values(site_dir: &Path, layer: &LayerConfig) -> Result<Vec<(String, String)>, String> {
    use numis_map::config::SourceConfig;
    use numis_map::data::Dataset;
    let data = match &layer.source {
        SourceConfig::Geojson { path } => Dataset::from_geojson_file(&site_dir.join(path)),
        SourceConfig::Geopackage { path, layer } => {
            Dataset::from_geopackage_file(&site_dir.join(path), layer.as_deref())
        }
        SourceConfig::Postgis(_) => return Ok(Vec::new()),
    }
    .map_err(|e| e.to_string())?;
    let mut values: Vec<(String, String)> = Vec::new();
    for field in &layer.personal {
        let mut of_field: Vec<String> = Vec::new();
        for index in 0..data.len() {
            if of_field.len() == VALUES_PER_FIELD {
                break;
            }
            let Some(value) = data.properties(index).and_then(|p| p.get(field).cloned()) else {
                continue;
            };
            let text = match value {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            if text.chars().count() >= MIN_VALUE_CHARS && !of_field.contains(&text) {
                of_field.push(text);
            }
        }
        values.extend(of_field.into_iter().map(|v| (field.clone(), v)));
    }
    Ok(values)
}

/// The search API asked for `term`.
fn search_path(term: &str) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    url.append_pair("q", term);
    format!("/api/search?{}", url.finish())
}

async fn items(client: &reqwest::Client, base: &Url, id: &str) -> Result<Value, String> {
    get_json(
        client,
        base,
        &format!("/ogcapi/collections/{id}/items?limit={SAMPLE}&f=json"),
    )
    .await
}

/// The first coordinate of the first feature, longitude and latitude.
fn first_position(items: &Value) -> Option<[f64; 2]> {
    let mut coordinates = &items["features"][0]["geometry"]["coordinates"];
    while coordinates[0].is_array() {
        coordinates = &coordinates[0];
    }
    Some([coordinates[0].as_f64()?, coordinates[1].as_f64()?])
}

/// GetFeatureInfo of `id` at `at` (longitude, latitude), as GeoJSON.
async fn feature_info(
    client: &reqwest::Client,
    base: &Url,
    id: &str,
    at: [f64; 2],
) -> Result<Value, String> {
    let d = 0.0005;
    let (lon, lat) = (at[0], at[1]);
    let path = format!(
        "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={id}&QUERY_LAYERS={id}&STYLES=\
         &CRS=EPSG:4326&BBOX={},{},{},{}&WIDTH=101&HEIGHT=101&I=50&J=50&FORMAT=image/png\
         &INFO_FORMAT=application/json&FEATURE_COUNT=10",
        lat - d,
        lon - d,
        lat + d,
        lon + d
    );
    get_json(client, base, &path).await
}

/// The text files of the ZIP at `path`, by name.
async fn zip_texts(
    client: &reqwest::Client,
    base: &Url,
    path: &str,
) -> Result<Vec<(String, String)>, String> {
    let url = base.join(path).map_err(|e| e.to_string())?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("no answer ({e})"))?;
    if !response.status().is_success() {
        return Err(format!("{}", response.status()));
    }
    if response.content_length().is_some_and(|n| n > MAX_ZIP_BYTES) {
        return Err("larger than the audit reads".into());
    }
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().to_owned();
        let mut text = String::new();
        // Binary entries (a GeoPackage) are not text: skipped.
        if entry.read_to_string(&mut text).is_ok() {
            files.push((name, text));
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_addresses_are_told_from_names() {
        assert!(is_email("max.mustermann@example.org"));
        assert!(is_email("Kontakt: poststelle@nlwkn.niedersachsen.de"));
        assert!(!is_email("Hannover"));
        assert!(!is_email("@home"));
        assert!(!is_email("a@b"));
    }

    #[test]
    fn a_declared_personal_field_and_an_undeclared_e_mail_break_l3() {
        let items = serde_json::json!({"features": [
            {"properties": {"name": "See", "halter": "x", "kontakt": "max@example.org"}}
        ]});
        let mut l3 = Findings::default();
        judge_fields(
            "seen",
            &["halter".into()],
            &[("items".into(), items.clone())],
            &mut l3,
        );
        assert_eq!(l3.problems.len(), 2, "{:?}", l3.problems);
        assert!(l3.problems[0].contains("personal field \"halter\""));
        assert!(l3.problems[1].contains("e-mail"));
        let mut clean = Findings::default();
        let items =
            serde_json::json!({"features": [{"properties": {"name": "See", "flaeche": 3}}]});
        judge_fields(
            "seen",
            &["halter".into()],
            &[("items".into(), items)],
            &mut clean,
        );
        assert!(clean.problems.is_empty());
    }
}
