//! Every geometry of a dataset in one flat arena of quantised vertices,
//! with each vertex's level of detail.
//!
//! A vertex is two `i32` in the storage CRS's quanta (a centimetre, or a
//! ten-millionth of a degree) and one byte: the first level of detail that
//! leaves it out. Level `k` of a ring is its vertices whose byte is above
//! `k`, so the dozen simplified versions a map needs cost one byte per
//! vertex instead of a dozen copies (nine bytes a vertex instead of ~200
//! for twelve `geo` copies). Rings, parts and features are ranges into the
//! arrays below them.

use geo::{
    Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon,
    SimplifyIdx,
};

/// A vertex that no level leaves out.
const KEPT: u8 = u8::MAX;

/// What a part of a feature is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// One vertex.
    Point,
    /// One open ring.
    Line,
    /// Exterior ring, then holes.
    Polygon,
}

/// What a feature's geometry is, to give it back as it came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FeatureKind {
    Point,
    Line,
    Polygon,
    MultiPoint,
    MultiLine,
    MultiPolygon,
    Collection,
}

/// The arena.
#[derive(Debug, Default)]
pub struct Shapes {
    coords: Vec<[i32; 2]>,
    drops: Vec<u8>,
    /// `ring_starts[r]..ring_starts[r + 1]`: ring `r`'s vertices.
    ring_starts: Vec<u32>,
    /// `part_starts[p]..part_starts[p + 1]`: part `p`'s rings.
    part_starts: Vec<u32>,
    part_kinds: Vec<PartKind>,
    /// `feature_starts[f]..feature_starts[f + 1]`: feature `f`'s parts.
    feature_starts: Vec<u32>,
    feature_kinds: Vec<FeatureKind>,
}

/// Why a geometry cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// A coordinate is not a finite number within the storage CRS's range.
    #[error("a coordinate lies outside what the map can hold ({0})")]
    OutOfRange(String),
    /// The arena would pass 2³² vertices.
    #[error("more than 4 billion vertices in one layer")]
    TooLarge,
}

impl Shapes {
    /// An empty arena.
    pub fn new() -> Self {
        Self {
            ring_starts: vec![0],
            part_starts: vec![0],
            feature_starts: vec![0],
            ..Self::default()
        }
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.feature_kinds.len()
    }

    /// Has it no feature?
    pub fn is_empty(&self) -> bool {
        self.feature_kinds.is_empty()
    }

    /// Bytes held, for the operator's figures and the memory tests.
    pub fn heap_bytes(&self) -> usize {
        self.coords.capacity() * 8
            + self.drops.capacity()
            + (self.ring_starts.capacity() + self.part_starts.capacity()) * 4
            + self.part_kinds.capacity()
            + self.feature_starts.capacity() * 4
            + self.feature_kinds.capacity()
    }

    /// Number of vertices of all features.
    pub fn vertex_count(&self) -> usize {
        self.coords.len()
    }

    /// Appends `geometry`, whose coordinates are already in quanta, with
    /// its levels of detail: `tolerances[k]` (quanta) is level `k`'s.
    /// Returns the feature's envelope `[min_x, min_y, max_x, max_y]`, or
    /// `None` when it has no vertex.
    pub fn push(
        &mut self,
        geometry: &Geometry<f64>,
        tolerances: &[f64],
    ) -> Result<Option<[i32; 4]>, ShapeError> {
        // Checked before anything is appended, so a refused geometry
        // leaves the arena as it was.
        for c in geo::CoordsIter::coords_iter(geometry) {
            quantum(c.x)?;
            quantum(c.y)?;
        }
        let mut envelope: Option<[i32; 4]> = None;
        let kind = self.push_geometry(geometry, tolerances, &mut envelope)?;
        self.feature_kinds.push(kind);
        self.feature_starts.push(count(self.part_kinds.len())?);
        Ok(envelope)
    }

    fn push_geometry(
        &mut self,
        geometry: &Geometry<f64>,
        tolerances: &[f64],
        envelope: &mut Option<[i32; 4]>,
    ) -> Result<FeatureKind, ShapeError> {
        let mut part = |shapes: &mut Self, kind: PartKind, rings: &[&[Coord<f64>]]| {
            for ring in rings {
                shapes.push_ring(ring, kind, tolerances, envelope)?;
            }
            shapes.part_kinds.push(kind);
            shapes
                .part_starts
                .push(count(shapes.ring_starts.len() - 1)?);
            Ok::<(), ShapeError>(())
        };
        Ok(match geometry {
            Geometry::Point(p) => {
                part(self, PartKind::Point, &[std::slice::from_ref(&p.0)])?;
                FeatureKind::Point
            }
            Geometry::MultiPoint(ps) => {
                for p in ps {
                    part(self, PartKind::Point, &[std::slice::from_ref(&p.0)])?;
                }
                FeatureKind::MultiPoint
            }
            Geometry::LineString(l) => {
                part(self, PartKind::Line, &[&l.0])?;
                FeatureKind::Line
            }
            Geometry::MultiLineString(ls) => {
                for l in ls {
                    part(self, PartKind::Line, &[&l.0])?;
                }
                FeatureKind::MultiLine
            }
            Geometry::Polygon(p) => {
                part(self, PartKind::Polygon, &polygon_rings(p))?;
                FeatureKind::Polygon
            }
            Geometry::MultiPolygon(ps) => {
                for p in ps {
                    part(self, PartKind::Polygon, &polygon_rings(p))?;
                }
                FeatureKind::MultiPolygon
            }
            Geometry::Line(l) => {
                part(self, PartKind::Line, &[&[l.start, l.end]])?;
                FeatureKind::Line
            }
            Geometry::Rect(r) => {
                return self.push_geometry(
                    &Geometry::Polygon(r.to_polygon()),
                    tolerances,
                    envelope,
                );
            }
            Geometry::Triangle(t) => {
                return self.push_geometry(
                    &Geometry::Polygon(t.to_polygon()),
                    tolerances,
                    envelope,
                );
            }
            Geometry::GeometryCollection(c) => {
                // Nested collections are flattened: their parts are what
                // is drawn and queried.
                for g in c {
                    self.push_geometry(g, tolerances, envelope)?;
                }
                FeatureKind::Collection
            }
        })
    }

    fn push_ring(
        &mut self,
        ring: &[Coord<f64>],
        kind: PartKind,
        tolerances: &[f64],
        envelope: &mut Option<[i32; 4]>,
    ) -> Result<(), ShapeError> {
        let start = self.coords.len();
        for c in ring {
            let q = [quantum(c.x)?, quantum(c.y)?];
            *envelope = Some(match *envelope {
                None => [q[0], q[1], q[0], q[1]],
                Some([a, b, c, d]) => [a.min(q[0]), b.min(q[1]), c.max(q[0]), d.max(q[1])],
            });
            self.coords.push(q);
            self.drops.push(KEPT);
        }
        if kind != PartKind::Point {
            let minimum = if kind == PartKind::Polygon { 4 } else { 2 };
            mark_levels(
                &self.coords[start..],
                &mut self.drops[start..],
                tolerances,
                minimum,
            );
        }
        self.ring_starts.push(count(self.coords.len())?);
        Ok(())
    }

    /// Feature `index` as stored.
    pub fn feature(&self, index: usize) -> Option<Shape<'_>> {
        let parts = self.feature_starts.get(index)?..self.feature_starts.get(index + 1)?;
        Some(Shape {
            shapes: self,
            parts: *parts.start as usize..*parts.end as usize,
        })
    }

    /// Feature `index` as a `geo` geometry with every vertex, each
    /// quantised vertex mapped by `to`.
    pub fn geometry<E>(
        &self,
        index: usize,
        to: impl Fn([i32; 2]) -> Result<Coord<f64>, E>,
    ) -> Option<Result<Geometry<f64>, E>> {
        let shape = self.feature(index)?;
        let kind = *self.feature_kinds.get(index)?;
        Some(shape.to_geometry(kind, &to))
    }
}

/// A polygon's rings, exterior first, as vertex slices.
fn polygon_rings(p: &Polygon<f64>) -> Vec<&[Coord<f64>]> {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(|ring| ring.0.as_slice())
        .collect()
}

/// Marks the level at which each vertex of one ring leaves: each level
/// simplifies the previous one (Ramer–Douglas–Peucker, `geo`), so a level
/// errs by less than twice its tolerance. A ring keeps at least `minimum`
/// vertices: where a level would leave fewer, the ring stays as it was at
/// the level before — such a ring is below a pixel by then and drawn as a
/// mark anyway.
fn mark_levels(ring: &[[i32; 2]], drops: &mut [u8], tolerances: &[f64], minimum: usize) {
    let mut kept: Vec<usize> = (0..ring.len()).collect();
    for (level, &tolerance) in tolerances.iter().enumerate().skip(1) {
        if kept.len() <= minimum {
            break;
        }
        let line = LineString(
            kept.iter()
                .map(|&i| geo::coord! { x: f64::from(ring[i][0]), y: f64::from(ring[i][1]) })
                .collect(),
        );
        let stay = line.simplify_idx(tolerance);
        if stay.len() < minimum {
            break;
        }
        if stay.len() == kept.len() {
            continue;
        }
        let level = u8::try_from(level).unwrap_or(KEPT - 1);
        let mut next = Vec::with_capacity(stay.len());
        let mut s = stay.iter().peekable();
        for (position, &vertex) in kept.iter().enumerate() {
            if s.peek() == Some(&&position) {
                s.next();
                next.push(vertex);
            } else {
                drops[vertex] = level;
            }
        }
        kept = next;
    }
}

fn quantum(value: f64) -> Result<i32, ShapeError> {
    let rounded = value.round();
    if rounded.is_finite() && rounded >= f64::from(i32::MIN) && rounded <= f64::from(i32::MAX) {
        Ok(rounded as i32)
    } else {
        Err(ShapeError::OutOfRange(value.to_string()))
    }
}

fn count(n: usize) -> Result<u32, ShapeError> {
    u32::try_from(n).map_err(|_| ShapeError::TooLarge)
}

/// One feature in the arena.
#[derive(Debug, Clone)]
pub struct Shape<'a> {
    shapes: &'a Shapes,
    parts: std::ops::Range<usize>,
}

/// One part of a feature.
#[derive(Debug, Clone)]
pub struct Part<'a> {
    shapes: &'a Shapes,
    /// What it is.
    pub kind: PartKind,
    rings: std::ops::Range<usize>,
}

impl<'a> Shape<'a> {
    /// Its parts.
    pub fn parts(&self) -> impl Iterator<Item = Part<'a>> + use<'a> {
        let shapes = self.shapes;
        self.parts.clone().map(move |p| Part {
            shapes,
            kind: shapes.part_kinds[p],
            rings: shapes.part_starts[p] as usize..shapes.part_starts[p + 1] as usize,
        })
    }

    /// The vertex of a feature that is one point.
    pub fn single_point(&self) -> Option<[i32; 2]> {
        let mut parts = self.parts();
        let only = parts.next().filter(|p| p.kind == PartKind::Point)?;
        if parts.next().is_some() {
            return None;
        }
        only.rings(0).next()?.vertices().next()
    }

    /// Is it made of points only (drawn as symbols at every scale)?
    pub fn is_points(&self) -> bool {
        self.parts().all(|p| p.kind == PartKind::Point)
    }

    fn to_geometry<E>(
        &self,
        kind: FeatureKind,
        to: &impl Fn([i32; 2]) -> Result<Coord<f64>, E>,
    ) -> Result<Geometry<f64>, E> {
        let ring = |r: usize| -> Result<LineString<f64>, E> {
            let range =
                self.shapes.ring_starts[r] as usize..self.shapes.ring_starts[r + 1] as usize;
            self.shapes.coords[range]
                .iter()
                .map(|&q| to(q))
                .collect::<Result<Vec<_>, E>>()
                .map(LineString)
        };
        let part = |p: &Part<'a>| -> Result<Geometry<f64>, E> {
            let mut rings = p.rings.clone().map(ring);
            Ok(match p.kind {
                PartKind::Point => {
                    let line = rings.next().transpose()?.unwrap_or(LineString(Vec::new()));
                    match line.0.first() {
                        Some(c) => Geometry::Point(Point(*c)),
                        None => Geometry::MultiPoint(MultiPoint(Vec::new())),
                    }
                }
                PartKind::Line => Geometry::LineString(
                    rings.next().transpose()?.unwrap_or(LineString(Vec::new())),
                ),
                PartKind::Polygon => {
                    let exterior = rings.next().transpose()?.unwrap_or(LineString(Vec::new()));
                    let holes = rings.collect::<Result<Vec<_>, E>>()?;
                    Geometry::Polygon(Polygon::new(exterior, holes))
                }
            })
        };
        let mut parts = self
            .parts()
            .map(|p| part(&p))
            .collect::<Result<Vec<_>, E>>()?;
        Ok(match kind {
            FeatureKind::Point | FeatureKind::Line | FeatureKind::Polygon => parts
                .pop()
                .unwrap_or(Geometry::GeometryCollection(Default::default())),
            FeatureKind::MultiPoint => Geometry::MultiPoint(MultiPoint(
                parts
                    .into_iter()
                    .filter_map(|g| match g {
                        Geometry::Point(p) => Some(p),
                        _ => None,
                    })
                    .collect(),
            )),
            FeatureKind::MultiLine => Geometry::MultiLineString(MultiLineString(
                parts
                    .into_iter()
                    .filter_map(|g| match g {
                        Geometry::LineString(l) => Some(l),
                        _ => None,
                    })
                    .collect(),
            )),
            FeatureKind::MultiPolygon => Geometry::MultiPolygon(MultiPolygon(
                parts
                    .into_iter()
                    .filter_map(|g| match g {
                        Geometry::Polygon(p) => Some(p),
                        _ => None,
                    })
                    .collect(),
            )),
            FeatureKind::Collection => Geometry::GeometryCollection(parts.into()),
        })
    }
}

impl<'a> Part<'a> {
    /// Its rings (one for points and lines; exterior first for polygons),
    /// each as the vertices level `level` keeps.
    pub fn rings(&self, level: usize) -> impl Iterator<Item = Ring<'a>> + use<'a> {
        let shapes = self.shapes;
        let level = u8::try_from(level).unwrap_or(KEPT - 1);
        self.rings.clone().map(move |r| {
            let range = shapes.ring_starts[r] as usize..shapes.ring_starts[r + 1] as usize;
            Ring {
                coords: &shapes.coords[range.clone()],
                drops: &shapes.drops[range],
                level,
            }
        })
    }
}

/// One ring at one level of detail.
#[derive(Debug, Clone)]
pub struct Ring<'a> {
    coords: &'a [[i32; 2]],
    drops: &'a [u8],
    level: u8,
}

impl<'a> Ring<'a> {
    /// The vertices this level keeps, in order.
    pub fn vertices(&self) -> impl Iterator<Item = [i32; 2]> + use<'a> {
        let level = self.level;
        self.coords
            .iter()
            .zip(self.drops)
            .filter(move |(_, d)| **d > level)
            .map(|(c, _)| *c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(q: [i32; 2]) -> Result<Coord<f64>, ()> {
        Ok(geo::coord! { x: f64::from(q[0]), y: f64::from(q[1]) })
    }

    #[test]
    fn geometries_come_back_as_they_went_in() {
        let mut shapes = Shapes::new();
        let inputs: Vec<Geometry<f64>> = vec![
            Geometry::Point(Point::new(1.0, 2.0)),
            geo::wkt!(LINESTRING(0. 0.,5. 5.,10. 0.)).into(),
            geo::wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(2. 2.,3. 2.,3. 3.,2. 2.)))
                .into(),
            geo::wkt!(MULTIPOINT(1. 1.,2. 2.)).into(),
            geo::wkt!(MULTIPOLYGON(((0. 0.,1. 0.,1. 1.,0. 0.)),((5. 5.,6. 5.,6. 6.,5. 5.)))).into(),
            Geometry::GeometryCollection(
                geo::wkt!(GEOMETRYCOLLECTION(POINT(1. 1.),LINESTRING(0. 0.,1. 1.))),
            ),
        ];
        for g in &inputs {
            shapes.push(g, &[0.0]).unwrap();
        }
        for (i, g) in inputs.iter().enumerate() {
            assert_eq!(
                &shapes.geometry(i, unit).unwrap().unwrap(),
                g,
                "feature {i}"
            );
        }
        assert_eq!(shapes.len(), inputs.len());
        assert!(shapes.feature(0).unwrap().is_points());
        assert!(!shapes.feature(2).unwrap().is_points());
    }

    #[test]
    fn coarser_levels_keep_fewer_vertices_and_rings_stay_rings() {
        // A wiggly square: level 1 (tolerance 2) removes the wiggles,
        // level 2 (tolerance 100) would leave a sliver and keeps the square.
        let mut ring = vec![geo::coord! { x: 0.0, y: 0.0 }];
        for i in 1..100 {
            ring.push(geo::coord! { x: f64::from(i), y: f64::from(i % 2) });
        }
        ring.extend([
            geo::coord! { x: 100.0, y: 0.0 },
            geo::coord! { x: 100.0, y: 100.0 },
            geo::coord! { x: 0.0, y: 100.0 },
            geo::coord! { x: 0.0, y: 0.0 },
        ]);
        let polygon = Geometry::Polygon(Polygon::new(LineString(ring.clone()), Vec::new()));
        let mut shapes = Shapes::new();
        let envelope = shapes.push(&polygon, &[0.0, 2.0, 100.0]).unwrap();
        assert_eq!(envelope, Some([0, 0, 100, 100]));
        let count = |level| {
            let shape = shapes.feature(0).unwrap();
            let part = shape.parts().next().unwrap();
            part.rings(level).next().unwrap().vertices().count()
        };
        assert_eq!(count(0), ring.len());
        assert_eq!(count(1), 5, "the square's corners and its closing vertex");
        assert_eq!(count(2), 5, "never fewer than a ring needs");
    }

    #[test]
    fn coordinates_beyond_the_quanta_are_refused() {
        let mut shapes = Shapes::new();
        let far: Geometry<f64> = geo::wkt!(LINESTRING(0. 0.,1e12 0.)).into();
        assert!(matches!(
            shapes.push(&far, &[0.0]),
            Err(ShapeError::OutOfRange(_))
        ));
        assert_eq!(
            (shapes.len(), shapes.vertex_count()),
            (0, 0),
            "nothing half-stored"
        );
        let nan = Geometry::Point(Point::new(f64::NAN, 0.0));
        assert!(shapes.push(&nan, &[0.0]).is_err());
    }
}
