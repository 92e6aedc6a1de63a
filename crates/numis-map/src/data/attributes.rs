//! Feature attributes as one table: column names once, each distinct value
//! once, and per feature a row of (column, value) numbers.
//!
//! A million buildings repeat "residential" 700,000 times; a
//! `serde_json::Map` per feature would hold it 700,000 times, with its key
//! names and a B-tree node each (~800 bytes a feature). Here a feature
//! costs eight bytes per property and its id. Rows may differ in their
//! columns (GeoJSON features need not share properties); a property is
//! found by its column, and read back as the `serde_json::Value` it was.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Map, Value};

/// The table.
#[derive(Debug, Default)]
pub struct Attributes {
    /// Column names, sorted: a row lists its properties in name order, as
    /// a `serde_json::Map` would.
    names: Vec<String>,
    /// Every distinct value.
    values: Vec<Value>,
    /// `row_starts[f]..row_starts[f + 1]`: feature `f`'s cells.
    row_starts: Vec<u32>,
    /// (column, value), sorted by column within a row.
    cells: Vec<(u16, u32)>,
    ids: Ids,
}

/// Feature ids: numbers while every id is one (a GeoPackage's fids), else
/// text.
#[derive(Debug)]
enum Ids {
    Numbers(Vec<i64>),
    Texts(Vec<Box<str>>),
}

impl Default for Ids {
    fn default() -> Self {
        Self::Numbers(Vec::new())
    }
}

/// A value as a hash key while the table is built (`Value` is not `Hash`).
#[derive(Debug, PartialEq, Eq, Hash)]
enum Key {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    /// The bits of a float: `1.0` stays apart from `1`, as in JSON.
    Float(u64),
    Text(String),
    Other(String),
}

impl Key {
    fn of(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Self::Int(i),
                (None, Some(u), _) => Self::Uint(u),
                (None, None, Some(f)) => Self::Float(f.to_bits()),
                _ => Self::Other(n.to_string()),
            },
            Value::String(s) => Self::Text(s.clone()),
            other => Self::Other(other.to_string()),
        }
    }
}

/// Builds an [`Attributes`] row by row.
#[derive(Debug, Default)]
pub struct AttributesBuilder {
    /// Column names in the order first seen.
    names: Vec<String>,
    columns: HashMap<String, u16>,
    values: Vec<Value>,
    distinct: HashMap<Key, u32>,
    row_starts: Vec<u32>,
    cells: Vec<(u16, u32)>,
    ids: Ids,
}

/// Why a row cannot be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    /// More columns or values than the table numbers.
    #[error("too many {0} in one layer")]
    TooMany(&'static str),
}

impl AttributesBuilder {
    /// An empty table.
    pub fn new() -> Self {
        Self {
            row_starts: vec![0],
            ..Self::default()
        }
    }

    /// Adds a feature's id and properties.
    pub fn push<'v>(
        &mut self,
        id: &str,
        properties: impl IntoIterator<Item = (Cow<'v, str>, Value)>,
    ) -> Result<(), AttributeError> {
        let start = self.cells.len();
        for (name, value) in properties {
            let column = match self.columns.get(name.as_ref()) {
                Some(&c) => c,
                None => {
                    let c = u16::try_from(self.names.len())
                        .map_err(|_| AttributeError::TooMany("columns"))?;
                    self.names.push(name.clone().into_owned());
                    self.columns.insert(name.into_owned(), c);
                    c
                }
            };
            let key = Key::of(&value);
            let index = match self.distinct.get(&key) {
                Some(&i) => i,
                None => {
                    let i = u32::try_from(self.values.len())
                        .map_err(|_| AttributeError::TooMany("distinct values"))?;
                    self.values.push(value);
                    self.distinct.insert(key, i);
                    i
                }
            };
            // A name given twice keeps its last value, as a map would.
            if let Some(cell) = self.cells[start..].iter_mut().find(|c| c.0 == column) {
                cell.1 = index;
            } else {
                self.cells.push((column, index));
            }
        }
        let end = u32::try_from(self.cells.len()).map_err(|_| AttributeError::TooMany("values"))?;
        self.row_starts.push(end);
        self.push_id(id);
        Ok(())
    }

    fn push_id(&mut self, id: &str) {
        // Only a number that prints back as the same text is kept as one.
        let number = id.parse::<i64>().ok().filter(|n| n.to_string() == id);
        match (&mut self.ids, number) {
            (Ids::Numbers(numbers), Some(n)) => numbers.push(n),
            (Ids::Numbers(numbers), None) => {
                let mut texts: Vec<Box<str>> =
                    numbers.iter().map(|n| n.to_string().into()).collect();
                texts.push(id.into());
                self.ids = Ids::Texts(texts);
            }
            (Ids::Texts(texts), _) => texts.push(id.into()),
        }
    }

    /// The finished table: columns sorted by name, rows by column.
    pub fn finish(self) -> Attributes {
        let mut order: Vec<u16> = (0..self.names.len() as u16).collect();
        order.sort_by(|a, b| self.names[*a as usize].cmp(&self.names[*b as usize]));
        let mut rank = vec![0u16; self.names.len()];
        for (sorted, &original) in order.iter().enumerate() {
            rank[original as usize] = sorted as u16;
        }
        let mut names = self.names;
        let sorted_names = order
            .iter()
            .map(|&o| std::mem::take(&mut names[o as usize]))
            .collect();
        let mut cells = self.cells;
        for c in &mut cells {
            c.0 = rank[c.0 as usize];
        }
        for row in self.row_starts.windows(2) {
            cells[row[0] as usize..row[1] as usize].sort_unstable_by_key(|c| c.0);
        }
        let mut values = self.values;
        values.shrink_to_fit();
        cells.shrink_to_fit();
        let mut row_starts = self.row_starts;
        row_starts.shrink_to_fit();
        Attributes {
            names: sorted_names,
            values,
            row_starts,
            cells,
            ids: self.ids,
        }
    }
}

impl Attributes {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.row_starts.len().saturating_sub(1)
    }

    /// Has it no row?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Feature `row`'s id.
    pub fn id(&self, row: usize) -> Option<Cow<'_, str>> {
        match &self.ids {
            Ids::Numbers(n) => n.get(row).map(|n| Cow::Owned(n.to_string())),
            Ids::Texts(t) => t.get(row).map(|t| Cow::Borrowed(&**t)),
        }
    }

    /// Feature `row`'s properties.
    pub fn row(&self, row: usize) -> Option<Properties<'_>> {
        let start = *self.row_starts.get(row)? as usize;
        let end = *self.row_starts.get(row + 1)? as usize;
        Some(Properties {
            table: self,
            cells: &self.cells[start..end],
        })
    }

    /// The names of all columns, sorted.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Bytes held, for the memory tests.
    pub fn heap_bytes(&self) -> usize {
        let values: usize = self
            .values
            .iter()
            .map(|v| match v {
                Value::String(s) => s.capacity(),
                Value::Array(_) | Value::Object(_) => v.to_string().len() * 2,
                _ => 0,
            })
            .sum();
        let ids = match &self.ids {
            Ids::Numbers(n) => n.capacity() * 8,
            Ids::Texts(t) => t.iter().map(|t| t.len() + 16).sum(),
        };
        self.values.capacity() * std::mem::size_of::<Value>()
            + values
            + self.row_starts.capacity() * 4
            + self.cells.capacity() * 8
            + ids
    }
}

/// One feature's properties, in name order.
#[derive(Debug, Clone, Copy)]
pub struct Properties<'a> {
    table: &'a Attributes,
    cells: &'a [(u16, u32)],
}

impl<'a> Properties<'a> {
    /// The value of `name`, if the feature has it.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        let column = self
            .table
            .names
            .binary_search_by(|n| n.as_str().cmp(name))
            .ok()?;
        let column = u16::try_from(column).ok()?;
        let cell = self.cells.iter().find(|c| c.0 == column)?;
        self.table.values.get(cell.1 as usize)
    }

    /// Has the feature a property `name`?
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Names and values, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a Value)> + use<'a> {
        let table = self.table;
        self.cells.iter().filter_map(move |&(column, value)| {
            Some((
                table.names.get(column as usize)?.as_str(),
                table.values.get(value as usize)?,
            ))
        })
    }

    /// The names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.iter().map(|(name, _)| name)
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Has the feature no property?
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// As a JSON object.
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|(name, value)| (name.to_owned(), value.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(pairs: &[(&'static str, Value)]) -> Vec<(Cow<'static, str>, Value)> {
        pairs
            .iter()
            .map(|(n, v)| (Cow::Borrowed(*n), v.clone()))
            .collect()
    }

    #[test]
    fn rows_read_back_as_maps_in_name_order() {
        let mut b = AttributesBuilder::new();
        b.push(
            "1",
            row(&[("name", json!("A")), ("kind", json!("x")), ("n", json!(2))]),
        )
        .unwrap();
        b.push(
            "2",
            row(&[("kind", json!("x")), ("extra", json!({"a": [1, 2]}))]),
        )
        .unwrap();
        b.push("3", Vec::new()).unwrap();
        let table = b.finish();
        assert_eq!(table.len(), 3);
        let first = table.row(0).unwrap();
        assert_eq!(first.keys().collect::<Vec<_>>(), ["kind", "n", "name"]);
        assert_eq!(first.get("n"), Some(&json!(2)));
        assert_eq!(first.get("extra"), None);
        assert_eq!(
            Value::Object(table.row(1).unwrap().to_map()),
            json!({"kind": "x", "extra": {"a": [1, 2]}})
        );
        assert!(table.row(2).unwrap().is_empty());
        assert!(table.row(3).is_none());
        // "A", "x", 2, the object: "x" is held once.
        assert_eq!(table.values.len(), 4);
    }

    #[test]
    fn ids_stay_as_written() {
        let mut b = AttributesBuilder::new();
        for id in ["7", "-3"] {
            b.push(id, Vec::new()).unwrap();
        }
        let numbers = b.finish();
        assert!(matches!(numbers.ids, Ids::Numbers(_)));
        assert_eq!(numbers.id(1).as_deref(), Some("-3"));

        let mut b = AttributesBuilder::new();
        for id in ["7", "007", "a"] {
            b.push(id, Vec::new()).unwrap();
        }
        let texts = b.finish();
        let ids: Vec<String> = (0..3).map(|i| texts.id(i).unwrap().into_owned()).collect();
        assert_eq!(ids, ["7", "007", "a"]);
    }

    #[test]
    fn a_repeated_name_keeps_its_last_value() {
        let mut b = AttributesBuilder::new();
        b.push("1", row(&[("a", json!(1)), ("a", json!(2))]))
            .unwrap();
        let table = b.finish();
        assert_eq!(
            table.row(0).unwrap().to_map(),
            json!({"a": 2}).as_object().cloned().unwrap()
        );
    }
}
