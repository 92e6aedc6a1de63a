//! Paper sizes (ISO 216 A series) and orientation.

use std::fmt;

/// A sheet of paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Paper {
    /// 841 × 1189 mm.
    A0,
    /// 594 × 841 mm.
    A1,
    /// 420 × 594 mm.
    A2,
    /// 297 × 420 mm.
    A3,
    /// 210 × 297 mm.
    A4,
    /// 148 × 210 mm.
    A5,
    /// 105 × 148 mm.
    A6,
}

/// Portrait or landscape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Orientation {
    /// Taller than wide.
    Portrait,
    /// Wider than tall.
    Landscape,
}

impl Paper {
    /// Every size, largest first.
    pub const ALL: [Paper; 7] = [
        Paper::A0,
        Paper::A1,
        Paper::A2,
        Paper::A3,
        Paper::A4,
        Paper::A5,
        Paper::A6,
    ];

    /// Its name as users write it (`A4`), case-insensitively.
    pub fn parse(name: &str) -> Option<Paper> {
        Paper::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// `A4`.
    pub fn name(self) -> &'static str {
        match self {
            Paper::A0 => "A0",
            Paper::A1 => "A1",
            Paper::A2 => "A2",
            Paper::A3 => "A3",
            Paper::A4 => "A4",
            Paper::A5 => "A5",
            Paper::A6 => "A6",
        }
    }

    /// Width and height in millimetres, portrait.
    pub fn portrait_mm(self) -> (f64, f64) {
        match self {
            Paper::A0 => (841.0, 1189.0),
            Paper::A1 => (594.0, 841.0),
            Paper::A2 => (420.0, 594.0),
            Paper::A3 => (297.0, 420.0),
            Paper::A4 => (210.0, 297.0),
            Paper::A5 => (148.0, 210.0),
            Paper::A6 => (105.0, 148.0),
        }
    }

    /// Width and height in millimetres in `orientation`.
    pub fn size_mm(self, orientation: Orientation) -> (f64, f64) {
        let (short, long) = self.portrait_mm();
        match orientation {
            Orientation::Portrait => (short, long),
            Orientation::Landscape => (long, short),
        }
    }

    /// Smaller than DIN A5, where the short form of a source note suffices
    /// (clause L2).
    pub fn below_a5(self) -> bool {
        let (w, h) = self.portrait_mm();
        let (a5w, a5h) = Paper::A5.portrait_mm();
        w * h < a5w * a5h
    }
}

impl fmt::Display for Paper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Orientation {
    /// `portrait` or `landscape` (also `hoch`, `quer`).
    pub fn parse(name: &str) -> Option<Orientation> {
        match name.trim().to_ascii_lowercase().as_str() {
            "portrait" | "hoch" | "hochformat" => Some(Orientation::Portrait),
            "landscape" | "quer" | "querformat" => Some(Orientation::Landscape),
            _ => None,
        }
    }

    /// `portrait` or `landscape`.
    pub fn name(self) -> &'static str {
        match self {
            Orientation::Portrait => "portrait",
            Orientation::Landscape => "landscape",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_turn_with_the_orientation() {
        assert_eq!(Paper::A4.size_mm(Orientation::Portrait), (210.0, 297.0));
        assert_eq!(Paper::A3.size_mm(Orientation::Landscape), (420.0, 297.0));
        assert_eq!(Paper::parse(" a3 "), Some(Paper::A3));
        assert_eq!(Paper::parse("letter"), None);
        assert_eq!(Orientation::parse("Quer"), Some(Orientation::Landscape));
    }

    #[test]
    fn only_sheets_smaller_than_a5_take_the_short_source_note() {
        assert!(Paper::A6.below_a5());
        assert!(!Paper::A5.below_a5());
        assert!(!Paper::A4.below_a5());
    }
}
