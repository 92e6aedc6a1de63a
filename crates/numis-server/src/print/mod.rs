//! Printed maps (issue 14): the checked print spec ([`spec`]), the bounded
//! pool of print jobs ([`jobs`]) and the making of one PDF ([`render`]).
//! The routes are [`crate::routes::print`].

pub mod content;
pub mod image;
pub mod jobs;
pub mod overlay;
pub mod render;
pub mod spec;

use chrono::{Datelike, Utc};

/// Today as the sheet shows it: `6.12.2026` or `6 Dec 2026`.
pub fn today(lang: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let day = Utc::now().date_naive();
    if lang == "en" {
        format!(
            "{} {} {}",
            day.day(),
            MONTHS[day.month0() as usize],
            day.year()
        )
    } else {
        format!("{}.{}.{}", day.day(), day.month(), day.year())
    }
}
