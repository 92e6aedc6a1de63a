//! Reading a Grav page tree from disk: one [`PageNode`] per folder below
//! `pages/`, with one [`PageFile`](crate::frontmatter::PageFile) per
//! language file found in it.
//!
//! Grav's folder rules: `01.home` → order 1, slug `home` (a numeric prefix
//! also makes the page visible in navigation); `_hero` → a module rendered
//! into its parent, never routable; the Markdown file's name (`docs.md`,
//! `docs.de.md`) names the template and, with a supported language code
//! before `.md`, the language.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::SystemTime;

use regex::Regex;
use serde_json::Value;

use crate::error::{CmsError, Result};
use crate::frontmatter::{self, PageFile};

/// Files larger than this are not pages but mistakes; Grav's own docs have
/// a 2 MB page, so the limit is generous.
const MAX_PAGE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One folder of the page tree.
#[derive(Debug, Clone)]
pub struct PageNode {
    /// Folder name without order prefix, lower-cased (Grav's default slug).
    pub folder_slug: String,
    /// Folder name without order prefix and module underscore, in its own
    /// letter case (the slug when `force_lowercase_urls` is false).
    pub folder_name: String,
    /// Numeric order prefix (`01.` → 1), if any.
    pub order: Option<u32>,
    /// A `_module` folder: rendered into its parent, never routable.
    pub modular: bool,
    /// Index of the parent node; `None` for top-level pages.
    pub parent: Option<usize>,
    /// Indexes of child nodes in folder order.
    pub children: Vec<usize>,
    /// One entry per Markdown file in the folder.
    pub files: Vec<LangFile>,
}

/// One Markdown file of a page, in one language.
#[derive(Debug, Clone)]
pub struct LangFile {
    /// Language code from the file name; `""` when it has none.
    pub lang: String,
    /// Template name from the file name (`default`, `docs`, `modular`).
    pub template: String,
    /// The parsed file, or the error that makes this page answer 500.
    pub content: std::result::Result<PageFile, String>,
    /// Modification time, for `Last-Modified`.
    pub modified: Option<SystemTime>,
}

impl LangFile {
    /// The front matter, or an empty mapping when the file is broken.
    pub fn header(&self) -> &Value {
        static EMPTY: LazyLock<Value> = LazyLock::new(|| Value::Object(Default::default()));
        match &self.content {
            Ok(file) => &file.header,
            Err(_) => &EMPTY,
        }
    }
}

/// All folders of a page tree plus the problems found while reading it.
#[derive(Debug, Default)]
pub struct PageTree {
    /// Nodes; children always come after their parent.
    pub nodes: Vec<PageNode>,
    /// Files that could not be read or parsed. The pages concerned still
    /// exist (and answer 500); everything else works.
    pub problems: Vec<CmsError>,
}

static ORDER_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::unwrap_used, reason = "constant pattern")]
    Regex::new(r"^(\d+)\.(.+)$").unwrap()
});

impl PageTree {
    /// Reads `pages_dir` recursively. `languages` are the supported codes:
    /// only those count as language suffixes.
    pub fn read(pages_dir: &Path, languages: &[String]) -> Result<Self> {
        if !pages_dir.is_dir() {
            return Err(CmsError::NoPages(pages_dir.to_owned()));
        }
        let mut tree = PageTree::default();
        tree.read_children(pages_dir, None, languages)?;
        Ok(tree)
    }

    fn read_children(
        &mut self,
        dir: &Path,
        parent: Option<usize>,
        languages: &[String],
    ) -> Result<()> {
        let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| CmsError::io(dir, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .filter(|p| !file_name(p).starts_with('.'))
            .collect();
        folders.sort();
        for folder in folders {
            let index = self.read_node(folder.clone(), parent, languages)?;
            if let Some(parent) = parent {
                self.nodes[parent].children.push(index);
            }
            self.read_children(&folder, Some(index), languages)?;
        }
        Ok(())
    }

    fn read_node(
        &mut self,
        folder: PathBuf,
        parent: Option<usize>,
        languages: &[String],
    ) -> Result<usize> {
        let name = file_name(&folder).to_owned();
        let (order, rest) = match ORDER_PREFIX.captures(&name) {
            Some(c) => (c[1].parse().ok(), c[2].to_owned()),
            None => (None, name.clone()),
        };
        let modular = rest.starts_with('_');
        let folder_name = rest.trim_start_matches('_').to_owned();
        let folder_slug = folder_name.to_lowercase();

        // `frontmatter.yaml` beside the Markdown supplies header defaults.
        let shared_header = self.read_shared_header(&folder);
        let mut files = Vec::new();
        let mut markdown: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|e| CmsError::io(&folder, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "md"))
            .collect();
        markdown.sort();
        for path in markdown {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let (template, lang) = match stem.rsplit_once('.') {
                Some((template, lang)) if languages.iter().any(|l| l == lang) => {
                    (template.to_owned(), lang.to_owned())
                }
                _ => (stem.to_owned(), String::new()),
            };
            let content = self.read_page_file(&path, shared_header.as_ref());
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            files.push(LangFile {
                lang,
                template,
                content,
                modified,
            });
        }
        self.nodes.push(PageNode {
            folder_slug,
            folder_name,
            order,
            modular,
            parent,
            children: Vec::new(),
            files,
        });
        Ok(self.nodes.len() - 1)
    }

    fn read_shared_header(&mut self, folder: &Path) -> Option<Value> {
        let path = folder.join("frontmatter.yaml");
        let text = std::fs::read_to_string(&path).ok()?;
        match frontmatter::parse_yaml(&path, &text, 1) {
            Ok(value) => Some(value),
            Err(e) => {
                self.problems.push(e);
                None
            }
        }
    }

    fn read_page_file(
        &mut self,
        path: &Path,
        shared: Option<&Value>,
    ) -> std::result::Result<PageFile, String> {
        let result = read_limited(path).and_then(|text| frontmatter::split(path, &text));
        match result {
            Ok(mut file) => {
                if let (Some(Value::Object(shared)), Value::Object(own)) =
                    (shared, &mut file.header)
                {
                    for (key, value) in shared {
                        own.entry(key.clone()).or_insert_with(|| value.clone());
                    }
                }
                Ok(file)
            }
            Err(e) => {
                let message = e.to_string();
                tracing::error!(file = %path.display(), error = %message, "page cannot be read");
                self.problems.push(e);
                Err(message)
            }
        }
    }
}

fn read_limited(path: &Path) -> Result<String> {
    let size = std::fs::metadata(path)
        .map_err(|e| CmsError::io(path, e))?
        .len();
    if size > MAX_PAGE_FILE_BYTES {
        return Err(CmsError::Yaml {
            path: path.to_owned(),
            line: 0,
            message: format!(
                "page file is {size} bytes, more than the {MAX_PAGE_FILE_BYTES} bytes allowed"
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| CmsError::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| CmsError::Yaml {
        path: path.to_owned(),
        line: 0,
        message: format!("not UTF-8 text: {e}"),
    })
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}
