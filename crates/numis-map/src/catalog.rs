//! The published layers: `map.toml` loaded with its data and compiled
//! styles, the layer tree of groups, and name resolution with access rules
//! (clause L7: a restricted layer does not exist for a caller without its
//! role).

use std::collections::HashMap;
use std::path::Path;

use crate::config::{self, GroupConfig, LayerConfig, MapConfig, SourceConfig};
use crate::data::Dataset;
use crate::measurements::Measurements;
use crate::style::{Rule, Style};

pub use crate::view::{Caller, ResolveError};

/// Name of the configuration file in the site folder.
pub const MAP_FILE: &str = "map.toml";

/// A loaded layer.
#[derive(Debug)]
pub struct Layer {
    /// Its configuration.
    pub config: LayerConfig,
    /// Its features.
    pub data: Dataset,
    /// Its compiled rules.
    pub style: Style,
    /// Values measured at its features, if configured.
    pub measurements: Option<Measurements>,
}

impl Layer {
    /// What the renderer needs of this layer.
    pub fn draw_layer(&self) -> crate::render::DrawLayer<'_> {
        crate::render::DrawLayer {
            data: &self.data,
            style: &self.style,
            min_scale: self.config.min_scale,
            max_scale: self.config.max_scale,
        }
    }
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
}

impl Catalog {
    /// Loads `map.toml` from `site_dir` with all data. `Ok(None)` when the
    /// site publishes no map. Errors are located (`file:line: message`) and
    /// all reported at once.
    pub fn load(site_dir: &Path) -> Result<Option<Self>, Vec<String>> {
        let path = site_dir.join(MAP_FILE);
        let config = match config::read(&path) {
            Ok(Some(config)) => config,
            Ok(None) => return Ok(None),
            Err(e) => return Err(vec![e]),
        };
        let mut problems = Vec::new();
        let mut layers = Vec::new();
        let mut by_name = HashMap::new();
        for layer in &config.layers {
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
            let data = match &layer.source {
                SourceConfig::Geojson { path } => Dataset::from_geojson_file(&site_dir.join(path)),
                SourceConfig::Geopackage { path, layer } => {
                    Dataset::from_geopackage_file(&site_dir.join(path), layer.as_deref())
                }
            };
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
            let measurements = match &layer.measurements {
                Some(config) => match Measurements::load(config, site_dir) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        problems.push(format!("{place}: measurements: {e}"));
                        continue;
                    }
                },
                None => None,
            };
            match data {
                Ok(data) => layers.push(Layer {
                    config: layer.clone(),
                    data,
                    style,
                    measurements,
                }),
                Err(e) => problems.push(format!("{place}: {e}")),
            }
        }
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
                if !by_name.contains_key(member) && !groups.contains_key(member) {
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
                let known =
                    by_name.contains_key(name) || (key != "visible" && groups.contains_key(name));
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
            return Err(problems);
        }
        Ok(Some(Self {
            config,
            layers,
            by_name,
            groups,
        }))
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
