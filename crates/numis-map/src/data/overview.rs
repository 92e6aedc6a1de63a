//! What a small-scale map draws of features smaller than its pixels.
//!
//! At 1:1,000,000 a pixel is 280 m wide and a building a fraction of one;
//! drawing each of a million buildings as a path would take seconds, and
//! leaving them out would leave the map white. Instead, a layer's
//! overview is computed once at load: for each size class, a grid whose
//! cells are as wide as the class's limit, holding per cell which rule
//! filters its features matched (the filter mask) and how much area they
//! cover. A map whose pixel is at least a cell wide draws each occupied
//! cell as a mark in its features' colour — the settlement pattern, as
//! MapServer draws it feature by feature — and walks only the R-trees of
//! the classes above.

use std::collections::HashMap;

use geo::Rect;

use super::{CLASS_SIZES_M, Dataset, LARGE, Properties};

/// The grids, finest first: `grids[k]` holds the features of classes
/// `0..=k`.
#[derive(Debug)]
pub struct Overview {
    grids: Vec<Grid>,
    /// The distinct filter masks, by their number in the cells.
    masks: Vec<u64>,
}

#[derive(Debug)]
struct Grid {
    /// Cell width in quanta.
    cell: f64,
    /// Occupied rows, ascending, with where their cells begin.
    rows: Vec<(i32, u32)>,
    /// Cells of all rows, by row, then column, then ascending area, so
    /// that the mask covering most is drawn last, on top.
    cells: Vec<Cell>,
}

#[derive(Debug, Clone, Copy)]
struct Cell {
    column: i32,
    mask: u16,
    /// Square metres covered (envelopes).
    area: f32,
}

/// One occupied cell, as a map draws it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    /// The cell's centre, storage CRS.
    pub x: f64,
    /// See `x`.
    pub y: f64,
    /// The rule filters its features matched.
    pub mask: u64,
}

impl Overview {
    /// The overview of `data`, whose features' filter masks `mask_of`
    /// gives; `None` when it gives none (a style too long for masks).
    pub fn build(data: &Dataset, mask_of: impl Fn(Properties<'_>) -> Option<u64>) -> Option<Self> {
        let per_quantum = data.storage.metres_per_quantum();
        let mut masks: Vec<u64> = Vec::new();
        let mut mask_numbers: HashMap<u64, u16> = HashMap::new();
        let mut grids = Vec::with_capacity(LARGE);
        // (row, column, mask, area) of the grid being built.
        let mut entries: Vec<(i32, i32, u16, f32)> = Vec::new();
        for (class, limit) in CLASS_SIZES_M.iter().enumerate() {
            let cell = limit / per_quantum;
            // The finer grid's cells, each within one cell of this one:
            // the limits double from class to class.
            for entry in &mut entries {
                entry.0 = entry.0.div_euclid(2);
                entry.1 = entry.1.div_euclid(2);
            }
            for feature in data.trees[class].iter() {
                let index = feature.data as usize;
                let mask = mask_of(data.attributes.row(index)?)?;
                let number = match mask_numbers.get(&mask) {
                    Some(&n) => n,
                    None => {
                        let n = u16::try_from(masks.len()).ok()?;
                        masks.push(mask);
                        mask_numbers.insert(mask, n);
                        n
                    }
                };
                let envelope = feature.geom();
                let (lower, upper) = (envelope.lower(), envelope.upper());
                let centre = [(lower[0] + upper[0]) / 2.0, (lower[1] + upper[1]) / 2.0];
                let area =
                    (upper[0] - lower[0]) * (upper[1] - lower[1]) * per_quantum * per_quantum;
                entries.push((
                    (centre[1] / cell).floor() as i32,
                    (centre[0] / cell).floor() as i32,
                    number,
                    area as f32,
                ));
            }
            merge(&mut entries);
            grids.push(Grid::from_entries(cell, &entries));
        }
        Some(Self { grids, masks })
    }

    /// The grid for a map whose pixels are `pixel_m` metres wide: the
    /// coarsest whose cells are no wider than a pixel, with the class up
    /// to which it holds the features; `None` when even the finest cells
    /// are wider (a large scale: every feature is drawn).
    pub fn grid_for(&self, pixel_m: f64) -> Option<usize> {
        CLASS_SIZES_M
            .iter()
            .rposition(|&size| size <= pixel_m)
            .filter(|&k| k < self.grids.len())
    }

    /// The occupied cells of grid `grid` within `area` (storage CRS, with
    /// `quanta_per_unit`).
    pub fn marks(&self, grid: usize, area: Rect<f64>, quanta_per_unit: f64) -> Vec<Mark> {
        let Some(grid) = self.grids.get(grid) else {
            return Vec::new();
        };
        let cell = grid.cell;
        let index = |v: f64| (v * quanta_per_unit / cell).floor() as i32;
        let (first_column, last_column) = (index(area.min().x), index(area.max().x));
        let (first_row, last_row) = (index(area.min().y), index(area.max().y));
        let start = grid.rows.partition_point(|(row, _)| *row < first_row);
        let mut marks = Vec::new();
        for (position, &(row, begin)) in grid.rows.iter().enumerate().skip(start) {
            if row > last_row {
                break;
            }
            let end = grid
                .rows
                .get(position + 1)
                .map_or(grid.cells.len(), |(_, next)| *next as usize);
            let cells = &grid.cells[begin as usize..end];
            let from = cells.partition_point(|c| c.column < first_column);
            for c in &cells[from..] {
                if c.column > last_column {
                    break;
                }
                marks.push(Mark {
                    x: (f64::from(c.column) + 0.5) * cell / quanta_per_unit,
                    y: (f64::from(row) + 0.5) * cell / quanta_per_unit,
                    mask: self.masks.get(usize::from(c.mask)).copied().unwrap_or(0),
                });
            }
        }
        marks
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.grids
            .iter()
            .map(|g| g.rows.capacity() * 8 + g.cells.capacity() * std::mem::size_of::<Cell>())
            .sum::<usize>()
            + self.masks.capacity() * 8
    }
}

/// Sorts `entries` by row, column and mask, adding up the areas of equal
/// ones.
fn merge(entries: &mut Vec<(i32, i32, u16, f32)>) {
    entries.sort_unstable_by_key(|e| (e.0, e.1, e.2));
    entries.dedup_by(|later, kept| {
        let same = (later.0, later.1, later.2) == (kept.0, kept.1, kept.2);
        if same {
            kept.3 += later.3;
        }
        same
    });
}

impl Grid {
    fn from_entries(cell: f64, entries: &[(i32, i32, u16, f32)]) -> Self {
        let mut rows: Vec<(i32, u32)> = Vec::new();
        let mut cells = Vec::with_capacity(entries.len());
        for &(row, column, mask, area) in entries {
            if rows.last().is_none_or(|(r, _)| *r != row) {
                rows.push((row, cells.len() as u32));
            }
            cells.push(Cell { column, mask, area });
        }
        // Within a cell, the mask covering most comes last.
        for (position, &(_, begin)) in rows.iter().enumerate() {
            let end = rows
                .get(position + 1)
                .map_or(cells.len(), |(_, next)| *next as usize);
            cells[begin as usize..end]
                .sort_by(|a, b| a.column.cmp(&b.column).then(a.area.total_cmp(&b.area)));
        }
        Self { cell, rows, cells }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DatasetBuilder, Storage};
    use geo::Geometry;
    use std::borrow::Cow;

    /// Squares of `size` metres at UTM positions, with a `kind`.
    fn squares(items: &[(f64, f64, f64, &str)]) -> Dataset {
        let mut builder = DatasetBuilder::new(Storage::UTM);
        for (i, &(x, y, size, kind)) in items.iter().enumerate() {
            let square: Geometry<f64> = geo::Rect::new(
                geo::coord! { x: x, y: y },
                geo::coord! { x: x + size, y: y + size },
            )
            .into();
            let properties = [(Cow::Borrowed("kind"), serde_json::json!(kind))];
            builder.push(&i.to_string(), properties, &square).unwrap();
        }
        builder.finish()
    }

    #[test]
    fn small_features_become_marks_of_their_cell_and_large_ones_stay_features() {
        let data = squares(&[
            (550_000.0, 5_800_000.0, 10.0, "house"),
            (550_020.0, 5_800_010.0, 12.0, "house"),
            (550_030.0, 5_800_030.0, 14.0, "barn"),
            (560_000.0, 5_810_000.0, 3_000.0, "forest"),
        ]);
        assert_eq!(data.storage(), Storage::UTM);
        let mask = |p: Properties<'_>| Some(u64::from(p.get("kind")? == "barn") + 1);
        let overview = Overview::build(&data, mask).unwrap();
        // 1:1,000,000: 280 m pixels, the grid of 256 m cells.
        let grid = overview.grid_for(280.0).unwrap();
        assert_eq!(CLASS_SIZES_M[grid], 256.0);
        let area = Rect::new(
            geo::coord! { x: 540_000.0, y: 5_790_000.0 },
            geo::coord! { x: 570_000.0, y: 5_820_000.0 },
        );
        let marks = overview.marks(grid, area, 100.0);
        // The three small ones share one cell: one mark per mask, the
        // houses' (more area) last; the forest is no mark.
        assert_eq!(marks.len(), 2, "{marks:?}");
        assert_eq!(marks.iter().map(|m| m.mask).collect::<Vec<_>>(), [2, 1]);
        let m = marks[0];
        assert!(
            (m.x - 550_016.0).abs() < 128.0 && (m.y - 5_800_016.0).abs() < 128.0,
            "{m:?}"
        );
        // The forest stays a feature for the trees above the grid.
        assert_eq!(data.select(area, grid + 1), vec![3]);
        // At 1:2,000 (0.56 m pixels) there is no grid: all are features.
        assert_eq!(overview.grid_for(0.56), None);
        assert_eq!(data.select(area, 0), vec![0, 1, 2, 3]);
        // Outside the area, nothing.
        let elsewhere = Rect::new(
            geo::coord! { x: 600_000.0, y: 5_700_000.0 },
            geo::coord! { x: 601_000.0, y: 5_701_000.0 },
        );
        assert!(overview.marks(grid, elsewhere, 100.0).is_empty());
    }

    #[test]
    fn a_style_without_masks_has_no_overview() {
        let data = squares(&[(550_000.0, 5_800_000.0, 10.0, "house")]);
        assert!(Overview::build(&data, |_| None).is_none());
    }
}
