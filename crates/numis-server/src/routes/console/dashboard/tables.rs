//! The dashboard's tables: each chart's numbers and each ranking, once
//! for the page (numbers in the page's language) and once as CSV (plain
//! numbers, for a spreadsheet).

use numis_cms::{Lang, Site};
use serde_json::{Value, json};

use super::chart::{long_day, number};
use super::report::{Ranked, Report, USAGE_SERIES, share};

/// The most rows a ranked table shows on the page (the CSV has all).
const SHOWN_ROWS: usize = 20;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A name: a day, page, layer, format or route.
    Text(String),
    /// A count.
    Count(u64),
    /// A share in per cent, or none for nothing counted.
    Percent(Option<f64>),
    /// Bytes.
    Bytes(u64),
}

/// A table with a caption and column headings in the page's language.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its id: the anchor on the page and `?csv=<id>`.
    pub id: &'static str,
    /// The caption.
    pub caption: String,
    /// Column headings; the first column names the row.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
    /// Whether the page shows only the first [`SHOWN_ROWS`] rows.
    pub ranked: bool,
    /// Shown inside a disclosure (the day-by-day tables behind charts).
    pub behind_chart: bool,
}

impl Table {
    /// What the template shows: formatted cells, the first one the row's
    /// heading, numbers marked for right alignment.
    pub fn to_json(&self, lang: Lang) -> Value {
        let limit = if self.ranked { SHOWN_ROWS } else { usize::MAX };
        let rows: Vec<Value> = self
            .rows
            .iter()
            .take(limit)
            .map(|row| {
                let cells: Vec<Value> = row
                    .iter()
                    .map(|cell| {
                        let (text, numeric) = match cell {
                            Cell::Text(t) => (t.clone(), false),
                            Cell::Count(n) => (number(lang, *n), true),
                            Cell::Percent(p) => {
                                (p.map_or_else(|| "–".to_owned(), |p| percent(lang, p)), true)
                            }
                            Cell::Bytes(b) => (bytes(lang, *b), true),
                        };
                        json!({ "text": text, "number": numeric })
                    })
                    .collect();
                Value::from(cells)
            })
            .collect();
        json!({
            "id": self.id,
            "caption": self.caption,
            "columns": self.columns,
            "rows": rows,
            "more": self.rows.len().saturating_sub(limit),
            "behind_chart": self.behind_chart,
        })
    }

    /// The table as CSV: a heading row, then every row, numbers plain.
    pub fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&self.columns)?;
        for row in &self.rows {
            writer.write_record(row.iter().map(|cell| match cell {
                Cell::Text(t) => t.clone(),
                Cell::Count(n) | Cell::Bytes(n) => n.to_string(),
                Cell::Percent(p) => p.map(|p| p.to_string()).unwrap_or_default(),
            }))?;
        }
        writer
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// Every table of the dashboard, in the page's order. `layer_titles`
/// names layer ids.
pub fn tables(
    site: &Site,
    lang: Lang,
    report: &Report,
    layer_titles: &[(String, String)],
) -> Vec<Table> {
    let text = |key: &str| site.text(lang, key);
    let days = report.period.days();
    let day_rows = |values: &dyn Fn(usize) -> Vec<Cell>| -> Vec<Vec<Cell>> {
        days.iter()
            .enumerate()
            .map(|(i, day)| {
                let mut row = vec![Cell::Text(long_day(lang, *day))];
                row.extend(values(i));
                row
            })
            .collect()
    };
    let usage = Table {
        id: "tage",
        caption: text("CONSOLE.STATS.USAGE_CHART"),
        columns: [
            "CONSOLE.STATS.DAY",
            "CONSOLE.STATS.PAGE_VIEWS",
            "CONSOLE.STATS.MAP_VIEWS",
            "CONSOLE.STATS.EMBED_VIEWS",
            "CONSOLE.STATS.LAYER_IMAGES",
        ]
        .iter()
        .map(|k| text(k))
        .collect(),
        rows: day_rows(&|i| {
            (0..USAGE_SERIES.len())
                .map(|s| Cell::Count(report.usage[i][s]))
                .collect()
        }),
        ranked: false,
        behind_chart: true,
    };
    let requests = Table {
        id: "anfragen",
        caption: text("CONSOLE.STATS.REQUESTS_CHART"),
        columns: [
            "CONSOLE.STATS.DAY",
            "CONSOLE.STATS.REQUESTS",
            "CONSOLE.STATS.ERRORS",
            "CONSOLE.STATS.ERROR_RATE",
        ]
        .iter()
        .map(|k| text(k))
        .collect(),
        rows: day_rows(&|i| {
            let (all, errors) = report.requests[i];
            vec![
                Cell::Count(all),
                Cell::Count(errors),
                Cell::Percent(share(errors, all)),
            ]
        }),
        ranked: false,
        behind_chart: true,
    };
    let total_views = report.total("page.view");
    let pages = Table {
        id: "seiten",
        caption: text("CONSOLE.STATS.TOP_PAGES"),
        columns: vec![
            text("CONSOLE.STATS.PAGE"),
            text("CONSOLE.STATS.PAGE_VIEWS"),
            text("CONSOLE.STATS.SHARE"),
        ],
        rows: report
            .pages
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.name.clone()),
                    Cell::Count(r.counts[0]),
                    Cell::Percent(share(r.counts[0], total_views)),
                ]
            })
            .collect(),
        ranked: true,
        behind_chart: false,
    };
    let title_of = |id: &str| {
        layer_titles
            .iter()
            .find(|(i, _)| i == id)
            .map_or_else(|| id.to_owned(), |(_, t)| format!("{t} ({id})"))
    };
    let layers = Table {
        id: "ebenen",
        caption: text("CONSOLE.STATS.TOP_LAYERS"),
        columns: vec![
            text("CONSOLE.STATS.LAYER"),
            "GetMap".to_owned(),
            "GetFeatureInfo".to_owned(),
            "GetLegendGraphic".to_owned(),
        ],
        rows: report
            .layers
            .iter()
            .map(|r| named_counts(title_of(&r.name), r))
            .collect(),
        ranked: true,
        behind_chart: false,
    };
    let downloads = Table {
        id: "downloads",
        caption: text("CONSOLE.STATS.DOWNLOADS"),
        columns: vec![
            text("CONSOLE.STATS.FORMAT"),
            text("CONSOLE.STATS.EXPORTED"),
            text("CONSOLE.STATS.CONVERTED"),
            text("CONSOLE.STATS.IMPORTED"),
            text("CONSOLE.STATS.PRINTED"),
            text("CONSOLE.STATS.OPEN_DATA"),
        ],
        rows: report
            .downloads
            .iter()
            .map(|r| named_counts(download_name(&r.name), r))
            .collect(),
        ranked: true,
        behind_chart: false,
    };
    let activity = Table {
        id: "aktionen",
        caption: text("CONSOLE.STATS.ACTIVITY"),
        columns: vec![text("CONSOLE.STATS.ACTION"), text("CONSOLE.STATS.COUNT")],
        rows: ACTIVITY
            .iter()
            .map(|(event, key)| vec![Cell::Text(text(key)), Cell::Count(report.total(event))])
            .collect(),
        ranked: false,
        behind_chart: false,
    };
    let wms = Table {
        id: "wms",
        caption: text("CONSOLE.STATS.WMS_OPERATIONS"),
        columns: vec![
            text("CONSOLE.STATS.OPERATION"),
            text("CONSOLE.STATS.REQUESTS"),
        ],
        rows: report
            .wms_operations
            .iter()
            .map(|r| named_counts(r.name.clone(), r))
            .chain(std::iter::once(vec![
                Cell::Text(text("CONSOLE.STATS.UNKNOWN_LAYERS")),
                Cell::Count(report.total("wms.unknown_layer")),
            ]))
            .collect(),
        ranked: false,
        behind_chart: false,
    };
    let routes = Table {
        id: "routen",
        caption: text("CONSOLE.STATS.ROUTES"),
        columns: vec![
            text("CONSOLE.STATS.ROUTE"),
            text("CONSOLE.STATS.REQUESTS"),
            "2xx".to_owned(),
            "3xx".to_owned(),
            "4xx".to_owned(),
            "5xx".to_owned(),
            text("CONSOLE.STATS.ERROR_RATE"),
            text("CONSOLE.STATS.BYTES"),
        ],
        rows: report
            .routes
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.route.clone()),
                    Cell::Count(r.requests()),
                    Cell::Count(r.by_class[1]),
                    Cell::Count(r.by_class[2]),
                    Cell::Count(r.by_class[3]),
                    Cell::Count(r.by_class[4]),
                    Cell::Percent(share(r.errors(), r.requests())),
                    Cell::Bytes(r.bytes),
                ]
            })
            .collect(),
        ranked: true,
        behind_chart: false,
    };
    vec![
        usage, requests, pages, layers, downloads, activity, wms, routes,
    ]
}

/// Events of the "what was done" table, with their translation keys.
const ACTIVITY: [(&str, &str); 15] = [
    ("search", "CONSOLE.STATS.SEARCHES"),
    ("drawing.create", "CONSOLE.STATS.DRAWINGS_CREATED"),
    ("drawing.copy", "CONSOLE.STATS.DRAWINGS_COPIED"),
    ("drawing.update", "CONSOLE.STATS.DRAWINGS_CHANGED"),
    ("drawing.delete", "CONSOLE.STATS.DRAWINGS_DELETED"),
    ("drawing.report", "CONSOLE.STATS.DRAWINGS_REPORTED"),
    ("drawing.export", "CONSOLE.STATS.DRAWING_EXPORTS"),
    ("drawing.convert", "CONSOLE.STATS.CONVERSIONS"),
    ("file.import", "CONSOLE.STATS.FILES_READ"),
    ("print", "CONSOLE.STATS.PRINTS"),
    ("external.capabilities", "CONSOLE.STATS.EXTERNAL_SERVICES"),
    ("external.map", "CONSOLE.STATS.EXTERNAL_IMAGES"),
    ("ogcapi.items", "CONSOLE.STATS.OGCAPI_PAGES"),
    ("account.register", "CONSOLE.STATS.REGISTRATIONS"),
    ("account.login", "CONSOLE.STATS.LOGINS"),
];

/// `KML`, or `seen/GEOJSON` for an open-data download (layer ids keep
/// their case).
fn download_name(subject: &str) -> String {
    match subject.rsplit_once('/') {
        Some((layer, format)) => format!("{layer}/{}", format.to_uppercase()),
        None => subject.to_uppercase(),
    }
}

fn named_counts(name: String, row: &Ranked) -> Vec<Cell> {
    std::iter::once(Cell::Text(name))
        .chain(row.counts.iter().map(|c| Cell::Count(*c)))
        .collect()
}

/// `12,5 %` or `12.5%`.
pub fn percent(lang: Lang, value: f64) -> String {
    match lang {
        Lang::De => format!("{} %", format!("{value:.1}").replace('.', ",")),
        Lang::En => format!("{value:.1}%"),
    }
}

/// Bytes in B, kB, MB or GB (decimal units), one decimal from kB up.
pub fn bytes(lang: Lang, value: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if value < 1000 {
        return format!("{} B", number(lang, value));
    }
    let mut scaled = value as f64 / 1000.0;
    let mut unit = 0;
    while scaled >= 1000.0 && unit < UNITS.len() - 1 {
        scaled /= 1000.0;
        unit += 1;
    }
    let text = format!("{scaled:.1}");
    let text = match lang {
        Lang::De => text.replace('.', ","),
        Lang::En => text,
    };
    format!("{text} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_sizes_read_as_in_the_language() {
        assert_eq!(percent(Lang::De, 12.5), "12,5 %");
        assert_eq!(percent(Lang::En, 12.5), "12.5%");
        assert_eq!(bytes(Lang::De, 999), "999 B");
        assert_eq!(bytes(Lang::De, 1_260_000), "1,3 MB");
        assert_eq!(bytes(Lang::En, 12_000), "12.0 kB");
    }

    #[test]
    fn csv_has_plain_numbers_and_quotes_what_needs_it() {
        let table = Table {
            id: "t",
            caption: "c".into(),
            columns: vec!["Seite".into(), "Aufrufe".into(), "Anteil".into()],
            rows: vec![
                vec![
                    Cell::Text("/a,b".into()),
                    Cell::Count(1234),
                    Cell::Percent(Some(50.0)),
                ],
                vec![Cell::Text("/c".into()), Cell::Count(0), Cell::Percent(None)],
            ],
            ranked: true,
            behind_chart: false,
        };
        let csv = String::from_utf8(table.to_csv().unwrap()).unwrap();
        assert_eq!(csv, "Seite,Aufrufe,Anteil\n\"/a,b\",1234,50\n/c,0,\n");
        let json = table.to_json(Lang::De);
        assert_eq!(json["rows"][0][1]["text"], "1.234");
        assert_eq!(json["rows"][0][1]["number"], true);
        assert_eq!(json["rows"][1][2]["text"], "–");
    }
}
