//! What a request path answers, decided in the order Grav decides it
//! (`InitializeProcessor::handleRedirectRequest`, `Language::setActiveFromUri`,
//! `Pages::dispatch`, `PagesServiceProvider`):
//!
//! 1. A trailing slash redirects to the path without it
//!    (`pages.redirect_trailing_slash`), the query kept.
//! 2. A leading supported language code (any letter case) picks the
//!    language and is cut off; without one, the default language.
//! 3. The route table: the page's own route, its aliases, and — unlike
//!    Grav, which matches exactly — the same paths in another letter case.
//!    A found page with `redirect:` redirects (language kept); one that
//!    cannot be shown (no file, `routable: false`, unpublished) sends
//!    visitors to its first visible child. A shown page redirects when the
//!    URL carries the default language's prefix that the site leaves out
//!    (`include_default_lang: false`), or — with `redirect_default_route`
//!    — when it was reached by another name; otherwise it answers.
//! 4. `site.yaml` `routes:` (exact key first, then the patterns from last to
//!    first) name another page to answer with.
//! 5. `site.yaml` `redirects:` (in order, first match) redirect; they are
//!    tried before step 4's page is served, and keep the language.
//! 6. Nothing: 404 in the request's language.

use chrono::NaiveDateTime;

use crate::config::normalise_route;
use crate::routes::{Target, parse_redirect};
use crate::site::{Resolved, Site};
use crate::theme::join_url;

/// A request path taken apart.
struct Request<'a> {
    /// The whole path (with language prefix), without trailing slash.
    full: &'a str,
    /// The language code (`""` on single-language sites).
    lang: String,
    /// The path after the language prefix (`/` at least).
    route: String,
    /// Did the path start with a language code?
    lang_in_url: bool,
    /// `""` or `?…`, for redirects that keep it.
    query: String,
}

impl Site {
    /// Finds what answers `path` (the URL path, percent-decoded).
    pub fn resolve(&self, path: &str) -> Resolved {
        self.resolve_request(path, None)
    }

    /// Finds what answers `path` with query string `query`; redirects that
    /// Grav makes for the same URL keep the query.
    ///
    /// A redirect's location is a valid header value: characters outside
    /// printable ASCII (a decoded `/über/`) are percent-encoded.
    pub fn resolve_request(&self, path: &str, query: Option<&str>) -> Resolved {
        match self.dispatch(path, query) {
            Resolved::Redirect { location, status } => Resolved::Redirect {
                location: encode_location(&location),
                status,
            },
            other => other,
        }
    }

    fn dispatch(&self, path: &str, query: Option<&str>) -> Resolved {
        let now = chrono::Local::now().naive_local();
        let query = query
            .filter(|q| !q.is_empty())
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let path = if path.is_empty() { "/" } else { path };
        let trimmed = match path.trim_end_matches('/') {
            "" => "/",
            trimmed => trimmed,
        };
        if trimmed != path
            && let Some(status) = self.config.routing.redirect_trailing_slash
        {
            return Resolved::Redirect {
                location: format!("{trimmed}{query}"),
                status,
            };
        }
        let request = self.split_lang(trimmed, query);
        if let Some(answer) = self
            .tables
            .get(&request.lang)
            .and_then(|table| table.find(&request.route))
            .and_then(|target| self.answer(&request, target, now))
        {
            return answer;
        }
        let routed = self
            .site_route(&request)
            .and_then(|node| self.answer(&request, Target::Alias(node), now));
        if let Some(redirect) = self.site_redirect(&request) {
            return redirect;
        }
        routed.unwrap_or(Resolved::NotFound { lang: request.lang })
    }

    fn split_lang<'a>(&self, path: &'a str, query: String) -> Request<'a> {
        let languages = &self.config.languages;
        let trimmed = path.trim_start_matches('/');
        let (first, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
        // Grav matches the prefix case-insensitively (`/EN/blog`).
        let prefixed = languages
            .supported
            .iter()
            .find(|l| l.eq_ignore_ascii_case(first));
        match prefixed {
            Some(lang) => Request {
                full: path,
                lang: lang.clone(),
                route: format!("/{rest}"),
                lang_in_url: true,
                query,
            },
            None => Request {
                full: path,
                lang: self.default_lang().to_owned(),
                route: path.to_owned(),
                lang_in_url: false,
                query,
            },
        }
    }

    /// Step 3 for the page `target` names (`None`: go on to `site.yaml`).
    fn answer(
        &self,
        request: &Request<'_>,
        target: Target,
        now: NaiveDateTime,
    ) -> Option<Resolved> {
        let table = self.tables.get(&request.lang)?;
        let routing = &self.config.routing;
        let node = target.node();
        let page = table.page(node);
        if let Some(redirect) = page.and_then(|p| p.redirect.as_ref()) {
            return Some(Resolved::Redirect {
                location: self.localise(&request.lang, &redirect.location),
                status: redirect.status,
            });
        }
        let Some(page) = page.filter(|p| p.is_shown(now)) else {
            let child = self.first_visible_child(node, &request.lang, now)?;
            return Some(Resolved::Redirect {
                location: child,
                status: routing.redirect_default_code,
            });
        };
        let prefix = self.config.languages.prefix(&request.lang);
        let url = join_url(&prefix, &page.route);
        let default_route = page
            .redirect_default_route
            .unwrap_or(routing.redirect_default_route);
        // Grav: `isLanguageInUrl() xor isIncludeDefaultLanguage()`. Only the
        // half where the URL carries a prefix the site leaves out redirects
        // here; the default language without its prefix is served (see
        // docs/content.md).
        if request.lang_in_url && prefix.is_empty() {
            return Some(Resolved::Redirect {
                location: format!("{url}{}", request.query),
                status: default_route.unwrap_or(routing.redirect_default_code),
            });
        }
        if let (Some(status), Target::Alias(_)) = (default_route, target) {
            return Some(Resolved::Redirect {
                location: format!("{url}{}", request.query),
                status,
            });
        }
        Some(Resolved::Page {
            node,
            lang: request.lang.clone(),
        })
    }

    /// Grav redirects to the first visible, routable, published child of a
    /// page that cannot be shown itself.
    fn first_visible_child(&self, node: usize, lang: &str, now: NaiveDateTime) -> Option<String> {
        let table = self.tables.get(lang)?;
        self.tree
            .nodes
            .get(node)?
            .children
            .iter()
            .find_map(|&child| {
                table
                    .page(child)
                    .filter(|p| p.visible && p.is_shown(now))
                    .and_then(|_| self.page_url(child, lang))
            })
    }

    /// `site.yaml` `routes:`: the page the request's route is another name
    /// for. The exact key first, then the patterns from last to first (as
    /// Grav keeps compatibility with when it returned the last match).
    fn site_route(&self, request: &Request<'_>) -> Option<usize> {
        let table = self.tables.get(&request.lang)?;
        let routes = &self.config.routes;
        let route = request.route.as_str();
        routes
            .iter()
            .filter(|p| p.source == route)
            .chain(routes.iter().rev())
            .filter_map(|p| p.apply(route))
            .find_map(|found| table.find(&normalise_route(&found)))
            .map(Target::node)
    }

    /// `site.yaml` `redirects:`, in the order written. Grav matches them
    /// against the whole path, language prefix included; numis also
    /// matches the path without it, so `/donate: /contact` also works at
    /// `/fr/donate`. Internal targets get the request's language prefix
    /// (Grav's `redirectLangSafe`).
    fn site_redirect(&self, request: &Request<'_>) -> Option<Resolved> {
        let candidates = [
            Some(request.full),
            request.lang_in_url.then_some(&*request.route),
        ];
        let found = candidates.into_iter().flatten().find_map(|path| {
            self.config
                .redirects
                .iter()
                .find_map(|pattern| pattern.apply(path))
        })?;
        let redirect = parse_redirect(&found, self.config.routing.redirect_default_code);
        let location = self.localise(&request.lang, &redirect.location);
        let location = if location.contains('?') {
            location
        } else {
            format!("{location}{}", request.query)
        };
        Some(Resolved::Redirect {
            location,
            status: redirect.status,
        })
    }

    /// Internal redirect targets stay in the request's language (`/blog` →
    /// `/fr/blog`); external ones are left alone.
    pub(crate) fn localise(&self, lang: &str, location: &str) -> String {
        if is_external(location) {
            return location.to_owned();
        }
        let prefix = self.config.languages.prefix(lang);
        match location.trim_matches('/') {
            "" => join_url(&prefix, "/"),
            route => format!("{prefix}/{route}"),
        }
    }
}

/// Percent-encodes what may not stand in a `Location` header (spaces,
/// controls, non-ASCII), leaving existing escapes and URL syntax alone.
fn encode_location(location: &str) -> String {
    let mut out = String::with_capacity(location.len());
    for c in location.chars() {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// `https://…`, `//host/…`, `mailto:…`: anything with a scheme or host.
fn is_external(location: &str) -> bool {
    if location.starts_with("//") {
        return true;
    }
    let scheme_end = location.find(':');
    scheme_end.is_some_and(|end| {
        let scheme = &location[..end];
        scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::tests::site;

    fn redirect(location: &str, status: u16) -> Resolved {
        Resolved::Redirect {
            location: location.into(),
            status,
        }
    }

    fn page_of(site: &Site, path: &str) -> Option<(usize, String)> {
        match site.resolve(path) {
            Resolved::Page { node, lang } => Some((node, lang)),
            _ => None,
        }
    }

    /// A bilingual site as the real ones are built: English default without
    /// prefix, French under `/fr`.
    const BILINGUAL: &[(&str, &str)] = &[
        (
            "config/system.yaml",
            "languages:\n  supported: [en, fr]\n  include_default_lang: false\n",
        ),
        (
            "config/site.yaml",
            "redirects:\n  /donate: /contact\n  /old/(.*): '/new/$1[301]'\n",
        ),
        ("pages/01.home/default.en.md", "---\ntitle: Home\n---\n"),
        ("pages/01.home/default.fr.md", "---\ntitle: Accueil\n---\n"),
        ("pages/02.about/default.en.md", "---\ntitle: About\n---\n"),
        (
            "pages/03.contact/default.en.md",
            "---\ntitle: Contact\n---\n",
        ),
        ("pages/06.blog/blog.en.md", "---\ntitle: Blog\n---\n"),
        (
            "pages/06.blog/placeholder/default.en.md",
            "---\nslug: all\nredirect: /blog\n---\n",
        ),
        ("pages/07.projects/UserFrosting/default.en.md", "UF\n"),
    ];

    #[test]
    fn a_trailing_slash_redirects_to_the_path_without_it_also_under_a_language() {
        let (_dir, site) = site(BILINGUAL);
        assert_eq!(site.resolve("/blog/"), redirect("/blog", 302));
        assert_eq!(site.resolve("/fr/blog/"), redirect("/fr/blog", 302));
        assert_eq!(site.resolve("/nowhere//"), redirect("/nowhere", 302));
        assert_eq!(
            site.resolve_request("/blog/", Some("page=2")),
            redirect("/blog?page=2", 302),
            "the query is kept"
        );
        assert!(
            page_of(&site, "/").is_some(),
            "the root is no trailing slash"
        );
    }

    #[test]
    fn the_trailing_slash_redirect_follows_the_site_options() {
        let (_dir, site) = site(&[
            (
                "config/system.yaml",
                "pages:\n  redirect_trailing_slash: 301\n",
            ),
            ("pages/blog/default.md", "Blog\n"),
        ]);
        assert_eq!(site.resolve("/blog/"), redirect("/blog", 301));
        let (_dir, site) = self::site(&[
            (
                "config/system.yaml",
                "pages:\n  redirect_trailing_slash: false\n",
            ),
            ("pages/blog/default.md", "Blog\n"),
        ]);
        assert!(
            page_of(&site, "/blog/").is_some(),
            "served when switched off"
        );
    }

    #[test]
    fn routes_answer_in_any_letter_case_with_the_canonical_url() {
        let (_dir, site) = site(BILINGUAL);
        let (blog, _) = page_of(&site, "/blog").unwrap();
        assert_eq!(page_of(&site, "/Blog"), Some((blog, "en".into())));
        assert_eq!(page_of(&site, "/FR/BLOG"), Some((blog, "fr".into())));
        let (uf, _) = page_of(&site, "/projects/userfrosting").unwrap();
        assert_eq!(
            page_of(&site, "/projects/UserFrosting"),
            Some((uf, "en".into()))
        );
        assert_eq!(
            site.page_url(uf, "en").as_deref(),
            Some("/projects/userfrosting")
        );
    }

    #[test]
    fn mixed_case_folders_keep_their_case_without_force_lowercase_urls() {
        let (_dir, site) = site(&[
            ("config/system.yaml", "force_lowercase_urls: false\n"),
            ("pages/projects/UserFrosting/default.md", "UF\n"),
        ]);
        let (uf, lang) = page_of(&site, "/projects/userfrosting").unwrap();
        assert_eq!(
            site.page_url(uf, &lang).as_deref(),
            Some("/projects/UserFrosting")
        );
    }

    #[test]
    fn the_default_language_prefix_redirects_when_the_site_leaves_it_out() {
        let (_dir, site) = site(BILINGUAL);
        assert_eq!(site.resolve("/en"), redirect("/", 302));
        assert_eq!(site.resolve("/en/about"), redirect("/about", 302));
        assert_eq!(site.resolve("/en/home"), redirect("/", 302));
        assert_eq!(
            site.resolve_request("/en/about", Some("x=1")),
            redirect("/about?x=1", 302)
        );
        assert_eq!(page_of(&site, "/fr").map(|p| p.1).as_deref(), Some("fr"));
    }

    #[test]
    fn a_redirecting_page_with_its_own_slug_redirects_at_its_folder_route_too() {
        let (_dir, site) = site(BILINGUAL);
        assert_eq!(site.resolve("/blog/all"), redirect("/blog", 302));
        assert_eq!(site.resolve("/blog/placeholder"), redirect("/blog", 302));
        assert_eq!(
            site.resolve("/fr/blog/placeholder"),
            redirect("/fr/blog", 302)
        );
    }

    #[test]
    fn site_redirects_keep_the_language_prefix_and_their_order() {
        let (_dir, site) = site(BILINGUAL);
        assert_eq!(site.resolve("/donate"), redirect("/contact", 302));
        assert_eq!(site.resolve("/fr/donate"), redirect("/fr/contact", 302));
        assert_eq!(site.resolve("/old/a/b"), redirect("/new/a/b", 301));
        assert_eq!(
            site.resolve("/fr/old/x"),
            redirect("/fr/new/x", 301),
            "a pattern matched after the prefix"
        );
    }

    #[test]
    fn site_redirects_only_apply_where_no_page_answers() {
        let (_dir, site) = site(&[
            ("config/site.yaml", "redirects:\n  /about: /contact\n"),
            ("pages/about/default.md", "About\n"),
            ("pages/contact/default.md", "Contact\n"),
        ]);
        assert!(page_of(&site, "/about").is_some());
        assert_eq!(
            site.resolve("/about/team"),
            redirect("/contact/team", 302),
            "anchored at the start, the rest kept"
        );
    }

    #[test]
    fn a_page_that_cannot_be_shown_sends_visitors_to_its_first_visible_child() {
        let (_dir, site) = site(&[
            ("pages/01.docs/02.second/default.md", "2\n"),
            ("pages/01.docs/01.first/default.md", "1\n"),
            ("pages/02.hidden/default.md", "---\nroutable: false\n---\n"),
            ("pages/02.hidden/03.child/default.md", "c\n"),
            ("pages/03.lonely/default.md", "---\npublished: false\n---\n"),
            ("pages/03.lonely/unnumbered/default.md", "u\n"),
        ]);
        assert_eq!(site.resolve("/docs"), redirect("/docs/first", 302));
        assert_eq!(site.resolve("/hidden"), redirect("/hidden/child", 302));
        assert_eq!(
            site.resolve("/lonely"),
            Resolved::NotFound {
                lang: String::new()
            },
            "no visible child: 404"
        );
    }

    #[test]
    fn redirect_default_route_sends_other_names_to_the_page_route() {
        let files = |option: &'static str| {
            vec![
                ("config/system.yaml", option),
                ("pages/01.home/default.md", "Home\n"),
                (
                    "pages/02.about/default.md",
                    "---\nroutes:\n  aliases: [/ueber]\n---\n",
                ),
                (
                    "pages/03.keep/default.md",
                    "---\nredirect_default_route: 0\nroutes:\n  aliases: [/k]\n---\n",
                ),
            ]
        };
        let (_dir, site) = site(&files("pages:\n  redirect_default_route: 301\n"));
        assert_eq!(site.resolve("/ueber"), redirect("/about", 301));
        assert_eq!(site.resolve("/About"), redirect("/about", 301));
        assert_eq!(site.resolve("/home"), redirect("/", 301));
        assert!(page_of(&site, "/about").is_some());
        assert!(page_of(&site, "/k").is_some(), "the page's header wins");
        let (_dir, site) = self::site(&files(""));
        assert!(page_of(&site, "/ueber").is_some(), "Grav's default serves");
        assert!(page_of(&site, "/home").is_some());
    }

    #[test]
    fn site_routes_try_the_exact_key_then_the_patterns_from_the_last() {
        let (_dir, site) = site(&[
            (
                "config/site.yaml",
                "routes:\n  /x/(.*): /a\n  /x/(.*)/y: /b\n  /x/1: /c\n",
            ),
            ("pages/a/default.md", "a\n"),
            ("pages/b/default.md", "b\n"),
            ("pages/c/default.md", "c\n"),
        ]);
        let node = |path: &str| page_of(&site, path).unwrap().0;
        assert_eq!(node("/x/1"), node("/c"), "exact key");
        assert_eq!(node("/x/2/y"), node("/b"), "later pattern first");
        assert_eq!(node("/x/2"), node("/a"));
    }

    #[test]
    fn children_of_the_home_page_drop_its_route_with_hide_in_urls() {
        let (_dir, site) = site(&[
            ("config/system.yaml", "home:\n  hide_in_urls: true\n"),
            ("pages/home/default.md", "Home\n"),
            ("pages/home/team/default.md", "Team\n"),
        ]);
        let (team, lang) = page_of(&site, "/team").unwrap();
        assert_eq!(site.page_url(team, &lang).as_deref(), Some("/team"));
        assert_eq!(page_of(&site, "/home/team").map(|p| p.0), Some(team));
    }

    #[test]
    fn redirect_locations_are_percent_encoded_where_headers_need_it() {
        let (_dir, site) = site(&[("pages/über/default.md", "Ü\n")]);
        assert_eq!(site.resolve("/über/"), redirect("/%C3%BCber", 302));
        assert!(page_of(&site, "/über").is_some());
        assert_eq!(encode_location("/a b?x=%20"), "/a%20b?x=%20");
    }

    #[test]
    fn external_targets_are_recognised() {
        for external in ["https://x.org/a", "//x.org", "mailto:a@b.c", "tel:+49"] {
            assert!(is_external(external), "{external}");
        }
        for internal in ["/blog", "blog", "/a:b", "/", ""] {
            assert!(!is_external(internal), "{internal}");
        }
    }
}
