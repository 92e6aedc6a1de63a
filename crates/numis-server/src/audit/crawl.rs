//! What the audit reads of a running portal: every route of its sitemap
//! and the routes every portal has (viewer, embed, APIs, WMS, a page that
//! does not exist), each once, as a browser without cookies asks them;
//! and what the HTML pages and their own stylesheets make a browser load.

use std::collections::BTreeSet;

use reqwest::header::HeaderMap;
use scraper::{Html, Selector};
use url::Url;

/// The routes every portal answers, besides its sitemap.
const FIXED: &[&str] = &[
    "/",
    "/sitemap.xml",
    "/karte",
    "/embed",
    "/api/layers",
    "/api/attribution",
    "/api/data",
    "/daten",
    "/ogcapi",
    "/ogcapi/collections",
    "/ows?SERVICE=WMS&REQUEST=GetCapabilities",
    "/healthz",
    "/datenschutz",
    "/nutzungshinweise",
    "/numis-audit-no-such-page",
];

/// The most sitemap routes read (a portal has dozens, not thousands).
const MAX_ROUTES: usize = 500;

/// One answer.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The path asked (with its query).
    pub path: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Fetched {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn is_html(&self) -> bool {
        self.header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
    }
}

/// A reference from a page to something a browser loads with it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    /// The page (or stylesheet) that makes it.
    pub from: String,
    /// What makes it: `<script src>`, `<link rel=stylesheet>`, `url() in CSS` …
    pub how: String,
    /// The address, absolute.
    pub url: Url,
}

/// Everything read.
#[derive(Debug, Default)]
pub struct Crawl {
    pub answers: Vec<Fetched>,
    /// What the HTML pages load, with the same-origin stylesheets' `url()`s.
    pub references: Vec<Reference>,
    /// Routes that could not be read, with the reason.
    pub failures: Vec<String>,
}

impl Crawl {
    /// The answer to `path` read as JSON (`null` when it was not read or
    /// is no JSON).
    pub fn json(&self, path: &str) -> serde_json::Value {
        self.answers
            .iter()
            .find(|a| a.path == path)
            .and_then(|a| serde_json::from_str(&a.body).ok())
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Reads `base`'s routes with `client` (which must keep no cookies).
pub async fn crawl(client: &reqwest::Client, base: &Url) -> Crawl {
    let mut crawl = Crawl::default();
    let mut paths: Vec<String> = FIXED.iter().map(|p| (*p).to_owned()).collect();
    if let Ok(sitemap) = get(client, base, "/sitemap.xml").await {
        for loc in sitemap_paths(&sitemap.body, base)
            .into_iter()
            .take(MAX_ROUTES)
        {
            if !paths.contains(&loc) {
                paths.push(loc);
            }
        }
    }
    let mut stylesheets = BTreeSet::new();
    for path in paths {
        match get(client, base, &path).await {
            Ok(answer) => {
                if answer.is_html() {
                    for reference in page_references(&answer.body, base, &path) {
                        if reference.how == "<link rel=stylesheet>"
                            && reference.url.origin() == base.origin()
                        {
                            stylesheets.insert(reference.url.clone());
                        }
                        crawl.references.push(reference);
                    }
                }
                crawl.answers.push(answer);
            }
            Err(e) => crawl.failures.push(format!("{path}: {e}")),
        }
    }
    // The portal's own stylesheets may load fonts and images in turn.
    for sheet in stylesheets {
        let path = format!(
            "{}{}",
            sheet.path(),
            sheet.query().map(|q| format!("?{q}")).unwrap_or_default()
        );
        match get(client, base, &path).await {
            Ok(answer) => {
                crawl
                    .references
                    .extend(css_references(&answer.body, &sheet, &path));
                crawl.answers.push(answer);
            }
            Err(e) => crawl.failures.push(format!("{path}: {e}")),
        }
    }
    crawl.references.sort();
    crawl.references.dedup();
    crawl
}

/// The names of the cookies an answer's `Set-Cookie` headers set.
pub fn cookie_names(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|c| {
            let text = c.to_str().unwrap_or("");
            text.split('=').next().unwrap_or("").trim().to_owned()
        })
        .collect()
}

/// `path` of `base`, read whole.
pub async fn get(client: &reqwest::Client, base: &Url, path: &str) -> Result<Fetched, String> {
    let url = base.join(path).map_err(|e| e.to_string())?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("no answer ({e})"))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap_or_default();
    Ok(Fetched {
        path: path.to_owned(),
        status,
        headers,
        body,
    })
}

/// The paths (with queries) of the sitemap's `<loc>`s on `base`'s origin.
fn sitemap_paths(xml: &str, base: &Url) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<loc>") {
        rest = &rest[start + 5..];
        let Some(end) = rest.find("</loc>") else {
            break;
        };
        let text = rest[..end].trim().replace("&amp;", "&");
        if let Ok(url) = Url::parse(&text).or_else(|_| base.join(&text))
            && url.origin() == base.origin()
        {
            let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
            paths.push(format!("{}{query}", url.path()));
        }
        rest = &rest[end..];
    }
    paths
}

/// What an HTML page makes a browser load: scripts, stylesheets, icons,
/// preloads, fonts, images, frames, media and objects, with `url()`s of its
/// `<style>` blocks and `style` attributes.
pub fn page_references(html: &str, base: &Url, from: &str) -> Vec<Reference> {
    let page_url = base.join(from).unwrap_or_else(|_| base.clone());
    let document = Html::parse_document(html);
    let mut found = Vec::new();
    let mut add = |how: &str, value: &str| {
        let value = value.trim();
        if value.is_empty() || value.starts_with("data:") || value.starts_with('#') {
            return;
        }
        if let Ok(url) = page_url.join(value)
            && matches!(url.scheme(), "http" | "https")
        {
            found.push(Reference {
                from: from.to_owned(),
                how: how.to_owned(),
                url,
            });
        }
    };
    let rules: &[(&str, &str, &str)] = &[
        ("script[src]", "src", "<script src>"),
        ("link[href]", "href", "<link>"),
        ("img[src]", "src", "<img src>"),
        ("iframe[src]", "src", "<iframe src>"),
        ("frame[src]", "src", "<frame src>"),
        ("source[src]", "src", "<source src>"),
        ("video[src]", "src", "<video src>"),
        ("video[poster]", "poster", "<video poster>"),
        ("audio[src]", "src", "<audio src>"),
        ("track[src]", "src", "<track src>"),
        ("embed[src]", "src", "<embed src>"),
        ("object[data]", "data", "<object data>"),
        ("input[type=image][src]", "src", "<input type=image>"),
    ];
    for (selector, attribute, how) in rules {
        let Ok(selector) = Selector::parse(selector) else {
            continue;
        };
        for element in document.select(&selector) {
            let Some(value) = element.value().attr(attribute) else {
                continue;
            };
            if *how == "<link>" {
                // Links a browser follows only when clicked are no load.
                let rel = element
                    .value()
                    .attr("rel")
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let loads = rel.split_whitespace().any(|r| {
                    matches!(
                        r,
                        "stylesheet"
                            | "icon"
                            | "preload"
                            | "prefetch"
                            | "preconnect"
                            | "dns-prefetch"
                            | "modulepreload"
                            | "manifest"
                            | "apple-touch-icon"
                    )
                });
                if !loads {
                    continue;
                }
                let how = if rel.contains("stylesheet") {
                    "<link rel=stylesheet>".to_owned()
                } else {
                    format!("<link rel={rel}>")
                };
                add(&how, value);
                continue;
            }
            add(how, value);
        }
    }
    for selector in ["img[srcset]", "source[srcset]"] {
        let Ok(selector) = Selector::parse(selector) else {
            continue;
        };
        for element in document.select(&selector) {
            for candidate in element.value().attr("srcset").unwrap_or("").split(',') {
                if let Some(url) = candidate.split_whitespace().next() {
                    add("srcset", url);
                }
            }
        }
    }
    let mut css = Vec::new();
    if let Ok(selector) = Selector::parse("style") {
        css.extend(
            document
                .select(&selector)
                .map(|s| s.text().collect::<String>()),
        );
    }
    if let Ok(selector) = Selector::parse("[style]") {
        css.extend(
            document
                .select(&selector)
                .filter_map(|s| s.value().attr("style").map(str::to_owned)),
        );
    }
    let mut references = found;
    for block in css {
        references.extend(css_references(&block, &page_url, from));
    }
    references
}

/// The `url(…)`s and `@import`s of a stylesheet, resolved against `sheet`.
pub fn css_references(css: &str, sheet: &Url, from: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    let mut push = |how: &str, raw: &str| {
        let value = raw.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        if value.is_empty() || value.starts_with("data:") || value.starts_with('#') {
            return;
        }
        if let Ok(url) = sheet.join(value)
            && matches!(url.scheme(), "http" | "https")
        {
            found.push(Reference {
                from: from.to_owned(),
                how: how.to_owned(),
                url,
            });
        }
    };
    let lower = css.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find("url(") {
        let open = at + start + 4;
        let Some(close) = css[open..].find(')') else {
            break;
        };
        push("url() in CSS", &css[open..open + close]);
        at = open + close;
    }
    at = 0;
    while let Some(start) = lower[at..].find("@import") {
        let rest = &css[at + start + 7..];
        let quoted = rest.trim_start();
        if let Some(quote) = quoted.chars().next().filter(|c| *c == '"' || *c == '\'')
            && let Some(end) = quoted[1..].find(quote)
        {
            push("@import in CSS", &quoted[1..1 + end]);
        }
        at += start + 7;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://127.0.0.1:8080/").unwrap()
    }

    #[test]
    fn a_page_loads_its_scripts_styles_fonts_and_images_and_not_its_links() {
        let html = r#"<!DOCTYPE html><html><head>
            <link rel="stylesheet" href="/assets/numis.css">
            <link rel="preconnect" href="https://fonts.gstatic.com">
            <link rel="alternate" hreflang="en" href="https://other.example/en/">
            <script src="https://cdn.example/x.js"></script>
            <style>@font-face { src: url("https://fonts.example/a.woff2") } @import 'https://css.example/b.css';</style>
            </head><body>
            <a href="https://www.example.org/impressum">a link is no load</a>
            <img src="logo.png" srcset="a.png 1x, https://img.example/b.png 2x">
            <div style="background: url(https://bg.example/c.png)"></div>
            <iframe src="https://maps.example/embed"></iframe>
            </body></html>"#;
        let references = page_references(html, &base(), "/seite");
        let urls: Vec<String> = references.iter().map(|r| r.url.to_string()).collect();
        for expected in [
            "http://127.0.0.1:8080/assets/numis.css",
            "https://fonts.gstatic.com/",
            "https://cdn.example/x.js",
            "https://fonts.example/a.woff2",
            "https://css.example/b.css",
            "http://127.0.0.1:8080/logo.png",
            "https://img.example/b.png",
            "https://bg.example/c.png",
            "https://maps.example/embed",
        ] {
            assert!(
                urls.contains(&expected.to_owned()),
                "{expected} in {urls:#?}"
            );
        }
        assert!(
            !urls
                .iter()
                .any(|u| u.contains("www.example.org") || u.contains("other.example")),
            "{urls:#?}"
        );
    }

    #[test]
    fn the_sitemap_gives_the_paths_on_the_portals_own_origin() {
        let xml = "<urlset><url><loc>http://127.0.0.1:8080/datenschutz</loc></url>\
                   <url><loc>http://127.0.0.1:8080/en/?a=1&amp;b=2</loc></url>\
                   <url><loc>https://elsewhere.example/x</loc></url></urlset>";
        assert_eq!(
            sitemap_paths(xml, &base()),
            ["/datenschutz", "/en/?a=1&b=2"]
        );
    }
}
