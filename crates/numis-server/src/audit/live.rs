//! The rows judged from what the running portal answered (see
//! [`super::crawl`]): P3 (nothing loaded from another origin, external
//! base maps named on the privacy page), P5 (no cookie on a public route),
//! P6 (only the embed may be framed) and T (security headers, TLS).

use numis_map::config::MapConfig;
use url::Url;

use super::crawl::{Crawl, Fetched};
use super::report::Row;

/// P3: no page makes a browser load anything from another origin except
/// the external base maps the operator configured, and those are named on
/// the privacy page.
pub fn third_parties(crawl: &Crawl, base: &Url, map: Option<&MapConfig>) -> Row {
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    let foreign: Vec<_> = crawl
        .references
        .iter()
        .filter(|r| r.url.origin() != base.origin())
        .collect();
    for reference in &foreign {
        problems.push(format!(
            "{} makes browsers load {} ({})",
            reference.from, reference.url, reference.how
        ));
    }
    let pages = crawl.answers.iter().filter(|a| a.is_html()).count();
    evidence.push(format!(
        "{pages} HTML pages read with {} references to what they load; {} to another origin",
        crawl.references.len(),
        foreign.len()
    ));

    let basemaps: Vec<(String, String)> = map
        .map(|m| {
            m.viewer
                .external_basemaps
                .iter()
                .filter_map(|b| Some((b.id.clone(), b.origin()?)))
                .collect()
        })
        .unwrap_or_default();
    // What the Content-Security-Policies allow besides the portal itself.
    for answer in crawl.answers.iter().filter(|a| a.is_html()) {
        for origin in csp_origins(answer) {
            if !basemaps.iter().any(|(_, o)| *o == origin) {
                problems.push(format!(
                    "{}: its Content-Security-Policy allows {origin}, which no external base map names",
                    answer.path
                ));
            }
        }
    }
    let privacy = privacy_page(crawl);
    for (id, origin) in &basemaps {
        let host = Url::parse(origin)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        evidence.push(format!(
            "external base map \"{id}\": visitors' browsers load its images from {origin}, which receives their address and the map area shown"
        ));
        match privacy {
            Some(page) if page.body.contains(&host) => evidence.push(format!(
                "the privacy page {} names {host}",
                page.path
            )),
            Some(page) => problems.push(format!(
                "the privacy page {} does not name {host}, whose server visitors' browsers contact for the base map \"{id}\"",
                page.path
            )),
            None => problems.push(format!(
                "no privacy page (/datenschutz, /privacy) was found to name {host}, whose server visitors' browsers contact for the base map \"{id}\""
            )),
        }
    }
    Row::judged(
        "P3",
        "no requests to third parties",
        evidence,
        problems,
        "Serve what a page loads from the portal itself (theme assets under /assets/), or, for an external base map, name its provider and what it receives on the privacy page; remove any other reference to another server.",
    )
}

/// P5: no public answer sets a cookie.
pub fn cookies(crawl: &Crawl) -> Row {
    let problems: Vec<String> = crawl
        .answers
        .iter()
        .flat_map(|a| {
            a.headers.get_all("set-cookie").iter().map(move |c| {
                let name = c
                    .to_str()
                    .unwrap_or("")
                    .split('=')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                format!("{} sets the cookie {name:?}", a.path)
            })
        })
        .collect();
    let evidence = vec![format!(
        "{} public answers read without a cookie (every sitemap route, the viewer, the embed, the APIs, the WMS, a missing page)",
        crawl.answers.len()
    )];
    Row::judged(
        "P5",
        "no cookies on public pages",
        evidence,
        problems,
        "Remove what sets the cookie (a template, a proxy in front of numis, a handler); numis itself sets cookies only after a login or when display preferences are kept on purpose.",
    )
}

/// P6: `/embed` may be framed by anyone, every other page only by the portal.
pub fn framing(crawl: &Crawl) -> Row {
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    for answer in crawl.answers.iter().filter(|a| a.is_html()) {
        let ancestors = directive(answer, "frame-ancestors");
        let embed = answer.path == "/embed" || answer.path.starts_with("/embed?");
        if embed {
            if ancestors.as_deref() == Some("*") && answer.header("x-frame-options").is_none() {
                evidence.push("/embed: frame-ancestors * (any site may embed the map)".into());
            } else {
                problems.push(format!(
                    "/embed cannot be framed by other sites (frame-ancestors {ancestors:?}, X-Frame-Options {:?})",
                    answer.header("x-frame-options")
                ));
            }
            continue;
        }
        let own = matches!(ancestors.as_deref(), Some("'self'") | Some("'none'"))
            || answer.header("x-frame-options").is_some_and(|v| {
                v.eq_ignore_ascii_case("sameorigin") || v.eq_ignore_ascii_case("deny")
            });
        if !own {
            problems.push(format!(
                "{} may be framed by other sites (frame-ancestors {ancestors:?})",
                answer.path
            ));
        }
    }
    let pages = crawl.answers.iter().filter(|a| a.is_html()).count();
    evidence.push(format!(
        "{pages} HTML pages: only /embed may be framed by another site"
    ));
    Row::judged(
        "P6",
        "the map can be embedded, its layout and functions cannot be altered",
        evidence,
        problems,
        "Do not change numis's frame-ancestors in a proxy: /embed must keep `frame-ancestors *`, every other route `'self'`.",
    )
}

/// T: security headers on every answer, a policy without inline script on
/// every page, and HSTS when the portal is reached by https.
pub fn transport(crawl: &Crawl, base: &Url) -> Row {
    let mut problems = Vec::new();
    for answer in &crawl.answers {
        if answer.header("x-content-type-options") != Some("nosniff") {
            problems.push(format!(
                "{}: no X-Content-Type-Options: nosniff",
                answer.path
            ));
        }
        if !answer.is_html() {
            continue;
        }
        if answer.header("content-security-policy").is_none() {
            problems.push(format!("{}: no Content-Security-Policy", answer.path));
            continue;
        }
        let scripts = directive(answer, "script-src").or_else(|| directive(answer, "default-src"));
        if scripts
            .as_deref()
            .is_some_and(|s| s.contains("'unsafe-inline'") || s.contains("'unsafe-eval'"))
        {
            problems.push(format!(
                "{}: its policy lets inline script run ({scripts:?})",
                answer.path
            ));
        }
        if answer.header("referrer-policy").is_none() {
            problems.push(format!("{}: no Referrer-Policy", answer.path));
        }
        if base.scheme() == "https" && answer.header("strict-transport-security").is_none() {
            problems.push(format!(
                "{}: reached by https without Strict-Transport-Security",
                answer.path
            ));
        }
    }
    let mut evidence = vec![format!(
        "{} answers checked for X-Content-Type-Options, Content-Security-Policy (no inline script), Referrer-Policy",
        crawl.answers.len()
    )];
    evidence.push(if base.scheme() == "https" {
        "reached by https: Strict-Transport-Security expected on every page".into()
    } else {
        format!("reached by {} (TLS is the proxy's in front of it; audit the public https address to check HSTS)", base.scheme())
    });
    Row::judged(
        "T",
        "transport security and headers",
        evidence,
        problems,
        "Keep numis's security headers (a proxy must not drop them); set [security] hsts = true when the portal is served by https.",
    )
}

/// The value of `name` in the answer's Content-Security-Policy.
fn directive(answer: &Fetched, name: &str) -> Option<String> {
    let policy = answer.header("content-security-policy")?;
    policy.split(';').find_map(|part| {
        let mut words = part.split_whitespace();
        (words.next()? == name).then(|| words.collect::<Vec<_>>().join(" "))
    })
}

/// The origins (`https://host[:port]`) a page's policy allows.
fn csp_origins(answer: &Fetched) -> Vec<String> {
    let Some(policy) = answer.header("content-security-policy") else {
        return Vec::new();
    };
    let mut origins: Vec<String> = policy
        .split(';')
        .flat_map(|part| part.split_whitespace().skip(1))
        .filter(|source| source.starts_with("http://") || source.starts_with("https://"))
        .map(|source| source.trim_end_matches('/').to_owned())
        .collect();
    origins.sort();
    origins.dedup();
    origins
}

/// The privacy page, if the crawl read one.
fn privacy_page(crawl: &Crawl) -> Option<&Fetched> {
    crawl.answers.iter().find(|a| {
        a.status == 200
            && a.is_html()
            && ["/datenschutz", "/privacy", "/en/privacy"]
                .iter()
                .any(|p| a.path == *p || a.path.trim_end_matches('/') == *p)
    })
}

/// Where a restricted layer's id would show to an anonymous caller, and
/// how it would be written there.
const LISTINGS: &[(&str, &str)] = &[
    ("/api/layers", "\"{id}\""),
    (
        "/ows?SERVICE=WMS&REQUEST=GetCapabilities",
        "<Name>{id}</Name>",
    ),
    ("/ogcapi/collections", "\"{id}\""),
    ("/api/data", "\"{id}\""),
];

/// L7: a layer restricted to a role is in no listing an anonymous caller
/// gets: the viewer's layer list, the WMS capabilities, the OGC API
/// collections and the open-data list.
pub fn restricted(crawl: &Crawl, map: Option<&MapConfig>) -> Row {
    let promise = "internal data stays internal";
    let layers: Vec<(&str, &str)> = map
        .map(|m| {
            m.layers
                .iter()
                .filter(|l| l.access != "public")
                .map(|l| (l.id.as_str(), l.access.as_str()))
                .collect()
        })
        .unwrap_or_default();
    if layers.is_empty() {
        return Row {
            clause: "L7".into(),
            promise: promise.into(),
            verdict: super::report::Verdict::NotApplicable,
            evidence: vec!["no layer of map.toml is restricted to a role (`access`)".into()],
            fix: None,
        };
    }
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    for (id, role) in &layers {
        let mut absent = Vec::new();
        for (path, pattern) in LISTINGS {
            let Some(answer) = crawl.answers.iter().find(|a| a.path == *path) else {
                continue;
            };
            if answer.body.contains(&pattern.replace("{id}", id)) {
                problems.push(format!(
                    "the layer {id:?} (role {role:?}) is listed by {path} for an anonymous caller"
                ));
            } else {
                absent.push(*path);
            }
        }
        evidence.push(format!(
            "the layer {id:?} (role {role:?}) is absent for an anonymous caller from {}",
            absent.join(", ")
        ));
    }
    Row::judged(
        "L7",
        promise,
        evidence,
        problems,
        "Give the layer `access = \"<role>\"` in map.toml and let no proxy cache answers across callers (numis marks answers for role holders `Cache-Control: private`).",
    )
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderMap;

    use super::*;

    fn answer(path: &str, body: &str) -> Fetched {
        Fetched {
            path: path.into(),
            status: 200,
            headers: HeaderMap::new(),
            body: body.into(),
        }
    }

    fn map_with_restricted_layer() -> MapConfig {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("map.toml");
        std::fs::write(
            &path,
            "[[layer]]\nid = \"baustellen\"\ntitle = \"Baustellen\"\nsource = { type = \"geojson\", path = \"b.geojson\" }\naccess = \"intern\"\n",
        )
        .unwrap();
        numis_map::config::read(&path).unwrap().unwrap()
    }

    #[test]
    fn a_restricted_layer_listed_for_the_public_breaks_l7_and_names_where() {
        let map = map_with_restricted_layer();
        let crawl = Crawl {
            answers: vec![
                answer(
                    "/api/layers",
                    r#"{"layers":{"baustellen":{"title":"Baustellen"}}}"#,
                ),
                answer(
                    "/ows?SERVICE=WMS&REQUEST=GetCapabilities",
                    "<Layer><Name>seen</Name></Layer>",
                ),
            ],
            ..Crawl::default()
        };
        let row = restricted(&crawl, Some(&map));
        assert_eq!(row.verdict, super::super::report::Verdict::DoesNotHold);
        assert!(row.evidence[0].contains("listed by /api/layers"), "{row:?}");
        assert!(
            row.evidence
                .iter()
                .any(|e| e.contains("absent for an anonymous caller from /ows")),
            "{row:?}"
        );
    }
}
