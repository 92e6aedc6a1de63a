//! Every Grav page tree of the shared corpus loads, and every page answers
//! at the route Grav gives it.
//!
//! The expectations are derived here independently of numis' router, from
//! Grav's documented rules: the route is the folder path with order
//! prefixes (`01.`) removed; `_module` folders, `routable: false` pages,
//! `published: false` pages and folders without a Markdown file for the
//! language answer 404; `redirect:` pages redirect; on multilingual sites
//! every language lives under `/<lang>` (Grav's default
//! `include_default_lang: true`) and a missing translation falls back along
//! the language's chain.

use std::path::Path;

use reqwest::StatusCode;

use crate::util::{TestServer, client, shared};

/// What we know of each corpus site's configuration.
struct Case {
    name: &'static str,
    /// (language, fallback chain); empty for single-language sites.
    languages: &'static [(&'static str, &'static [&'static str])],
}

const CASES: &[Case] = &[
    Case {
        name: "skeleton-blog-site",
        languages: &[],
    },
    Case {
        name: "skeleton-onepage-site",
        languages: &[],
    },
    Case {
        name: "skeleton-multilang-site",
        languages: &[
            ("en", &["en", ""]),
            ("de", &["de", "en", ""]),
            ("es", &["es", "en", ""]),
            ("fr", &["fr", "en", ""]),
            ("it", &["it", "en", ""]),
            ("nb", &["nb", "en", ""]),
            ("nl", &["nl", "en", ""]),
            ("el", &["el", "en", ""]),
            ("pl", &["pl", "en", ""]),
        ],
    },
    Case {
        name: "learn",
        languages: &[
            ("17", &["17", "16", "15", ""]),
            ("16", &["16", "15", ""]),
            ("15", &["15", ""]),
        ],
    },
];

#[derive(Debug)]
enum Expect {
    Ok,
    NotFound,
    Redirect,
}

/// One expected route: URL path and answer.
fn expectations(pages: &Path, case: &Case) -> Vec<(String, Expect)> {
    let mut out = Vec::new();
    let languages: Vec<(&str, &[&str])> = if case.languages.is_empty() {
        vec![("", &[""][..])]
    } else {
        case.languages.to_vec()
    };
    let codes: Vec<&str> = case.languages.iter().map(|(l, _)| *l).collect();
    for entry in walkdir::WalkDir::new(pages)
        .min_depth(1)
        .sort_by_file_name()
    {
        let entry = entry.unwrap();
        if !entry.file_type().is_dir() {
            continue;
        }
        let relative = entry.path().strip_prefix(pages).unwrap();
        let segments: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let module = segments
            .last()
            .is_some_and(|s| strip_order(s).starts_with('_'));
        let route: String = segments
            .iter()
            .map(|s| format!("/{}", strip_order(s).trim_start_matches('_').to_lowercase()))
            .collect();
        let markdown: Vec<(String, String)> = std::fs::read_dir(entry.path())
            .unwrap()
            .filter_map(|f| f.ok())
            .map(|f| f.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .map(|n| {
                let stem = n.trim_end_matches(".md");
                let lang = match stem.rsplit_once('.') {
                    Some((_, l)) if codes.contains(&l) => l.to_owned(),
                    _ => String::new(),
                };
                (lang, n)
            })
            .collect();
        for (lang, chain) in &languages {
            let prefix = if lang.is_empty() {
                String::new()
            } else {
                format!("/{lang}")
            };
            let file = chain
                .iter()
                .find_map(|l| markdown.iter().find(|(fl, _)| fl == l));
            let expect = match file {
                _ if module => Expect::NotFound,
                None => Expect::NotFound,
                Some((_, name)) => {
                    let text = std::fs::read_to_string(entry.path().join(name)).unwrap_or_default();
                    let header = front_matter(&text);
                    if header
                        .lines()
                        .any(|l| l.trim() == "routable: false" || l.trim() == "published: false")
                    {
                        Expect::NotFound
                    } else if header.lines().any(|l| l.starts_with("redirect:")) {
                        Expect::Redirect
                    } else {
                        Expect::Ok
                    }
                }
            };
            out.push((format!("{prefix}{route}"), expect));
        }
    }
    out
}

fn strip_order(segment: &str) -> &str {
    match segment.split_once('.') {
        Some((digits, rest))
            if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) =>
        {
            rest
        }
        _ => segment,
    }
}

fn front_matter(text: &str) -> &str {
    text.strip_prefix("---\n")
        .and_then(|rest| rest.split("\n---").next())
        .unwrap_or("")
}

#[tokio::test]
async fn every_corpus_page_answers_at_the_route_grav_gives_it() {
    let Some(corpus) = shared("corpus/grav") else {
        return;
    };
    let http = client();
    let mut total = 0;
    let mut failures = Vec::new();
    for case in CASES {
        let root = corpus.join(case.name).join("user");
        let server = TestServer::start(&root);
        let expected = expectations(&root.join("pages"), case);
        assert!(!expected.is_empty(), "{} has pages", case.name);
        for (path, expect) in expected {
            total += 1;
            let status = http.get(server.url(&path)).send().await.unwrap().status();
            let ok = match expect {
                Expect::Ok => status == StatusCode::OK,
                Expect::NotFound => status == StatusCode::NOT_FOUND,
                Expect::Redirect => status.is_redirection(),
            };
            if !ok {
                failures.push(format!(
                    "{} {path}: expected {expect:?}, got {status}",
                    case.name
                ));
            }
        }
        assert!(!server.log().contains("panicked"), "{}", server.log());
    }
    eprintln!(
        "grav corpus: {} of {total} page routes answer as Grav would",
        total - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} routes wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn corpus_sites_answer_home_aliases_redirects_and_route_aliases() {
    let Some(corpus) = shared("corpus/grav") else {
        return;
    };
    let http = client();

    let blog = TestServer::start(&corpus.join("skeleton-blog-site/user"));
    // home.alias: '/blog'
    let home = http.get(blog.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    assert!(
        html.contains("/blog/hero-classes"),
        "the blog lists its posts (collection @self.children)"
    );
    // site.yaml redirects: /changelog → /blog/the-urban-jungle
    let redirect = http.get(blog.url("/changelog")).send().await.unwrap();
    assert!(redirect.status().is_redirection());
    assert_eq!(redirect.headers()["location"], "/blog/the-urban-jungle");
    // site.yaml routes: an alias and a regex alias answer with the page itself.
    for alias in ["/something/else", "/another/one/hero-classes"] {
        assert_eq!(
            http.get(blog.url(alias)).send().await.unwrap().status(),
            StatusCode::OK,
            "{alias}"
        );
    }
    // Unnumbered folders are routable, just not in the menu.
    let post = http
        .get(blog.url("/blog/text-typography"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(post.contains("<h1"), "post rendered");

    let onepage = TestServer::start(&corpus.join("skeleton-onepage-site/user"));
    let html = http
        .get(onepage.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Your Content"),
        "modules are rendered into the modular home page"
    );
    assert!(
        html.contains("Crazy Fast"),
        "tab-indented module front matter is read as Grav reads it"
    );

    let multilang = TestServer::start(&corpus.join("skeleton-multilang-site/user"));
    let greek = http.get(multilang.url("/el")).send().await.unwrap();
    assert_eq!(greek.status(), StatusCode::OK);
    assert!(greek.text().await.unwrap().contains("lang=\"el\""));

    let learn = TestServer::start(&corpus.join("learn/user"));
    let redirect = http
        .get(learn.url("/17/hints-tips/blogging"))
        .send()
        .await
        .unwrap();
    assert!(redirect.status().is_redirection());
    assert_eq!(
        redirect.headers()["location"],
        "/17/hints-tips/blogging/metadata"
    );
    assert_eq!(
        http.get(learn.url("/")).send().await.unwrap().status(),
        StatusCode::OK,
        "home alias /basics"
    );
    let api = http
        .get(learn.url("/17/api"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        api.contains("Grav API"),
        "frontmatter.yaml supplies the title of a page without front matter"
    );
    // regex redirect from site.yaml
    let old = http
        .get(learn.url("/16/advanced/grav-cli"))
        .send()
        .await
        .unwrap();
    assert!(old.status().is_redirection());
}

/// `(status, Location)` of `path`, redirects not followed.
async fn answer(http: &reqwest::Client, server: &TestServer, path: &str) -> (u16, String) {
    let response = http.get(server.url(path)).send().await.unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (response.status().as_u16(), location)
}

#[tokio::test]
async fn corpus_sites_redirect_a_trailing_slash_to_the_route_without_it() {
    let Some(corpus) = shared("corpus/grav") else {
        return;
    };
    let http = client();
    let blog = TestServer::start(&corpus.join("skeleton-blog-site/user"));
    assert_eq!(answer(&http, &blog, "/blog/").await, (302, "/blog".into()));
    assert_eq!(
        answer(&http, &blog, "/blog/hero-classes/").await,
        (302, "/blog/hero-classes".into())
    );
    assert_eq!(
        answer(&http, &blog, "/blog/?page=2").await,
        (302, "/blog?page=2".into()),
        "the query is kept"
    );
    let multilang = TestServer::start(&corpus.join("skeleton-multilang-site/user"));
    assert_eq!(
        answer(&http, &multilang, "/fr/blog/").await,
        (302, "/fr/blog".into()),
        "also under a language prefix"
    );
}

#[tokio::test]
async fn corpus_routes_answer_in_any_letter_case_and_name_the_canonical_url() {
    let Some(corpus) = shared("corpus/grav") else {
        return;
    };
    let http = client();
    let blog = TestServer::start(&corpus.join("skeleton-blog-site/user"));
    for path in ["/Blog", "/BLOG/Hero-Classes"] {
        let response = http.get(blog.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = response.text().await.unwrap();
        if path.contains("Hero") {
            assert!(
                html.contains("rel=\"canonical\" href=\"/blog/hero-classes\""),
                "{path} names its canonical URL"
            );
        }
    }
    let multilang = TestServer::start(&corpus.join("skeleton-multilang-site/user"));
    let french = http.get(multilang.url("/FR/About")).send().await.unwrap();
    assert_eq!(french.status(), StatusCode::OK);
    assert!(french.text().await.unwrap().contains("lang=\"fr\""));
}

#[tokio::test]
async fn learn_redirects_are_tried_in_the_order_written_and_keep_the_version_prefix() {
    let Some(corpus) = shared("corpus/grav") else {
        return;
    };
    let http = client();
    let learn = TestServer::start(&corpus.join("learn/user"));
    // `/(\d+)/hosting/rochen` is written before `/(\d+)/hosting/(.*)`.
    assert_eq!(
        answer(&http, &learn, "/16/hosting/rochen").await,
        (302, "/16/hosting/shared/rochen".into())
    );
    assert_eq!(
        answer(&http, &learn, "/16/advanced/grav-cli").await,
        (302, "/16/cli-console/grav-cli".into())
    );
}

/// The multilingual skeleton as an operator runs it: English without
/// prefix (`include_default_lang: false`), a `site.yaml` redirect, and a
/// placeholder page with its own slug that redirects.
fn multilang_without_default_prefix(corpus: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::util::copy_tree(&corpus.join("skeleton-multilang-site/user"), dir.path());
    let system = dir.path().join("config/system.yaml");
    let text = std::fs::read_to_string(&system).unwrap().replace(
        "  session_store_active: false\n",
        "  session_store_active: false\n  include_default_lang: false\n",
    );
    assert!(text.contains("include_default_lang: false"));
    std::fs::write(&system, text).unwrap();
    let site = dir.path().join("config/site.yaml");
    let text = std::fs::read_to_string(&site).unwrap() + "redirects:\n  /donate: /about\n";
    std::fs::write(&site, text).unwrap();
    let placeholder = dir.path().join("pages/01.blog/placeholder");
    std::fs::create_dir_all(&placeholder).unwrap();
    std::fs::write(
        placeholder.join("default.en.md"),
        "---\ntitle: All posts\nslug: all\nredirect: /blog\n---\n",
    )
    .unwrap();
    dir
}

#[tokio::test]
async fn the_default_language_prefix_redirects_to_the_unprefixed_url_when_left_out() {
    let Some(corpus) = shared("corpus/grav") else {
        return;
    };
    let site = multilang_without_default_prefix(&corpus);
    let http = client();
    let server = TestServer::start(site.path());
    assert_eq!(answer(&http, &server, "/en").await, (302, "/".into()));
    assert_eq!(
        answer(&http, &server, "/en/about").await,
        (302, "/about".into())
    );
    // `/blog` is the home alias here, as `/home` is by default.
    assert_eq!(answer(&http, &server, "/en/blog").await, (302, "/".into()));
    assert_eq!(answer(&http, &server, "/about").await.0, 200);
    assert_eq!(answer(&http, &server, "/fr/about").await.0, 200);
}

#[tokio::test]
async fn redirects_keep_the_language_prefix_also_at_a_slugged_page_folder_route() {
    let Some(corpus) = shared("corpus/grav") else {
        return;
    };
    let site = multilang_without_default_prefix(&corpus);
    let http = client();
    let server = TestServer::start(site.path());
    // A page with `slug: all` and `redirect: /blog` redirects at both routes.
    assert_eq!(
        answer(&http, &server, "/blog/all").await,
        (302, "/blog".into())
    );
    assert_eq!(
        answer(&http, &server, "/blog/placeholder").await,
        (302, "/blog".into())
    );
    assert_eq!(
        answer(&http, &server, "/fr/blog/placeholder").await,
        (302, "/fr/blog".into())
    );
    // A `site.yaml` redirect reached under a language keeps the language.
    assert_eq!(
        answer(&http, &server, "/donate").await,
        (302, "/about".into())
    );
    assert_eq!(
        answer(&http, &server, "/fr/donate").await,
        (302, "/fr/about".into())
    );
}
