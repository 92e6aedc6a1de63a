//! The sheet's own words in its language (German unless English is
//! asked for): what it prints and what it tells a screen reader.

/// The sheet's words in one language.
pub(crate) struct Words {
    pub(crate) scale: &'static str,
    pub(crate) sources: &'static str,
    pub(crate) modified: &'static str,
    pub(crate) printed: &'static str,
    pub(crate) north: &'static str,
    pub(crate) legend: &'static str,
    pub(crate) legend_continued: &'static str,
    pub(crate) thousands: char,
    /// "Map at scale" before the scale in the map's text alternative.
    pub(crate) map_at: &'static str,
    pub(crate) centre: &'static str,
    pub(crate) easting: &'static str,
    pub(crate) northing: &'static str,
    pub(crate) layers: &'static str,
    pub(crate) grid_every: &'static str,
    pub(crate) scale_bar: &'static str,
    pub(crate) to: &'static str,
    pub(crate) north_arrow: &'static str,
    pub(crate) legend_of: &'static str,
    pub(crate) qr_code: &'static str,
    pub(crate) permalink: &'static str,
}

impl Words {
    pub(crate) fn of(lang: &str) -> Words {
        if lang == "en" {
            Words {
                scale: "Scale",
                sources: "Sources:",
                modified: "data modified",
                printed: "Printed on",
                north: "N",
                legend: "Legend",
                legend_continued: "legend (continued)",
                thousands: ',',
                map_at: "Map at a scale of",
                centre: "centred on",
                easting: "east",
                northing: "north",
                layers: "layers",
                grid_every: "With a UTM 32 grid every",
                scale_bar: "Scale bar",
                to: "to",
                north_arrow: "North arrow: north is up",
                legend_of: "Legend of",
                qr_code: "QR code of the permalink",
                permalink: "Permalink of this map",
            }
        } else {
            Words {
                scale: "Maßstab",
                sources: "Quellen:",
                modified: "Daten geändert",
                printed: "Erstellt am",
                north: "N",
                legend: "Legende",
                legend_continued: "Legende (Fortsetzung)",
                thousands: '.',
                map_at: "Karte im Maßstab",
                centre: "Mittelpunkt",
                easting: "Ost",
                northing: "Nord",
                layers: "Ebenen",
                grid_every: "Mit UTM-32-Gitter alle",
                scale_bar: "Maßstabsleiste",
                to: "bis",
                north_arrow: "Nordpfeil: Norden ist oben",
                legend_of: "Legende zu",
                qr_code: "QR-Code des Permalinks",
                permalink: "Permalink dieser Karte",
            }
        }
    }
}

/// `1:25.000` (German) or `1:25,000` (English).
pub fn scale_text(scale: f64, thousands: char) -> String {
    format!("1:{}", grouped(scale.round().max(1.0), thousands))
}

/// `550.000` or `550,000`: a number in whole units, grouped.
pub(crate) fn grouped(value: f64, thousands: char) -> String {
    let rounded = value.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut out = String::from(if rounded < 0 { "-" } else { "" });
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(c);
    }
    out
}

/// A length on the ground as the scale bar labels it: `500 m`, `2 km`.
pub(crate) fn length_text(metres: f64) -> String {
    if metres >= 1000.0 {
        format!("{} km", metres / 1000.0)
    } else {
        format!("{metres} m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_read_as_the_language_writes_them() {
        assert_eq!(scale_text(25_000.0, '.'), "1:25.000");
        assert_eq!(scale_text(1_250_000.0, ','), "1:1,250,000");
        assert_eq!(scale_text(500.0, '.'), "1:500");
        assert_eq!(grouped(550_000.0, '.'), "550.000");
        assert_eq!(grouped(5_794_000.0, ','), "5,794,000");
        assert_eq!(grouped(-150_000.0, '.'), "-150.000");
        assert_eq!(length_text(500.0), "500 m");
        assert_eq!(length_text(2_000.0), "2 km");
    }
}
