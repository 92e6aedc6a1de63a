//! A loaded site: the page tree, one route table per language, the
//! translations and the templates, and a cache of rendered pages.
//!
//! A [`Site`] is immutable once loaded; to pick up edits the caller loads a
//! new one and swaps it in (numis-server does so when files change).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::NaiveDateTime;
use minijinja::Environment;
use serde_json::{Value, json};

use crate::config::SiteConfig;
use crate::error::{CmsError, Result};
use crate::frontmatter::{PageFile, header_str, parse_date};
use crate::lang::Lang;
use crate::markdown;
use crate::routes::RouteTable;
use crate::theme::{self, FALLBACK_TEMPLATE, account_url, data_url, join_url, map_url};
use crate::translate::Translations;
use crate::tree::{PageNode, PageTree};

/// What a request path leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Render page `node` in `lang`.
    Page {
        /// Index of the page in the tree.
        node: usize,
        /// Language code (`""` on single-language sites).
        lang: String,
    },
    /// Answer with a redirect.
    Redirect {
        /// Target URL.
        location: String,
        /// HTTP status.
        status: u16,
    },
    /// No such page; `lang` is the language to say so in.
    NotFound {
        /// Language code.
        lang: String,
    },
}

/// A rendered page.
#[derive(Debug)]
pub struct RenderedPage {
    /// The HTML document.
    pub html: String,
    /// When its source file last changed.
    pub modified: Option<SystemTime>,
}

/// Why a page cannot be shown although it exists.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// Its file could not be read or parsed (broken front matter…).
    #[error("{0}")]
    Broken(String),
    /// A template failed.
    #[error("{0}")]
    Template(String),
}

/// A Grav `user/` tree, loaded and ready to answer requests.
pub struct Site {
    root: PathBuf,
    pub(crate) config: SiteConfig,
    pub(crate) tree: PageTree,
    /// Languages in order; `[""]` on single-language sites.
    langs: Vec<String>,
    pub(crate) tables: HashMap<String, RouteTable>,
    translations: Arc<Translations>,
    env: Environment<'static>,
    cache: Mutex<HashMap<(usize, String), Arc<RenderedPage>>>,
    template_problems: Vec<CmsError>,
    /// The header links "Mein NUMIS" (accounts are switched on).
    accounts: bool,
}

/// Legal and help pages the theme's footer links — each only where the
/// tree has it (a page the tree lacks would answer 404). The first route
/// of each entry that the tree has wins.
const FOOTER_PAGES: &[(&str, &[&str])] = &[
    (
        "PAGES.IMPRINT",
        &["/impressum", "/imprint", "/legal-notice"],
    ),
    ("PAGES.PRIVACY", &["/datenschutz", "/privacy"]),
    ("PAGES.TERMS", &["/nutzungshinweise", "/terms"]),
    ("PAGES.HELP", &["/hilfe", "/help"]),
];

impl Site {
    /// Loads the site whose `user/`-style root is `root` (it holds `pages/`,
    /// `config/`, `languages/`, `templates/`).
    ///
    /// Broken page files do not fail the load: they are listed by
    /// [`Site::problems`] and their pages answer with [`PageError::Broken`].
    pub fn load(root: &Path) -> Result<Self> {
        let config = SiteConfig::load(root)?;
        let tree = PageTree::read(&root.join("pages"), &config.languages.supported)?;
        let translations =
            Arc::new(Translations::load(&root.join("languages"))?.with_theme_strings()?);
        let langs = if config.languages.is_multilingual() {
            config.languages.supported.clone()
        } else {
            vec![String::new()]
        };
        let tables = langs
            .iter()
            .map(|lang| (lang.clone(), RouteTable::build(&tree, &config, lang)))
            .collect();
        let env = theme::environment(
            root.join("templates"),
            translations.clone(),
            config.default_lang.clone(),
        );
        let template_problems = check_templates(&env, root);
        Ok(Self {
            root: root.to_owned(),
            config,
            tree,
            langs,
            tables,
            translations,
            env,
            cache: Mutex::new(HashMap::new()),
            template_problems,
            accounts: false,
        })
    }

    /// The same site, its header linking the account pages ("Mein
    /// NUMIS") when `on`. Set before the first page is rendered.
    pub fn with_accounts(mut self, on: bool) -> Self {
        self.accounts = on;
        self
    }

    /// The theme's or the site's text of `key` in `lang` (the key itself
    /// when no layer has it), as templates' `t('KEY')` reads it.
    pub fn text(&self, lang: Lang, key: &str) -> String {
        self.translations
            .translate(lang.as_str(), Some(&self.config.default_lang), key)
            .to_owned()
    }

    /// Renders one of numis' own pages (the account pages) in the theme:
    /// template `template` with `page` (at least a `title`) as the page,
    /// in `lang`. `alternates` are the same page's addresses in every
    /// language, for the language switch.
    pub fn render_app(
        &self,
        lang: Lang,
        template: &str,
        page: Value,
        alternates: &[(Lang, String)],
    ) -> std::result::Result<String, PageError> {
        let code = lang.as_str();
        // On a site with one language its pages (menu, footer) are the
        // only ones, whatever language numis' own page speaks.
        let site_lang = if self.langs.iter().any(|l| l == code) {
            code
        } else {
            self.langs.first().map_or("", String::as_str)
        };
        let mut context = self.base_context(site_lang, None, page, Value::Null);
        context["lang"] = Value::from(code);
        context["lang_prefix"] = Value::from(if lang == Lang::En { "/en" } else { "" });
        context["map_url"] = Value::from(map_url(lang));
        context["data_url"] = Value::from(data_url(lang));
        context["account_url"] = Value::from(self.accounts.then(|| account_url(lang)));
        context["languages"] = Value::from(
            alternates
                .iter()
                .map(|(l, url)| {
                    json!({ "code": l.as_str(), "name": language_name(l.as_str()), "url": url, "active": *l == lang })
                })
                .collect::<Vec<_>>(),
        );
        theme::render(
            &self.env,
            template,
            minijinja::Value::from_serialize(&context),
        )
        .map_err(|e| PageError::Template(format!("{template}: {e:#}")))
    }

    /// The site's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The site configuration.
    pub fn config(&self) -> &SiteConfig {
        &self.config
    }

    /// Every problem found while loading: broken page files, configuration
    /// and templates. Empty for a healthy site.
    pub fn problems(&self) -> impl Iterator<Item = &CmsError> {
        self.tree.problems.iter().chain(&self.template_problems)
    }

    /// The default language (`""` on single-language sites).
    pub fn default_lang(&self) -> &str {
        self.config.languages.default.as_deref().unwrap_or("")
    }

    /// The URL of page `node` in `lang`, if it is routable and live there.
    pub fn page_url(&self, node: usize, lang: &str) -> Option<String> {
        let page = self.tables.get(lang)?.pages.get(node)?.as_ref()?;
        let now = chrono::Local::now().naive_local();
        (page.routable && page.is_live(now))
            .then(|| join_url(&self.config.languages.prefix(lang), &page.route))
    }

    /// Every URL a crawler should know: each live, routable page in each
    /// language (redirecting pages left out).
    pub fn sitemap(&self) -> Vec<String> {
        let mut urls = Vec::new();
        for lang in &self.langs {
            let Some(table) = self.tables.get(lang) else {
                continue;
            };
            for (node, page) in table.pages.iter().enumerate() {
                if page.as_ref().is_some_and(|p| p.redirect.is_some()) {
                    continue;
                }
                if let Some(url) = self.page_url(node, lang) {
                    urls.push(url);
                }
            }
        }
        urls.sort();
        urls.dedup();
        urls
    }

    /// Renders page `node` in `lang` (cached until the site is reloaded).
    pub fn render(
        &self,
        node: usize,
        lang: &str,
    ) -> std::result::Result<Arc<RenderedPage>, PageError> {
        let key = (node, lang.to_owned());
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(hit);
        }
        let rendered = Arc::new(self.render_uncached(node, lang)?);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, rendered.clone());
        }
        Ok(rendered)
    }

    fn render_uncached(
        &self,
        node: usize,
        lang: &str,
    ) -> std::result::Result<RenderedPage, PageError> {
        let (page_node, file, page_file) = self.page_file(node, lang)?;
        let header = &page_file.header;
        let template = header_str(header, "template").unwrap_or_else(|| file.template.clone());
        let page = json!({
            "title": self.title(page_node, header, lang),
            "content": markdown::to_html(&strip_summary_separator(&page_file.body)),
            "route": self.tables.get(lang).and_then(|t| t.pages[node].as_ref()).map(|p| p.route.clone()),
            "url": self.page_url(node, lang),
            "canonical": self.canonical(node, lang, header),
            "template": template,
            "header": header,
            "children": self.collection(node, lang, header),
            "modules": self.modules(node, lang),
            "date": header.get("date").and_then(parse_date).map(|d| d.format("%d.%m.%Y").to_string()),
            "taxonomy": header.get("taxonomy").cloned().unwrap_or(Value::Null),
        });
        let context = self.base_context(lang, Some(node), page, Value::Null);
        let name = format!("{template}.html.twig");
        let name = if theme::has_template(&self.env, &name) {
            name
        } else {
            format!("{FALLBACK_TEMPLATE}.html.twig")
        };
        let html = theme::render(&self.env, &name, minijinja::Value::from_serialize(&context))
            .map_err(|e| PageError::Template(format!("{name}: {e:#}")))?;
        Ok(RenderedPage {
            html,
            modified: file.modified,
        })
    }

    /// Renders the error page in `lang` (never fails: a plain page is the
    /// last resort).
    pub fn render_error(&self, lang: &str, status: u16, message: &str) -> String {
        let error = json!({ "status": status, "message": message });
        let page =
            json!({ "title": message, "content": "", "children": [], "modules": [], "header": {} });
        let context = self.base_context(lang, None, page, error);
        theme::render(&self.env, "error.html.twig", minijinja::Value::from_serialize(&context)).unwrap_or_else(|e| {
            tracing::error!(error = %e, "error template failed");
            format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{status}</title></head><body><h1>{status}</h1><p>{}</p></body></html>",
                theme::escape_html(message)
            )
        })
    }

    fn page_file(
        &self,
        node: usize,
        lang: &str,
    ) -> std::result::Result<(&PageNode, &crate::tree::LangFile, &PageFile), PageError> {
        let missing = || PageError::Broken(format!("page {node} has no file in language {lang:?}"));
        let page_node = self.tree.nodes.get(node).ok_or_else(missing)?;
        let route = self
            .tables
            .get(lang)
            .and_then(|t| t.pages.get(node))
            .and_then(Option::as_ref)
            .ok_or_else(missing)?;
        let file = page_node.files.get(route.file).ok_or_else(missing)?;
        let content = file
            .content
            .as_ref()
            .map_err(|e| PageError::Broken(e.clone()))?;
        Ok((page_node, file, content))
    }

    /// The language texts are written in: `lang`, or on a single-language
    /// site the configured text language.
    fn text_lang<'a>(&'a self, lang: &'a str) -> &'a str {
        if lang.is_empty() {
            &self.config.default_lang
        } else {
            lang
        }
    }

    /// The language of numis' own pages (the map) for a page in `lang`:
    /// English for English pages, German for all others.
    fn theme_lang(&self, lang: &str) -> Lang {
        Lang::from_query(Some(self.text_lang(lang)))
    }

    /// The home page in `lang`; the map when the tree has no home page.
    fn home_url(&self, lang: &str) -> String {
        self.tables
            .get(lang)
            .and_then(|t| t.find("/"))
            .and_then(|target| self.page_url(target.node(), lang))
            .unwrap_or_else(|| map_url(self.theme_lang(lang)).to_owned())
    }

    /// The theme's footer links to the legal and help pages the tree has
    /// in `lang`: title and URL.
    fn footer_links(&self, lang: &str) -> Vec<Value> {
        let Some(table) = self.tables.get(lang) else {
            return Vec::new();
        };
        FOOTER_PAGES
            .iter()
            .filter_map(|(key, routes)| {
                let url = routes.iter().find_map(|route| {
                    let node = table.find(route)?.node();
                    self.page_url(node, lang)
                })?;
                Some(json!({ "title": self.translate(lang, key), "url": url }))
            })
            .collect()
    }

    fn translate(&self, lang: &str, text: &str) -> String {
        self.translations
            .translate(self.text_lang(lang), Some(&self.config.default_lang), text)
            .to_owned()
    }

    fn title(&self, node: &PageNode, header: &Value, lang: &str) -> String {
        match header_str(header, "title") {
            Some(title) => self.translate(lang, &title),
            None => titleize(&node.folder_slug),
        }
    }

    fn canonical(&self, node: usize, lang: &str, header: &Value) -> Option<String> {
        header
            .get("routes")
            .and_then(|r| header_str(r, "canonical"))
            .map(|c| {
                join_url(
                    &self.config.languages.prefix(lang),
                    &crate::config::normalise_route(&c),
                )
            })
            .or_else(|| self.page_url(node, lang))
    }

    /// `content.items: '@self.children'` lists the child pages, ordered as
    /// `content.order` says (folder order by default).
    fn collection(&self, node: usize, lang: &str, header: &Value) -> Vec<Value> {
        let content = header.get("content");
        let items = content.and_then(|c| c.get("items"));
        let wants_children = match items {
            Some(Value::String(s)) => s.contains("@self.children") || s.contains("@page.children"),
            Some(Value::Object(m)) => m.keys().any(|k| k.contains("children")),
            _ => false,
        };
        if !wants_children {
            return Vec::new();
        }
        let mut children: Vec<(usize, Option<NaiveDateTime>, String)> = self.tree.nodes[node]
            .children
            .iter()
            .filter_map(|&child| {
                let url = self.page_url(child, lang)?;
                let (_, _, file) = self.page_file(child, lang).ok()?;
                Some((child, file.header.get("date").and_then(parse_date), url))
            })
            .collect();
        let order = content.and_then(|c| c.get("order"));
        if order.and_then(|o| header_str(o, "by")).as_deref() == Some("date") {
            children.sort_by_key(|(_, date, _)| *date);
        }
        if order.and_then(|o| header_str(o, "dir")).as_deref() == Some("desc") {
            children.reverse();
        }
        children
            .into_iter()
            .filter_map(|(child, date, url)| {
                let (child_node, _, file) = self.page_file(child, lang).ok()?;
                Some(json!({
                    "title": self.title(child_node, &file.header, lang),
                    "url": url,
                    "date": date.map(|d| d.format("%d.%m.%Y").to_string()),
                    "summary": summary(&file.body),
                }))
            })
            .collect()
    }

    /// The `_module` children, rendered for a modular parent.
    fn modules(&self, node: usize, lang: &str) -> Vec<Value> {
        self.tree.nodes[node]
            .children
            .iter()
            .filter(|&&child| self.tree.nodes[child].modular)
            .filter_map(|&child| {
                let (child_node, file, content) = self.page_file(child, lang).ok()?;
                Some(json!({
                    "template": header_str(&content.header, "template").unwrap_or_else(|| file.template.clone()),
                    "title": self.title(child_node, &content.header, lang),
                    "content": markdown::to_html(&content.body),
                    "header": content.header,
                }))
            })
            .collect()
    }

    /// The main menu in `lang`: (title, URL) of every visible top-level
    /// page, for pages the theme does not render (the map viewer).
    pub fn menu(&self, lang: &str) -> Vec<(String, String)> {
        self.menu_nodes(lang)
            .into_iter()
            .map(|(_, title, url)| (title, url))
            .collect()
    }

    fn menu_nodes(&self, lang: &str) -> Vec<(usize, String, String)> {
        let now = chrono::Local::now().naive_local();
        let table = self.tables.get(lang);
        self.tree
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.parent.is_none())
            .filter_map(|(i, n)| {
                let route = table?.pages.get(i)?.as_ref()?;
                if !(route.visible && route.routable && route.is_live(now)) {
                    return None;
                }
                let (_, _, file) = self.page_file(i, lang).ok()?;
                let title = header_str(&file.header, "menu")
                    .map(|m| self.translate(lang, &m))
                    .unwrap_or_else(|| self.title(n, &file.header, lang));
                Some((i, title, self.page_url(i, lang)?))
            })
            .collect()
    }

    fn base_context(&self, lang: &str, node: Option<usize>, page: Value, error: Value) -> Value {
        let prefix = self.config.languages.prefix(lang);
        let active_top = node.map(|mut n| {
            while let Some(parent) = self.tree.nodes[n].parent {
                n = parent;
            }
            n
        });
        let menu: Vec<Value> = self
            .menu_nodes(lang)
            .into_iter()
            .map(|(i, title, url)| json!({ "title": title, "url": url, "active": active_top == Some(i) }))
            .collect();
        let languages: Vec<Value> = if self.config.languages.is_multilingual() {
            self.langs
                .iter()
                .map(|l| {
                    let url = node
                        .and_then(|n| self.page_url(n, l))
                        .unwrap_or_else(|| join_url(&self.config.languages.prefix(l), "/"));
                    json!({ "code": l, "name": language_name(l), "url": url, "active": l == lang })
                })
                .collect()
        } else {
            Vec::new()
        };
        json!({
            "lang": self.text_lang(lang),
            "lang_prefix": prefix,
            "map_url": map_url(self.theme_lang(lang)),
            "data_url": data_url(self.theme_lang(lang)),
            "home_url": self.home_url(lang),
            "footer": self.footer_links(lang),
            "site": {
                "title": self.config.title,
                "description": self.config.description,
                "author": self.config.author,
            },
            "page": page,
            "menu": menu,
            "languages": languages,
            "error": error,
            "asset_base": "/assets",
            "account_url": self.accounts.then(|| account_url(self.theme_lang(lang))),
        })
    }
}

fn check_templates(env: &Environment<'static>, root: &Path) -> Vec<CmsError> {
    let mut names: Vec<String> = ["base", "default", "modular", "error"]
        .iter()
        .map(|n| format!("{n}.html.twig"))
        .collect();
    if let Ok(entries) = std::fs::read_dir(root.join("templates")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".twig") && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
        .into_iter()
        .filter_map(|name| {
            env.get_template(&name).err().map(|e| CmsError::Template {
                name,
                message: format!("{e:#}"),
            })
        })
        .collect()
}

/// Grav's summary delimiter `===` on a line of its own is not content.
fn strip_summary_separator(body: &str) -> String {
    if !body.lines().any(|l| l.trim() == "===") {
        return body.to_owned();
    }
    body.lines()
        .filter(|l| l.trim() != "===")
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first paragraph of plain text, for collection listings.
fn summary(body: &str) -> String {
    let before_separator = body.split("\n===").next().unwrap_or(body);
    let paragraph = before_separator
        .split("\n\n")
        .map(str::trim)
        .find(|p| {
            !p.is_empty() && !p.starts_with('#') && !p.starts_with('!') && !p.starts_with('<')
        })
        .unwrap_or_default();
    let mut text: String = paragraph
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`'))
        .collect();
    if text.chars().count() > 300 {
        text = text.chars().take(300).collect::<String>() + "…";
    }
    text
}

fn titleize(slug: &str) -> String {
    let words = slug.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn language_name(code: &str) -> String {
    match code {
        "de" => "Deutsch",
        "en" => "English",
        "fr" => "Français",
        "es" => "Español",
        "it" => "Italiano",
        "nl" => "Nederlands",
        "nb" => "Norsk bokmål",
        "pl" => "Polski",
        "el" => "Ελληνικά",
        other => other,
    }
    .to_owned()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes `files` (path, content) below a temp folder and loads it.
    pub(crate) fn site(files: &[(&str, &str)]) -> (tempfile::TempDir, Site) {
        let dir = tempfile::tempdir().unwrap();
        for (path, content) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("pages")).unwrap();
        let site = Site::load(dir.path()).unwrap();
        (dir, site)
    }

    fn is_page(site: &Site, path: &str) -> bool {
        matches!(site.resolve(path), Resolved::Page { .. })
    }

    #[test]
    fn publishing_dates_and_flags_decide_what_answers() {
        let (_dir, site) = site(&[
            ("pages/01.home/default.md", "---\ntitle: Home\n---\n"),
            (
                "pages/02.past/default.md",
                "---\npublish_date: 2001-01-01\n---\n",
            ),
            (
                "pages/03.future/default.md",
                "---\npublish_date: 2999-01-01\n---\n",
            ),
            (
                "pages/04.expired/default.md",
                "---\nunpublish_date: 2001-01-01\n---\n",
            ),
            ("pages/05.draft/default.md", "---\npublished: false\n---\n"),
            (
                "pages/06.internal/default.md",
                "---\nroutable: false\n---\n",
            ),
            ("pages/07.modular/_part/default.md", "Teil\n"),
            ("pages/08.empty/09.child/default.md", "Kind\n"),
        ]);
        assert!(is_page(&site, "/"));
        assert!(is_page(&site, "/home"), "the home alias route answers too");
        assert!(is_page(&site, "/past"));
        for hidden in [
            "/future",
            "/expired",
            "/draft",
            "/internal",
            "/modular/part",
            "/empty",
        ] {
            assert!(!is_page(&site, hidden), "{hidden} must not answer");
        }
        assert!(
            is_page(&site, "/empty/child"),
            "children of folders without a file route normally"
        );
    }

    #[test]
    fn slugs_routes_aliases_and_redirects_follow_the_front_matter() {
        let (_dir, site) = site(&[
            ("pages/01.home/default.md", "---\ntitle: Home\n---\n"),
            ("pages/02.ueber/default.md", "---\nslug: about-us\n---\n"),
            ("pages/02.ueber/01.team/default.md", "Team\n"),
            (
                "pages/03.x/default.md",
                "---\nroutes:\n  default: /kontakt\n  canonical: /kontakt\n  aliases: [/contact, /reach-us]\n---\n",
            ),
            (
                "pages/04.alt/default.md",
                "---\nredirect: '/kontakt[301]'\n---\n",
            ),
            (
                "config/site.yaml",
                "redirects:\n  /old/(.*): /new/$1\nroutes:\n  /team: /about-us/team\n",
            ),
        ]);
        assert!(is_page(&site, "/about-us"));
        assert!(
            is_page(&site, "/about-us/team"),
            "children follow the parent's slug"
        );
        assert!(
            is_page(&site, "/kontakt") && is_page(&site, "/contact") && is_page(&site, "/reach-us")
        );
        assert!(is_page(&site, "/x"), "the folder route still answers");
        assert_eq!(
            site.resolve("/alt"),
            Resolved::Redirect {
                location: "/kontakt".into(),
                status: 301
            }
        );
        assert_eq!(
            site.resolve("/old/page"),
            Resolved::Redirect {
                location: "/new/page".into(),
                status: 302
            }
        );
        assert!(
            is_page(&site, "/team"),
            "a site route alias answers with its target"
        );
        assert!(
            is_page(&site, "/About-Us"),
            "routes are matched in any letter case"
        );
        assert_eq!(
            site.resolve("/About-Us/"),
            Resolved::Redirect {
                location: "/About-Us".into(),
                status: 302
            },
            "a trailing slash redirects to the path without it, as in Grav"
        );
    }

    #[test]
    fn languages_fall_back_to_the_default_and_translate_titles() {
        let (_dir, site) = site(&[
            (
                "config/site.yaml",
                "languages:\n  supported: [de, en]\n  include_default_lang: false\n",
            ),
            ("languages/de.yaml", "PAGES:\n  PRIVACY: Datenschutz\n"),
            ("languages/en.yaml", "PAGES:\n  PRIVACY: Privacy\n"),
            (
                "pages/01.home/default.de.md",
                "---\ntitle: Start\n---\nHallo\n",
            ),
            (
                "pages/01.home/default.en.md",
                "---\ntitle: Home\n---\nHello\n",
            ),
            (
                "pages/datenschutz/default.de.md",
                "---\ntitle: PAGES.PRIVACY\nvisible: true\n---\nNur deutsch.\n",
            ),
        ]);
        let Resolved::Page { node, lang } = site.resolve("/en/datenschutz") else {
            panic!("fallback page")
        };
        assert_eq!(lang, "en");
        let html = &site.render(node, &lang).unwrap().html;
        assert!(
            html.contains("<title>Privacy"),
            "key translated in the request's language"
        );
        assert!(
            html.contains("Nur deutsch."),
            "content falls back to the default language"
        );
        let Resolved::Page { node, lang } = site.resolve("/") else {
            panic!("home")
        };
        assert!(site.render(node, &lang).unwrap().html.contains("Hallo"));
        let Resolved::Page { node, lang } = site.resolve("/en") else {
            panic!("English home")
        };
        assert!(site.render(node, &lang).unwrap().html.contains("Hello"));
        assert_eq!(
            site.sitemap(),
            vec!["/", "/datenschutz", "/en", "/en/datenschutz"]
        );
    }

    #[test]
    fn a_broken_page_is_a_problem_but_not_a_load_failure() {
        let (_dir, site) = site(&[
            ("pages/01.ok/default.md", "Gut\n"),
            ("pages/02.broken/default.md", "---\ntitle: [x\n---\n"),
        ]);
        assert_eq!(site.problems().count(), 1);
        let Resolved::Page { node, lang } = site.resolve("/broken") else {
            panic!("still routed")
        };
        assert!(matches!(
            site.render(node, &lang),
            Err(PageError::Broken(_))
        ));
        let Resolved::Page { node, lang } = site.resolve("/ok") else {
            panic!("ok page")
        };
        assert!(site.render(node, &lang).is_ok());
    }
}
