use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_NONE_MATCH, LAST_MODIFIED};

use crate::util::{TestServer, client, demo_site};

fn title_of(html: &str) -> String {
    let start = html.find("<title>").map(|i| i + 7).unwrap_or(0);
    let end = html[start..]
        .find("</title>")
        .map(|i| start + i)
        .unwrap_or(start);
    html[start..end].to_owned()
}

#[tokio::test]
async fn the_demo_portal_serves_german_at_the_root_and_english_under_en() {
    let server = TestServer::start(&demo_site());
    let http = client();

    let home = http.get(server.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(
        home.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = home.text().await.unwrap();
    assert!(html.contains("<html lang=\"de\""), "German by default");
    assert!(html.contains("href=\"/karte\""), "home links to the map");

    let en = http.get(server.url("/en")).send().await.unwrap();
    assert_eq!(en.status(), StatusCode::OK);
    assert!(en.text().await.unwrap().contains("<html lang=\"en\""));

    for (path, title) in [
        ("/datenschutz", "Datenschutz"),
        ("/en/datenschutz", "Privacy"),
        ("/impressum", "Impressum"),
        ("/nutzungshinweise", "Nutzungshinweise"),
        ("/hilfe", "Hilfe"),
    ] {
        let response = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = response.text().await.unwrap();
        assert!(
            title_of(&html).contains(title),
            "{path}: title {:?} lacks {title}",
            title_of(&html)
        );
    }
}

#[tokio::test]
async fn navigation_lists_numbered_pages_and_the_footer_links_the_legal_pages() {
    let server = TestServer::start(&demo_site());
    let html = client()
        .get(server.url("/hilfe"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let nav_start = html
        .find("<nav class=\"main-nav\"")
        .expect("the main navigation");
    let nav_end = html[nav_start..].find("</nav>").unwrap() + nav_start;
    let nav = &html[nav_start..nav_end];
    assert!(
        nav.contains("href=\"/hilfe\""),
        "numbered page in navigation: {nav}"
    );
    assert!(
        nav.contains("aria-current=\"page\""),
        "the current page is marked: {nav}"
    );
    assert!(
        !nav.contains("href=\"/datenschutz\""),
        "unnumbered page stays out of the main navigation"
    );
    let footer = &html[html.find("<footer").expect("a footer")..];
    for route in ["/impressum", "/datenschutz", "/nutzungshinweise"] {
        assert!(
            footer.contains(&format!("href=\"{route}\"")),
            "footer links {route}"
        );
    }
    let en = client()
        .get(server.url("/en/hilfe"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let footer = &en[en.find("<footer").unwrap()..];
    assert!(
        footer.contains("href=\"/en/datenschutz\""),
        "English footer stays in English"
    );
}

#[tokio::test]
async fn unknown_pages_answer_a_themed_404() {
    let server = TestServer::start(&demo_site());
    let response = client()
        .get(server.url("/gibt-es-nicht"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(html.contains("numis.css"), "the 404 page uses the theme");
    assert!(html.contains("404"));
}

#[tokio::test]
async fn pages_carry_validators_and_answer_304_when_unchanged() {
    let server = TestServer::start(&demo_site());
    let http = client();
    let first = http.get(server.url("/datenschutz")).send().await.unwrap();
    let etag = first.headers()[ETAG].clone();
    assert!(first.headers().contains_key(LAST_MODIFIED));
    let again = http
        .get(server.url("/datenschutz"))
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let css = http
        .get(server.url("/assets/numis.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers().contains_key(ETAG));
}

#[tokio::test]
async fn sitemap_and_robots_describe_the_site() {
    let server = TestServer::start(&demo_site());
    let http = client();
    let sitemap = http
        .get(server.url("/sitemap.xml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for path in [
        "/datenschutz",
        "/en/datenschutz",
        "/impressum",
        "/nutzungshinweise",
        "/hilfe",
        "/en/hilfe",
    ] {
        assert!(
            sitemap.contains(&format!("{path}</loc>")),
            "sitemap lists {path}:\n{sitemap}"
        );
    }
    let robots = http
        .get(server.url("/robots.txt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(robots.contains("Sitemap: "), "{robots}");
}

#[tokio::test]
async fn the_home_page_also_answers_at_its_alias() {
    let server = TestServer::start(&demo_site());
    let response = client().get(server.url("/home")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("rel=\"canonical\" href=\"/\"")
    );
}
