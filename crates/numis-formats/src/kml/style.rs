//! KML styles as read: partial, mergeable, resolved to [`Style`] at the end.

use std::collections::HashMap;

use crate::model::{Rgba, Style};
use crate::text::safe_icon_href;

/// The parts of a `<Style>` that were present; inline parts override
/// shared ones field by field, as in Google Earth.
#[derive(Debug, Clone, Default)]
pub(super) struct StyleParts {
    line_color: Option<Rgba>,
    line_width: Option<f64>,
    poly_color: Option<Rgba>,
    poly_fill: Option<bool>,
    icon: Option<String>,
    label_scale: Option<f64>,
}

impl StyleParts {
    /// From the leaves of a `<Style>` element (see `XmlReader::leaves`).
    pub(super) fn from_leaves(leaves: &[(String, String)]) -> StyleParts {
        let mut parts = StyleParts::default();
        for (path, text) in leaves {
            let text = text.trim();
            match path.as_str() {
                "LineStyle/color" => parts.line_color = Rgba::from_kml(text),
                "LineStyle/width" => parts.line_width = finite(text),
                "PolyStyle/color" => parts.poly_color = Rgba::from_kml(text),
                "PolyStyle/fill" => parts.poly_fill = Some(text != "0" && text != "false"),
                "IconStyle/Icon/href" => parts.icon = safe_icon_href(text),
                "LabelStyle/scale" => parts.label_scale = finite(text),
                _ => {}
            }
        }
        parts
    }

    /// `self` with every field `over` sets replaced.
    pub(super) fn overridden_by(&self, over: &StyleParts) -> StyleParts {
        StyleParts {
            line_color: over.line_color.or(self.line_color),
            line_width: over.line_width.or(self.line_width),
            poly_color: over.poly_color.or(self.poly_color),
            poly_fill: over.poly_fill.or(self.poly_fill),
            icon: over.icon.clone().or_else(|| self.icon.clone()),
            label_scale: over.label_scale.or(self.label_scale),
        }
    }

    pub(super) fn to_style(&self) -> Style {
        Style {
            stroke_color: self.line_color,
            stroke_width: self.line_width,
            fill_color: if self.poly_fill == Some(false) {
                None
            } else {
                self.poly_color
            },
            icon: self.icon.clone(),
            label_scale: self.label_scale,
        }
    }
}

fn finite(text: &str) -> Option<f64> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// Shared styles of a document, by id.
#[derive(Debug, Default)]
pub(super) struct StyleSheet {
    pub(super) styles: HashMap<String, StyleParts>,
    /// StyleMap id → the `normal` pair (a styleUrl or an inline style).
    pub(super) maps: HashMap<String, StyleRef>,
}

/// What a `styleUrl` or a StyleMap pair points at.
#[derive(Debug, Clone)]
pub(super) enum StyleRef {
    Url(String),
    Inline(StyleParts),
}

impl StyleSheet {
    /// Resolves `#id` (styles defined in other files are not fetched).
    pub(super) fn resolve(&self, url: &str) -> StyleParts {
        let mut url = url.trim().to_owned();
        // StyleMaps may point at StyleMaps; a few hops suffice and stop loops.
        for _ in 0..4 {
            let Some(id) = url.strip_prefix('#') else {
                return StyleParts::default();
            };
            if let Some(parts) = self.styles.get(id) {
                return parts.clone();
            }
            match self.maps.get(id) {
                Some(StyleRef::Inline(parts)) => return parts.clone(),
                Some(StyleRef::Url(next)) => url = next.trim().to_owned(),
                None => return StyleParts::default(),
            }
        }
        StyleParts::default()
    }
}
