//! Errors of the content layer, each carrying the file it concerns.

use std::path::PathBuf;

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, CmsError>;

/// What can go wrong while reading a Grav page tree or rendering a page.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// A file or folder could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A YAML file (front matter, configuration, language file) is malformed.
    #[error("{path}:{line}: {message}")]
    Yaml {
        /// The file.
        path: PathBuf,
        /// 1-based line in the file (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The site's page tree folder is missing.
    #[error("{0}: no pages folder here (expected a Grav user/ tree with pages/)")]
    NoPages(PathBuf),
    /// A template could not be loaded or rendered.
    #[error("template {name}: {message}")]
    Template {
        /// The template's name.
        name: String,
        /// What the engine reported, with line where it knows one.
        message: String,
    },
    /// A configured redirect or route pattern is not a valid regular expression.
    #[error("{path}: pattern {pattern:?}: {message}")]
    Pattern {
        /// The configuration file.
        path: PathBuf,
        /// The pattern as written.
        pattern: String,
        /// What the regex engine reported.
        message: String,
    },
}

impl CmsError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
