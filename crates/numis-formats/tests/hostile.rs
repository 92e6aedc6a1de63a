//! Hostile input is refused or made harmless, quickly and in bounded memory.
#![allow(
    clippy::unwrap_used,
    reason = "tests may unwrap: a panic is a failed test"
)]

use std::io::{Cursor, Write};

use numis_formats::{Format, Limits, read};

fn kml_err(kml: &str) -> String {
    read(kml.as_bytes(), Format::Kml, &Limits::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn billion_laughs_is_refused_without_expansion() {
    let mut doc = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE kml [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        doc.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    doc.push_str("]>\n<kml><Placemark><name>&lol9;</name></Placemark></kml>");
    assert_eq!(
        kml_err(&doc),
        "line 2: DOCTYPE with entity declarations is refused (entities are never expanded)"
    );
    let gpx = doc.replace("kml", "gpx");
    let err = read(gpx.as_bytes(), Format::Gpx, &Limits::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("DOCTYPE with entity declarations is refused")
    );
}

#[test]
fn external_entities_are_refused() {
    let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE kml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<kml><Placemark><name>&xxe;</name></Placemark></kml>";
    assert!(kml_err(doc).contains("DOCTYPE with entity declarations is refused"));
    // An undeclared entity is an error too, never a lookup.
    assert_eq!(
        kml_err("<kml>\n<Placemark><name>&xxe;</name></Placemark></kml>"),
        "line 2: undefined entity &xxe;"
    );
}

/// A writer that only counts, so the bomb never sits in memory uncompressed.
fn zip_bomb(uncompressed_mb: usize) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    writer.start_file("doc.kml", options).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..uncompressed_mb {
        writer.write_all(&zeros).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn a_kmz_zip_bomb_stops_at_the_limits() {
    let bomb = zip_bomb(200);
    assert!(
        bomb.len() < 1024 * 1024,
        "the test's own archive stays small"
    );
    let err = read(&bomb, Format::Kmz, &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("kmz_max_uncompressed") || err.contains("kmz_max_ratio"),
        "{err}"
    );
    // A small archive with a high compression ratio is refused as well.
    let small = zip_bomb(2);
    let err = read(&small, Format::Kmz, &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("kmz_max_ratio"), "{err}");
}

#[test]
fn too_many_features_or_vertices_stop_the_read() {
    let limits = Limits {
        max_features: 10,
        max_vertices: 100,
        ..Limits::default()
    };
    let placemarks =
        "<Placemark><Point><coordinates>1,2</coordinates></Point></Placemark>".repeat(11);
    let err = read(
        format!("<kml>{placemarks}</kml>").as_bytes(),
        Format::Kml,
        &limits,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the file exceeds the limit max_features = 10"
    );
    let coords = "1,2 ".repeat(101);
    let err = read(format!("<kml><Placemark><LineString><coordinates>{coords}</coordinates></LineString></Placemark></kml>").as_bytes(), Format::Kml, &limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the file exceeds the limit max_vertices = 100"
    );
    let points = "<wpt lat=\"1\" lon=\"2\"/>".repeat(11);
    let err = read(
        format!("<gpx>{points}</gpx>").as_bytes(),
        Format::Gpx,
        &limits,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the file exceeds the limit max_features = 10"
    );
    let positions = vec!["[1,2]"; 101].join(",");
    let json = format!(r#"{{"type":"LineString","coordinates":[{positions}]}}"#);
    let err = read(json.as_bytes(), Format::GeoJson, &limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the file exceeds the limit max_vertices = 100"
    );
    let big = vec![b' '; 1001];
    let err = read(
        &big,
        Format::Kml,
        &Limits {
            max_bytes: 1000,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert!(matches!(
        err,
        numis_formats::FormatError::Empty | numis_formats::FormatError::LimitExceeded { .. }
    ));
}

#[test]
fn coordinates_out_of_range_or_not_numbers_are_refused() {
    for coords in ["200,10", "10,95", "nan,10", "10,inf"] {
        let err = kml_err(&format!(
            "<kml>\n<Placemark><Point><coordinates>{coords}</coordinates></Point></Placemark></kml>"
        ));
        assert!(
            err.starts_with("line 2: coordinate") && err.contains("out of range"),
            "{err}"
        );
    }
    let err = read(
        b"<gpx><wpt lat=\"NaN\" lon=\"1\"/></gpx>",
        Format::Gpx,
        &Limits::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("out of range"));
    let err = read(
        br#"{"type":"Point","coordinates":[1,95]}"#,
        Format::GeoJson,
        &Limits::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("out of range"));
}

#[test]
fn scripts_handlers_javascript_links_iframes_and_styles_are_removed() {
    let kml = r#"<kml><Placemark><name><![CDATA[<script>alert(1)</script>Hut <b>7</b>]]></name>
        <description><![CDATA[<p style="color:red" onclick="x()">Open <em>daily</em></p>
        <script>document.cookie</script><img src="x" onerror="alert(2)">
        <a href="javascript:alert(3)">bad</a> <a href="https://hut.example/">good</a>
        <iframe src="https://evil.example/"></iframe><style>body{display:none}</style>
        <ul><li>beds</li></ul><br>]]></description>
        <Point><coordinates>7,46</coordinates></Point></Placemark></kml>"#;
    let drawing = read(kml.as_bytes(), Format::Kml, &Limits::default()).unwrap();
    let feature = &drawing.features[0];
    assert_eq!(feature.name.as_deref(), Some("Hut 7"));
    let description = feature.description.as_deref().unwrap();
    for bad in [
        "script",
        "alert",
        "cookie",
        "onclick",
        "onerror",
        "javascript",
        "iframe",
        "style",
        "display",
        "<img",
    ] {
        assert!(!description.contains(bad), "{bad} left in {description}");
    }
    for good in [
        "<p>Open <em>daily</em></p>",
        "<a href=\"https://hut.example/\" rel=\"noopener noreferrer nofollow\">good</a>",
        "<ul><li>beds</li></ul>",
        "<br>",
    ] {
        assert!(
            description.contains(good),
            "{good} missing in {description}"
        );
    }
}

#[test]
fn garbage_never_panics() {
    let samples: [&[u8]; 8] = [
        b"<kml",
        b"<kml><Placemark><Point><coordinates>",
        b"\xff\xfe<\x00k\x00",
        b"{\"type\":",
        b"[1,2,3]",
        b"PK\x03\x04\x00\x00",
        b"<kml></gpx>",
        b"<kml><Polygon><outerBoundaryIs></kml>",
    ];
    for bytes in samples {
        for format in [Format::Kml, Format::Kmz, Format::Gpx, Format::GeoJson] {
            assert!(
                read(bytes, format, &Limits::default()).is_err(),
                "{format:?} {bytes:?}"
            );
        }
    }
}
