//! Source notes (clause L1): computed from a layer's licence, attribution
//! text and `modified` flag. The viewer, image exports and capabilities all
//! use these functions, so every public display says the same.

use crate::config::LayerConfig;

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

/// The source notes of several layers, each once, in layer order.
pub fn combined_notes<'a>(
    layers: impl IntoIterator<Item = &'a LayerConfig>,
    lang: &str,
) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for layer in layers {
        let note = source_note(layer, lang);
        if !note.is_empty() && !notes.contains(&note) {
            notes.push(note);
        }
    }
    notes
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
        assert_eq!(combined_notes([&bkg, &ne, &bkg], "de").len(), 2);
    }
}
