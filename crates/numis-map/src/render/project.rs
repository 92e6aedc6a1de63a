//! From a dataset's stored coordinates to an image's pixels.
//!
//! Data are kept in one CRS; a map may ask for another. Transforming every
//! vertex exactly (to longitude/latitude and on) costs about as much as
//! drawing it, so a map in another CRS interpolates instead: the exact
//! pixel positions of a 16 × 16 grid over the map's area, and between
//! them bilinearly. Over the area of one map the transformations between
//! the offered CRSs are smooth; the grid is checked at every cell's centre
//! when it is made and used only while it errs by less than an eighth of a
//! pixel, else every vertex is transformed exactly. Vertices outside the
//! map's area (a polygon reaching far beyond it) are transformed exactly.

use geo::Rect;

use super::Frame;
use crate::data::Storage;

/// Cells per side of the interpolation grid.
const CELLS: usize = 16;
/// Largest error of the grid, in pixels, at which it is used.
const MAX_ERROR_PX: f64 = 0.125;

/// Maps stored coordinates of one dataset to the pixels of one frame.
#[derive(Debug)]
pub struct Projector {
    storage: Storage,
    frame: Frame,
    mode: Mode,
}

#[derive(Debug)]
enum Mode {
    /// Same CRS: scale and shift.
    Affine {
        scale_x: f64,
        shift_x: f64,
        scale_y: f64,
        shift_y: f64,
    },
    /// Bilinear between exact nodes over `area`.
    Grid {
        area: Rect<f64>,
        /// Pixel positions of the `(CELLS + 1)²` nodes, row by row from
        /// the area's lower left.
        nodes: Vec<(f64, f64)>,
    },
    Exact,
}

impl Projector {
    /// A projector for data kept in `storage` drawn into `frame`; `area`
    /// is the part of the storage CRS the map covers.
    pub fn new(storage: Storage, frame: &Frame, area: Rect<f64>) -> Self {
        let mode = if storage.crs == frame.crs {
            let (w, h) = (frame.bbox.width(), frame.bbox.height());
            let (width, height) = (f64::from(frame.width), f64::from(frame.height));
            Mode::Affine {
                scale_x: width / w / storage.quanta_per_unit,
                shift_x: -frame.bbox.min().x / w * width,
                scale_y: -height / h / storage.quanta_per_unit,
                shift_y: frame.bbox.max().y / h * height,
            }
        } else {
            grid(storage, frame, area).unwrap_or(Mode::Exact)
        };
        Self {
            storage,
            frame: *frame,
            mode,
        }
    }

    /// The pixel of stored point `q` (quanta); `None` where the
    /// transformation fails.
    pub fn pixel(&self, q: [i32; 2]) -> Option<(f32, f32)> {
        match &self.mode {
            Mode::Affine {
                scale_x,
                shift_x,
                scale_y,
                shift_y,
            } => Some((
                (f64::from(q[0]) * scale_x + shift_x) as f32,
                (f64::from(q[1]) * scale_y + shift_y) as f32,
            )),
            Mode::Grid { area, nodes } => {
                let (x, y) = self.storage.unquantise(q);
                interpolate(area, nodes, x, y).or_else(|| self.exact(x, y))
            }
            Mode::Exact => {
                let (x, y) = self.storage.unquantise(q);
                self.exact(x, y)
            }
        }
    }

    /// The pixel of point `(x, y)` of the storage CRS.
    pub fn pixel_of(&self, x: f64, y: f64) -> Option<(f32, f32)> {
        match &self.mode {
            Mode::Grid { area, nodes } => {
                interpolate(area, nodes, x, y).or_else(|| self.exact(x, y))
            }
            _ => {
                let q = self.storage.quanta_per_unit;
                self.pixel([(x * q).round() as i32, (y * q).round() as i32])
            }
        }
    }

    fn exact(&self, x: f64, y: f64) -> Option<(f32, f32)> {
        exact(self.storage, &self.frame, x, y).map(|(px, py)| (px as f32, py as f32))
    }
}

fn exact(storage: Storage, frame: &Frame, x: f64, y: f64) -> Option<(f64, f64)> {
    let (fx, fy) = storage.crs.transform(frame.crs, x, y).ok()?;
    if !(fx.is_finite() && fy.is_finite()) {
        return None;
    }
    let px = (fx - frame.bbox.min().x) / frame.bbox.width() * f64::from(frame.width);
    let py = (frame.bbox.max().y - fy) / frame.bbox.height() * f64::from(frame.height);
    Some((px, py))
}

/// The interpolation grid over `area`, if it is exact enough.
fn grid(storage: Storage, frame: &Frame, area: Rect<f64>) -> Option<Mode> {
    if !(area.width() > 0.0 && area.height() > 0.0) {
        return None;
    }
    let node = |i: usize, j: usize| {
        let x = area.min().x + area.width() * i as f64 / CELLS as f64;
        let y = area.min().y + area.height() * j as f64 / CELLS as f64;
        exact(storage, frame, x, y)
    };
    let mut nodes = Vec::with_capacity((CELLS + 1) * (CELLS + 1));
    for j in 0..=CELLS {
        for i in 0..=CELLS {
            nodes.push(node(i, j)?);
        }
    }
    for j in 0..CELLS {
        for i in 0..CELLS {
            let x = area.min().x + area.width() * (i as f64 + 0.5) / CELLS as f64;
            let y = area.min().y + area.height() * (j as f64 + 0.5) / CELLS as f64;
            let (ex, ey) = exact(storage, frame, x, y)?;
            let (gx, gy) = interpolate(&area, &nodes, x, y)?;
            if (ex - f64::from(gx)).abs() > MAX_ERROR_PX
                || (ey - f64::from(gy)).abs() > MAX_ERROR_PX
            {
                return None;
            }
        }
    }
    Some(Mode::Grid { area, nodes })
}

fn interpolate(area: &Rect<f64>, nodes: &[(f64, f64)], x: f64, y: f64) -> Option<(f32, f32)> {
    let u = (x - area.min().x) / area.width() * CELLS as f64;
    let v = (y - area.min().y) / area.height() * CELLS as f64;
    if !(0.0..=CELLS as f64).contains(&u) || !(0.0..=CELLS as f64).contains(&v) {
        return None;
    }
    let (i, j) = ((u as usize).min(CELLS - 1), (v as usize).min(CELLS - 1));
    let (fu, fv) = (u - i as f64, v - j as f64);
    let at = |i: usize, j: usize| nodes[j * (CELLS + 1) + i];
    let (a, b, c, d) = (at(i, j), at(i + 1, j), at(i, j + 1), at(i + 1, j + 1));
    let mix = |a: f64, b: f64, c: f64, d: f64| {
        (a * (1.0 - fu) + b * fu) * (1.0 - fv) + (c * (1.0 - fu) + d * fu) * fv
    };
    Some((
        mix(a.0, b.0, c.0, d.0) as f32,
        mix(a.1, b.1, c.1, d.1) as f32,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::Crs;

    fn utm() -> Storage {
        Storage::UTM
    }

    #[test]
    fn the_same_crs_is_scaled_and_shifted() {
        let frame = Frame {
            crs: Crs::Utm32,
            bbox: Rect::new(
                geo::coord! { x: 550_000.0, y: 5_800_000.0 },
                geo::coord! { x: 551_000.0, y: 5_801_000.0 },
            ),
            width: 100,
            height: 100,
        };
        let p = Projector::new(utm(), &frame, frame.bbox);
        assert!(matches!(p.mode, Mode::Affine { .. }));
        let (x, y) = p.pixel([55_050_000, 580_090_000]).unwrap();
        assert!(
            (x - 50.0).abs() < 1e-3 && (y - 10.0).abs() < 1e-3,
            "{x} {y}"
        );
    }

    #[test]
    fn another_crs_is_interpolated_within_an_eighth_of_a_pixel() {
        // A web map tile over Hannover at about 1:50,000, and one over
        // all of Lower Saxony.
        for (centre, half) in [
            ((1_083_000.0, 6_866_000.0), 7_000.0),
            ((1_000_000.0, 6_900_000.0), 250_000.0),
        ] {
            let frame = Frame {
                crs: Crs::WebMercator,
                bbox: Rect::new(
                    geo::coord! { x: centre.0 - half, y: centre.1 - half },
                    geo::coord! { x: centre.0 + half, y: centre.1 + half },
                ),
                width: 512,
                height: 512,
            };
            let data = crate::data::tests::buildings(1);
            let area = data.storage_area(Crs::WebMercator, frame.bbox).unwrap();
            let p = Projector::new(utm(), &frame, area);
            assert!(matches!(p.mode, Mode::Grid { .. }), "{half}: {:?}", p.mode);
            for k in 0..50 {
                let x = area.min().x + area.width() * f64::from(k) / 50.0;
                let y = area.min().y + area.height() * f64::from((k * 7) % 50) / 50.0;
                let (ex, ey) = exact(utm(), &frame, x, y).unwrap();
                let (gx, gy) = p.pixel_of(x, y).unwrap();
                assert!(
                    (ex - f64::from(gx)).abs() < MAX_ERROR_PX + 1e-3
                        && (ey - f64::from(gy)).abs() < MAX_ERROR_PX + 1e-3,
                    "{half}: ({x}, {y}): exact ({ex}, {ey}), grid ({gx}, {gy})"
                );
            }
            // Far outside: exact.
            let (fx, fy) = p.pixel_of(area.max().x + 1e6, area.min().y).unwrap();
            let (ex, ey) = exact(utm(), &frame, area.max().x + 1e6, area.min().y).unwrap();
            assert!((f64::from(fx) - ex).abs() < 1.0 && (f64::from(fy) - ey).abs() < 1.0);
        }
    }
}
