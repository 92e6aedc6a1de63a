//! A layer's features in memory: one compact copy, whatever CRSs clients
//! ask for.
//!
//! Memory grows with the vertices, not with the CRSs or the levels of
//! detail: every geometry is kept once, in one storage CRS (ETRS89 / UTM
//! 32N for data around Germany, else longitude/latitude), as quantised
//! integers with one byte per vertex saying at which level of detail it
//! leaves ([`shapes`]); attributes are one table of distinct values
//! ([`attributes`]). A request in another CRS is reprojected while it is
//! drawn (`render::project`), and only what it shows.
//!
//! Features are indexed in R-trees by their size class: the trees of
//! classes a map shows as marks below a pixel are not walked at all at
//! small scales, where the layer's [`overview`] draws them instead.
//!
//! A building footprint takes about 300 bytes here (the memory test), 6
//! KiB when every level and two CRSs were kept as `geo` geometries; the
//! large-data kit's million load with a peak of 384 MiB (`bench/README.md`).

pub mod attributes;
pub mod overview;
pub mod shapes;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use geo::{
    Coord, Euclidean, Geometry, InteriorPoint, InterpolateLine, Length, LineString, MapCoords, Rect,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde_json::{Map, Value};

pub use attributes::Properties;
use attributes::{Attributes, AttributesBuilder};
use shapes::{Shape, Shapes};

use crate::crs::{ALL, Crs};
use crate::error::{MapError, Result};

/// Simplification tolerances of the levels of detail, in metres (degrees
/// are scaled by one degree's length). Level 0 keeps every vertex.
const LEVEL_TOLERANCES_M: [f64; 12] = [
    0.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0,
];
/// A level may be used while its tolerance stays within this share of a
/// pixel. Levels simplify each other, so their error adds up to less than
/// twice their tolerance; side-by-side renderings at 0.5 and 1.0 showed no
/// visible difference, while 1.0 draws a sixth fewer vertices.
const TOLERANCE_PER_PIXEL: f64 = 1.0;
/// Metres per degree at the equator, to express tolerances in degrees.
const METRES_PER_DEGREE: f64 = 111_320.0;

/// The size classes: a feature whose envelope is smaller than
/// `CLASS_SIZES_M[k]` (metres) on both axes, and not smaller than the
/// class before, is of class `k`; larger ones, and points, which are drawn
/// as symbols at every scale, are of class `CLASS_SIZES_M.len()`.
pub const CLASS_SIZES_M: [f64; 10] = [
    8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0,
];
/// The class of points and of features too large for any size class.
pub const LARGE: usize = CLASS_SIZES_M.len();

type IndexEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// One feature's attributes, as sources hand them over.
#[derive(Debug, Clone)]
pub struct FeatureData {
    /// The feature's id in the source, or its position.
    pub id: String,
    /// Its properties.
    pub properties: Map<String, Value>,
}

/// Where a feature's label goes, computed once at load: a polygon's most
/// interior point, a line's middle with its direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    /// The point, in the requested CRS.
    pub at: Coord<f64>,
    /// Direction of a line at `at` (CRS units); `None` for polygons.
    pub direction: Option<Coord<f64>>,
}

/// An anchor as kept: quanta and a direction in storage units.
#[derive(Debug, Clone, Copy)]
struct StoredAnchor {
    at: [i32; 2],
    /// NaN for polygons.
    direction: [f32; 2],
}

/// The CRS features are kept in, and its quantum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Storage {
    /// The CRS.
    pub crs: Crs,
    /// Stored integers per CRS unit: 100 (centimetres), or 10⁷ per degree
    /// (1.1 cm). Dividing by it gives back a source's decimals exactly.
    pub quanta_per_unit: f64,
}

impl Storage {
    /// Centimetres of ETRS89 / UTM 32N.
    pub const UTM: Self = Self {
        crs: Crs::Utm32,
        quanta_per_unit: 100.0,
    };
    /// 10⁻⁷ degree of longitude/latitude.
    pub const LONLAT: Self = Self {
        crs: Crs::Crs84,
        quanta_per_unit: 1e7,
    };

    /// The source's own CRS where numis offers it, so that its
    /// coordinates are kept as they are (to the centimetre, or the
    /// seventh decimal of a degree); else longitude/latitude.
    pub fn for_source(crs: Option<Crs>) -> Self {
        match crs {
            Some(crs) if crs.is_geographic() => Self::LONLAT,
            Some(crs) => Self {
                crs,
                quanta_per_unit: 100.0,
            },
            None => Self::LONLAT,
        }
    }

    /// Metres per CRS unit, for tolerances and size classes (one degree's
    /// length at the equator for longitude/latitude).
    pub fn metres_per_unit(&self) -> f64 {
        if self.crs.is_geographic() {
            METRES_PER_DEGREE
        } else {
            1.0
        }
    }

    /// Metres per quantum.
    pub fn metres_per_quantum(&self) -> f64 {
        self.metres_per_unit() / self.quanta_per_unit
    }

    /// `area` of `crs` in this CRS: the envelope of its outline
    /// transformed; `None` where the transformation fails.
    pub fn area(&self, crs: Crs, area: Rect<f64>) -> Option<Rect<f64>> {
        if crs == self.crs {
            return Some(area);
        }
        transformed_envelope(crs, self.crs, area)
    }

    /// A stored point in the storage CRS.
    pub fn unquantise(&self, q: [i32; 2]) -> (f64, f64) {
        (
            f64::from(q[0]) / self.quanta_per_unit,
            f64::from(q[1]) / self.quanta_per_unit,
        )
    }
}

/// A layer's features, ready to be queried in any supported CRS.
#[derive(Debug)]
pub struct Dataset {
    storage: Storage,
    shapes: Shapes,
    attributes: Attributes,
    anchors: Vec<StoredAnchor>,
    classes: Vec<u8>,
    /// One R-tree per size class, over envelopes in quanta.
    trees: Vec<RTree<IndexEntry>>,
    /// Extents in every CRS, computed at load (capabilities need them all).
    extents: HashMap<Crs, Rect<f64>>,
}

/// Builds a [`Dataset`] feature by feature, so that no source is ever held
/// whole in memory beside it.
pub struct DatasetBuilder {
    storage: Storage,
    tolerances: Vec<f64>,
    shapes: Shapes,
    attributes: AttributesBuilder,
    anchors: Vec<StoredAnchor>,
    classes: Vec<u8>,
    envelopes: Vec<[i32; 4]>,
}

impl DatasetBuilder {
    /// An empty dataset kept in `storage`.
    pub fn new(storage: Storage) -> Self {
        let per_quantum = storage.metres_per_quantum();
        Self {
            storage,
            tolerances: LEVEL_TOLERANCES_M.iter().map(|t| t / per_quantum).collect(),
            shapes: Shapes::new(),
            attributes: AttributesBuilder::new(),
            anchors: Vec::new(),
            classes: Vec::new(),
            envelopes: Vec::new(),
        }
    }

    /// The CRS geometries must be given in.
    pub fn storage(&self) -> Storage {
        self.storage
    }

    /// Adds one feature; `geometry` is in the storage CRS. A geometry
    /// without vertices is left out.
    pub fn push<'v>(
        &mut self,
        id: &str,
        properties: impl IntoIterator<Item = (Cow<'v, str>, Value)>,
        geometry: &Geometry<f64>,
    ) -> std::result::Result<(), String> {
        let per_unit = self.storage.quanta_per_unit;
        let quantised =
            geometry.map_coords(|c| geo::coord! { x: c.x * per_unit, y: c.y * per_unit });
        let Some(envelope) = self
            .shapes
            .push(&quantised, &self.tolerances)
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        self.attributes
            .push(id, properties)
            .map_err(|e| e.to_string())?;
        let index = self.envelopes.len();
        let points = self.shapes.feature(index).is_some_and(|s| s.is_points());
        self.classes
            .push(size_class(envelope, points, self.storage.metres_per_quantum()) as u8);
        self.envelopes.push(envelope);
        self.anchors.push(stored_anchor(&quantised, self.storage));
        Ok(())
    }

    /// The dataset, indexed.
    pub fn finish(self) -> Dataset {
        let mut by_class: Vec<Vec<IndexEntry>> = vec![Vec::new(); LARGE + 1];
        for (i, (e, &class)) in self.envelopes.iter().zip(&self.classes).enumerate() {
            by_class[usize::from(class)].push(GeomWithData::new(
                Rectangle::from_corners(
                    [f64::from(e[0]), f64::from(e[1])],
                    [f64::from(e[2]), f64::from(e[3])],
                ),
                i as u32,
            ));
        }
        let trees: Vec<RTree<IndexEntry>> = by_class.into_iter().map(RTree::bulk_load).collect();
        let whole = self.envelopes.iter().copied().reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        });
        let extents = whole.map(|e| extents(self.storage, e)).unwrap_or_default();
        let mut anchors = self.anchors;
        anchors.shrink_to_fit();
        let mut classes = self.classes;
        classes.shrink_to_fit();
        Dataset {
            storage: self.storage,
            shapes: self.shapes,
            attributes: self.attributes.finish(),
            anchors,
            classes,
            trees,
            extents,
        }
    }
}

impl Dataset {
    /// Reads a GeoJSON file (RFC 7946: longitude/latitude, CRS:84).
    pub fn from_geojson_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| MapError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_geojson_str(&text).map_err(|message| MapError::GeoJson {
            path: path.to_owned(),
            message,
        })
    }

    /// Reads a feature table of a GeoPackage (`table` may be left out when
    /// the file has one), row by row.
    pub fn from_geopackage_file(path: &Path, table: Option<&str>) -> Result<Self> {
        let invalid = |message: String| MapError::GeoPackage {
            path: path.to_owned(),
            message,
        };
        let source = crate::gpkg::open(path, table).map_err(invalid)?;
        let crs = source
            .epsg()
            .and_then(|code| Crs::parse(&format!("EPSG:{code}")));
        let storage = Storage::for_source(crs);
        // Data in a CRS numis offers (UTM 32N, as Lower Saxony's are) are
        // kept as they are: no transformation of a million buildings to
        // longitude/latitude and back, and no change to a coordinate.
        let native = crs.is_some();
        let mut builder = DatasetBuilder::new(storage);
        source
            .rows(|row| {
                let geometry = if native {
                    row.geometry
                } else {
                    let lonlat = source.to_lonlat(&row.geometry)?;
                    from_lonlat(&lonlat, storage.crs).map_err(|e| e.to_string())?
                };
                builder.push(&row.id, row.properties, &geometry)
            })
            .map_err(invalid)?;
        Ok(builder.finish())
    }

    /// Parses GeoJSON text; the error says what is wrong.
    pub fn from_geojson_str(text: &str) -> std::result::Result<Self, String> {
        let geojson: geojson::GeoJson = text.parse().map_err(|e: geojson::Error| e.to_string())?;
        let features = match geojson {
            geojson::GeoJson::FeatureCollection(collection) => collection.features,
            geojson::GeoJson::Feature(feature) => vec![feature],
            geojson::GeoJson::Geometry(geometry) => vec![geojson::Feature {
                geometry: Some(geometry),
                ..Default::default()
            }],
        };
        let mut data = Vec::with_capacity(features.len());
        let mut geometries = Vec::with_capacity(features.len());
        for (position, feature) in features.into_iter().enumerate() {
            // Features without geometry have nothing to draw or query.
            let Some(geometry) = feature.geometry else {
                continue;
            };
            let geometry: Geometry<f64> = geometry
                .value
                .try_into()
                .map_err(|e: geojson::Error| format!("feature {position}: {e}"))?;
            let id = match feature.id {
                Some(geojson::feature::Id::String(s)) => s,
                Some(geojson::feature::Id::Number(n)) => n.to_string(),
                None => position.to_string(),
            };
            data.push(FeatureData {
                id,
                properties: feature.properties.unwrap_or_default(),
            });
            geometries.push(geometry);
        }
        Self::from_lonlat(data, geometries).map_err(|e| e.to_string())
    }

    /// Builds the dataset from longitude/latitude geometries, kept in
    /// longitude/latitude.
    pub fn from_lonlat(features: Vec<FeatureData>, geometries: Vec<Geometry<f64>>) -> Result<Self> {
        let mut builder = DatasetBuilder::new(Storage::LONLAT);
        for (feature, geometry) in features.into_iter().zip(geometries) {
            let properties = feature
                .properties
                .into_iter()
                .map(|(name, value)| (Cow::Owned(name), value));
            builder
                .push(&feature.id, properties, &geometry)
                .map_err(MapError::Projection)?;
        }
        Ok(builder.finish())
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.attributes.len()
    }

    /// Does the dataset have no features?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The CRS and quantum the features are kept in.
    pub fn storage(&self) -> Storage {
        self.storage
    }

    /// The number of vertices of all features.
    pub fn vertex_count(&self) -> usize {
        self.shapes.vertex_count()
    }

    /// The bytes the features take in memory (geometry, index, attributes),
    /// for the tests that keep it bounded.
    pub fn heap_bytes(&self) -> usize {
        let tree_entries: usize = self.trees.iter().map(RTree::size).sum();
        // An R-tree holds its entries plus about a fifth in inner nodes.
        self.shapes.heap_bytes()
            + self.attributes.heap_bytes()
            + self.anchors.capacity() * std::mem::size_of::<StoredAnchor>()
            + self.classes.capacity()
            + tree_entries * std::mem::size_of::<IndexEntry>() * 6 / 5
    }

    /// The extent of all features in `crs`.
    pub fn extent(&self, crs: Crs) -> Option<Rect<f64>> {
        self.extents.get(&crs).copied()
    }

    /// Feature `index`'s id.
    pub fn id(&self, index: usize) -> Option<Cow<'_, str>> {
        self.attributes.id(index)
    }

    /// Feature `index`'s properties.
    pub fn properties(&self, index: usize) -> Option<Properties<'_>> {
        self.attributes.row(index)
    }

    /// The names of every property any feature has, sorted.
    pub fn property_names(&self) -> &[String] {
        self.attributes.names()
    }

    /// Feature `index` as stored, for drawing.
    pub fn shape(&self, index: usize) -> Option<Shape<'_>> {
        self.shapes.feature(index)
    }

    /// Feature `index`'s size class (see [`CLASS_SIZES_M`]).
    pub fn size_class(&self, index: usize) -> Option<usize> {
        self.classes.get(index).map(|c| usize::from(*c))
    }

    /// `area` of `crs` in the storage CRS (see [`Storage::area`]).
    pub fn storage_area(&self, crs: Crs, area: Rect<f64>) -> Option<Rect<f64>> {
        self.storage.area(crs, area)
    }

    /// The features of size class `from_class` or larger whose envelopes
    /// meet `area` (storage CRS), in data order.
    pub fn select(&self, area: Rect<f64>, from_class: usize) -> Vec<usize> {
        let q = self.storage.quanta_per_unit;
        let envelope = AABB::from_corners(
            [area.min().x * q, area.min().y * q],
            [area.max().x * q, area.max().y * q],
        );
        let mut hits: Vec<usize> = self
            .trees
            .iter()
            .skip(from_class)
            .flat_map(|tree| tree.locate_in_envelope_intersecting(&envelope))
            .map(|e| e.data as usize)
            .collect();
        // Drawing order is data order, whatever order the trees return.
        hits.sort_unstable();
        hits
    }

    /// The features whose envelopes meet `area` (in `crs`), in data order.
    pub fn features_in(&self, crs: Crs, area: Rect<f64>) -> Vec<usize> {
        match self.storage_area(crs, area) {
            Some(area) => self.select(area, 0),
            None => Vec::new(),
        }
    }

    /// Feature `index` in `crs`, with every vertex.
    pub fn geometry(&self, crs: Crs, index: usize) -> Option<Geometry<f64>> {
        let storage = self.storage;
        let to = |q: [i32; 2]| {
            let (x, y) = storage.unquantise(q);
            storage
                .crs
                .transform(crs, x, y)
                .map(|(x, y)| geo::coord! { x: x, y: y })
        };
        match self.shapes.geometry(index, to)? {
            Ok(geometry) => Some(geometry),
            Err(e) => {
                tracing::debug!(crs = crs.code(), error = %e, "feature not transformable");
                None
            }
        }
    }

    /// The label anchor of feature `index` as stored: the point (quanta)
    /// and, for lines, the direction (storage CRS units, any length).
    pub fn stored_anchor(&self, index: usize) -> Option<([i32; 2], Option<[f64; 2]>)> {
        let stored = self.anchors.get(index)?;
        if stored.at[0] == i32::MIN {
            return None;
        }
        let direction = (!stored.direction[0].is_nan()).then(|| stored.direction.map(f64::from));
        Some((stored.at, direction))
    }

    /// The label anchor of feature `index` in `crs` (polygons and lines).
    pub fn anchor(&self, crs: Crs, index: usize) -> Option<Anchor> {
        let stored = self.anchors.get(index)?;
        if stored.at[0] == i32::MIN {
            return None;
        }
        let (x, y) = self.storage.unquantise(stored.at);
        let transform = |x: f64, y: f64| self.storage.crs.transform(crs, x, y).ok();
        let at = transform(x, y)?;
        let direction = if stored.direction[0].is_nan() {
            None
        } else {
            // The direction through a point a metre further on.
            let [dx, dy] = stored.direction.map(f64::from);
            let length = dx.hypot(dy).max(f64::MIN_POSITIVE);
            let step = 1.0 / self.storage.metres_per_unit() / length;
            let ahead = transform(x + dx * step, y + dy * step)?;
            Some(geo::coord! { x: ahead.0 - at.0, y: ahead.1 - at.1 })
        };
        Some(Anchor {
            at: geo::coord! { x: at.0, y: at.1 },
            direction,
        })
    }
}

/// The level of detail for `resolution` in storage CRS units per pixel:
/// the coarsest whose tolerance stays within `TOLERANCE_PER_PIXEL`.
pub fn level_for(storage: Storage, resolution: f64) -> usize {
    let pixel_m = resolution * storage.metres_per_unit();
    LEVEL_TOLERANCES_M
        .iter()
        .rposition(|&t| t <= pixel_m * TOLERANCE_PER_PIXEL)
        .unwrap_or(0)
}

fn size_class(envelope: [i32; 4], points: bool, metres_per_quantum: f64) -> usize {
    if points {
        return LARGE;
    }
    let size = f64::from(
        envelope[2]
            .abs_diff(envelope[0])
            .max(envelope[3].abs_diff(envelope[1])),
    ) * metres_per_quantum;
    CLASS_SIZES_M
        .iter()
        .position(|&limit| size < limit)
        .unwrap_or(LARGE)
}

fn from_lonlat(geometry: &Geometry<f64>, crs: Crs) -> Result<Geometry<f64>> {
    if crs == Crs::Crs84 {
        return Ok(geometry.clone());
    }
    geometry.try_map_coords(|c| {
        Crs::Crs84
            .transform(crs, c.x, c.y)
            .map(|(x, y)| geo::coord! { x: x, y: y })
    })
}

/// The envelope of `area`'s outline (32 points a side) in `to`.
fn transformed_envelope(from: Crs, to: Crs, area: Rect<f64>) -> Option<Rect<f64>> {
    const STEPS: usize = 32;
    let (min, max) = (area.min(), area.max());
    let mut bounds: Option<[f64; 4]> = None;
    for i in 0..=STEPS {
        let t = i as f64 / STEPS as f64;
        let x = min.x + (max.x - min.x) * t;
        let y = min.y + (max.y - min.y) * t;
        for (px, py) in [(x, min.y), (x, max.y), (min.x, y), (max.x, y)] {
            let Ok((tx, ty)) = from.transform(to, px, py) else {
                continue;
            };
            if !(tx.is_finite() && ty.is_finite()) {
                continue;
            }
            bounds = Some(match bounds {
                None => [tx, ty, tx, ty],
                Some([a, b, c, d]) => [a.min(tx), b.min(ty), c.max(tx), d.max(ty)],
            });
        }
    }
    bounds.map(|[a, b, c, d]| Rect::new(geo::coord! { x: a, y: b }, geo::coord! { x: c, y: d }))
}

/// The extent of envelope `whole` (quanta) in every CRS.
fn extents(storage: Storage, whole: [i32; 4]) -> HashMap<Crs, Rect<f64>> {
    let (a, b) = storage.unquantise([whole[0], whole[1]]);
    let (c, d) = storage.unquantise([whole[2], whole[3]]);
    extents_of(
        storage.crs,
        Rect::new(geo::coord! { x: a, y: b }, geo::coord! { x: c, y: d }),
    )
}

/// `native`, an extent in `storage`, in every CRS numis offers.
pub(crate) fn extents_of(storage: Crs, native: Rect<f64>) -> HashMap<Crs, Rect<f64>> {
    ALL.iter()
        .filter_map(|&crs| {
            let extent = if crs == storage {
                Some(native)
            } else {
                transformed_envelope(storage, crs, native)
            };
            extent.map(|e| (crs, e))
        })
        .collect()
}

/// The anchor of `geometry` (quanta). Lengths and the middles of lines
/// are measured in metres: for longitude/latitude, degrees of longitude
/// are shortened to their length at the geometry's latitude first.
fn stored_anchor(geometry: &Geometry<f64>, storage: Storage) -> StoredAnchor {
    let none = StoredAnchor {
        at: [i32::MIN, 0],
        direction: [f32::NAN; 2],
    };
    let squeeze = if storage.crs.is_geographic() {
        let latitude = geo::BoundingRect::bounding_rect(geometry)
            .map_or(0.0, |r| r.center().y / storage.quanta_per_unit);
        latitude.to_radians().cos().max(0.01)
    } else {
        1.0
    };
    let metric = if squeeze == 1.0 {
        Cow::Borrowed(geometry)
    } else {
        Cow::Owned(geometry.map_coords(|c| geo::coord! { x: c.x * squeeze, y: c.y }))
    };
    match anchor(&metric) {
        Some(Anchor { at, direction }) => StoredAnchor {
            at: [(at.x / squeeze).round() as i32, at.y.round() as i32],
            direction: direction.map_or([f32::NAN; 2], |d| [(d.x / squeeze) as f32, d.y as f32]),
        },
        None => none,
    }
}

fn anchor(geometry: &Geometry<f64>) -> Option<Anchor> {
    match geometry {
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
            geometry.interior_point().map(|p| Anchor {
                at: p.0,
                direction: None,
            })
        }
        Geometry::LineString(line) => line_anchor(line),
        Geometry::MultiLineString(lines) => lines
            .0
            .iter()
            .max_by(|a, b| Euclidean.length(*a).total_cmp(&Euclidean.length(*b)))
            .and_then(line_anchor),
        _ => None,
    }
}

fn line_anchor(line: &LineString<f64>) -> Option<Anchor> {
    let middle = Euclidean.point_at_ratio_from_start(line, 0.5)?;
    let before = Euclidean.point_at_ratio_from_start(line, 0.48)?;
    let after = Euclidean.point_at_ratio_from_start(line, 0.52)?;
    Some(Anchor {
        at: middle.0,
        direction: Some(after.0 - before.0),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const TWO_SQUARES: &str = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","id":"a","properties":{"name":"A"},"geometry":{"type":"Polygon","coordinates":[[[9,52],[9.1,52],[9.1,52.1],[9,52.1],[9,52]]]}},
        {"type":"Feature","properties":{"name":"B"},"geometry":{"type":"Polygon","coordinates":[[[10,53],[10.1,53],[10.1,53.1],[10,53.1],[10,53]]]}},
        {"type":"Feature","properties":{"name":"no geometry"},"geometry":null}
    ]}"#;

    #[test]
    fn features_are_found_by_area_in_every_crs() {
        let data = Dataset::from_geojson_str(TWO_SQUARES).unwrap();
        assert_eq!(data.len(), 2, "features without geometry are skipped");
        assert_eq!(data.id(0).as_deref(), Some("a"));
        assert_eq!(
            data.storage(),
            Storage::LONLAT,
            "GeoJSON is kept as it came"
        );
        let around_a = Rect::new(
            geo::coord! { x: 8.95, y: 51.95 },
            geo::coord! { x: 9.2, y: 52.2 },
        );
        assert_eq!(data.features_in(Crs::Crs84, around_a), vec![0]);
        let utm = data.extent(Crs::Utm32).unwrap();
        assert!(
            utm.min().x > 400_000.0 && utm.max().y < 6_000_000.0,
            "{utm:?}"
        );
        assert_eq!(data.features_in(Crs::Utm32, utm).len(), 2);
        let lonlat = data.extent(Crs::Crs84).unwrap();
        assert_eq!((lonlat.min().x, lonlat.max().y), (9.0, 53.1));
    }

    #[test]
    fn geometries_come_back_as_they_came_and_within_a_centimetre_in_any_crs() {
        let data = Dataset::from_geojson_str(TWO_SQUARES).unwrap();
        let Some(Geometry::Polygon(square)) = data.geometry(Crs::Crs84, 1) else {
            panic!("a polygon");
        };
        let expected = [(10.0, 53.0), (10.1, 53.0), (10.1, 53.1), (10.0, 53.1)];
        for (c, (x, y)) in square.exterior().coords().zip(expected) {
            assert_eq!((c.x, c.y), (x, y), "seven decimals are kept exactly");
        }
        let Some(Geometry::Polygon(mercator)) = data.geometry(Crs::WebMercator, 1) else {
            panic!("a polygon");
        };
        let first = mercator.exterior().0[0];
        let (x, y) = Crs::Crs84.transform(Crs::WebMercator, 10.0, 53.0).unwrap();
        assert!((first.x - x).abs() < 0.05 && (first.y - y).abs() < 0.05);
        let anchor = data.anchor(Crs::Crs84, 0).unwrap();
        assert!((anchor.at.x - 9.05).abs() < 0.01 && (anchor.at.y - 52.05).abs() < 0.01);
    }

    #[test]
    fn sources_are_kept_in_their_own_crs_where_numis_offers_it() {
        assert_eq!(Storage::for_source(Some(Crs::Utm32)), Storage::UTM);
        assert_eq!(Storage::for_source(Some(Crs::Etrs89)), Storage::LONLAT);
        assert_eq!(Storage::for_source(None), Storage::LONLAT);
        assert_eq!(
            Storage::for_source(Some(Crs::GaussKrueger3)).quanta_per_unit,
            100.0
        );
    }

    #[test]
    fn coarse_resolutions_use_simplified_geometry() {
        let utm = Storage::UTM;
        assert_eq!(level_for(utm, 0.5), 0);
        assert_eq!(level_for(utm, 20.0), 4);
        assert_eq!(level_for(utm, 1_000_000.0), LEVEL_TOLERANCES_M.len() - 1);
        assert_eq!(level_for(Storage::LONLAT, 20.0 / METRES_PER_DEGREE), 4);
    }

    #[test]
    fn features_are_indexed_by_size_class() {
        let cm = 100; // quanta per metre
        assert_eq!(size_class([0, 0, 5 * cm, 7 * cm], false, 0.01), 0);
        assert_eq!(size_class([0, 0, 20 * cm, 7 * cm], false, 0.01), 2);
        assert_eq!(size_class([0, 0, 5_000 * cm, 7 * cm], false, 0.01), LARGE);
        assert_eq!(size_class([0, 0, 0, 0], true, 0.01), LARGE, "points");
        let data = Dataset::from_geojson_str(TWO_SQUARES).unwrap();
        // Squares of 0.1° are about 7 by 11 km: the largest class.
        assert_eq!(data.size_class(0), Some(LARGE));
        let all = data.extent(Crs::Crs84).unwrap();
        assert_eq!(data.select(all, LARGE), vec![0, 1]);
    }

    /// `n` buildings of 10–30 m with 6 vertices each (L shapes), on a grid
    /// with 40 m between them, kept in UTM as a GeoPackage of Lower Saxony
    /// is, with the attributes of the large-data kit.
    pub(crate) fn buildings(n: usize) -> Dataset {
        let mut builder = DatasetBuilder::new(Storage::UTM);
        let per_row = 500;
        for i in 0..n {
            let x = 540_000.0 + (i % per_row) as f64 * 40.0;
            let y = 5_790_000.0 + (i / per_row) as f64 * 40.0;
            let size = 10.0 + (i % 21) as f64;
            let l_shape: Geometry<f64> = geo::Polygon::new(
                LineString::from(vec![
                    (x, y),
                    (x + size, y),
                    (x + size, y + size / 2.0),
                    (x + size / 2.0, y + size / 2.0),
                    (x + size / 2.0, y + size),
                    (x, y + size),
                    (x, y),
                ]),
                Vec::new(),
            )
            .into();
            let kinds = [
                "residential",
                "commercial",
                "industrial",
                "agricultural",
                "public",
            ];
            let properties = [
                (Cow::Borrowed("id"), Value::from(i)),
                (Cow::Borrowed("kind"), Value::from(kinds[i % 5])),
                (Cow::Borrowed("floors"), Value::from(1 + i % 12)),
                (Cow::Borrowed("year"), Value::from(1850 + i % 175)),
                (Cow::Borrowed("name"), Value::Null),
            ];
            builder
                .push(&(i + 1).to_string(), properties, &l_shape)
                .unwrap();
        }
        builder.finish()
    }

    #[test]
    fn memory_grows_by_a_fraction_of_a_kib_per_building() {
        // Not a wall-time test: the bytes of the structure itself. The
        // `geo` copies of every level in two CRSs took about 6 KiB.
        let data = buildings(20_000);
        assert_eq!(data.len(), 20_000);
        assert_eq!(data.vertex_count(), 20_000 * 7, "every vertex once");
        let per_feature = data.heap_bytes() / data.len();
        assert!(per_feature < 320, "{per_feature} bytes per building");
        // The overview of small scales adds little: a cell per building at
        // most in the finest grids, far fewer in the coarse ones.
        let overview = overview::Overview::build(&data, |_| Some(1)).unwrap();
        let overview_per_feature = overview.heap_bytes() / data.len();
        assert!(
            overview_per_feature < 64,
            "{overview_per_feature} bytes per building"
        );
        // Asking for other CRSs keeps it so: nothing is prepared per CRS.
        for crs in ALL {
            assert!(data.geometry(crs, 19_999).is_some(), "{crs:?}");
        }
        assert_eq!(data.heap_bytes() / data.len(), per_feature);
        let last = data.properties(19_999).unwrap();
        assert_eq!(last.get("kind"), Some(&Value::from("public")));
        assert_eq!(data.id(19_999).as_deref(), Some("20000"));
    }

    #[test]
    fn broken_geojson_says_what_is_wrong() {
        let error = Dataset::from_geojson_str("{\"type\": \"FeatureCollection\", \"features\": [")
            .unwrap_err();
        assert!(!error.is_empty());
    }
}
