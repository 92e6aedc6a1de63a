//! The privacy page of the portal we model (clause P13), placed in a page
//! tree exactly as the issue describes, must render at `/datenschutz` with
//! its translated title and every heading and list item.

use reqwest::StatusCode;

use crate::util::{TestServer, client, shared};

/// Text as it appears after HTML escaping is undone.
fn unescape(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

#[tokio::test]
async fn the_numis_privacy_page_renders_at_datenschutz_with_its_translated_title() {
    let Some(seeds) = shared("seeds") else { return };
    let seed = std::fs::read_to_string(seeds.join("000_287bd4058889cf3f.txt")).unwrap();
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pages/datenschutz")).unwrap();
    std::fs::create_dir_all(site.path().join("languages")).unwrap();
    std::fs::write(site.path().join("pages/datenschutz/default.md"), &seed).unwrap();
    std::fs::write(
        site.path().join("languages/de.yaml"),
        "PAGES:\n  PRIVACY: Datenschutz\n",
    )
    .unwrap();

    let server = TestServer::start(site.path());
    let response = client()
        .get(server.url("/datenschutz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = unescape(&response.text().await.unwrap());
    assert!(
        html.contains("<title>Datenschutz"),
        "translated title in <title>"
    );
    assert!(
        !html.contains("PAGES.PRIVACY"),
        "the key itself never shows"
    );
    assert!(
        html.contains(">Datenschutz</h1>"),
        "translated title as heading"
    );

    let body = seed.split("\n---\n").nth(1).unwrap();
    let headings: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .collect();
    assert_eq!(headings.len(), 2, "the seed has two headings");
    for heading in headings {
        assert!(
            html.contains(&format!(">{}</h3>", heading.trim())),
            "heading {heading:?} rendered"
        );
    }
    let items: Vec<&str> = body.lines().filter_map(|l| l.strip_prefix("* ")).collect();
    assert_eq!(items.len(), 2, "the seed has two list items");
    let list_items: Vec<&str> = html.split("<li>").skip(1).collect();
    for item in items {
        assert!(
            list_items.iter().any(|li| li.contains(item.trim())),
            "list item {:?} rendered inside <li>",
            &item[..40]
        );
    }
    // Plain paragraphs after the list come through too.
    assert!(html.contains(
        "Sie können alle allgemein zugänglichen NUMIS-Seiten ohne den Einsatz von Cookies benutzen."
    ));
    // The seed page has no numeric prefix but `visible: true`: it is in the navigation.
    let nav = &html[html.find("<nav class=\"main-nav\"").unwrap()..];
    assert!(nav[..nav.find("</nav>").unwrap()].contains("href=\"/datenschutz\""));
}
