//! Source notes (clause L1): computed from a layer's licence, attribution
//! text and `modified` flag. The viewer, image exports and capabilities all
//! use these functions, so every public display says the same.
//!
//! [`source_note`] writes one layer's note; [`combined_notes`] is the only
//! place notes of several layers and base maps are joined and deduplicated,
//! and [`map_notes`] gives them for a map as the viewer shows it (a base map
//! and layers, by id, through the caller's view).

use crate::config::{ExternalBasemap, LayerConfig};
use crate::view::{CatalogView, VisibleLayer};

/// Most layer ids [`map_notes`] is asked about at once (as many as a GetMap
/// may draw).
pub const MAX_NOTE_LAYERS: usize = crate::wms::DEFAULT_MAX_LAYERS;

/// The short licence name for a source note, from its SPDX id; `None` for
/// public-domain dedications and unknown licences, which need no mention.
pub fn licence_short_name(spdx: &str) -> Option<&'static str> {
    match spdx.to_ascii_uppercase().as_str() {
        "DL-DE-BY-2.0" => Some("dl-de/by-2-0"),
        "DL-DE-ZERO-2.0" => Some("dl-de/zero-2-0"),
        "CC-BY-4.0" => Some("CC BY 4.0"),
        "CC-BY-SA-4.0" => Some("CC BY-SA 4.0"),
        "ODBL-1.0" => Some("ODbL 1.0"),
        _ => None,
    }
}

/// Is `spdx` an open data licence — free use by anyone, at most with a
/// source note or share-alike (clause L5)? Unknown ids and `NOASSERTION`
/// are not: data of unclear rights are not handed out by default.
pub fn is_open_licence(spdx: &str) -> bool {
    matches!(
        spdx.to_ascii_uppercase().as_str(),
        "CC0-1.0"
            | "CC-BY-4.0"
            | "CC-BY-SA-4.0"
            | "DL-DE-BY-2.0"
            | "DL-DE-ZERO-2.0"
            | "ODBL-1.0"
            | "ODC-BY-1.0"
            | "PDDL-1.0"
    )
}

/// `© GeoBasis-DE / BKG 2016, dl-de/by-2-0, Daten geändert`: the layer's
/// attribution, its licence unless already named, and the modification
/// note where the layer is marked modified.
pub fn source_note(layer: &LayerConfig, lang: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !layer.attribution.trim().is_empty() {
        parts.push(layer.attribution.trim().to_owned());
    }
    if let Some(licence) = licence_short_name(&layer.licence.id)
        && !layer.attribution.contains(licence)
    {
        parts.push(licence.to_owned());
    }
    if layer.modified {
        parts.push(modified_note(lang).to_owned());
    }
    parts.join(", ")
}

/// "Daten geändert" in German, "data modified" in English.
pub fn modified_note(lang: &str) -> &'static str {
    if lang == "en" {
        "data modified"
    } else {
        "Daten geändert"
    }
}

/// The attribution texts of the external base maps `basemaps` (they lie
/// at the bottom of a map) and then the source notes of `layers`, each
/// once, in that order; empty notes are left out.
pub fn combined_notes<'a>(
    layers: impl IntoIterator<Item = VisibleLayer<'a>>,
    basemaps: impl IntoIterator<Item = &'a ExternalBasemap>,
    lang: &str,
) -> Vec<String> {
    let notes = basemaps
        .into_iter()
        .map(|b| b.attribution.get(lang).trim().to_owned())
        .chain(layers.into_iter().map(|layer| layer.source_note(lang)));
    let mut unique: Vec<String> = Vec::new();
    for note in notes {
        if !note.is_empty() && !unique.contains(&note) {
            unique.push(note);
        }
    }
    unique
}

/// The notes of a presentation (a print, an image) of `layers` with, when
/// `user_content`, something of the user's drawn over them (a drawing, an
/// imported file): [`combined_notes`], then "Daten geändert" once, unless
/// a note already says so — what is shown is no longer the data as
/// published (clause L1).
pub fn presented_notes<'a>(
    layers: impl IntoIterator<Item = VisibleLayer<'a>>,
    lang: &str,
    user_content: bool,
) -> Vec<String> {
    let mut notes = combined_notes(layers, [], lang);
    let modified = modified_note(lang);
    if user_content && !notes.iter().any(|n| n.contains(modified)) {
        notes.push(modified.to_owned());
    }
    notes
}

/// The notes of a map showing the base map `base` (a layer, a group or an
/// external base map, by id) under `layers` (layers or groups, by id), as
/// `view` sees them: ids that do not exist for the caller are ignored. The
/// base map's notes come first.
pub fn map_notes(
    view: &CatalogView<'_>,
    base: Option<&str>,
    layers: &[&str],
    lang: &str,
) -> Vec<String> {
    let external = base.and_then(|id| {
        view.catalog()
            .config
            .viewer
            .external_basemaps
            .iter()
            .find(|b| b.id == id)
    });
    let base_layers = match (base, external) {
        (Some(id), None) => view.members(id),
        _ => Vec::new(),
    };
    let overlays = layers
        .iter()
        .take(MAX_NOTE_LAYERS)
        .flat_map(|id| view.members(id));
    combined_notes(base_layers.into_iter().chain(overlays), external, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(attribution: &str, licence: &str, modified: bool) -> LayerConfig {
        toml::from_str(&format!(
            "id = \"x\"\ntitle = \"X\"\nsource = {{ type = \"geojson\", path = \"x\" }}\nattribution = \"{attribution}\"\nlicence = {{ id = \"{licence}\" }}\nmodified = {modified}\n"
        ))
        .unwrap()
    }

    #[test]
    fn notes_carry_licence_and_modification() {
        let bkg = layer("© GeoBasis-DE / BKG 2016", "DL-DE-BY-2.0", true);
        assert_eq!(
            source_note(&bkg, "de"),
            "© GeoBasis-DE / BKG 2016, dl-de/by-2-0, Daten geändert"
        );
        assert_eq!(
            source_note(&bkg, "en"),
            "© GeoBasis-DE / BKG 2016, dl-de/by-2-0, data modified"
        );
        let geonames = layer(
            "Ortsnamen: GeoNames (geonames.org), CC BY 4.0",
            "CC-BY-4.0",
            false,
        );
        assert_eq!(
            source_note(&geonames, "de"),
            "Ortsnamen: GeoNames (geonames.org), CC BY 4.0"
        );
        let ne = layer("Made with Natural Earth", "CC0-1.0", false);
        assert_eq!(source_note(&ne, "de"), "Made with Natural Earth");
    }

    /// A site with three layers (two with the same note, one restricted),
    /// a group and an external base map.
    fn catalog() -> (tempfile::TempDir, crate::catalog::Catalog) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("empty.geojson"),
            r#"{"type":"FeatureCollection","features":[]}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join(crate::catalog::MAP_FILE),
            r#"
            [viewer]
            basemaps = ["grund"]
            [[viewer.external_basemap]]
            id = "topo"
            title = "Topo"
            url = "https://example.org/wms"
            layers = "topo"
            attribution = { de = "© Topo-Amt", en = "© Topo office" }
            [[group]]
            id = "grund"
            title = "Grund"
            members = ["land", "kreise"]
            [[layer]]
            id = "land"
            title = "Land"
            source = { type = "geojson", path = "empty.geojson" }
            attribution = "© GeoBasis-DE / BKG 2016"
            licence = { id = "DL-DE-BY-2.0" }
            modified = true
            [[layer]]
            id = "kreise"
            title = "Kreise"
            source = { type = "geojson", path = "empty.geojson" }
            attribution = "© GeoBasis-DE / BKG 2016"
            licence = { id = "DL-DE-BY-2.0" }
            modified = true
            [[layer]]
            id = "intern"
            title = "Intern"
            access = "staff"
            source = { type = "geojson", path = "empty.geojson" }
            attribution = "Interne Quelle"
            "#,
        )
        .unwrap();
        let catalog = crate::catalog::Catalog::load(dir.path()).unwrap().unwrap();
        (dir, catalog)
    }

    #[test]
    fn notes_of_a_map_are_joined_once_base_map_first_through_the_view() {
        let (_dir, catalog) = catalog();
        let public = crate::view::Caller::default();
        let view = catalog.view(&public);
        let bkg = "© GeoBasis-DE / BKG 2016, dl-de/by-2-0, Daten geändert";
        assert_eq!(map_notes(&view, Some("grund"), &["land"], "de"), [bkg]);
        assert_eq!(
            map_notes(&view, Some("topo"), &["kreise", "intern", "nichts"], "en"),
            [
                "© Topo office",
                "© GeoBasis-DE / BKG 2016, dl-de/by-2-0, data modified"
            ]
        );
        assert!(map_notes(&view, None, &["intern"], "de").is_empty());
        let staff = crate::view::Caller {
            roles: vec!["staff".into()],
            operator: false,
        };
        assert_eq!(
            map_notes(&catalog.view(&staff), None, &["intern", "land"], "de"),
            ["Interne Quelle", bkg]
        );
    }
}
