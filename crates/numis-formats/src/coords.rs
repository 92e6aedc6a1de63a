//! Coordinate checks shared by all readers.

use geo::Coord;

use crate::error::{FormatError, Result};
use crate::limits::Budget;

/// Accepts a WGS84 position (counting it against the vertex budget) or
/// refuses it. `location` is `"line N: "` for XML input, empty otherwise.
pub(crate) fn checked(
    lon: f64,
    lat: f64,
    budget: &mut Budget,
    location: impl FnOnce() -> String,
) -> Result<Coord<f64>> {
    let in_range = lon.is_finite()
        && lat.is_finite()
        && (-180.0..=180.0).contains(&lon)
        && (-90.0..=90.0).contains(&lat);
    if !in_range {
        return Err(FormatError::CoordinateOutOfRange {
            location: location(),
            lon,
            lat,
        });
    }
    budget.add_vertex()?;
    Ok(Coord { x: lon, y: lat })
}
