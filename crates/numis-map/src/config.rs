//! The map configuration (`map.toml` in the site folder): service metadata,
//! layers with their sources, licences and style rules, and groups that nest
//! layers into the layer tree.
//!
//! ```toml
//! [service]
//! title = { de = "Umweltkarten Niedersachsen", en = "Environmental maps of Lower Saxony" }
//!
//! [[layer]]
//! id = "gemeinden"
//! title = { de = "Gemeinden", en = "Municipalities" }
//! source = { type = "geojson", path = "../data/ni_gemeinden.geojson" }
//! licence = { id = "DL-DE-BY-2.0", url = "https://www.govdata.de/dl-de/by-2-0" }
//! attribution = "© GeoBasis-DE / BKG 2016"
//! modified = true
//! [[layer.rule]]
//! stroke = "#7a6a55"
//! stroke_width = 0.6
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

/// Largest image edge a GetMap may ask for. [default: 4096]
pub const DEFAULT_MAX_SIZE: u32 = 4096;
/// Longest a GetMap may take to draw, in milliseconds. [default: 10000]
pub const DEFAULT_MAX_RENDER_MS: u64 = 10_000;
/// Most pixels × layers one GetMap may draw: 16 layers at 4096 × 4096, or
/// 64 at 2048 × 2048. [default: 268435456]
pub const DEFAULT_MAX_PIXEL_LAYERS: u64 = 64 * 2048 * 2048;

/// Source files larger than this many MiB load last at start-up (a
/// quarter of a million buildings as GeoPackage). [default: 64]
pub const DEFAULT_LARGE_SOURCE_MB: u64 = 64;

/// A text in German and English; German is the default language.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Text {
    /// The same text in every language.
    #[default]
    None,
    /// One text for all languages.
    Plain(String),
    /// Per language.
    Translated {
        /// German.
        de: String,
        /// English (German when missing).
        #[serde(default)]
        en: Option<String>,
    },
}

impl Text {
    /// The text in `lang` ("de" or "en"), falling back to German.
    pub fn get(&self, lang: &str) -> &str {
        match self {
            Self::None => "",
            Self::Plain(text) => text,
            Self::Translated { de, en } => match (lang, en) {
                ("en", Some(en)) => en,
                _ => de,
            },
        }
    }

    /// Is there any text?
    pub fn is_empty(&self) -> bool {
        self.get("de").is_empty()
    }
}

/// The whole `map.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapConfig {
    /// Service metadata for capabilities.
    #[serde(default)]
    pub service: ServiceConfig,
    /// Groups, in layer-tree order.
    #[serde(default, rename = "group")]
    pub groups: Vec<GroupConfig>,
    /// Layers, in drawing order within their group (first drawn first).
    #[serde(default, rename = "layer")]
    pub layers: Vec<LayerConfig>,
    /// What the map viewer offers.
    #[serde(default)]
    pub viewer: ViewerConfig,
}

/// `[viewer]`: base maps, layer tree and first view of the map viewer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ViewerConfig {
    /// Groups or layers offered as base maps, the first one shown at first.
    pub basemaps: Vec<String>,
    /// Groups or layers at the top of the layer tree.
    pub tree: Vec<String>,
    /// Layers switched on when a URL names none.
    pub visible: Vec<String>,
    /// The first view (and "home"), `[min_x, min_y, max_x, max_y]` in
    /// EPSG:25832. [default: the extent of all layers]
    pub home: Option<[f64; 4]>,
    /// Base maps from another WMS, offered after `basemaps`. Visitors'
    /// browsers then load images from that server (see clause P3).
    #[serde(rename = "external_basemap")]
    pub external_basemaps: Vec<ExternalBasemap>,
}

/// `[[viewer.external_basemap]]`: a WMS of another server as base map.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalBasemap {
    /// Id in map state URLs.
    pub id: String,
    /// Name in the base map chooser.
    pub title: Text,
    /// The WMS's base URL (`https://…`), without request parameters.
    pub url: String,
    /// Its `LAYERS` value.
    pub layers: String,
    /// Source note shown while the base map is on.
    pub attribution: Text,
}

impl ExternalBasemap {
    /// `https://host[:port]` of `url`, for the viewer's
    /// Content-Security-Policy; `None` unless the URL is absolute http(s)
    /// without user information.
    pub fn origin(&self) -> Option<String> {
        let (scheme, rest) = self.url.split_once("://")?;
        if scheme != "https" && scheme != "http" {
            return None;
        }
        let authority = rest.split(['/', '?', '#']).next()?;
        let valid = !authority.is_empty()
            && authority
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        valid.then(|| format!("{scheme}://{authority}"))
    }
}

/// `search` of a layer: its features can be found by name or key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// What a hit is called, e.g. "Gemeinde".
    pub kind: Text,
    /// The field holding the name.
    pub name: String,
    /// Fields holding keys that find the feature too (e.g. `ags`).
    #[serde(default)]
    pub keys: Vec<String>,
    /// Fields shown beside the name to tell hits apart.
    #[serde(default)]
    pub detail: Vec<String>,
}

/// `measurements` of a layer: a table of time-stamped values per feature,
/// such as an air quality station's annual means, with the columns
/// `<key>,parameter,unit,date,value`: a CSV file (`path`), a PostgreSQL
/// table or query (`database`), or an OGC SensorThings API
/// (`sensorthings`) — exactly one of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasurementsConfig {
    /// CSV file, relative to the site folder.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// A PostgreSQL table or query.
    #[serde(default)]
    pub database: Option<SeriesDatabaseConfig>,
    /// An OGC SensorThings API.
    #[serde(default)]
    pub sensorthings: Option<SensorThingsConfig>,
    /// The feature field (and CSV column) joining both, e.g. `station_id`.
    pub key: String,
    /// Display labels of the parameters.
    #[serde(default)]
    pub parameters: BTreeMap<String, Text>,
    /// Limit values per parameter, drawn as a line in the charts.
    #[serde(default)]
    pub limits: BTreeMap<String, LimitConfig>,
}

impl MeasurementsConfig {
    /// The label of `parameter` in `lang`, or the code itself when it has
    /// none.
    pub fn label(&self, parameter: &str, lang: &str) -> String {
        self.parameters
            .get(parameter)
            .map(|t| t.get(lang).to_owned())
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| parameter.to_owned())
    }
}

/// Measured series in PostgreSQL: `database = { connection =
/// "postgresql://…", table = "luft.messwerte" }`, or `sql` instead of
/// `table`. The rows have the columns `<key>, parameter, unit, date,
/// value`; one station's rows are read per request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesDatabaseConfig {
    /// `postgresql://user:password@host:port/database`.
    pub connection: String,
    /// The table (or view), `name` or `schema.name`. Either it or `sql`.
    #[serde(default)]
    pub table: Option<String>,
    /// A query whose rows are the values (no trailing semicolon), used as
    /// a subquery. Either it or `table`.
    #[serde(default)]
    pub sql: Option<String>,
    /// Most connections open at once. [default: 2]
    #[serde(default = "two")]
    pub max_connections: u32,
    /// Longest one query may run, in milliseconds. [default: 5000]
    #[serde(default = "five_seconds")]
    pub statement_timeout_ms: u64,
}

fn two() -> u32 {
    2
}

/// Observations asked for per page (`$top`). [default: 1000]
pub const DEFAULT_SENSORTHINGS_PAGE_SIZE: u32 = 1000;
/// Most observations read for one answer, all parameters together.
/// [default: 10000]
pub const DEFAULT_SENSORTHINGS_MAX_OBSERVATIONS: u32 = 10_000;
/// Longest one answer may take, every page included, in seconds.
/// [default: 20]
pub const DEFAULT_SENSORTHINGS_TIMEOUT_SECONDS: u64 = 20;

/// Measured series from an OGC SensorThings API (1.0 or 1.1, such as a
/// FROST-Server): `sensorthings = { url = "https://sta.example.org/v1.1" }`.
/// A station is a Thing, a parameter one of its Datastreams, a value an
/// Observation. Read per request by the server, through its safe fetcher;
/// loading reads nothing from the network (see
/// [`crate::series::sensorthings`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensorThingsConfig {
    /// The service's root with its version, e.g.
    /// `https://sta.example.org/FROST-Server/v1.1`: http or https, without
    /// user name, password, query or fragment.
    pub url: String,
    /// The Thing's property that holds the station's key, as a path
    /// (`name`, `properties/stationId`), looked up with a `$filter`.
    /// [default: unset, the Thing's `@iot.id` is the key]
    #[serde(default)]
    pub thing_property: Option<String>,
    /// How the key is written in that `$filter`: `text` (`'DENI054'`) or
    /// `number` (`54`; a key that is no whole number then finds no
    /// Thing). [default: text]
    #[serde(default)]
    pub key_type: SensorThingsKeyType,
    /// The Datastream's member whose text is the parameter code, as a
    /// path in the Datastream with its ObservedProperty: `name` (the
    /// Datastream's name), `properties/parameter`, `ObservedProperty/definition`.
    /// [default: ObservedProperty/name]
    #[serde(default = "observed_property_name")]
    pub parameter: String,
    /// The Datastream's member whose text is the unit, as a path.
    /// [default: unitOfMeasurement/symbol]
    #[serde(default = "unit_symbol")]
    pub unit: String,
    /// Observations asked for per page (`$top`), from 1 to 10000.
    /// [default: 1000]
    #[serde(default = "sensorthings_page_size")]
    pub page_size: u32,
    /// Most observations read for one answer, all parameters together;
    /// a request for more is refused and says to ask for a shorter
    /// period or fewer parameters. [default: 10000]
    #[serde(default = "sensorthings_max_observations")]
    pub max_observations: u32,
    /// Longest one answer may take, every page included, in seconds
    /// (1 to 300); each single request is bounded by `[external]
    /// timeout_seconds` too. [default: 20]
    #[serde(default = "sensorthings_timeout_seconds")]
    pub timeout_seconds: u64,
}

/// How a station's key is written as an OData literal.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SensorThingsKeyType {
    /// A string: `'DENI054'`.
    #[default]
    Text,
    /// A whole number: `54`.
    Number,
}

fn observed_property_name() -> String {
    "ObservedProperty/name".into()
}

fn unit_symbol() -> String {
    "unitOfMeasurement/symbol".into()
}

fn sensorthings_page_size() -> u32 {
    DEFAULT_SENSORTHINGS_PAGE_SIZE
}

fn sensorthings_max_observations() -> u32 {
    DEFAULT_SENSORTHINGS_MAX_OBSERVATIONS
}

fn sensorthings_timeout_seconds() -> u64 {
    DEFAULT_SENSORTHINGS_TIMEOUT_SECONDS
}

/// A limit value of a measured parameter: `limits.NO2_annual_mean =
/// { value = 40, label = { de = "Grenzwert", en = "Limit" } }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitConfig {
    /// The value, in the parameter's unit.
    pub value: f64,
    /// What the limit is, e.g. the law that sets it.
    #[serde(default)]
    pub label: Text,
}

/// `[service]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Service title.
    pub title: Text,
    /// Service abstract.
    #[serde(rename = "abstract")]
    pub abstract_: Text,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Contact for the service.
    pub contact: ContactConfig,
    /// Fees ("keine" / "none" when empty).
    pub fees: Text,
    /// Access constraints beyond the layers' licences.
    pub access_constraints: Text,
    /// Largest WIDTH and HEIGHT. [default: 4096]
    pub max_width: u32,
    /// See `max_width`. [default: 4096]
    pub max_height: u32,
    /// Longest a GetMap may take to draw, in milliseconds; a map that takes
    /// longer is answered with an exception, so a few huge requests cannot
    /// hold every rendering thread. 0: no limit. [default: 10000]
    pub max_render_ms: u64,
    /// Most WIDTH × HEIGHT × drawn layers (a group counts its members) one
    /// GetMap may ask for, checked before drawing. 0: no limit.
    /// [default: 268435456 = 64 × 2048 × 2048]
    pub max_pixel_layers: u64,
    /// Source files larger than this many MiB load after the others when
    /// the server starts: the WMS draws the other layers meanwhile.
    /// [default: 64]
    pub large_source_mb: u64,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            title: Text::Plain("numis WMS".into()),
            abstract_: Text::None,
            keywords: Vec::new(),
            contact: ContactConfig::default(),
            fees: Text::None,
            access_constraints: Text::None,
            max_width: DEFAULT_MAX_SIZE,
            max_height: DEFAULT_MAX_SIZE,
            max_render_ms: DEFAULT_MAX_RENDER_MS,
            max_pixel_layers: DEFAULT_MAX_PIXEL_LAYERS,
            large_source_mb: DEFAULT_LARGE_SOURCE_MB,
        }
    }
}

/// `[service.contact]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContactConfig {
    /// Organisation.
    pub organisation: String,
    /// Person or function.
    pub person: String,
    /// Position.
    pub position: String,
    /// E-mail.
    pub email: String,
    /// Telephone.
    pub phone: String,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// Post code.
    pub postcode: String,
    /// Country.
    pub country: String,
}

/// `[[group]]`: a node of the layer tree.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    /// WMS name of the group; requesting it draws all its layers.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Abstract.
    #[serde(default, rename = "abstract")]
    pub abstract_: Text,
    /// Parent group, if nested.
    #[serde(default)]
    pub parent: Option<String>,
    /// Member layers and groups, drawn in this order (first at the bottom).
    pub members: Vec<String>,
}

/// Where a layer's features come from.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum SourceConfig {
    /// A GeoJSON file (RFC 7946, longitude/latitude).
    Geojson {
        /// Path, relative to the site folder.
        path: PathBuf,
    },
    /// A feature table of a GeoPackage, in any CRS the file defines.
    Geopackage {
        /// Path, relative to the site folder.
        path: PathBuf,
        /// The table; may be left out when the file has only one.
        #[serde(default)]
        layer: Option<String>,
    },
    /// A table or query of a PostGIS database, asked on every request for
    /// what the map shows (see [`PostGisConfig`]).
    Postgis(PostGisConfig),
}

impl SourceConfig {
    /// The file the source reads, relative to the site folder; `None` for
    /// a database.
    pub fn file(&self) -> Option<&std::path::Path> {
        match self {
            Self::Geojson { path } | Self::Geopackage { path, .. } => Some(path),
            Self::Postgis(_) => None,
        }
    }
}

/// `source = { type = "postgis", … }`: features read from PostgreSQL/PostGIS
/// per request, through the table's spatial index, never held in memory.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PostGisConfig {
    /// `postgresql://user:password@host:port/database` (libpq's URL form).
    pub connection: String,
    /// The table (or view), `name` or `schema.name`. Either it or `sql`.
    #[serde(default)]
    pub table: Option<String>,
    /// A query whose rows are the features (`SELECT … FROM …`, no
    /// trailing semicolon), used as a subquery. Either it or `table`.
    #[serde(default)]
    pub sql: Option<String>,
    /// The geometry column. [default: geom]
    #[serde(default = "geom")]
    pub geometry: String,
    /// The column of unique feature ids. [default: id]
    #[serde(default = "id")]
    pub id: String,
    /// Most connections open to the database at once. [default: 4]
    #[serde(default = "four")]
    pub max_connections: u32,
    /// Longest one query may run, in milliseconds; the database cancels it
    /// after that. [default: 5000]
    #[serde(default = "five_seconds")]
    pub statement_timeout_ms: u64,
}

fn geom() -> String {
    "geom".into()
}

fn id() -> String {
    "id".into()
}

fn four() -> u32 {
    4
}

fn five_seconds() -> u64 {
    5_000
}

/// Licence of a layer's data.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LicenceConfig {
    /// SPDX identifier (`CC-BY-4.0`, `DL-DE-BY-2.0`, `ODbL-1.0`, `CC0-1.0`).
    pub id: String,
    /// Link to the licence text.
    #[serde(default)]
    pub url: String,
}

/// A queryable field and its label.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldConfig {
    /// Property name in the data.
    pub field: String,
    /// Label shown to users.
    #[serde(default)]
    pub label: Text,
}

/// `[[layer]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerConfig {
    /// WMS name.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Abstract.
    #[serde(default, rename = "abstract")]
    pub abstract_: Text,
    /// Data source.
    pub source: SourceConfig,
    /// Shown from this scale denominator on (larger scales). [default: none]
    #[serde(default)]
    pub min_scale: Option<f64>,
    /// Shown up to this scale denominator. [default: none]
    #[serde(default)]
    pub max_scale: Option<f64>,
    /// Shapes narrower or lower than this many pixels are drawn as a mark
    /// of this size in their colour, as MapServer draws them, instead of
    /// vanishing at small scales; 0 draws them as they are. [default: 1]
    #[serde(default = "one_pixel")]
    pub min_pixel_size: f32,
    /// Draw features below a pixel from an overview computed at load (one
    /// mark per occupied cell of a grid finer than the pixels), so that a
    /// map of a million buildings at 1:1,000,000 does not walk them all;
    /// `false` draws each one as its own mark. [default: true]
    #[serde(default = "yes")]
    pub aggregate: bool,
    /// Fields returned by GetFeatureInfo; none: not queryable.
    #[serde(default)]
    pub queryable: Vec<FieldConfig>,
    /// Fields that are personal data and never leave the server (clause L3).
    #[serde(default)]
    pub personal: Vec<String>,
    /// `public` or the name of a role (clause L7). [default: public]
    #[serde(default = "public")]
    pub access: String,
    /// Licence of the data.
    #[serde(default)]
    pub licence: LicenceConfig,
    /// Source note, e.g. `© GeoBasis-DE / BKG 2016`.
    #[serde(default)]
    pub attribution: String,
    /// The data were changed: add "Daten geändert" (clause L1).
    #[serde(default)]
    pub modified: bool,
    /// The data's date ("Stand"), e.g. `2016-01-01` (clause L6).
    #[serde(default)]
    pub data_date: String,
    /// Link to the metadata record.
    #[serde(default)]
    pub metadata_url: String,
    /// Style rules, evaluated in order; every matching rule draws.
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleConfig>,
    /// Makes the layer's features findable in the viewer's search.
    #[serde(default)]
    pub search: Option<SearchConfig>,
    /// Values measured at the layer's features (shown in feature info).
    #[serde(default)]
    pub measurements: Option<MeasurementsConfig>,
    /// Offer the layer's data for download and through OGC API – Features
    /// (clause L5). [default: when its licence is an open one, see
    /// `attribution::is_open_licence`]
    #[serde(default)]
    pub open_data: Option<bool>,
}

fn public() -> String {
    "public".into()
}

fn one_pixel() -> f32 {
    1.0
}

fn yes() -> bool {
    true
}

/// Which features a rule applies to.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FilterConfig {
    /// The property compared.
    pub field: Option<String>,
    /// Equal to this value (string or number).
    pub equals: Option<toml::Value>,
    /// Equal to one of these values.
    #[serde(rename = "in")]
    pub in_: Option<Vec<toml::Value>>,
    /// At least this number.
    pub min: Option<f64>,
    /// Less than this number.
    pub max: Option<f64>,
}

/// Point symbol shapes.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// A circle.
    #[default]
    Circle,
    /// A square.
    Square,
    /// A triangle, point up.
    Triangle,
    /// A five-pointed star.
    Star,
    /// A PNG image (`symbol_image`), drawn `symbol_size` pixels wide.
    Image,
}

/// Where a label goes.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    /// Beside a point, or at a polygon's interior point.
    #[default]
    Point,
    /// Inside a polygon, at its most interior point.
    Interior,
    /// Along a line.
    Line,
}

/// A label.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LabelConfig {
    /// The property whose value is written.
    pub field: String,
    /// Font size in pixels. [default: 11]
    #[serde(default = "default_label_size")]
    pub size: f32,
    /// Text colour. \[default: #222222\]
    #[serde(default = "default_label_color")]
    pub color: String,
    /// Halo colour; none for no halo. \[default: #ffffff\]
    #[serde(default = "default_halo")]
    pub halo: Option<String>,
    /// Placement.
    #[serde(default)]
    pub placement: Placement,
}

fn default_label_size() -> f32 {
    11.0
}
fn default_label_color() -> String {
    "#222222".into()
}
fn default_halo() -> Option<String> {
    Some("#ffffff".into())
}

/// `[[layer.rule]]`: how matching features are drawn.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RuleConfig {
    /// Legend label.
    pub name: Text,
    /// Which features; none: all.
    pub filter: Option<FilterConfig>,
    /// Applies to features that no rule with a filter matched.
    #[serde(rename = "else")]
    pub else_: bool,
    /// Drawn from this scale denominator on.
    pub min_scale: Option<f64>,
    /// Drawn up to this scale denominator.
    pub max_scale: Option<f64>,
    /// Fill colour `#rrggbb`.
    pub fill: Option<String>,
    /// Fill opacity 0–1. [default: 1]
    pub fill_opacity: Option<f32>,
    /// Stroke colour.
    pub stroke: Option<String>,
    /// Stroke width in pixels. [default: 1]
    pub stroke_width: Option<f32>,
    /// Stroke opacity 0–1. [default: 1]
    pub stroke_opacity: Option<f32>,
    /// Dash pattern in pixels.
    pub stroke_dash: Option<Vec<f32>>,
    /// Point symbol.
    pub symbol: Option<Shape>,
    /// Point symbol size in pixels. [default: 8]
    pub symbol_size: Option<f32>,
    /// PNG file of an `image` symbol, relative to the site folder.
    pub symbol_image: Option<PathBuf>,
    /// Label.
    pub label: Option<LabelConfig>,
}

/// Reads `map.toml`; `Ok(None)` when the file does not exist.
pub fn read(path: &std::path::Path) -> Result<Option<MapConfig>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    toml::from_str(&text).map(Some).map_err(|e| {
        let line = e.span().map(|s| text[..s.start].lines().count().max(1));
        match line {
            Some(line) => format!("{}:{line}: {}", path.display(), e.message()),
            None => format!("{}: {}", path.display(), e.message()),
        }
    })
}

/// Keys of a feature's properties, as read from the data.
pub type Properties = BTreeMap<String, serde_json::Value>;

#[cfg(test)]
mod tests {
    #[test]
    fn an_external_base_map_names_only_its_origin() {
        let base = |url: &str| ExternalBasemap {
            id: "topplus".into(),
            title: Text::Plain("TopPlus".into()),
            url: url.into(),
            layers: "web".into(),
            attribution: Text::None,
        };
        assert_eq!(
            base("https://sgx.geodatenzentrum.de/wms_topplus_open?")
                .origin()
                .as_deref(),
            Some("https://sgx.geodatenzentrum.de")
        );
        assert_eq!(
            base("http://10.0.0.5:8080/wms").origin().as_deref(),
            Some("http://10.0.0.5:8080")
        );
        for bad in [
            "ftp://x/wms",
            "/ows",
            "https://user@host/wms",
            "https://",
            "https://a b/",
            "javascript://x",
            "https://x;script-src *",
        ] {
            assert_eq!(base(bad).origin(), None, "{bad}");
        }
    }

    use super::*;

    #[test]
    fn a_layer_with_rules_parses() {
        let config: MapConfig = toml::from_str(
            r##"
            [[layer]]
            id = "luft"
            title = { de = "Luftmessstationen", en = "Air quality stations" }
            source = { type = "geojson", path = "x.geojson" }
            queryable = [{ field = "name", label = { de = "Name", en = "Name" } }]
            [[layer.rule]]
            name = { de = "Verkehr", en = "Traffic" }
            filter = { field = "station_type", equals = "traffic" }
            symbol = "triangle"
            fill = "#c0392b"
            [[layer.rule]]
            else = true
            symbol = "circle"
            "##,
        )
        .unwrap();
        let layer = &config.layers[0];
        assert_eq!(layer.title.get("en"), "Air quality stations");
        assert_eq!(layer.access, "public");
        assert_eq!(layer.rules.len(), 2);
        assert_eq!(layer.rules[0].symbol, Some(Shape::Triangle));
        assert!(layer.rules[1].else_);
    }

    #[test]
    fn unknown_keys_are_reported_with_their_line() {
        let dir = std::env::temp_dir().join(format!("numis-map-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("map.toml");
        std::fs::write(
            &path,
            "[service]\ntitle = \"x\"\n\n[[layer]]\nid = \"a\"\ntitel = \"typo\"\n",
        )
        .unwrap();
        let error = read(&path).unwrap_err();
        assert!(error.contains("map.toml:"), "{error}");
        assert!(error.contains("titel"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
