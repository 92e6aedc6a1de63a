//! Line charts of daily counts, drawn by numis as SVG markup on the
//! server: no chart library, no script, no inline style (the lines' and
//! labels' looks are classes of `numis.css`). Each chart names itself
//! for screen readers; its numbers are in a table beside it.

use chrono::{Datelike, NaiveDate};
use numis_cms::Lang;
use numis_cms::escape_html;

/// The drawing's size in SVG units; it scales to its box.
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 260.0;
/// Room for the value labels (left) and the date labels (bottom).
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 36.0;
/// At most this many dates under the axis.
const MAX_DAY_LABELS: usize = 8;
/// Up to this many days each point gets a dot.
const MAX_DOTTED_DAYS: usize = 31;
/// Longer periods are labelled by month.
const MONTH_LABELS_FROM: usize = 62;

/// One line: a name (for the chart's title only; the legend is HTML)
/// and a value per day.
#[derive(Debug)]
pub struct Line<'a> {
    /// The class of the line (`series-0` …), which sets its colour and
    /// dash pattern in the stylesheet.
    pub class: &'a str,
    /// One value per day.
    pub values: Vec<u64>,
}

/// The SVG of a line chart over `days`, one polyline per line. `id`
/// makes the ids inside unique on the page; `title` is the accessible
/// name.
pub fn line_chart(
    id: &str,
    title: &str,
    lang: Lang,
    days: &[NaiveDate],
    lines: &[Line<'_>],
) -> String {
    let max = lines
        .iter()
        .flat_map(|l| l.values.iter().copied())
        .max()
        .unwrap_or(0);
    let (step, top) = scale(max);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| {
        if days.len() <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (days.len() - 1) as f64
        }
    };
    let y = |v: u64| TOP + plot_h - plot_h * v as f64 / top as f64;

    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{}</title>",
        escape_html(title)
    );
    // Value grid and labels.
    let mut value = 0;
    while value <= top {
        let yy = y(value);
        svg.push_str(&format!(
            "<line class=\"chart-grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/>\
             <text class=\"chart-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 8.0,
            yy + 4.0,
            number(lang, value)
        ));
        value += step;
    }
    // Date labels.
    for (i, label) in day_labels(lang, days) {
        svg.push_str(&format!(
            "<line class=\"chart-tick\" x1=\"{xx:.1}\" x2=\"{xx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"chart-label\" x=\"{xx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
            TOP + plot_h,
            TOP + plot_h + 5.0,
            HEIGHT - 12.0,
            xx = x(i),
        ));
    }
    for line in lines {
        let points: Vec<String> = line
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        svg.push_str(&format!(
            "<polyline class=\"chart-line {}\" points=\"{}\"/>",
            line.class,
            points.join(" ")
        ));
        if days.len() <= MAX_DOTTED_DAYS {
            for (i, v) in line.values.iter().enumerate() {
                svg.push_str(&format!(
                    "<circle class=\"chart-dot {}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"/>",
                    line.class,
                    x(i),
                    y(*v)
                ));
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The grid step and the axis' top for values up to `max`: a step of 1,
/// 2 or 5 times a power of ten, four or five steps high.
fn scale(max: u64) -> (u64, u64) {
    let max = max.max(1);
    let rough = max.div_ceil(4);
    let mut power = 1;
    while power * 10 <= rough {
        power *= 10;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10 * power);
    (step, max.div_ceil(step) * step)
}

/// Which days get a label under the axis, and the label: evenly spaced
/// days (first and last included) for up to two months, the first day of
/// each month beyond.
fn day_labels(lang: Lang, days: &[NaiveDate]) -> Vec<(usize, String)> {
    if days.len() >= MONTH_LABELS_FROM {
        let months: Vec<(usize, &NaiveDate)> = days
            .iter()
            .enumerate()
            .filter(|(_, d)| d.day() == 1)
            .collect();
        let every = months.len().div_ceil(MAX_DAY_LABELS * 3 / 2).max(1);
        return months
            .into_iter()
            .step_by(every)
            .map(|(i, d)| (i, month(lang, *d)))
            .collect();
    }
    if days.is_empty() {
        return Vec::new();
    }
    let last = days.len() - 1;
    let every = last.div_ceil(MAX_DAY_LABELS - 1).max(1);
    let mut picked: Vec<usize> = (0..=last).step_by(every).collect();
    if picked.last() != Some(&last) {
        // Keep the last day; drop a neighbour that would crowd it.
        if picked.len() > 1 && last - picked[picked.len() - 1] < every / 2 + 1 {
            picked.pop();
        }
        picked.push(last);
    }
    picked
        .into_iter()
        .map(|i| (i, short_day(lang, days[i])))
        .collect()
}

/// `6.12.` or `Dec 6`.
pub fn short_day(lang: Lang, day: NaiveDate) -> String {
    match lang {
        Lang::De => format!("{}.{}.", day.day(), day.month()),
        Lang::En => format!("{} {}", MONTHS_EN[day.month0() as usize], day.day()),
    }
}

/// `6.12.2026` or `6 Dec 2026`.
pub fn long_day(lang: Lang, day: NaiveDate) -> String {
    match lang {
        Lang::De => format!("{}.{}.{}", day.day(), day.month(), day.year()),
        Lang::En => format!(
            "{} {} {}",
            day.day(),
            MONTHS_EN[day.month0() as usize],
            day.year()
        ),
    }
}

/// `Dez. 2026` or `Dec 2026`.
fn month(lang: Lang, day: NaiveDate) -> String {
    let names = match lang {
        Lang::De => MONTHS_DE,
        Lang::En => MONTHS_EN,
    };
    format!("{} {}", names[day.month0() as usize], day.year())
}

const MONTHS_DE: [&str; 12] = [
    "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A whole number with the language's thousands separator.
pub fn number(lang: Lang, value: u64) -> String {
    let separator = match lang {
        Lang::De => '.',
        Lang::En => ',',
    };
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(n: u32) -> Vec<NaiveDate> {
        let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        first.iter_days().take(n as usize).collect()
    }

    #[test]
    fn the_scale_has_round_steps_and_covers_the_maximum() {
        assert_eq!(scale(0), (1, 1));
        assert_eq!(scale(3), (1, 3));
        assert_eq!(scale(7), (2, 8));
        assert_eq!(scale(37), (10, 40));
        assert_eq!(scale(1234), (500, 1500));
    }

    #[test]
    fn numbers_get_the_languages_separator() {
        assert_eq!(number(Lang::De, 1_234_567), "1.234.567");
        assert_eq!(number(Lang::En, 1_234), "1,234");
        assert_eq!(number(Lang::De, 999), "999");
    }

    #[test]
    fn a_chart_has_a_name_one_line_per_series_and_a_dot_per_day() {
        let svg = line_chart(
            "usage",
            "Nutzung <pro> Tag",
            Lang::De,
            &days(7),
            &[
                Line {
                    class: "series-0",
                    values: vec![1, 2, 3, 4, 5, 6, 7],
                },
                Line {
                    class: "series-1",
                    values: vec![0; 7],
                },
            ],
        );
        assert!(svg.starts_with("<svg class=\"chart\""));
        assert!(svg.contains("aria-labelledby=\"usage-title\""));
        assert!(
            svg.contains("Nutzung &lt;pro&gt; Tag"),
            "the title is escaped"
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 14);
        assert!(
            svg.contains(">1.11.<") && svg.contains(">7.11.<"),
            "first and last day labelled"
        );
        assert!(!svg.contains("style"), "no inline style (CSP)");
    }

    #[test]
    fn a_zero_line_lies_on_the_axis_and_the_top_value_at_the_top() {
        let svg = line_chart(
            "c",
            "t",
            Lang::En,
            &days(2),
            &[Line {
                class: "series-0",
                values: vec![0, 4],
            }],
        );
        let bottom = HEIGHT - BOTTOM;
        assert!(
            svg.contains(&format!(
                "points=\"{LEFT:.1},{bottom:.1} {:.1},{TOP:.1}\"",
                WIDTH - RIGHT
            )),
            "{svg}"
        );
    }

    #[test]
    fn long_periods_are_labelled_by_month() {
        let labels = day_labels(Lang::De, &days(365));
        assert!(labels.len() <= 12, "{labels:?}");
        assert_eq!(labels[0], (0, "Nov. 2026".to_owned()));
        assert!(labels.iter().any(|(_, l)| l == "Jan. 2027"));
        let short = day_labels(Lang::En, &days(30));
        assert!(short.len() <= MAX_DAY_LABELS);
        assert_eq!(short.first().map(|l| l.1.as_str()), Some("Nov 1"));
        assert_eq!(short.last().map(|l| l.1.as_str()), Some("Nov 30"));
    }
}
