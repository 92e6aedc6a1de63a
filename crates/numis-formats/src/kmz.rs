//! KMZ: a zip archive whose first KML (`doc.kml` preferred) is read.
//! Archives are checked against [`Limits`] before and while inflating, so
//! zip bombs stop early.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use crate::error::{FormatError, LimitKind, Result};
use crate::limits::Limits;
use crate::model::Drawing;

/// Reads the KML document inside a KMZ archive.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Drawing> {
    read_with_notes(bytes, limits).map(|(drawing, _)| drawing)
}

pub(crate) fn read_with_notes(bytes: &[u8], limits: &Limits) -> Result<(Drawing, Vec<String>)> {
    limits.check_bytes(bytes.len())?;
    let kml = extract_kml(bytes, limits)?;
    crate::kml::read_with_notes(
        &kml,
        &Limits {
            max_bytes: limits.kmz_max_uncompressed,
            ..limits.clone()
        },
    )
}

fn exceeded(kind: LimitKind, max: u64) -> FormatError {
    FormatError::LimitExceeded { kind, max }
}

/// The bytes of the KML entry, inflated under the limits.
fn extract_kml(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>> {
    let mut archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| FormatError::Kmz(format!("not a valid zip archive ({e})")))?;
    if archive.len() > limits.kmz_max_entries {
        return Err(exceeded(
            LimitKind::KmzEntries,
            limits.kmz_max_entries as u64,
        ));
    }
    // Check what the archive declares before inflating anything.
    let mut declared_total: u64 = 0;
    let mut chosen: Option<(usize, bool)> = None;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| FormatError::Kmz(e.to_string()))?;
        declared_total = declared_total.saturating_add(entry.size());
        if declared_total > limits.kmz_max_uncompressed {
            return Err(exceeded(
                LimitKind::KmzUncompressed,
                limits.kmz_max_uncompressed,
            ));
        }
        if entry.size()
            > entry
                .compressed_size()
                .max(1)
                .saturating_mul(limits.kmz_max_ratio)
        {
            return Err(exceeded(LimitKind::KmzRatio, limits.kmz_max_ratio));
        }
        let name = entry.name().to_ascii_lowercase();
        let is_doc = name == "doc.kml";
        if name.ends_with(".kml")
            && !matches!(chosen, Some((_, true)))
            && (is_doc || chosen.is_none())
        {
            chosen = Some((index, is_doc));
        }
    }
    let Some((index, _)) = chosen else {
        return Err(FormatError::Kmz(
            "the archive contains no .kml file".to_owned(),
        ));
    };
    let entry = archive
        .by_index(index)
        .map_err(|e| FormatError::Kmz(e.to_string()))?;
    // Declared sizes can lie: cap what is actually inflated too.
    let cap = limits.kmz_max_uncompressed.min(
        entry
            .compressed_size()
            .max(1)
            .saturating_mul(limits.kmz_max_ratio),
    );
    let mut kml = Vec::new();
    entry
        .take(cap.saturating_add(1))
        .read_to_end(&mut kml)
        .map_err(|e| FormatError::Kmz(format!("cannot inflate the KML entry ({e})")))?;
    if kml.len() as u64 > cap {
        return Err(exceeded(LimitKind::KmzRatio, limits.kmz_max_ratio));
    }
    Ok(kml)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn kmz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    const KML: &[u8] =
        b"<kml><Placemark><Point><coordinates>1,2</coordinates></Point></Placemark></kml>";

    #[test]
    fn doc_kml_is_preferred() {
        let other =
            b"<kml><Placemark><Point><coordinates>3,4</coordinates></Point></Placemark></kml>";
        let bytes = kmz(&[("a.kml", other), ("files/i.png", b"png"), ("doc.kml", KML)]);
        let d = read(&bytes, &Limits::default()).unwrap();
        assert_eq!(
            d.features[0].geometry,
            geo::Geometry::Point(geo::point!(x: 1., y: 2.))
        );
    }

    #[test]
    fn archives_without_kml_or_with_too_many_entries_are_refused() {
        let bytes = kmz(&[("x.png", b"png")]);
        assert_eq!(
            read(&bytes, &Limits::default()).unwrap_err().to_string(),
            "KMZ: the archive contains no .kml file"
        );
        let limits = Limits {
            kmz_max_entries: 1,
            ..Limits::default()
        };
        let bytes = kmz(&[("doc.kml", KML), ("x.png", b"png")]);
        assert!(
            read(&bytes, &limits)
                .unwrap_err()
                .to_string()
                .contains("kmz_max_entries")
        );
        assert!(
            read(b"PK\x03\x04garbage", &Limits::default())
                .unwrap_err()
                .to_string()
                .starts_with("KMZ: not a valid zip")
        );
    }
}
