//! The viewer's search: features of the layers that have a `search` table
//! (places, municipalities, districts …) by name or key, and layers by
//! title. Case, accents and the German umlaut spellings do not matter:
//! "gottingen", "goettingen" and "Göttingen" find the same place.

use geo::{BoundingRect, Geometry};

use crate::catalog::Catalog;
use crate::config::{LayerConfig, SearchConfig, Text};
use crate::crs::Crs;
use crate::postgis::{Named, PostGis};
use crate::style::as_text;
use crate::view::CatalogView;

/// Most hits a search returns.
pub const MAX_HITS: usize = 10;
/// Longest query considered, in characters.
const MAX_QUERY_CHARS: usize = 100;

/// What a hit points to.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A feature: its anchor and (for areas) its extent, in EPSG:25832.
    Feature {
        /// Where a marker goes.
        at: (f64, f64),
        /// The area to zoom to; `None` for points.
        bbox: Option<[f64; 4]>,
    },
    /// A layer to switch on.
    Layer(String),
}

/// One searchable thing.
#[derive(Debug, Clone)]
struct Entry {
    kind: String,
    kind_label: Text,
    label: Text,
    detail: Text,
    /// Folded name words, joined by single spaces.
    name: String,
    /// Folded keys.
    keys: Vec<String>,
    /// The layer it comes from: a hit exists only for callers whose view
    /// has that layer.
    layer: String,
    target: Target,
}

/// A search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// `place`, `municipality` … (the layer id) or `layer`.
    pub kind: String,
    /// What the kind is called, in the asked language.
    pub kind_label: String,
    /// The name.
    pub label: String,
    /// Text that tells equal names apart.
    pub detail: String,
    /// Where it is.
    pub target: Target,
}

/// Everything findable, built once per map load.
#[derive(Debug, Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
}

impl SearchIndex {
    /// Indexes the catalog's searchable layers and every layer's title.
    pub fn build(catalog: &Catalog) -> Self {
        let mut entries = Vec::new();
        for layer in catalog.all_layers() {
            let config = &layer.config;
            let Some(search) = &config.search else {
                continue;
            };
            if let Some(postgis) = &layer.postgis {
                match postgis.named_features(&search.name) {
                    Ok(named) => entries.extend(named.iter().filter_map(|feature| {
                        let text = |field: &str| text_of(feature.properties.get(field));
                        feature_entry(config, search, text, remote_target(feature, postgis)?)
                    })),
                    // The map is served without these hits rather than not
                    // at all; the monitor shows the layer's source.
                    Err(error) => tracing::warn!(
                        layer = %config.id,
                        %error,
                        "the layer's features could not be read for the search"
                    ),
                }
                continue;
            }
            for index in 0..layer.data.len() {
                let Some(properties) = layer.data.properties(index) else {
                    continue;
                };
                let Some(geometry) = layer.data.geometry(Crs::Utm32, index) else {
                    continue;
                };
                let anchor = layer.data.anchor(Crs::Utm32, index).map(|a| a.at);
                let Some(target) = feature_target(&geometry, anchor) else {
                    continue;
                };
                let text = |field: &str| text_of(properties.get(field));
                entries.extend(feature_entry(config, search, text, target));
            }
        }
        for layer in catalog.all_layers() {
            let config = &layer.config;
            let folder = catalog
                .config
                .groups
                .iter()
                .find(|g| g.members.contains(&config.id))
                .map(|g| g.title.clone())
                .unwrap_or_default();
            entries.push(Entry {
                kind: "layer".into(),
                kind_label: Text::Translated {
                    de: "Ebene".into(),
                    en: Some("Layer".into()),
                },
                // Both languages' titles find the layer.
                name: fold(&format!(
                    "{} {}",
                    config.title.get("de"),
                    config.title.get("en")
                )),
                keys: vec![fold(&config.id)],
                label: config.title.clone(),
                detail: folder,
                layer: config.id.clone(),
                target: Target::Layer(config.id.clone()),
            });
        }
        Self { entries }
    }

    /// The best hits for `query`, at most [`MAX_HITS`], among the layers of
    /// `view`.
    pub fn search(&self, query: &str, lang: &str, view: &CatalogView<'_>) -> Vec<Hit> {
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let query = fold(&query);
        if query.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(u8, usize, &Entry)> = self
            .entries
            .iter()
            .filter_map(|e| score(e, &query).map(|s| (s, e.name.len(), e)))
            .filter(|(_, _, e)| view.layer(&e.layer).is_some())
            .collect();
        // Best match first; among equals, shorter names (the town before
        // its districts), then index order (the configuration's order).
        scored.sort_by_key(|&(score, length, _)| (score, length));
        scored
            .into_iter()
            .take(MAX_HITS)
            .map(|(_, _, e)| Hit {
                kind: e.kind.clone(),
                kind_label: e.kind_label.get(lang).to_owned(),
                label: e.label.get(lang).to_owned(),
                detail: e.detail.get(lang).to_owned(),
                target: e.target.clone(),
            })
            .collect()
    }

    /// Number of indexed entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Is nothing indexed?
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A property's value as trimmed text; empty when missing.
fn text_of(value: Option<&serde_json::Value>) -> String {
    value.map(as_text).unwrap_or_default().trim().to_owned()
}

/// The entry of one feature of a searchable layer, whose fields `text`
/// reads; `None` when it has no name.
fn feature_entry(
    config: &LayerConfig,
    search: &SearchConfig,
    text: impl Fn(&str) -> String,
    target: Target,
) -> Option<Entry> {
    let name = text(&search.name);
    if name.is_empty() {
        return None;
    }
    let detail: Vec<String> = search
        .detail
        .iter()
        .map(|f| text(f))
        .filter(|d| !d.is_empty() && *d != name)
        .collect();
    Some(Entry {
        kind: config.id.clone(),
        kind_label: search.kind.clone(),
        name: fold(&name),
        keys: search.keys.iter().map(|k| fold(&text(k))).collect(),
        label: Text::Plain(name),
        detail: Text::Plain(detail.join(", ")),
        layer: config.id.clone(),
        target,
    })
}

/// Where a feature a database named lies, in EPSG:25832.
fn remote_target(feature: &Named, postgis: &PostGis) -> Option<Target> {
    let from = postgis.storage().crs;
    let utm = |x: f64, y: f64| from.transform(Crs::Utm32, x, y).ok();
    let [a, b, c, d] = feature.envelope;
    let (min_x, min_y) = utm(a, b)?;
    let (max_x, max_y) = utm(c, d)?;
    let centre = ((min_x + max_x) / 2.0, (min_y + max_y) / 2.0);
    let at = feature.at.and_then(|(x, y)| utm(x, y)).unwrap_or(centre);
    Some(Target::Feature {
        at,
        bbox: (feature.dimension > 0).then_some([min_x, min_y, max_x, max_y]),
    })
}

/// How well `entry` matches the folded `query`; lower is better.
fn score(entry: &Entry, query: &str) -> Option<u8> {
    if entry.name == query || entry.keys.iter().any(|k| k == query) {
        Some(0)
    } else if entry.name.starts_with(query) || entry.keys.iter().any(|k| k.starts_with(query)) {
        Some(1)
    } else if entry.name.split(' ').any(|word| word.starts_with(query))
        || entry.name.contains(&format!(" {query}"))
    {
        Some(2)
    } else if query.len() >= 3 && entry.name.contains(query) {
        Some(3)
    } else {
        None
    }
}

fn feature_target(geometry: &Geometry<f64>, anchor: Option<geo::Coord<f64>>) -> Option<Target> {
    let rect = geometry.bounding_rect()?;
    if let Geometry::Point(p) = geometry {
        return Some(Target::Feature {
            at: (p.x(), p.y()),
            bbox: None,
        });
    }
    let at = anchor.unwrap_or_else(|| rect.center());
    Some(Target::Feature {
        at: (at.x, at.y),
        bbox: Some([rect.min().x, rect.min().y, rect.max().x, rect.max().y]),
    })
}

/// Lower case, accents removed, German umlaut spellings (`ae`, `oe`, `ue`)
/// merged with their plain vowels, anything but letters and digits a
/// single space. Applied to names and queries alike.
pub fn fold(text: &str) -> String {
    let plain = deunicode::deunicode(text).to_lowercase();
    let merged = plain
        .replace("ae", "a")
        .replace("oe", "o")
        .replace("ue", "u");
    merged
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::Caller;

    #[test]
    fn folding_ignores_case_accents_and_umlaut_spellings() {
        assert_eq!(fold("Göttingen"), "gottingen");
        assert_eq!(fold("goettingen"), "gottingen");
        assert_eq!(fold("GOTTINGEN"), "gottingen");
        assert_eq!(fold("Groß Munzel"), "gross munzel");
        assert_eq!(fold("  Bad   Münder am Deister "), "bad munder am deister");
        assert_eq!(fold("Hann. Münden"), "hann munden");
    }

    fn entry(name: &str, keys: &[&str]) -> Entry {
        Entry {
            kind: "place".into(),
            kind_label: Text::Plain("Ort".into()),
            label: Text::Plain(name.into()),
            detail: Text::None,
            name: fold(name),
            keys: keys.iter().map(|k| fold(k)).collect(),
            layer: "x".into(),
            target: Target::Layer("x".into()),
        }
    }

    /// A catalogue with the public layer `x` and the layer `geheim` of the
    /// role `naturschutz`.
    fn catalog() -> (tempfile::TempDir, Catalog) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("empty.geojson"),
            r#"{"type":"FeatureCollection","features":[]}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join(crate::catalog::MAP_FILE),
            r#"
            [[layer]]
            id = "x"
            title = "X"
            source = { type = "geojson", path = "empty.geojson" }
            [[layer]]
            id = "geheim"
            title = "Geheim"
            access = "naturschutz"
            source = { type = "geojson", path = "empty.geojson" }
            "#,
        )
        .unwrap();
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        (dir, catalog)
    }

    #[test]
    fn exact_names_come_before_prefixes_words_and_substrings() {
        let index = SearchIndex {
            entries: vec![
                entry("Langenhagen", &[]),
                entry("Hannoversch Münden", &[]),
                entry("Hannover", &["03241001"]),
                entry("Region Hannover", &[]),
            ],
        };
        let (_dir, catalog) = catalog();
        let caller = Caller::default();
        let view = catalog.view(&caller);
        let labels = |q: &str| -> Vec<String> {
            index
                .search(q, "de", &view)
                .into_iter()
                .map(|h| h.label)
                .collect()
        };
        assert_eq!(
            labels("hannover"),
            ["Hannover", "Hannoversch Münden", "Region Hannover"]
        );
        assert_eq!(labels("03241001"), ["Hannover"]);
        assert_eq!(labels("hagen"), ["Langenhagen"]);
        assert!(labels("").is_empty());
        assert!(labels("ha").len() == 3, "two letters find word starts only");
    }

    #[test]
    fn hidden_layers_are_not_found() {
        let mut secret = entry("Geheimes Biotop", &[]);
        secret.layer = "geheim".into();
        let index = SearchIndex {
            entries: vec![secret],
        };
        let (_dir, catalog) = catalog();
        let public = Caller::default();
        assert!(
            index
                .search("biotop", "de", &catalog.view(&public))
                .is_empty()
        );
        let staff = Caller {
            roles: vec!["naturschutz".into()],
            operator: false,
        };
        assert_eq!(index.search("biotop", "de", &catalog.view(&staff)).len(), 1);
    }
}
