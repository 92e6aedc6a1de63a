//! The OpenAPI 3.0 definition of the API (17-069r4, 7.3 and the OAS30
//! class), written for the caller: one `items` path per collection they
//! may read, with that collection's property filters. Clients read the
//! page size from it (GDAL takes `limit`'s maximum).

use serde_json::{Map, Value, json};

use super::crs::OFFERED;
use super::params::{DEFAULT_LIMIT, MAX_LIMIT};
use super::{GEOJSON, HTML, JSON, OPENAPI, Ogc, segment};

/// The definition for the caller of `ogc`.
pub fn document(ogc: &Ogc) -> Value {
    let lang = ogc.lang.as_str();
    let service = &ogc.map.catalog.config.service;
    let mut paths = Map::new();
    paths.insert(
        "/".into(),
        get("The landing page", "landing", &[], ok(&[JSON, HTML])),
    );
    paths.insert(
        "/conformance".into(),
        get(
            "The conformance classes implemented",
            "conformance",
            &[],
            ok(&[JSON, HTML]),
        ),
    );
    paths.insert(
        "/api".into(),
        get("This API definition", "api", &[], ok(&[OPENAPI, HTML])),
    );
    paths.insert(
        "/collections".into(),
        get(
            "The feature collections",
            "collections",
            &[],
            ok(&[JSON, HTML]),
        ),
    );
    paths.insert(
        "/collections/{collectionId}".into(),
        get(
            "One feature collection",
            "collection",
            &[json!({ "$ref": "#/components/parameters/collectionId" })],
            ok(&[JSON, HTML]),
        ),
    );
    for layer in ogc.collections() {
        let id = segment(layer.id());
        let mut parameters: Vec<Value> = ["limit", "offset", "bbox", "bbox-crs", "crs", "datetime"]
            .iter()
            .map(|p| json!({ "$ref": format!("#/components/parameters/{p}") }))
            .collect();
        for field in layer.public_fields() {
            parameters.push(json!({
                "name": field.field,
                "in": "query",
                "required": false,
                "description": "Only features whose property has exactly this value (compared as text).",
                "schema": { "type": "string" },
                "style": "form",
                "explode": false,
            }));
        }
        let title = layer.title().get(lang);
        paths.insert(
            format!("/collections/{id}/items"),
            get(
                &format!("The features of {title}"),
                &format!("items-{id}"),
                &parameters,
                ok(&[GEOJSON, HTML]),
            ),
        );
        paths.insert(
            format!("/collections/{id}/items/{{featureId}}"),
            get(
                &format!("One feature of {title}"),
                &format!("feature-{id}"),
                &[
                    json!({ "$ref": "#/components/parameters/featureId" }),
                    json!({ "$ref": "#/components/parameters/crs" }),
                ],
                ok(&[GEOJSON, HTML]),
            ),
        );
    }
    paths.extend(series_paths(ogc));
    let ids: Vec<&str> = ogc.collections().iter().map(|l| l.id()).collect();
    let crs: Vec<&str> = OFFERED.iter().map(|c| c.uri()).collect();
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": service.title.get(lang),
            "description": service.abstract_.get(lang),
            "version": "1.0.0",
        },
        "servers": [{ "url": ogc.url("", &[]) }],
        "paths": paths,
        "components": {
            "parameters": {
                "collectionId": {
                    "name": "collectionId", "in": "path", "required": true,
                    "schema": { "type": "string", "enum": ids },
                },
                "featureId": {
                    "name": "featureId", "in": "path", "required": true,
                    "schema": { "type": "string" },
                },
                "limit": {
                    "name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
                    "description": "Features per page; larger values are served as the maximum.",
                    "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT },
                },
                "offset": {
                    "name": "offset", "in": "query", "required": false, "style": "form", "explode": false,
                    "description": "Matching features skipped before the page (the next links carry it).",
                    "schema": { "type": "integer", "minimum": 0, "default": 0 },
                },
                "bbox": {
                    "name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
                    "description": "Only features meeting this box: lower corner, upper corner, in the axis order of bbox-crs.",
                    "schema": { "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } },
                },
                "bbox-crs": {
                    "name": "bbox-crs", "in": "query", "required": false, "style": "form", "explode": false,
                    "schema": { "type": "string", "format": "uri", "enum": crs, "default": super::crs::CRS84 },
                },
                "crs": {
                    "name": "crs", "in": "query", "required": false, "style": "form", "explode": false,
                    "schema": { "type": "string", "format": "uri", "enum": crs, "default": super::crs::CRS84 },
                },
                "datetime": {
                    "name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
                    "description": "Accepted; no collection here has a temporal property, so it selects nothing away.",
                    "schema": { "type": "string" },
                },
            },
            "schemas": {
                "exception": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {
                        "code": { "type": "string" },
                        "description": { "type": "string" },
                    },
                },
            },
            "responses": {
                "exception": {
                    "description": "A refusal: the code and what to fix.",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/exception" } } },
                },
            },
        },
    })
}

/// `/api/series/{layer}` (its stations) and `/api/series/{layer}/{station}`
/// (the measured series behind the charts), when the caller sees a layer
/// with measurements. They live beside this API, not below it: each path
/// names its own server.
fn series_paths(ogc: &Ogc) -> Vec<(String, Value)> {
    let layers: Vec<&str> = ogc
        .view()
        .layers()
        .filter(|l| l.measurements().is_some())
        .map(|l| l.id())
        .collect();
    if layers.is_empty() {
        return Vec::new();
    }
    let root = ogc.url("", &[]);
    let root = root.strip_suffix(super::ROOT).unwrap_or(&root).to_owned();
    let query = |name: &str, description: &str| {
        json!({
            "name": name, "in": "query", "required": false, "description": description,
            "schema": { "type": "string" },
        })
    };
    let layer = json!({ "name": "layer", "in": "path", "required": true, "schema": { "type": "string", "enum": layers } });
    let stations = json!({
        "servers": [{ "url": root }],
        "get": {
            "summary": "The stations of a layer with measurements: key, name and position (EPSG:25832), in name order",
            "operationId": "stations",
            "parameters": [layer],
            "responses": {
                "200": { "description": "The stations.", "content": { "application/json": {} } },
                "404": { "description": "No such layer for the caller, or no measurements." },
            },
        },
    });
    let series = json!({
        "servers": [{ "url": root }],
        "get": {
            "summary": "The values measured at a station: JSON for charts or CSV to download, with the source note, licence and limit values",
            "operationId": "series",
            "parameters": [
                layer,
                { "name": "station", "in": "path", "required": true, "description": "The station's key (the layer's measurements key field).", "schema": { "type": "string" } },
                query("parameter", "Parameter codes, comma-separated; every parameter when missing."),
                query("from", "First date, inclusive: a year (2005), a month (2005-06) or a day (2005-06-30)."),
                query("to", "Last date, inclusive, at the precision given: 2010 takes all of 2010."),
                { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["json", "csv"], "default": "json" } },
                { "name": "lang", "in": "query", "required": false, "schema": { "type": "string", "enum": ["de", "en"] } },
            ],
            "responses": {
                "200": {
                    "description": "The series, oldest value first.",
                    "content": { "application/json": {}, "text/csv": {} },
                },
                "400": { "description": "A period or format that cannot be read, or more values than the layer's measurement service gives at once; the message says which." },
                "404": { "description": "No such layer for the caller, no measurements, no such station or parameter." },
                "502": { "description": "The layer's measurement service (a SensorThings API) failed or answered what cannot be read." },
                "503": { "description": "The measurements cannot be read at the moment (a database away, or a service the portal may not contact)." },
                "504": { "description": "The layer's measurement service did not answer in time." },
            },
        },
    });
    vec![
        ("/api/series/{layer}".into(), stations),
        ("/api/series/{layer}/{station}".into(), series),
    ]
}

fn get(summary: &str, operation: &str, parameters: &[Value], responses: Value) -> Value {
    let mut parameters = parameters.to_vec();
    for p in ["f", "lang"] {
        parameters.push(json!({
            "name": p, "in": "query", "required": false,
            "schema": match p {
                "f" => json!({ "type": "string", "enum": ["json", "html"] }),
                _ => json!({ "type": "string", "enum": ["de", "en"] }),
            },
        }));
    }
    json!({
        "get": {
            "summary": summary,
            "operationId": operation,
            "parameters": parameters,
            "responses": responses,
        }
    })
}

fn ok(types: &[&str]) -> Value {
    let content: Map<String, Value> = types.iter().map(|t| ((*t).to_owned(), json!({}))).collect();
    json!({
        "200": { "description": "The resource.", "content": content },
        "400": { "$ref": "#/components/responses/exception" },
        "404": { "$ref": "#/components/responses/exception" },
        "406": { "$ref": "#/components/responses/exception" },
    })
}
