//! Rendering one 512×512 PNG of the demo map (`site/map.toml`, group
//! `demo`) around Hannover at 1:25,000, 1:250,000 and 1:2,000,000, as a
//! WMS GetMap does after parsing: query, draw, label, encode.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use numis_map::catalog::{Caller, Catalog};
use numis_map::render::{DrawLayer, ImageFormat, Frame, PIXEL_SIZE_M, encode, render};

/// Hannover in EPSG:25832.
const CENTRE: (f64, f64) = (550_280.0, 5_802_949.0);
const SIZE: u32 = 512;

fn frame(scale: f64) -> Frame {
    let half = scale * PIXEL_SIZE_M * f64::from(SIZE) / 2.0;
    Frame {
        crs: numis_map::Crs::Utm32,
        bbox: geo::Rect::new(
            geo::coord! { x: CENTRE.0 - half, y: CENTRE.1 - half },
            geo::coord! { x: CENTRE.0 + half, y: CENTRE.1 + half },
        ),
        width: SIZE,
        height: SIZE,
    }
}

fn bench_render(c: &mut Criterion) {
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("../site");
    let catalog = Catalog::load(&site)
        .unwrap_or_else(|problems| panic!("{}", problems.join("\n")))
        .unwrap_or_else(|| panic!("no map.toml in {}", site.display()));
    let caller = Caller::default();
    let layers = catalog
        .view(&caller)
        .resolve(&["demo".to_owned()])
        .unwrap_or_else(|e| panic!("{e:?}"));
    let draw: Vec<DrawLayer<'_>> = layers.iter().map(|l| l.draw_layer()).collect();
    let mut group = c.benchmark_group("getmap_512");
    for (name, scale) in [("1:25000", 25_000.0), ("1:250000", 250_000.0), ("1:2000000", 2_000_000.0)] {
        let frame = frame(scale);
        group.bench_function(name, |b| {
            b.iter(|| {
                let pixmap = render(&frame, &draw, Some([255, 255, 255])).unwrap_or_else(|| panic!("render"));
                encode(&pixmap, ImageFormat::Png, false).unwrap_or_else(|e| panic!("{e}"))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
