//! Renders one map image from a site's `map.toml`, for looking at the
//! cartography while styling:
//!
//! ```sh
//! cargo run --release -p numis-map --example render -- site EPSG:25832 \
//!     380000,5700000,640000,5950000 1024 1000 demo /tmp/map.png
//! ```

use std::path::Path;

use numis_map::catalog::{Caller, Catalog};
use numis_map::render::{DrawLayer, Frame, ImageFormat, encode, render};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [site, crs, bbox, width, height, layers, out] = args.as_slice() else {
        return Err(
            "usage: render SITE CRS MINX,MINY,MAXX,MAXY WIDTH HEIGHT LAYERS OUT.png".into(),
        );
    };
    let catalog = Catalog::load(Path::new(site))
        .map_err(|e| e.join("\n"))?
        .ok_or("no map.toml")?;
    let crs = numis_map::Crs::parse(crs).ok_or("unknown CRS")?;
    let b: Vec<f64> = bbox
        .split(',')
        .map(|v| v.parse().map_err(|_| "bad bbox"))
        .collect::<Result<_, _>>()?;
    let [min_x, min_y, max_x, max_y] = b[..] else {
        return Err("bbox needs four numbers".into());
    };
    let frame = Frame {
        crs,
        bbox: geo::Rect::new(
            geo::coord! { x: min_x, y: min_y },
            geo::coord! { x: max_x, y: max_y },
        ),
        width: width.parse().map_err(|_| "bad width")?,
        height: height.parse().map_err(|_| "bad height")?,
    };
    let names: Vec<String> = layers.split(',').map(str::to_owned).collect();
    let caller = Caller::default();
    let layers = catalog
        .view(&caller)
        .resolve(&names)
        .map_err(|e| format!("{e:?}"))?;
    let draw: Vec<DrawLayer<'_>> = layers.iter().map(|l| l.draw_layer()).collect();
    // BBOXES=file renders every `minx,miny,maxx,maxy` line of the file (a
    // benchmark's request list) and reports the mean time per image.
    if let Ok(list) = std::env::var("BBOXES") {
        let text = std::fs::read_to_string(&list).map_err(|e| e.to_string())?;
        let bboxes: Vec<[f64; 4]> = text
            .lines()
            .filter_map(|l| {
                let b: Vec<f64> = l.split(',').filter_map(|v| v.trim().parse().ok()).collect();
                (b.len() == 4).then(|| [b[0], b[1], b[2], b[3]])
            })
            .collect();
        let started = std::time::Instant::now();
        for b in &bboxes {
            let frame = Frame {
                bbox: geo::Rect::new(
                    geo::coord! { x: b[0], y: b[1] },
                    geo::coord! { x: b[2], y: b[3] },
                ),
                ..frame
            };
            let pixmap = render(&frame, &draw, Some([255, 255, 255])).ok_or("empty image")?;
            encode(&pixmap, ImageFormat::Png, false)?;
        }
        let each = started.elapsed().as_secs_f64() * 1000.0 / bboxes.len().max(1) as f64;
        eprintln!("{} images, {each:.2} ms per image", bboxes.len());
        return Ok(());
    }
    // REPEAT=n renders n times, for profiling the renderer alone.
    let repeat: u32 = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let started = std::time::Instant::now();
    let mut png = Vec::new();
    let mut encoding = std::time::Duration::ZERO;
    for _ in 0..repeat {
        let pixmap = render(&frame, &draw, Some([255, 255, 255])).ok_or("empty image")?;
        let before = std::time::Instant::now();
        png = encode(&pixmap, ImageFormat::Png, false)?;
        encoding += before.elapsed();
    }
    let each = started.elapsed().as_secs_f64() * 1000.0 / f64::from(repeat);
    let encode_each = encoding.as_secs_f64() * 1000.0 / f64::from(repeat);
    eprintln!(
        "scale 1:{:.0}, {each:.1} ms per image, of which {encode_each:.1} ms encoding, {} bytes",
        frame.scale_denominator(),
        png.len()
    );
    std::fs::write(out, png).map_err(|e| e.to_string())
}
