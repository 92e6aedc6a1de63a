//! P13 and L6, from the pages the crawl read: the privacy page renders
//! with its title, and the terms page says that the data come without a
//! guarantee of currency.

use scraper::{Html, Selector};

use super::crawl::{Crawl, Fetched};
use super::findings::Findings;

/// Where the legal pages live in numis's sites, both languages.
const PRIVACY: &[&str] = &["/datenschutz", "/privacy", "/en/datenschutz", "/en/privacy"];
const TERMS: &[&str] = &[
    "/nutzungshinweise",
    "/terms",
    "/en/nutzungshinweise",
    "/en/terms",
];

/// Words of a no-guarantee statement, German and English.
const DISCLAIMER: &[&str] = &[
    "keine gewähr",
    "gewähr für",
    "no guarantee",
    "without guarantee",
    "no warranty",
];

/// P13: the privacy page is served, with a title.
pub fn privacy(crawl: &Crawl) -> Findings {
    let mut found = Findings::default();
    match page(crawl, PRIVACY) {
        Some(answer) => match heading(answer) {
            Some(title) => found.saw(format!("{} renders, titled {title:?}", answer.path)),
            None => found.problem(format!("{} renders without a title (<h1>)", answer.path)),
        },
        None => found.problem("no privacy page was found at /datenschutz or /privacy"),
    }
    found
}

/// L6: the terms page states that the data come without a guarantee.
pub fn terms(crawl: &Crawl) -> Findings {
    let mut found = Findings::default();
    match page(crawl, TERMS) {
        Some(answer) => {
            let text = Html::parse_document(&answer.body)
                .root_element()
                .text()
                .collect::<String>()
                .to_lowercase();
            match DISCLAIMER.iter().find(|d| text.contains(*d)) {
                Some(words) => found.saw(format!(
                    "{} states that the data come without a guarantee (\"{words}\")",
                    answer.path
                )),
                None => found.problem(format!(
                    "{} does not say that the data come without a guarantee of currency",
                    answer.path
                )),
            }
        }
        None => found.problem("no terms page was found at /nutzungshinweise or /terms"),
    }
    found
}

fn page<'a>(crawl: &'a Crawl, paths: &[&str]) -> Option<&'a Fetched> {
    crawl
        .answers
        .iter()
        .find(|a| a.status == 200 && a.is_html() && paths.contains(&a.path.trim_end_matches('/')))
}

/// The page's first heading, else its `<title>`.
fn heading(answer: &Fetched) -> Option<String> {
    let html = Html::parse_document(&answer.body);
    ["h1", "title"].iter().find_map(|tag| {
        let selector = Selector::parse(tag).ok()?;
        let text: String = html.select(&selector).next()?.text().collect();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        (!text.is_empty()).then_some(text)
    })
}
