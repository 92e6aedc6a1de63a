//! The feature model every reader produces and every writer consumes.
//!
//! Coordinates are WGS84 longitude/latitude in degrees (x = longitude,
//! y = latitude); altitudes are dropped on import.

pub use geo::Geometry;

/// A set of features, as imported from one file or drawn in the viewer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Drawing {
    /// The features, in document order.
    pub features: Vec<Feature>,
}

/// One drawn or imported object.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// Points, lines, polygons (with holes), multi-geometries, collections.
    pub geometry: Geometry<f64>,
    /// Plain text (no markup), whitespace collapsed, at most
    /// [`crate::text::MAX_NAME_CHARS`] characters.
    pub name: Option<String>,
    /// HTML reduced to a small safe subset (see [`crate::text::sanitize_description`]).
    pub description: Option<String>,
    /// How to draw it.
    pub style: Style,
}

impl Feature {
    /// A feature with the given geometry and nothing else.
    pub fn new(geometry: impl Into<Geometry<f64>>) -> Self {
        Feature {
            geometry: geometry.into(),
            name: None,
            description: None,
            style: Style::default(),
        }
    }
}

/// Presentation of a feature. `None` means "the viewer's default".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Style {
    /// Colour of lines and polygon outlines.
    pub stroke_color: Option<Rgba>,
    /// Line width in pixels.
    pub stroke_width: Option<f64>,
    /// Polygon fill; `None` = not filled.
    pub fill_color: Option<Rgba>,
    /// Point icon: a relative name or an http(s) URL, kept as data only
    /// (the viewer does not load remote icons).
    pub icon: Option<String>,
    /// Scale of the feature's label (KML `LabelStyle/scale`).
    pub label_scale: Option<f64>,
}

impl Style {
    /// True when nothing is set.
    pub fn is_default(&self) -> bool {
        *self == Style::default()
    }
}

/// An sRGB colour with alpha, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgba {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
    /// Alpha, 255 = opaque.
    pub a: u8,
}

impl Rgba {
    /// Parses KML's `aabbggrr` (8 hex digits; a leading `#` is tolerated).
    /// Other lengths are malformed and give `None`.
    pub fn from_kml(text: &str) -> Option<Rgba> {
        let hex = text.trim().trim_start_matches('#');
        let [a, b, g, r] = hex_bytes::<4>(hex)?;
        Some(Rgba { r, g, b, a })
    }

    /// KML's `aabbggrr`.
    pub fn to_kml(self) -> String {
        format!("{:02x}{:02x}{:02x}{:02x}", self.a, self.b, self.g, self.r)
    }

    /// Parses CSS-style `#rrggbb` (or `#rgb`) with a separate opacity 0..1.
    pub fn from_css(text: &str, opacity: Option<f64>) -> Option<Rgba> {
        let hex = text.trim().strip_prefix('#')?;
        let [r, g, b] = if hex.len() == 3 {
            let doubled: String = hex.chars().flat_map(|c| [c, c]).collect();
            hex_bytes::<3>(&doubled)?
        } else {
            hex_bytes::<3>(hex)?
        };
        let a = opacity
            .filter(|o| o.is_finite())
            .map_or(255, |o| (o.clamp(0.0, 1.0) * 255.0).round() as u8);
        Some(Rgba { r, g, b, a })
    }

    /// `#rrggbb` (without alpha).
    pub fn to_css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// Alpha as 0..1.
    pub fn opacity(self) -> f64 {
        f64::from(self.a) / 255.0
    }
}

fn hex_bytes<const N: usize>(hex: &str) -> Option<[u8; N]> {
    if hex.len() != 2 * N || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kml_colours_are_aabbggrr() {
        let c = Rgba::from_kml("7f0000ff").unwrap();
        assert_eq!(
            c,
            Rgba {
                r: 255,
                g: 0,
                b: 0,
                a: 127
            }
        );
        assert_eq!(c.to_kml(), "7f0000ff");
        assert_eq!(Rgba::from_kml("#ff0000ff").unwrap().r, 255);
    }

    #[test]
    fn malformed_kml_colours_are_ignored() {
        assert_eq!(Rgba::from_kml("ff0"), None);
        assert_eq!(Rgba::from_kml("44ccff0"), None);
        assert_eq!(Rgba::from_kml("zz0000ff"), None);
    }

    #[test]
    fn css_colours_take_a_separate_opacity() {
        let c = Rgba::from_css("#f00", Some(0.5)).unwrap();
        assert_eq!(
            c,
            Rgba {
                r: 255,
                g: 0,
                b: 0,
                a: 128
            }
        );
        assert_eq!(c.to_css(), "#ff0000");
    }
}
