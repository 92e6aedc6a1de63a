//! A Grav tree that was never written for numis — no `languages/` of
//! numis' keys, no `templates/` — served with the built-in theme: every
//! page is fully translated (the theme's strings come with the binary), the
//! theme links only what answers, and the tree's own language files win.

use std::collections::BTreeSet;

use reqwest::StatusCode;

use crate::util::{TestServer, client, copy_tree, shared};

/// The corpus trees, none of which has numis' language files or templates.
const FOREIGN_TREES: &[&str] = &[
    "skeleton-blog-site",
    "skeleton-onepage-site",
    "skeleton-multilang-site",
    "learn",
];

/// The URL paths the sitemap lists.
async fn sitemap_paths(http: &reqwest::Client, server: &TestServer) -> Vec<String> {
    let xml = http
        .get(server.url("/sitemap.xml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    xml.split("<loc>")
        .skip(1)
        .filter_map(|rest| rest.split("</loc>").next())
        .map(|url| url.strip_prefix(&server.base).unwrap_or(url).to_owned())
        .collect()
}

/// The document without `<main>…</main>`: what the theme writes around a
/// page's content (the content itself is the tree's own business).
fn theme_part(html: &str) -> String {
    match (html.find("<main"), html.find("</main>")) {
        (Some(start), Some(end)) => format!("{}{}", &html[..start], &html[end..]),
        _ => html.to_owned(),
    }
}

/// Local link targets (`href="/…"`) in `html`.
fn local_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .map(|href| href.replace("&amp;", "&"))
        .collect()
}

#[tokio::test]
async fn a_foreign_grav_tree_renders_translated_and_the_theme_links_no_missing_page() {
    let Some(corpus) = shared("corpus/grav") else {
        return;
    };
    let http = client();
    for name in FOREIGN_TREES {
        let server = TestServer::start(&corpus.join(name).join("user"));
        let mut paths = sitemap_paths(&http, &server).await;
        assert!(!paths.is_empty(), "{name}: sitemap lists its pages");
        paths.push("/gibt-es-nicht".to_owned());
        let mut links = BTreeSet::new();
        for path in &paths {
            let response = http.get(server.url(path)).send().await.unwrap();
            let status = response.status();
            assert!(
                status == StatusCode::OK || status == StatusCode::NOT_FOUND,
                "{name} {path}: {status}"
            );
            let html = response.text().await.unwrap();
            // Error pages are all theme; content pages only around `<main>`.
            let html = if status == StatusCode::NOT_FOUND {
                html
            } else {
                theme_part(&html)
            };
            for raw in ["THEME.", "PAGES."] {
                assert!(
                    !html.contains(raw),
                    "{name} {path} shows a raw {raw} key:\n{html}"
                );
            }
            assert!(
                html.contains("/karte\""),
                "{name} {path}: the theme links the map"
            );
            links.extend(local_links(&html));
        }
        for link in &links {
            let status = http.get(server.url(link)).send().await.unwrap().status();
            assert_ne!(
                status,
                StatusCode::NOT_FOUND,
                "{name}: the theme links {link}, which answers 404"
            );
        }
        assert!(!links.contains("/hilfe"), "{name} has no help page to link");
        eprintln!(
            "{name}: {} pages translated, {} theme links answer",
            paths.len(),
            links.len()
        );
    }
}

#[tokio::test]
async fn a_foreign_tree_language_file_overrides_a_theme_string() {
    let Some(corpus) = shared("corpus/grav") else {
        return;
    };
    let site = tempfile::tempdir().unwrap();
    copy_tree(&corpus.join("skeleton-blog-site/user"), site.path());
    std::fs::create_dir_all(site.path().join("languages")).unwrap();
    std::fs::write(
        site.path().join("languages/de.yaml"),
        "THEME:\n  NOT_FOUND: Hier ist leider nichts\n",
    )
    .unwrap();
    let server = TestServer::start(site.path());
    let response = client()
        .get(server.url("/gibt-es-nicht"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<h1>Hier ist leider nichts</h1>"),
        "the tree's text wins: {html}"
    );
    assert!(
        html.contains("Zum Inhalt springen"),
        "the keys the tree lacks come from the theme"
    );
}
