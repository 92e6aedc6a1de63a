//! The published layers: `map.toml` loaded with its data and compiled
//! styles, the layer tree of groups, and name resolution with access rules
//! (clause L7: a restricted layer does not exist for a caller without its
//! role).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::config::{self, GroupConfig, LayerConfig, MapConfig, SourceConfig};
use crate::data::Dataset;
use crate::data::overview::Overview;
use crate::measurements::Measurements;
use crate::postgis::{Connections, PostGis};
use crate::style::{Rule, Style};

pub use crate::view::{Caller, ResolveError};

/// Name of the configuration file in the site folder.
pub const MAP_FILE: &str = "map.toml";
/// The largest `min_pixel_size`: a mark bigger than a symbol hides the map.
const MAX_MARK_PX: f32 = 16.0;

/// A loaded layer.
#[derive(Debug)]
pub struct Layer {
    /// Its configuration.
    pub config: LayerConfig,
    /// Its features; shared with the catalogue a reload replaces when
    /// the source did not change.
    pub data: Arc<Dataset>,
    /// Its compiled rules.
    pub style: Style,
    /// What small scales draw of its features below a pixel (unless
    /// `aggregate = false`).
    pub overview: Option<Arc<Overview>>,
    /// Values measured at its features, if configured.
    pub measurements: Option<Measurements>,
    /// The database a PostGIS layer asks per request; its `data` are then
    /// empty.
    pub postgis: Option<PostGis>,
}

impl Layer {
    /// A layer of `data` drawn with `style` as `config` says, with its
    /// overview.
    pub fn new(
        config: LayerConfig,
        data: Dataset,
        style: Style,
        measurements: Option<Measurements>,
    ) -> Self {
        Self::sharing(config, Arc::new(data), None, style, measurements)
    }

    /// A layer of features already loaded, with the overview built for
    /// them by an earlier load if it still holds (`None`: built here).
    fn sharing(
        config: LayerConfig,
        data: Arc<Dataset>,
        overview: Option<Arc<Overview>>,
        style: Style,
        measurements: Option<Measurements>,
    ) -> Self {
        let overview = if config.aggregate {
            overview.or_else(|| {
                Overview::build(&data, |properties| style.filter_mask(&properties)).map(Arc::new)
            })
        } else {
            None
        };
        Self {
            config,
            data,
            style,
            overview,
            measurements,
            postgis: None,
        }
    }

    /// A layer whose features `postgis` gives per request.
    pub fn remote(
        config: LayerConfig,
        postgis: PostGis,
        style: Style,
        measurements: Option<Measurements>,
    ) -> Self {
        Self {
            config,
            data: Arc::new(crate::data::DatasetBuilder::new(postgis.storage()).finish()),
            style,
            overview: None,
            measurements,
            postgis: Some(postgis),
        }
    }

    /// What the renderer needs of this layer.
    pub fn draw_layer(&self) -> crate::render::DrawLayer<'_> {
        crate::render::DrawLayer {
            min_scale: self.config.min_scale,
            max_scale: self.config.max_scale,
            overview: self.overview.as_deref(),
            min_pixel_size: self.config.min_pixel_size,
            ..crate::render::DrawLayer::new(&self.data, &self.style)
        }
    }
}

/// A layer's features as loaded: in memory, taken over from the
/// catalogue a reload replaces (with its overview, if it still holds), or
/// a database to ask.
enum Source {
    Memory(Dataset),
    Shared(Arc<Dataset>, Option<Arc<Overview>>),
    Remote(PostGis),
}

/// Do `a` and `b` tell features apart alike? Then an overview's filter
/// masks made for one hold for the other.
fn same_filters(a: &Style, b: &Style) -> bool {
    a.rules.len() == b.rules.len()
        && a.rules
            .iter()
            .zip(&b.rules)
            .all(|(x, y)| x.filter == y.filter)
}

/// Everything `map.toml` publishes. Outputs read it through
/// [`Catalog::view`], which decides what a caller may see.
#[derive(Debug)]
pub struct Catalog {
    /// The configuration as read.
    pub config: MapConfig,
    /// Layers in configuration order.
    layers: Vec<Layer>,
    by_name: HashMap<String, usize>,
    groups: HashMap<String, usize>,
    /// How loading each layer's source went, in configuration order.
    loads: Vec<SourceLoad>,
    /// Layers whose large sources a first, quick load left for later
    /// ([`Catalog::load_small_first`]).
    pending: Vec<String>,
    /// Layers whose measurements could not be read, with the reason: the
    /// layer is served without them.
    measurement_failures: Vec<(String, String)>,
}

/// How loading one layer's source went.
#[derive(Debug)]
struct SourceLoad {
    /// Position in `config.layers`.
    config_index: usize,
    /// When loading began.
    started_at: SystemTime,
    /// How long it took.
    took: Duration,
    /// Why it failed: the layer is then left out of the catalogue.
    error: Option<String>,
    /// Its file as it was read, to tell at the next load whether it changed.
    fingerprint: Option<Fingerprint>,
}

/// A source file's size and modification time (and its SQLite
/// write-ahead log's, where there is one): when all are the same, so are
/// the features read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint(Vec<(u64, Option<SystemTime>)>);

impl Fingerprint {
    /// The fingerprint of the file `source` reads below `site_dir`; `None`
    /// for a database, or a file that cannot be read.
    fn of(source: &SourceConfig, site_dir: &Path) -> Option<Self> {
        let path = site_dir.join(source.file()?);
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        let stamp = |path: &Path| {
            std::fs::metadata(path)
                .ok()
                .map(|m| (m.len(), m.modified().ok()))
        };
        let mut parts = vec![stamp(&path)?];
        parts.extend(stamp(&PathBuf::from(wal)));
        Some(Self(parts))
    }
}

/// What the operator's monitor shows of one configured layer's source.
#[derive(Debug)]
pub struct SourceReport<'a> {
    /// The layer's configuration.
    pub config: &'a LayerConfig,
    /// When loading its source began.
    pub loaded_at: SystemTime,
    /// How long loading took.
    pub load_time: Duration,
    /// The layer as loaded, or why its source could not be loaded (the
    /// layer is then not served).
    pub outcome: Result<&'a Layer, &'a str>,
}

impl Catalog {
    /// Loads `map.toml` from `site_dir` with all data. `Ok(None)` when the
    /// site publishes no map. Errors are located (`file:line: message`) and
    /// all reported at once.
    pub fn load(site_dir: &Path) -> Result<Option<Self>, Vec<String>> {
        Self::load_sharing(site_dir, None)
    }

    /// [`Catalog::load`], taking over from `previous` (the catalogue being
    /// replaced) the features of every layer whose source and file did not
    /// change, and their overview where its style's filters did not
    /// either: a reload reads only what changed, and its peak memory is
    /// not that of two whole maps.
    pub fn load_sharing(
        site_dir: &Path,
        previous: Option<&Catalog>,
    ) -> Result<Option<Self>, Vec<String>> {
        Self::load_with(site_dir, previous, |_, _| false)
    }

    /// [`Catalog::load`] of every layer but those whose source file is
    /// larger than `[service] large_source_mb`: those are only checked and
    /// listed as [`Catalog::pending`], for a second load that shares what
    /// this one read ([`Catalog::load_sharing`]). A server starts with
    /// this, so that a million buildings do not keep the base map waiting.
    pub fn load_small_first(site_dir: &Path) -> Result<Option<Self>, Vec<String>> {
        Self::load_with(site_dir, None, |service, layer| {
            let limit = service.large_source_mb.saturating_mul(1 << 20);
            layer.source.file().is_some_and(|path| {
                std::fs::metadata(site_dir.join(path)).is_ok_and(|m| m.len() > limit)
            })
        })
    }

    fn load_with(
        site_dir: &Path,
        previous: Option<&Catalog>,
        defer: impl Fn(&config::ServiceConfig, &LayerConfig) -> bool,
    ) -> Result<Option<Self>, Vec<String>> {
        let path = site_dir.join(MAP_FILE);
        let config = match config::read(&path) {
            Ok(Some(config)) => config,
            Ok(None) => return Ok(None),
            Err(e) => return Err(vec![e]),
        };
        let mut problems = Vec::new();
        let mut measurement_failures: Vec<(String, String)> = Vec::new();
        let mut layers = Vec::new();
        let mut by_name = HashMap::new();
        let mut loads = Vec::new();
        let mut connections = Connections::default();
        let mut pending = Vec::new();
        for (config_index, layer) in config.layers.iter().enumerate() {
            let place = format!("{} [layer {}]", path.display(), layer.id);
            if by_name.insert(layer.id.clone(), layers.len()).is_some() {
                problems.push(format!("{place}: the id is used twice"));
                continue;
            }
            let rules: Result<Vec<Rule>, String> = layer
                .rules
                .iter()
                .map(|config| {
                    let mut rule = Rule::compile(config)?;
                    rule.load_symbol_image(config, site_dir)?;
                    Ok(rule)
                })
                .collect();
            let style = match rules {
                Ok(rules) => Style { rules },
                Err(e) => {
                    problems.push(format!("{place}: {e}"));
                    continue;
                }
            };
            // Clause L3: personal fields never leave the server, not even as
            // a label drawn into a map.
            let personal_label = layer
                .rules
                .iter()
                .filter_map(|r| r.label.as_ref())
                .find(|l| layer.personal.contains(&l.field));
            if let Some(label) = personal_label {
                problems.push(format!(
                    "{place}: label field {:?} is marked personal and may not be drawn",
                    label.field
                ));
                continue;
            }
            if !(0.0..=MAX_MARK_PX).contains(&layer.min_pixel_size) {
                problems.push(format!(
                    "{place}: min_pixel_size {} must lie between 0 and {MAX_MARK_PX} pixels",
                    layer.min_pixel_size
                ));
                continue;
            }
            if defer(&config.service, layer) {
                pending.push(layer.id.clone());
                continue;
            }
            let started_at = SystemTime::now();
            let started = Instant::now();
            let fingerprint = Fingerprint::of(&layer.source, site_dir);
            let unchanged = previous.and_then(|p| p.unchanged(layer, fingerprint.as_ref()));
            let data = match (&layer.source, unchanged) {
                (_, Some(earlier)) => Ok(Source::Shared(
                    earlier.data.clone(),
                    earlier
                        .overview
                        .clone()
                        .filter(|_| same_filters(&earlier.style, &style)),
                )),
                (source, None) => match source {
                    SourceConfig::Geojson { path } => {
                        Dataset::from_geojson_file(&site_dir.join(path)).map(Source::Memory)
                    }
                    SourceConfig::Geopackage { path, layer } => {
                        Dataset::from_geopackage_file(&site_dir.join(path), layer.as_deref())
                            .map(Source::Memory)
                    }
                    SourceConfig::Postgis(postgis) => {
                        PostGis::connect(postgis, &style, &layer.personal, &mut connections)
                            .map(Source::Remote)
                            .map_err(|message| crate::error::MapError::PostGis { message })
                    }
                },
            };
            let took = started.elapsed();
            let hidden_search_field = layer.search.iter().find_map(|search| {
                std::iter::once(&search.name)
                    .chain(&search.keys)
                    .chain(&search.detail)
                    .find(|field| layer.personal.contains(field))
            });
            if let Some(field) = hidden_search_field {
                problems.push(format!(
                    "{place}: search field {field:?} is marked personal and may not be shown"
                ));
                continue;
            }
            // Measurements that cannot be read take out only themselves:
            // the layer is drawn, and the failure is kept for the log and
            // `numis check` (see `source_problems`).
            let measurements = match &layer.measurements {
                Some(config) => match Measurements::load(config, site_dir, &mut connections) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        measurement_failures.push((layer.id.clone(), e));
                        None
                    }
                },
                None => None,
            };
            // A source that cannot be read takes only its own layer out of
            // the map: the rest is served, and the failure is kept for the
            // monitor and `numis check` (see `source_problems`).
            let error = match data {
                Ok(Source::Memory(data)) => {
                    layers.push(Layer::new(layer.clone(), data, style, measurements));
                    None
                }
                Ok(Source::Remote(postgis)) => {
                    layers.push(Layer::remote(layer.clone(), postgis, style, measurements));
                    None
                }
                Ok(Source::Shared(data, overview)) => {
                    layers.push(Layer::sharing(
                        layer.clone(),
                        data,
                        overview,
                        style,
                        measurements,
                    ));
                    None
                }
                Err(e) => Some(e.to_string()),
            };
            loads.push(SourceLoad {
                config_index,
                started_at,
                took,
                error,
                fingerprint,
            });
        }
        // Layers whose source failed, or waits, are known to the tree.
        let failed: Vec<&str> = loads
            .iter()
            .filter(|l| l.error.is_some())
            .map(|l| config.layers[l.config_index].id.as_str())
            .chain(pending.iter().map(String::as_str))
            .collect();
        let by_name: HashMap<String, usize> = layers
            .iter()
            .enumerate()
            .map(|(i, l)| (l.config.id.clone(), i))
            .collect();
        let mut groups = HashMap::new();
        for (i, group) in config.groups.iter().enumerate() {
            let place = format!("{} [group {}]", path.display(), group.id);
            if by_name.contains_key(&group.id) || groups.insert(group.id.clone(), i).is_some() {
                problems.push(format!("{place}: the id is used twice"));
            }
        }
        for group in &config.groups {
            for member in &group.members {
                let known = by_name.contains_key(member)
                    || groups.contains_key(member)
                    || failed.contains(&member.as_str());
                if !known {
                    problems.push(format!(
                        "{} [group {}]: member {member:?} is no layer or group",
                        path.display(),
                        group.id
                    ));
                }
            }
            if let Some(parent) = &group.parent
                && !groups.contains_key(parent)
            {
                problems.push(format!(
                    "{} [group {}]: parent {parent:?} is no group",
                    path.display(),
                    group.id
                ));
            }
        }
        let viewer = &config.viewer;
        for (key, names) in [
            ("basemaps", &viewer.basemaps),
            ("tree", &viewer.tree),
            ("visible", &viewer.visible),
        ] {
            for name in names {
                let known = by_name.contains_key(name)
                    || failed.contains(&name.as_str())
                    || (key != "visible" && groups.contains_key(name));
                if !known {
                    problems.push(format!(
                        "{} [viewer]: {key} names {name:?}, which is no {}",
                        path.display(),
                        if key == "visible" {
                            "layer"
                        } else {
                            "layer or group"
                        }
                    ));
                }
            }
        }
        for external in &viewer.external_basemaps {
            if external.origin().is_none() {
                problems.push(format!(
                    "{} [viewer.external_basemap {}]: url {:?} must be an absolute http(s) URL",
                    path.display(),
                    external.id,
                    external.url
                ));
            }
            if by_name.contains_key(&external.id) || groups.contains_key(&external.id) {
                problems.push(format!(
                    "{} [viewer.external_basemap {}]: the id is used by a layer or group",
                    path.display(),
                    external.id
                ));
            }
        }
        if let Some([min_x, min_y, max_x, max_y]) = viewer.home {
            let finite = [min_x, min_y, max_x, max_y].iter().all(|v| v.is_finite());
            if !finite || min_x >= max_x || min_y >= max_y {
                problems.push(format!(
                    "{} [viewer]: home must be [min_x, min_y, max_x, max_y] with min < max",
                    path.display()
                ));
            }
        }
        if !problems.is_empty() {
            // All at once: the sources that failed too.
            problems.extend(loads.iter().filter_map(|load| {
                let error = load.error.as_ref()?;
                let id = &config.layers[load.config_index].id;
                Some(source_problem(&path, id, error))
            }));
            problems.extend(
                measurement_failures
                    .iter()
                    .map(|(id, error)| measurement_problem(&path, id, error)),
            );
            return Err(problems);
        }
        Ok(Some(Self {
            config,
            layers,
            by_name,
            groups,
            loads,
            pending,
            measurement_failures,
        }))
    }

    /// The layers a quick first load left for later; empty once the map
    /// is whole.
    pub fn pending(&self) -> &[String] {
        &self.pending
    }

    /// Does anything `names` stand for (layers, and the members of groups,
    /// however deep) wait for its source? A map of such a group must not
    /// be drawn without it.
    pub fn waits_for(&self, names: &[String]) -> bool {
        if self.pending.is_empty() {
            return false;
        }
        let mut queue: Vec<(&str, usize)> = names.iter().map(|n| (n.as_str(), 0)).collect();
        while let Some((name, depth)) = queue.pop() {
            if self.pending.iter().any(|p| p == name) {
                return true;
            }
            if depth >= crate::view::MAX_GROUP_DEPTH {
                continue;
            }
            if let Some(group) = self
                .groups
                .get(name)
                .and_then(|&i| self.config.groups.get(i))
            {
                queue.extend(group.members.iter().map(|m| (m.as_str(), depth + 1)));
            }
        }
        false
    }

    /// This catalogue's layer configured as `config`, if its source is
    /// the same and its file still has `fingerprint`.
    fn unchanged(&self, config: &LayerConfig, fingerprint: Option<&Fingerprint>) -> Option<&Layer> {
        let fingerprint = fingerprint?;
        let layer = self.layer_by_name(&config.id)?;
        let load = self
            .loads
            .iter()
            .find(|l| self.config.layers.get(l.config_index).map(|c| &c.id) == Some(&config.id))?;
        (layer.config.source == config.source
            && layer.postgis.is_none()
            && load.fingerprint.as_ref() == Some(fingerprint))
        .then_some(layer)
    }

    /// Every configured layer's source: when it was loaded, how long that
    /// took and its features or its error, in configuration order.
    pub fn source_reports(&self) -> Vec<SourceReport<'_>> {
        self.loads
            .iter()
            .filter_map(|load| {
                let config = self.config.layers.get(load.config_index)?;
                let outcome = match &load.error {
                    Some(error) => Err(error.as_str()),
                    None => Ok(self.layer_by_name(&config.id)?),
                };
                Some(SourceReport {
                    config,
                    loaded_at: load.started_at,
                    load_time: load.took,
                    outcome,
                })
            })
            .collect()
    }

    /// The sources that could not be loaded, as located problems
    /// (`file [layer id]: error`): their layers are left out of the map;
    /// then the measurements that could not be read, which only they are.
    pub fn source_problems(&self, site_dir: &Path) -> Vec<String> {
        let path = site_dir.join(MAP_FILE);
        self.source_reports()
            .iter()
            .filter_map(|report| {
                let error = report.outcome.err()?;
                Some(source_problem(&path, &report.config.id, error))
            })
            .chain(
                self.measurement_failures
                    .iter()
                    .map(|(id, error)| measurement_problem(&path, id, error)),
            )
            .collect()
    }

    /// A layer by name, whoever asks: for the view only.
    pub(crate) fn layer_by_name(&self, name: &str) -> Option<&Layer> {
        self.by_name.get(name).map(|&i| &self.layers[i])
    }

    /// Every layer, whoever asks: for the view and for indexes built at
    /// load (the search), which filter through the view when asked.
    pub(crate) fn all_layers(&self) -> &[Layer] {
        &self.layers
    }

    /// How many layers the map publishes (to anyone).
    pub fn layer_count(&self) -> usize {
        self.layers.len()
    }

    /// A group's configuration by name, whoever asks; what a caller sees
    /// of it comes from [`Catalog::view`].
    pub(crate) fn group(&self, name: &str) -> Option<&GroupConfig> {
        self.groups.get(name).map(|&i| &self.config.groups[i])
    }
}

fn source_problem(map_file: &Path, id: &str, error: &str) -> String {
    format!(
        "{} [layer {id}]: {error}; the layer is left out of the map",
        map_file.display()
    )
}

fn measurement_problem(map_file: &Path, id: &str, error: &str) -> String {
    format!(
        "{} [layer {id}]: measurements: {error}; the layer is shown without them",
        map_file.display()
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A site folder with `map_toml` and `points.geojson`: one point in
    /// Hannover with a `name` and an `owner` (for personal-field tests).
    pub(crate) fn site(map_toml: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MAP_FILE), map_toml).unwrap();
        std::fs::write(
            dir.path().join("points.geojson"),
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Hannover","owner":"Erika"},"geometry":{"type":"Point","coordinates":[9.73,52.37]}}]}"#,
        )
        .unwrap();
        dir
    }

    #[test]
    fn a_reload_takes_over_the_data_of_unchanged_files_and_reads_changed_ones() {
        let map = |filter: &str| {
            format!(
                r##"
                [[layer]]
                id = "points"
                title = "Points"
                source = {{ type = "geojson", path = "points.geojson" }}
                [[layer.rule]]
                {filter}
                fill = "#ff0000"
                [[layer]]
                id = "area"
                title = "Area"
                source = {{ type = "geojson", path = "area.geojson" }}
                [[layer.rule]]
                fill = "#00ff00"
                "##
            )
        };
        let dir = site(&map(""));
        let area = |name: &str| {
            format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"name":"{name}"}},"geometry":{{"type":"Polygon","coordinates":[[[9,52],[10,52],[10,53],[9,52]]]}}}}]}}"#
            )
        };
        std::fs::write(dir.path().join("area.geojson"), area("old")).unwrap();
        let first = Catalog::load(dir.path()).unwrap().unwrap();
        let layer = |c: &Catalog, id: &str| c.layer_by_name(id).unwrap().data.clone();
        let overview = |c: &Catalog, id: &str| c.layer_by_name(id).unwrap().overview.clone();

        // Nothing changed: the same data and overviews, not copies.
        let second = Catalog::load_sharing(dir.path(), Some(&first))
            .unwrap()
            .unwrap();
        for id in ["points", "area"] {
            assert!(Arc::ptr_eq(&layer(&first, id), &layer(&second, id)), "{id}");
            let (a, b) = (
                overview(&first, id).unwrap(),
                overview(&second, id).unwrap(),
            );
            assert!(Arc::ptr_eq(&a, &b), "{id}");
        }

        // One file changed (another size, so whatever the clock says), one
        // style's filter changed: the file is read again, the other
        // layer keeps its data but gets an overview for its new filter.
        std::fs::write(dir.path().join("area.geojson"), area("brand new")).unwrap();
        std::fs::write(
            dir.path().join(MAP_FILE),
            map("filter = { field = \"name\", equals = \"Hannover\" }"),
        )
        .unwrap();
        let third = Catalog::load_sharing(dir.path(), Some(&second))
            .unwrap()
            .unwrap();
        let new_area = layer(&third, "area");
        assert!(!Arc::ptr_eq(&layer(&second, "area"), &new_area));
        assert_eq!(
            new_area.properties(0).unwrap().get("name"),
            Some(&serde_json::json!("brand new"))
        );
        assert!(Arc::ptr_eq(
            &layer(&second, "points"),
            &layer(&third, "points")
        ));
        let (a, b) = (
            overview(&second, "points").unwrap(),
            overview(&third, "points").unwrap(),
        );
        assert!(!Arc::ptr_eq(&a, &b), "the overview follows the new filter");
    }

    #[test]
    fn configuration_problems_are_all_reported_with_their_place() {
        let dir = site(
            r##"
            [[group]]
            id = "g"
            title = "G"
            members = ["missing"]
            [[layer]]
            id = "a"
            title = "A"
            source = { type = "geojson", path = "nowhere.geojson" }
            [[layer]]
            id = "b"
            title = "B"
            source = { type = "geojson", path = "points.geojson" }
            [[layer.rule]]
            fill = "rot"
            "##,
        );
        let problems = Catalog::load(dir.path()).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(
            problems[2].contains("left out"),
            "the failed source comes last: {problems:#?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("[layer a]") && p.contains("nowhere.geojson"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("[layer b]") && p.contains("rot"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("[group g]") && p.contains("missing"))
        );
    }

    #[test]
    fn a_source_that_cannot_be_loaded_leaves_only_its_layer_out() {
        let dir = site(
            r##"
            [viewer]
            visible = ["good", "broken", "missing"]
            [[group]]
            id = "g"
            title = "G"
            members = ["good", "broken"]
            [[layer]]
            id = "good"
            title = "Good"
            source = { type = "geojson", path = "points.geojson" }
            [[layer]]
            id = "broken"
            title = "Broken"
            source = { type = "geojson", path = "broken.geojson" }
            [[layer]]
            id = "missing"
            title = "Missing"
            source = { type = "geojson", path = "nowhere.geojson" }
            "##,
        );
        std::fs::write(dir.path().join("broken.geojson"), "{\"type\": \"Feature").unwrap();
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        assert_eq!(catalog.layer_count(), 1);
        let caller = Caller::default();
        let view = catalog.view(&caller);
        assert!(view.layer("broken").is_none());
        assert_eq!(
            view.members("g").len(),
            1,
            "the group keeps its good member"
        );

        let reports = catalog.source_reports();
        let ids: Vec<&str> = reports.iter().map(|r| r.config.id.as_str()).collect();
        assert_eq!(ids, ["good", "broken", "missing"]);
        assert_eq!(reports[0].outcome.as_ref().map(|l| l.data.len()), Ok(1));
        assert!(
            reports[1]
                .outcome
                .unwrap_err()
                .contains("not valid GeoJSON")
        );
        assert!(reports[2].outcome.unwrap_err().contains("nowhere.geojson"));

        let problems = catalog.source_problems(dir.path());
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems[0].contains("[layer broken]") && problems[0].contains("left out"));
    }

    #[test]
    fn measurements_that_cannot_be_read_leave_the_layer_shown_without_them() {
        let dir = site(
            r##"
            [[layer]]
            id = "stations"
            title = "Stations"
            source = { type = "geojson", path = "points.geojson" }
            [layer.measurements]
            path = "values.csv"
            key = "name"
            "##,
        );
        std::fs::write(
            dir.path().join("values.csv"),
            "name,parameter,unit,date,value\nHannover,NO2,µg/m³,2011,not a number\n",
        )
        .unwrap();
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        let caller = Caller::default();
        let view = catalog.view(&caller);
        let layer = view.layer("stations").expect("the layer is served");
        assert!(layer.measurements().is_none());
        let problems = catalog.source_problems(dir.path());
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(
            problems[0].contains("[layer stations]: measurements:")
                && problems[0].contains("values.csv")
                && problems[0].contains("without them"),
            "{problems:#?}"
        );
    }

    #[test]
    fn image_symbols_are_loaded_and_drawn() {
        let dir = site(
            r##"
            [[layer]]
            id = "pins"
            title = "Pins"
            source = { type = "geojson", path = "points.geojson" }
            [[layer.rule]]
            symbol = "image"
            symbol_image = "pin.png"
            symbol_size = 16
            "##,
        );
        let mut red = tiny_skia::Pixmap::new(8, 8).unwrap();
        red.fill(tiny_skia::Color::from_rgba8(255, 0, 0, 255));
        std::fs::write(dir.path().join("pin.png"), red.encode_png().unwrap()).unwrap();
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        let caller = Caller::default();
        let layers = catalog.view(&caller).resolve(&["pins".into()]).unwrap();
        let frame = crate::render::Frame {
            crs: crate::Crs::Crs84,
            bbox: geo::Rect::new(
                geo::coord! { x: 9.63, y: 52.27 },
                geo::coord! { x: 9.83, y: 52.47 },
            ),
            width: 100,
            height: 100,
        };
        let image = crate::render::render(&frame, &[layers[0].draw_layer()], None).unwrap();
        let centre = image.pixel(50, 50).unwrap().demultiply();
        assert_eq!(
            (centre.red(), centre.green(), centre.alpha()),
            (255, 0, 255)
        );
        assert_eq!(
            image.pixel(5, 5).unwrap().alpha(),
            0,
            "transparent elsewhere"
        );

        std::fs::write(dir.path().join("pin.png"), b"not a png").unwrap();
        let problems = Catalog::load(dir.path()).unwrap_err();
        assert!(problems[0].contains("pin.png"), "{problems:?}");
    }

    #[test]
    fn a_site_without_map_toml_publishes_no_map() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Catalog::load(dir.path()).unwrap().is_none());
    }
}
