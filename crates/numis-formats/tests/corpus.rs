//! Every file of the shared corpus either imports with the same features
//! and coordinates GDAL reports, or is refused with a clear message.
//! Files where we differ from GDAL on purpose are listed in `EXPECTATIONS`
//! with the reason.
//!
//! The corpus is looked up in `$NUMIS_TEST_SHARED_DIR/corpus`, else in `shared/`
//! next to the repository or inside it. Without corpus or GDAL the test
//! prints `SKIPPED` and passes, unless `CI=true`.

use std::path::{Path, PathBuf};
use std::process::Command;

use geo::Geometry;
use numis_formats::{Format, Limits, read_with_notes};

/// What we expect of a file when it does not simply match GDAL.
enum Expect {
    /// Refused; the message contains this text.
    Refused(&'static str),
    /// Imported with this many features (with geometry); GDAL differs.
    Differs {
        features: usize,
        reason: &'static str,
    },
}

const EXPECTATIONS: &[(&str, Expect)] = &[
    // KML
    ("gdal_truncated.kml", Expect::Refused("unclosed element")),
    (
        "ol_networklinks.kml",
        Expect::Refused("NetworkLink is not supported"),
    ),
    (
        "kmlsamples_etna.kmz",
        Expect::Differs {
            features: 0,
            reason: "GDAL turns the GroundOverlay's LatLonBox into a polygon; overlays are images, we skip them with a note",
        },
    ),
    (
        "kmlsamples_KML_Samples.kml",
        Expect::Differs {
            features: 19,
            reason: "GDAL reports 20: it turns the GroundOverlay into a polygon; we skip overlays with a note",
        },
    ),
    (
        "ol_timezones.kml",
        Expect::Differs {
            features: 38,
            reason: "one innerBoundaryIs holds two LinearRings; GDAL (libkml) keeps only the last, we keep both holes as Google Earth does",
        },
    ),
    (
        "togeojson_non_gx_multitrack.kml",
        Expect::Differs {
            features: 3,
            reason: "GDAL reports 2: it drops the <MultiTrack> written without the gx: prefix; we read KML elements by local name",
        },
    ),
    // GeoJSON
    (
        "hint_bad_syntax_error.geojson",
        Expect::Refused("invalid JSON at line"),
    ),
    (
        "gdal_stac_item_trailing_comma.json",
        Expect::Refused("invalid JSON at line"),
    ),
    (
        "hint_bad_lowercase_types.geojson",
        Expect::Refused("invalid GeoJSON"),
    ),
    (
        "hint_bad_duplicate_keys.geojson",
        Expect::Refused("duplicate field `type`"),
    ),
    (
        "hint_good_bare_multipolygon_out_of_range.geojson",
        Expect::Refused("out of range"),
    ),
    (
        "antimeridian_over_180.json",
        Expect::Refused("out of range"),
    ),
    (
        "umap_empty_coordinates.json",
        Expect::Refused("position must contain two or more elements"),
    ),
];

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn skip(message: &str) {
    assert!(!ci(), "{message} (CI=true, so this fails)");
    println!("SKIPPED: {message}");
}

fn corpus_dir() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = match std::env::var_os("NUMIS_TEST_SHARED_DIR") {
        Some(dir) => vec![PathBuf::from(dir).join("corpus")],
        None => vec![
            manifest.join("../../shared/corpus"),
            manifest.join("../../../shared/corpus"),
        ],
    };
    candidates.into_iter().find(|dir| dir.join("kml").is_dir())
}

type Parts = Vec<Vec<(f64, f64)>>;

/// Each feature's coordinate sequences (points, lines, rings) as GDAL reads them.
fn gdal_features(path: &Path, format: Format) -> Vec<Parts> {
    let mut command = Command::new("ogrinfo");
    command
        .args(["-ro", "-q", "-fields=NO", "-geom=ISO_WKT"])
        .arg(path);
    if format == Format::Gpx {
        // route_points and track_points repeat the vertices of routes and tracks.
        command.args(["waypoints", "routes", "tracks"]);
    } else {
        command.arg("-al");
    }
    let output = command.output().expect("ogrinfo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    const KINDS: [&str; 7] = [
        "POINT",
        "LINESTRING",
        "POLYGON",
        "MULTIPOINT",
        "MULTILINESTRING",
        "MULTIPOLYGON",
        "GEOMETRYCOLLECTION",
    ];
    stdout
        .lines()
        .map(str::trim)
        .filter(|line| KINDS.iter().any(|k| line.starts_with(k)) && !line.ends_with("EMPTY"))
        .map(wkt_parts)
        .collect()
}

/// The innermost parenthesised coordinate lists of a WKT string.
fn wkt_parts(wkt: &str) -> Parts {
    let mut parts = Vec::new();
    let mut current: Option<String> = None;
    for c in wkt.chars() {
        match c {
            '(' => current = Some(String::new()),
            ')' => {
                if let Some(text) = current.take() {
                    let coords = text
                        .split(',')
                        .map(|tuple| {
                            let mut n = tuple
                                .split_whitespace()
                                .map(|v| v.parse::<f64>().expect("number"));
                            (n.next().expect("x"), n.next().expect("y"))
                        })
                        .collect();
                    parts.push(coords);
                }
            }
            _ => {
                if let Some(text) = current.as_mut() {
                    text.push(c);
                }
            }
        }
    }
    parts
}

fn our_parts(geometry: &Geometry<f64>, out: &mut Parts) {
    let line = |l: &geo::LineString<f64>| l.0.iter().map(|c| (c.x, c.y)).collect::<Vec<_>>();
    match geometry {
        Geometry::Point(p) => out.push(vec![(p.x(), p.y())]),
        Geometry::LineString(l) => out.push(line(l)),
        Geometry::Polygon(p) => {
            out.push(line(p.exterior()));
            out.extend(p.interiors().iter().map(line));
        }
        Geometry::MultiPoint(m) => out.extend(m.0.iter().map(|p| vec![(p.x(), p.y())])),
        Geometry::MultiLineString(m) => out.extend(m.0.iter().map(line)),
        Geometry::MultiPolygon(m) => {
            m.0.iter()
                .for_each(|p| our_parts(&Geometry::Polygon(p.clone()), out))
        }
        Geometry::GeometryCollection(c) => c.0.iter().for_each(|g| our_parts(g, out)),
        other => panic!("readers never produce {other:?}"),
    }
}

/// Rings are closed by geo but may be open in GDAL: compare without the
/// closing vertex. Features are compared as a sorted set, since GDAL
/// groups KML placemarks by folder.
fn normalise(mut features: Vec<Parts>) -> Vec<Parts> {
    for parts in &mut features {
        for part in parts.iter_mut() {
            if part.len() > 2 && part.first() == part.last() {
                part.pop();
            }
        }
    }
    features.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    features
}

fn same(ours: &[Parts], gdal: &[Parts]) -> Result<(), String> {
    if ours.len() != gdal.len() {
        return Err(format!(
            "{} features with geometry, GDAL reports {}",
            ours.len(),
            gdal.len()
        ));
    }
    for (i, (a, b)) in ours.iter().zip(gdal).enumerate() {
        let flat_a: Vec<_> = a.iter().flatten().collect();
        let flat_b: Vec<_> = b.iter().flatten().collect();
        let equal = a.len() == b.len()
            && flat_a.len() == flat_b.len()
            && flat_a
                .iter()
                .zip(&flat_b)
                .all(|(p, q)| (p.0 - q.0).abs() <= 1e-9 && (p.1 - q.1).abs() <= 1e-9);
        if !equal {
            let part = a.iter().zip(b).position(|(p, q)| {
                p.len() != q.len()
                    || p.iter()
                        .zip(q)
                        .any(|(x, y)| (x.0 - y.0).abs() > 1e-9 || (x.1 - y.1).abs() > 1e-9)
            });
            let show = |parts: &Parts| {
                part.and_then(|k| parts.get(k))
                    .map(|p| format!("{} vertices from {:?}", p.len(), p.first()))
            };
            return Err(format!(
                "feature {i} differs in part {part:?} of {}/{}: ours {:?}, GDAL {:?}",
                a.len(),
                b.len(),
                show(a),
                show(b)
            ));
        }
    }
    Ok(())
}

fn format_of(path: &Path) -> Option<Format> {
    match path.extension()?.to_str()? {
        "kml" => Some(Format::Kml),
        "kmz" => Some(Format::Kmz),
        "gpx" => Some(Format::Gpx),
        "json" | "geojson" => Some(Format::GeoJson),
        _ => None,
    }
}

#[test]
fn every_corpus_file_matches_gdal_or_is_refused_clearly() {
    let Some(corpus) = corpus_dir() else {
        return skip("corpus not found (set NUMIS_TEST_SHARED_DIR to the shared folder)");
    };
    if Command::new("ogrinfo").arg("--version").output().is_err() {
        return skip("ogrinfo (GDAL) is not installed");
    }
    let mut failures = Vec::new();
    let (mut imported, mut refused) = (0, 0);
    for folder in ["kml", "gpx", "geojson"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus.join(folder))
            .expect("corpus folder")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let Some(format) = format_of(&path) else {
                continue;
            };
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let bytes = std::fs::read(&path).expect("readable");
            let expectation = EXPECTATIONS
                .iter()
                .find(|(file, _)| *file == name)
                .map(|(_, e)| e);
            match (
                read_with_notes(&bytes, format, &Limits::default()),
                expectation,
            ) {
                (Err(err), Some(Expect::Refused(text))) if err.to_string().contains(text) => {
                    refused += 1;
                    println!("refused  {name}: {err}");
                }
                (Err(err), _) => failures.push(format!("{name}: refused unexpectedly: {err}")),
                (Ok(_), Some(Expect::Refused(text))) => {
                    failures.push(format!("{name}: imported, expected refusal '{text}'"))
                }
                (Ok(imported_file), Some(Expect::Differs { features, reason })) => {
                    imported += 1;
                    let count = imported_file.drawing.features.len();
                    if count != *features {
                        failures.push(format!(
                            "{name}: {count} features, expected {features} ({reason})"
                        ));
                    }
                    println!(
                        "imported {name}: {count} features; differs from GDAL: {reason}; notes: {:?}",
                        imported_file.notes
                    );
                }
                (Ok(imported_file), None) => {
                    imported += 1;
                    let mut ours = Vec::new();
                    for feature in &imported_file.drawing.features {
                        let mut parts = Vec::new();
                        our_parts(&feature.geometry, &mut parts);
                        ours.push(parts);
                    }
                    let result = same(&normalise(ours), &normalise(gdal_features(&path, format)));
                    match result {
                        Ok(()) => println!(
                            "imported {name}: {} features, as GDAL",
                            imported_file.drawing.features.len()
                        ),
                        Err(diff) => failures.push(format!(
                            "{name}: {}",
                            diff.chars().take(400).collect::<String>()
                        )),
                    }
                }
            }
        }
    }
    println!("{imported} imported, {refused} refused");
    assert!(
        failures.is_empty(),
        "{} files fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_iframe_xss_sample_loses_its_iframe_and_script_links() {
    let Some(corpus) = corpus_dir() else {
        return skip("corpus not found (set NUMIS_TEST_SHARED_DIR to the shared folder)");
    };
    let bytes = std::fs::read(corpus.join("kml/geoadmin_iframe_xss.kml")).expect("sample");
    let drawing = numis_formats::read(&bytes, Format::Kml, &Limits::default()).expect("imports");
    let feature = &drawing.features[0];
    let description = feature.description.as_deref().expect("description");
    let name = feature.name.as_deref().expect("name");
    for text in [description, name] {
        for bad in ["<iframe", "javascript:", "tel:", "sms:", "evil.com/malware"] {
            assert!(!text.contains(bad), "{bad} left in {text}");
        }
    }
    assert!(!name.contains('<'), "name is plain text: {name}");
    assert!(
        description.contains(
            "<a href=\"https://www.openstreetmap.org\" rel=\"noopener noreferrer nofollow\">"
        ),
        "{description}"
    );
}
