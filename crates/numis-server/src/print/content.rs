//! What a print or an image export draws, as a client asks for it and as
//! it is checked: the layers with their opacity, the user's own overlays
//! (the open drawing and imported files, read by the same reader, with
//! the same sanitiser and limits as uploads) and the search marker.

use numis_formats::{Drawing, Format, Limits};
use serde::Deserialize;
use serde_json::Value;

/// Where a centre in EPSG:25832 may lie: Germany and its neighbours, with
/// room to spare.
pub const EASTING: std::ops::RangeInclusive<f64> = -500_000.0..=1_500_000.0;
/// See [`EASTING`].
pub const NORTHING: std::ops::RangeInclusive<f64> = 4_500_000.0..=7_000_000.0;
/// Most layers and groups one print draws.
pub const MAX_LAYERS: usize = 30;
/// Most overlays (the drawing and imported files) one print draws.
pub const MAX_OVERLAYS: usize = 10;

/// The language of a print or an image: `de` (the default) or `en`.
pub fn parse_lang(lang: Option<&str>) -> Result<&'static str, String> {
    match lang {
        None | Some("de") => Ok("de"),
        Some("en") => Ok("en"),
        Some(other) => Err(format!("lang {other:?} is neither de nor en")),
    }
}

/// A layer asked for: its id, or its id with the opacity (0–100) it has
/// in the viewer.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum LayerRequest {
    /// Drawn opaque.
    Id(String),
    /// Drawn with an opacity.
    WithOpacity {
        /// The layer's or group's id.
        id: String,
        /// 0 (invisible) to 100 (opaque).
        opacity: f64,
    },
}

/// An overlay as the client sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlayRequest {
    /// `drawing` (the open drawing) or `import` (a file shown as a
    /// temporary layer).
    pub kind: String,
    /// A GeoJSON FeatureCollection in longitude/latitude, with the
    /// simplestyle properties the drawings API keeps.
    pub geojson: Value,
}

/// A layer to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintedLayer {
    /// The layer's or group's id.
    pub id: String,
    /// 0 to 1.
    pub opacity: f32,
}

/// What an overlay is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayKind {
    /// The open drawing.
    Drawing,
    /// An imported file.
    Import,
}

/// A checked overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// What it is.
    pub kind: OverlayKind,
    /// Its features, sanitised.
    pub drawing: Drawing,
}

/// What is drawn, checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Content {
    /// Layers and groups, bottom first.
    pub layers: Vec<PrintedLayer>,
    /// The user's overlays, bottom first, above the layers.
    pub overlays: Vec<Overlay>,
    /// The search marker, in EPSG:25832, above everything.
    pub marker: Option<(f64, f64)>,
}

impl Content {
    /// Checks what a client asks to draw. `limits` are the upload limits:
    /// the overlays together may hold no more features and vertices than
    /// one upload.
    pub fn check(
        layers: Vec<LayerRequest>,
        overlays: Vec<OverlayRequest>,
        marker: Option<[f64; 2]>,
        limits: &Limits,
    ) -> Result<Content, String> {
        if layers.is_empty() || layers.len() > MAX_LAYERS {
            return Err(format!(
                "{} layers asked for; draw 1 to {MAX_LAYERS}",
                layers.len()
            ));
        }
        let layers = layers
            .into_iter()
            .map(|layer| match layer {
                LayerRequest::Id(id) => Ok(PrintedLayer { id, opacity: 1.0 }),
                LayerRequest::WithOpacity { id, opacity } => {
                    if !opacity.is_finite() || !(0.0..=100.0).contains(&opacity) {
                        return Err(format!(
                            "the opacity of layer {id:?} is {opacity}; give 0 to 100"
                        ));
                    }
                    Ok(PrintedLayer {
                        id,
                        opacity: (opacity / 100.0) as f32,
                    })
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if overlays.len() > MAX_OVERLAYS {
            return Err(format!(
                "{} overlays sent; at most {MAX_OVERLAYS} are drawn",
                overlays.len()
            ));
        }
        let mut features = 0;
        let mut vertices = 0;
        let overlays = overlays
            .into_iter()
            .enumerate()
            .map(|(position, overlay)| {
                let kind = match overlay.kind.as_str() {
                    "drawing" => OverlayKind::Drawing,
                    "import" => OverlayKind::Import,
                    other => {
                        return Err(format!(
                            "overlay {position}: kind {other:?} is neither drawing nor import"
                        ));
                    }
                };
                let bytes = serde_json::to_vec(&overlay.geojson).map_err(|e| e.to_string())?;
                let drawing = numis_formats::read(&bytes, Format::GeoJson, limits)
                    .map_err(|e| format!("overlay {position}: {e}"))?;
                features += drawing.features.len();
                vertices += drawing
                    .features
                    .iter()
                    .map(|f| geo::CoordsIter::coords_count(&f.geometry))
                    .sum::<usize>();
                Ok(Overlay { kind, drawing })
            })
            .collect::<Result<Vec<_>, String>>()?;
        if features > limits.max_features {
            return Err(format!(
                "the overlays hold {features} features together; at most {} are drawn",
                limits.max_features
            ));
        }
        if vertices > limits.max_vertices {
            return Err(format!(
                "the overlays hold {vertices} points together; at most {} are drawn",
                limits.max_vertices
            ));
        }
        let marker = marker
            .map(|[x, y]| {
                let near =
                    x.is_finite() && y.is_finite() && EASTING.contains(&x) && NORTHING.contains(&y);
                near.then_some((x, y)).ok_or_else(|| {
                    format!("marker {x},{y} is not a position in EPSG:25832 near Germany")
                })
            })
            .transpose()?;
        Ok(Content {
            layers,
            overlays,
            marker,
        })
    }

    /// The ids of the layers, bottom first.
    pub fn layer_ids(&self) -> Vec<String> {
        self.layers.iter().map(|l| l.id.clone()).collect()
    }

    /// What lies over the layers, top first, named for the map's text
    /// alternative: the marker, imported files, the drawing.
    pub fn overlay_names(&self, lang: &str) -> Vec<&'static str> {
        let en = lang == "en";
        let marker = self.marker.map(|_| {
            if en {
                "search marker"
            } else {
                "Suchmarkierung"
            }
        });
        let overlays = self
            .overlays
            .iter()
            .rev()
            .filter(|o| !o.drawing.features.is_empty())
            .map(|o| match (o.kind, en) {
                (OverlayKind::Drawing, false) => "eigene Zeichnung",
                (OverlayKind::Drawing, true) => "own drawing",
                (OverlayKind::Import, false) => "importierte Datei",
                (OverlayKind::Import, true) => "imported file",
            });
        marker.into_iter().chain(overlays).collect()
    }

    /// Is anything of the user's drawn over the data? Then the source
    /// notes say "Daten geändert" (clause L1). The search marker only
    /// points at a place and changes nothing.
    pub fn user_content(&self) -> bool {
        self.overlays.iter().any(|o| !o.drawing.features.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(kind: &str, geojson: Value) -> OverlayRequest {
        OverlayRequest {
            kind: kind.into(),
            geojson,
        }
    }

    fn point_collection(n: usize) -> Value {
        let features: Vec<Value> = (0..n)
            .map(|i| {
                json!({"type": "Feature", "properties": {"name": format!("P{i}")},
                       "geometry": {"type": "Point", "coordinates": [9.7, 52.4]}})
            })
            .collect();
        json!({"type": "FeatureCollection", "features": features})
    }

    #[test]
    fn layers_may_carry_an_opacity_and_overlays_are_read_and_sanitised() {
        let layers: Vec<LayerRequest> =
            serde_json::from_value(json!(["land", {"id": "gemeinden", "opacity": 40}])).unwrap();
        let hostile = json!({"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": {"name": "<script>alert(1)</script>Hof", "stroke": "#0000ff"},
            "geometry": {"type": "Point", "coordinates": [9.7, 52.4]}}]});
        let content = Content::check(
            layers,
            vec![overlay("drawing", hostile)],
            Some([550_000.0, 5_800_000.0]),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(content.layers[0].opacity, 1.0);
        assert!((content.layers[1].opacity - 0.4).abs() < 1e-6);
        assert_eq!(content.overlays[0].kind, OverlayKind::Drawing);
        let name = content.overlays[0].drawing.features[0].name.as_deref();
        assert!(!name.unwrap_or("").contains('<'), "{name:?}");
        assert!(content.user_content());
        assert_eq!(content.layer_ids(), ["land", "gemeinden"]);
        assert_eq!(
            content.overlay_names("de"),
            ["Suchmarkierung", "eigene Zeichnung"]
        );
    }

    #[test]
    fn each_bound_is_told() {
        let layers = || vec![LayerRequest::Id("land".into())];
        let refused = |layers, overlays, marker, limits: &Limits| {
            Content::check(layers, overlays, marker, limits).unwrap_err()
        };
        let limits = Limits::default();
        assert!(refused(Vec::new(), Vec::new(), None, &limits).contains("1 to 30"));
        let opacity = vec![LayerRequest::WithOpacity {
            id: "land".into(),
            opacity: 250.0,
        }];
        assert!(refused(opacity, Vec::new(), None, &limits).contains("0 to 100"));
        let eleven = (0..11)
            .map(|_| overlay("import", point_collection(1)))
            .collect();
        assert!(refused(layers(), eleven, None, &limits).contains("at most 10"));
        let kind = vec![overlay("script", point_collection(1))];
        assert!(refused(layers(), kind, None, &limits).contains("kind"));
        let broken = vec![overlay("import", json!({"type": "Nonsense"}))];
        assert!(refused(layers(), broken, None, &limits).starts_with("overlay 0:"));
        let tight = Limits {
            max_features: 5,
            ..Limits::default()
        };
        // Each overlay is within the limit; together they are not.
        let two = vec![
            overlay("import", point_collection(3)),
            overlay("import", point_collection(3)),
        ];
        assert!(refused(layers(), two, None, &tight).contains("6 features"));
        assert!(refused(layers(), Vec::new(), Some([9.7, 52.4]), &limits).contains("marker"));
    }

    #[test]
    fn a_marker_alone_changes_no_data() {
        let content = Content::check(
            vec![LayerRequest::Id("land".into())],
            vec![overlay("drawing", point_collection(0))],
            Some([550_000.0, 5_800_000.0]),
            &Limits::default(),
        )
        .unwrap();
        assert!(!content.user_content());
    }
}
