//! Feature data held in memory, once per supported CRS and per level of
//! detail, with an R-tree over the feature envelopes.
//!
//! Everything a request needs is prepared once: the features are
//! reprojected, simplified for a dozen resolutions and indexed — at load
//! for EPSG:25832 and EPSG:3857, on first use for the other CRSs — so the
//! work of a GetMap grows with the features it shows, not with the size of
//! the dataset.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use geo::{
    BoundingRect, Coord, Euclidean, Geometry, InteriorPoint, InterpolateLine, Length, LineString,
    MapCoords, Rect, Simplify,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde_json::{Map, Value};

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

type IndexEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// One feature's attributes.
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
    /// The point, in the dataset's CRS.
    pub at: Coord<f64>,
    /// Direction of a line at `at` (CRS units); `None` for polygons.
    pub direction: Option<Coord<f64>>,
}

/// The geometries of a dataset in one CRS.
#[derive(Debug)]
struct Projected {
    /// `levels[k][i]`: feature `i` simplified to level `k`.
    levels: Vec<Vec<Geometry<f64>>>,
    /// Label anchors of polygons and lines, by feature.
    anchors: Vec<Option<Anchor>>,
    index: RTree<IndexEntry>,
}

/// The CRSs prepared at load: the native one and the web maps' one. The
/// others are prepared on their first request, once; preparing all six
/// up front would triple the memory for CRSs most portals never see.
const PREPARED_AT_LOAD: [Crs; 2] = [Crs::Utm32, Crs::WebMercator];

/// A layer's features, ready to be queried in any supported CRS.
#[derive(Debug)]
pub struct Dataset {
    /// Attributes, by feature position.
    pub features: Vec<FeatureData>,
    /// The source geometries, for CRSs prepared later.
    lonlat: Vec<Geometry<f64>>,
    /// Extents in every CRS, computed at load (capabilities need them all).
    extents: HashMap<Crs, Rect<f64>>,
    projected: HashMap<Crs, OnceLock<Option<Projected>>>,
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
    /// the file has one).
    pub fn from_geopackage_file(path: &Path, table: Option<&str>) -> Result<Self> {
        let invalid = |message: String| MapError::GeoPackage {
            path: path.to_owned(),
            message,
        };
        let (features, geometries) = crate::gpkg::read(path, table).map_err(invalid)?;
        Self::from_lonlat(features, geometries)
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

    /// Builds the dataset from longitude/latitude geometries.
    pub fn from_lonlat(features: Vec<FeatureData>, geometries: Vec<Geometry<f64>>) -> Result<Self> {
        let projected: HashMap<Crs, OnceLock<Option<Projected>>> =
            ALL.iter().map(|&crs| (crs, OnceLock::new())).collect();
        std::thread::scope(|scope| {
            let handles: Vec<_> = PREPARED_AT_LOAD
                .iter()
                .map(|&crs| {
                    let geometries = &geometries;
                    scope.spawn(move || (crs, Projected::build(geometries, crs)))
                })
                .collect();
            for handle in handles {
                let (crs, built) = handle.join().unwrap_or_else(|_| {
                    (
                        Crs::Utm32,
                        Err(MapError::Projection("projection thread failed".into())),
                    )
                });
                let built = built?;
                if let Some(slot) = projected.get(&crs) {
                    let _ = slot.set(Some(built));
                }
            }
            Ok::<(), MapError>(())
        })?;
        // The prepared CRSs know their extent from their index; the others
        // are measured by transforming the vertices without keeping them.
        let mut extents = HashMap::new();
        for crs in ALL {
            let prepared = projected
                .get(&crs)
                .and_then(OnceLock::get)
                .and_then(Option::as_ref);
            let extent = match prepared {
                Some(p) => p.extent(),
                None => extent_in(&geometries, crs)?,
            };
            if let Some(extent) = extent {
                extents.insert(crs, extent);
            }
        }
        Ok(Self {
            features,
            lonlat: geometries,
            extents,
            projected,
        })
    }

    /// The prepared data of `crs`, preparing it on first use.
    fn prepared(&self, crs: Crs) -> Option<&Projected> {
        self.projected
            .get(&crs)?
            .get_or_init(|| {
                let started = std::time::Instant::now();
                match Projected::build(&self.lonlat, crs) {
                    Ok(built) => {
                        tracing::info!(crs = crs.code(), features = self.features.len(), ms = started.elapsed().as_millis() as u64, "data prepared for a further CRS");
                        Some(built)
                    }
                    Err(e) => {
                        tracing::error!(crs = crs.code(), error = %e, "data cannot be prepared for this CRS");
                        None
                    }
                }
            })
            .as_ref()
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Does the dataset have no features?
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The extent of all features in `crs`.
    pub fn extent(&self, crs: Crs) -> Option<Rect<f64>> {
        self.extents.get(&crs).copied()
    }

    /// The features whose envelopes meet `area` (in `crs`), simplified for
    /// `resolution` (CRS units per pixel), in data order.
    pub fn query(
        &self,
        crs: Crs,
        area: Rect<f64>,
        resolution: f64,
    ) -> Vec<(usize, &Geometry<f64>)> {
        let Some(projected) = self.prepared(crs) else {
            return Vec::new();
        };
        let level = level_for(crs, resolution);
        let envelope =
            AABB::from_corners([area.min().x, area.min().y], [area.max().x, area.max().y]);
        let mut hits: Vec<usize> = projected
            .index
            .locate_in_envelope_intersecting(&envelope)
            .map(|e| e.data)
            .collect();
        // Drawing order is data order, whatever order the tree returns.
        hits.sort_unstable();
        hits.into_iter()
            .map(|i| (i, &projected.levels[level][i]))
            .collect()
    }

    /// Feature `index` in `crs`, with every vertex.
    pub fn geometry(&self, crs: Crs, index: usize) -> Option<&Geometry<f64>> {
        self.prepared(crs)?.levels.first()?.get(index)
    }

    /// The label anchor of feature `index` in `crs` (polygons and lines).
    pub fn anchor(&self, crs: Crs, index: usize) -> Option<Anchor> {
        *self.prepared(crs)?.anchors.get(index)?
    }
}

impl Projected {
    /// The envelope of every feature, from the index.
    fn extent(&self) -> Option<Rect<f64>> {
        if self.index.size() == 0 {
            return None;
        }
        let e = self.index.root().envelope();
        Some(Rect::new(
            geo::coord! { x: e.lower()[0], y: e.lower()[1] },
            geo::coord! { x: e.upper()[0], y: e.upper()[1] },
        ))
    }

    fn build(lonlat: &[Geometry<f64>], crs: Crs) -> Result<Self> {
        let full: Vec<Geometry<f64>> = lonlat
            .iter()
            .map(|g| {
                g.try_map_coords(|c| {
                    Crs::Crs84
                        .transform(crs, c.x, c.y)
                        .map(|(x, y)| geo::coord! { x: x, y: y })
                })
            })
            .collect::<Result<_>>()?;
        let unit = if crs.is_geographic() {
            METRES_PER_DEGREE
        } else {
            1.0
        };
        // Each level simplifies the previous one: much faster than starting
        // from full detail every time, and the error stays within the sum
        // of tolerances, under twice the level's own.
        let mut levels: Vec<Vec<Geometry<f64>>> = vec![full];
        for tolerance in LEVEL_TOLERANCES_M.iter().skip(1) {
            let epsilon = tolerance / unit;
            let previous = levels.last().map(Vec::as_slice).unwrap_or_default();
            let next = previous.iter().map(|g| simplify(g, epsilon)).collect();
            levels.push(next);
        }
        let entries: Vec<IndexEntry> = levels[0]
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                let r = g.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        let anchors = levels[0].iter().map(anchor).collect();
        Ok(Self {
            levels,
            anchors,
            index: RTree::bulk_load(entries),
        })
    }
}

/// The extent of `geometries` (longitude/latitude) in `crs`, transforming
/// every vertex without keeping the result.
fn extent_in(geometries: &[Geometry<f64>], crs: Crs) -> Result<Option<Rect<f64>>> {
    let mut bounds: Option<(f64, f64, f64, f64)> = None;
    for geometry in geometries {
        for c in geo::CoordsIter::coords_iter(geometry) {
            let (x, y) = Crs::Crs84.transform(crs, c.x, c.y)?;
            bounds = Some(match bounds {
                None => (x, y, x, y),
                Some((a, b, c, d)) => (a.min(x), b.min(y), c.max(x), d.max(y)),
            });
        }
    }
    Ok(
        bounds
            .map(|(a, b, c, d)| Rect::new(geo::coord! { x: a, y: b }, geo::coord! { x: c, y: d })),
    )
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

/// Simplifies lines and polygons; points stay as they are.
fn simplify(geometry: &Geometry<f64>, epsilon: f64) -> Geometry<f64> {
    match geometry {
        Geometry::LineString(g) => Geometry::LineString(g.simplify(epsilon)),
        Geometry::MultiLineString(g) => Geometry::MultiLineString(g.simplify(epsilon)),
        Geometry::Polygon(g) => Geometry::Polygon(g.simplify(epsilon)),
        Geometry::MultiPolygon(g) => Geometry::MultiPolygon(g.simplify(epsilon)),
        Geometry::GeometryCollection(c) => {
            Geometry::GeometryCollection(c.iter().map(|g| simplify(g, epsilon)).collect())
        }
        other => other.clone(),
    }
}

/// The coarsest level whose tolerance stays within `TOLERANCE_PER_PIXEL`.
fn level_for(crs: Crs, resolution: f64) -> usize {
    let unit = if crs.is_geographic() {
        METRES_PER_DEGREE
    } else {
        1.0
    };
    let pixel_m = resolution * unit;
    LEVEL_TOLERANCES_M
        .iter()
        .rposition(|&t| t <= pixel_m * TOLERANCE_PER_PIXEL)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
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
        assert_eq!(data.features[0].id, "a");
        let around_a = Rect::new(
            geo::coord! { x: 8.95, y: 51.95 },
            geo::coord! { x: 9.2, y: 52.2 },
        );
        let hits = data.query(Crs::Crs84, around_a, 0.001);
        assert_eq!(hits.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![0]);
        let utm = data.extent(Crs::Utm32).unwrap();
        assert!(
            utm.min().x > 400_000.0 && utm.max().y < 6_000_000.0,
            "{utm:?}"
        );
        let all = data.query(Crs::Utm32, utm, 100.0);
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn coarse_resolutions_use_simplified_geometry() {
        assert_eq!(level_for(Crs::Utm32, 0.5), 0);
        assert_eq!(level_for(Crs::Utm32, 20.0), 4);
        assert_eq!(
            level_for(Crs::Utm32, 1_000_000.0),
            LEVEL_TOLERANCES_M.len() - 1
        );
        assert_eq!(level_for(Crs::Crs84, 20.0 / METRES_PER_DEGREE), 4);
    }

    #[test]
    fn broken_geojson_says_what_is_wrong() {
        let error = Dataset::from_geojson_str("{\"type\": \"FeatureCollection\", \"features\": [")
            .unwrap_err();
        assert!(!error.is_empty());
    }
}
