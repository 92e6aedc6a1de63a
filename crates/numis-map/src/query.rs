//! Which features lie under a clicked pixel (GetFeatureInfo): polygons that
//! contain the point, lines and points within a few pixels of it.

use geo::{Contains, Distance, Euclidean, Geometry, Point, Rect};

use crate::data::Dataset;
use crate::render::Frame;

/// Lines and points count as hit within this many pixels of the click.
pub const HIT_TOLERANCE_PX: f64 = 6.0;

/// Indexes of the features of `data` at pixel `(i, j)` of `frame`, topmost
/// (last drawn) first, at most `limit`.
pub fn features_at(data: &Dataset, frame: &Frame, i: u32, j: u32, limit: usize) -> Vec<usize> {
    let (x, y) = frame.to_map(f64::from(i), f64::from(j));
    let tolerance = frame.resolution() * HIT_TOLERANCE_PX;
    let area = Rect::new(
        geo::coord! { x: x - tolerance, y: y - tolerance },
        geo::coord! { x: x + tolerance, y: y + tolerance },
    );
    let point = Point::new(x, y);
    let mut hits: Vec<usize> = data
        .features_in(frame.crs, area)
        .into_iter()
        .filter(|&index| {
            data.geometry(frame.crs, index)
                .is_some_and(|geometry| hit(&geometry, &point, tolerance))
        })
        .collect();
    hits.reverse();
    hits.truncate(limit);
    hits
}

fn hit(geometry: &Geometry<f64>, point: &Point<f64>, tolerance: f64) -> bool {
    match geometry {
        Geometry::Polygon(_)
        | Geometry::MultiPolygon(_)
        | Geometry::Rect(_)
        | Geometry::Triangle(_) => {
            geometry.contains(point) || Euclidean.distance(geometry, point) <= tolerance / 3.0
        }
        Geometry::GeometryCollection(c) => c.iter().any(|g| hit(g, point, tolerance)),
        other => Euclidean.distance(other, point) <= tolerance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Crs;

    #[test]
    fn the_polygon_under_the_pixel_is_found() {
        let data = Dataset::from_geojson_str(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"name":"west"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
            {"type":"Feature","properties":{"name":"east"},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}},
            {"type":"Feature","properties":{"name":"dot"},"geometry":{"type":"Point","coordinates":[1.5,0.5]}}]}"#,
        )
        .unwrap();
        let frame = Frame {
            crs: Crs::Crs84,
            bbox: Rect::new(
                geo::coord! { x: 0.0, y: 0.0 },
                geo::coord! { x: 2.0, y: 1.0 },
            ),
            width: 200,
            height: 100,
        };
        assert_eq!(features_at(&data, &frame, 40, 50, 10), vec![0]);
        assert_eq!(
            features_at(&data, &frame, 150, 50, 10),
            vec![2, 1],
            "topmost first"
        );
        assert_eq!(features_at(&data, &frame, 150, 50, 1), vec![2]);
        assert!(features_at(&data, &frame, 170, 20, 10) == vec![1]);
    }
}
