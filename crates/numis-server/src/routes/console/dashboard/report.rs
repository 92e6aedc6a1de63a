//! The numbers of the dashboard, computed from the stored counts of one
//! period: daily series, totals, and ranked tables. Pure: the store's
//! rows go in, the report comes out, so every figure is unit-tested.
//!
//! Everything here is a sum of anonymous counts (clause P1): a day, a
//! route or event name, an operator-written subject, a number. There is
//! no visitor count, because there is nothing to count visitors by.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use numis_store::{AccessCount, EventCount};

/// The lines of the usage chart, by event name.
pub const USAGE_SERIES: [&str; 4] = ["page.view", "map.view", "embed.view", "wms.getmap"];

/// A period of whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

impl Period {
    /// Every day of the period, in order.
    pub fn days(self) -> Vec<NaiveDate> {
        self.from
            .iter_days()
            .take_while(|d| *d <= self.to)
            .collect()
    }
}

/// One row of a ranked table: a name and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    /// The page route, layer id, format or operation.
    pub name: String,
    /// The counts, in the table's column order.
    pub counts: Vec<u64>,
}

/// Requests of one route over the period, by status class, and bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteTotals {
    /// The route template.
    pub route: String,
    /// Requests by status class: index 0 is 1xx … index 4 is 5xx.
    pub by_class: [u64; 5],
    /// Bytes sent.
    pub bytes: u64,
}

impl RouteTotals {
    /// All requests.
    pub fn requests(&self) -> u64 {
        self.by_class.iter().sum()
    }

    /// Client and server errors (4xx and 5xx).
    pub fn errors(&self) -> u64 {
        self.by_class[3] + self.by_class[4]
    }
}

/// The dashboard's figures for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The period.
    pub period: Period,
    /// Per day (same order as [`Period::days`]): the count of each event
    /// of [`USAGE_SERIES`].
    pub usage: Vec<[u64; USAGE_SERIES.len()]>,
    /// Per day: all requests and the errors (4xx, 5xx) among them.
    pub requests: Vec<(u64, u64)>,
    /// Sums over the period by event name (subjects added up).
    pub events: BTreeMap<String, u64>,
    /// Page views per page route, most viewed first.
    pub pages: Vec<Ranked>,
    /// Per layer: GetMap, GetFeatureInfo and GetLegendGraphic, most
    /// drawn first.
    pub layers: Vec<Ranked>,
    /// WMS requests per operation, most frequent first.
    pub wms_operations: Vec<Ranked>,
    /// Files per format: drawings exported, files converted (by the
    /// format written), files read for import or conversion (by their
    /// own format), maps printed (by paper) and open-data downloads (by
    /// `layer/format`).
    pub downloads: Vec<Ranked>,
    /// Requests per route with status classes and bytes, most requested
    /// first.
    pub routes: Vec<RouteTotals>,
}

impl Report {
    /// The report of `period` from the store's rows (rows outside the
    /// period are ignored).
    pub fn new(period: Period, access: &[AccessCount], events: &[EventCount]) -> Self {
        let days = period.days();
        let index: BTreeMap<NaiveDate, usize> =
            days.iter().enumerate().map(|(i, d)| (*d, i)).collect();
        let mut usage = vec![[0; USAGE_SERIES.len()]; days.len()];
        let mut requests = vec![(0, 0); days.len()];
        let mut totals: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_subject: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for event in events {
            let Some(&day) = index.get(&event.day) else {
                continue;
            };
            *totals.entry(event.event.clone()).or_default() += event.count;
            *by_subject
                .entry((event.event.as_str(), event.subject.as_str()))
                .or_default() += event.count;
            if let Some(series) = USAGE_SERIES.iter().position(|s| *s == event.event) {
                usage[day][series] += event.count;
            }
        }
        let mut routes: BTreeMap<&str, RouteTotals> = BTreeMap::new();
        for count in access {
            let Some(&day) = index.get(&count.day) else {
                continue;
            };
            let class = usize::from(count.status.get().clamp(1, 5)) - 1;
            requests[day].0 += count.requests;
            if class >= 3 {
                requests[day].1 += count.requests;
            }
            let totals = routes.entry(count.route.as_str()).or_default();
            totals.by_class[class] += count.requests;
            totals.bytes += count.bytes;
        }
        let mut routes: Vec<RouteTotals> = routes
            .into_iter()
            .map(|(route, totals)| RouteTotals {
                route: route.to_owned(),
                ..totals
            })
            .collect();
        routes.sort_by(|a, b| {
            b.requests()
                .cmp(&a.requests())
                .then_with(|| a.route.cmp(&b.route))
        });
        Self {
            period,
            usage,
            requests,
            pages: ranked(&by_subject, &["page.view"]),
            layers: ranked(
                &by_subject,
                &["wms.getmap", "wms.getfeatureinfo", "wms.getlegendgraphic"],
            ),
            wms_operations: ranked(&by_subject, &["wms.request"]),
            downloads: ranked(
                &by_subject,
                &[
                    "drawing.export",
                    "drawing.convert",
                    "file.import",
                    "print",
                    "data.download",
                ],
            ),
            events: totals,
            routes,
        }
    }

    /// The sum of one event over the period.
    pub fn total(&self, event: &str) -> u64 {
        self.events.get(event).copied().unwrap_or(0)
    }

    /// All requests of the period.
    pub fn all_requests(&self) -> u64 {
        self.requests.iter().map(|(all, _)| all).sum()
    }

    /// The errors (4xx, 5xx) among them.
    pub fn error_requests(&self) -> u64 {
        self.requests.iter().map(|(_, errors)| errors).sum()
    }

    /// Bytes sent in the period.
    pub fn bytes(&self) -> u64 {
        self.routes.iter().map(|r| r.bytes).sum()
    }
}

/// One row per subject of the first of `events`' subjects seen in any of
/// them, with a count per event, ranked by the first count (then by the
/// others, then by name). Events without a subject are left out.
fn ranked(by_subject: &BTreeMap<(&str, &str), u64>, events: &[&str]) -> Vec<Ranked> {
    let mut rows: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for ((event, subject), count) in by_subject {
        let Some(column) = events.iter().position(|e| e == event) else {
            continue;
        };
        if subject.is_empty() {
            continue;
        }
        rows.entry(subject).or_insert_with(|| vec![0; events.len()])[column] += count;
    }
    let mut rows: Vec<Ranked> = rows
        .into_iter()
        .map(|(name, counts)| Ranked {
            name: name.to_owned(),
            counts,
        })
        .collect();
    rows.sort_by(|a, b| b.counts.cmp(&a.counts).then_with(|| a.name.cmp(&b.name)));
    rows
}

/// `part` of `whole` in per cent with one decimal, `None` for nothing.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use numis_store::StatusClass;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn event(d: u32, event: &str, subject: &str, count: u64) -> EventCount {
        EventCount {
            day: day(d),
            event: event.into(),
            subject: subject.into(),
            count,
        }
    }

    fn access(d: u32, route: &str, status: u16, requests: u64, bytes: u64) -> AccessCount {
        AccessCount {
            day: day(d),
            route: route.into(),
            status: StatusClass::of(status),
            requests,
            bytes,
        }
    }

    fn period() -> Period {
        Period {
            from: day(1),
            to: day(3),
        }
    }

    #[test]
    fn days_of_a_period_include_both_ends() {
        assert_eq!(period().days(), [day(1), day(2), day(3)]);
    }

    #[test]
    fn daily_series_and_totals_add_up_per_day_and_ignore_other_days() {
        let events = [
            event(1, "page.view", "/", 3),
            event(1, "page.view", "/datenschutz", 1),
            event(2, "map.view", "", 2),
            event(3, "embed.view", "", 1),
            event(3, "wms.getmap", "gewaesser", 5),
            event(3, "wms.getmap", "schutzgebiete", 2),
            event(4, "page.view", "/", 100),
            event(2, "search", "", 4),
        ];
        let report = Report::new(period(), &[], &events);
        assert_eq!(report.usage, [[4, 0, 0, 0], [0, 2, 0, 0], [0, 0, 1, 7]]);
        assert_eq!(report.total("page.view"), 4, "day 4 is outside");
        assert_eq!(report.total("search"), 4);
        assert_eq!(report.total("drawing.create"), 0);
    }

    #[test]
    fn ranked_tables_order_by_the_first_count_then_by_name() {
        let events = [
            event(1, "page.view", "/", 3),
            event(2, "page.view", "/datenschutz", 3),
            event(2, "page.view", "/hilfe", 5),
            event(1, "wms.getmap", "gewaesser", 2),
            event(1, "wms.getfeatureinfo", "gewaesser", 1),
            event(2, "wms.getfeatureinfo", "schutzgebiete", 9),
            event(1, "wms.getmap", "schutzgebiete", 2),
            event(1, "drawing.export", "kml", 2),
            event(1, "drawing.convert", "geojson", 1),
            event(2, "print", "A4", 1),
            event(1, "search", "", 1),
        ];
        let report = Report::new(period(), &[], &events);
        let names = |rows: &[Ranked]| rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&report.pages), ["/hilfe", "/", "/datenschutz"]);
        assert_eq!(report.pages[0].counts, [5]);
        assert_eq!(names(&report.layers), ["schutzgebiete", "gewaesser"]);
        assert_eq!(report.layers[0].counts, [2, 9, 0]);
        assert_eq!(report.layers[1].counts, [2, 1, 0]);
        assert_eq!(names(&report.downloads), ["kml", "geojson", "A4"]);
        assert_eq!(report.downloads[1].counts, [0, 1, 0, 0, 0]);
        assert_eq!(report.downloads[2].counts, [0, 0, 0, 1, 0], "a print");
    }

    #[test]
    fn routes_sum_status_classes_and_bytes_and_errors_count_per_day() {
        let access = [
            access(1, "/ows", 200, 10, 1000),
            access(1, "/ows", 400, 2, 50),
            access(2, "/api/drawings", 201, 1, 10),
            access(2, "/api/drawings", 500, 1, 20),
            access(3, "/ows", 304, 3, 0),
        ];
        let report = Report::new(period(), &access, &[]);
        assert_eq!(report.requests, [(12, 2), (2, 1), (3, 0)]);
        assert_eq!(report.all_requests(), 17);
        assert_eq!(report.error_requests(), 3);
        assert_eq!(report.bytes(), 1080);
        assert_eq!(report.routes[0].route, "/ows");
        assert_eq!(report.routes[0].by_class, [0, 10, 3, 2, 0]);
        assert_eq!(report.routes[0].errors(), 2);
        assert_eq!(report.routes[1].by_class, [0, 1, 0, 0, 1]);
    }

    #[test]
    fn shares_round_to_one_decimal_and_nothing_has_none() {
        assert_eq!(share(1, 3), Some(33.3));
        assert_eq!(share(0, 0), None);
        assert_eq!(share(2, 2), Some(100.0));
    }
}
