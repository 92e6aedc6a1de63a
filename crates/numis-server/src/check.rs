//! `numis check` as a library function: every problem of the site tree
//! and the map, read from the site folder as the server would read it.
//! The command prints the report ([`CheckReport::print`]); the operator
//! console's configuration page shows it for the running site, so both
//! always agree on what a problem is.

use crate::config::Config;

/// What `numis check` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Warnings about the configuration: what they name still works, so
    /// they do not fail the check.
    pub warnings: Vec<String>,
    /// Problems, each located as `file:line: message` where a line is
    /// known; any problem fails the check.
    pub problems: Vec<String>,
    /// Pages reachable in all languages (the sitemap).
    pub pages: usize,
    /// Map layers the site publishes.
    pub layers: usize,
}

impl CheckReport {
    /// Whether nothing is wrong (warnings allowed).
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The last line `numis check` prints: `ok: …` with the counts, or
    /// how many problems it found.
    pub fn summary(&self, config: &Config) -> String {
        if self.ok() {
            format!(
                "ok: configuration and site {} ({} pages reachable, {} map layers)",
                config.site_dir.display(),
                self.pages,
                self.layers
            )
        } else {
            format!("{} problem(s) found", self.problems.len())
        }
    }
}

/// Checks the site tree and the map of `config.site_dir`. `warnings` are
/// the configuration's (from [`Config::load_reporting`], or
/// [`config_warnings`] for a running server). An `Err` is a site that
/// cannot be read at all (no configuration, unreadable folder).
pub fn run(config: &Config, warnings: Vec<String>) -> numis_cms::Result<CheckReport> {
    let site = numis_cms::Site::load(&config.site_dir)?;
    let mut problems: Vec<String> = site.problems().map(ToString::to_string).collect();
    // Whether the store can be reached is the server's start-up to say;
    // a setting that names no store at all is a problem of the file.
    if let Err(e) = config.store_location() {
        problems.push(e.to_string());
    }
    let layers = match numis_map::catalog::Catalog::load(&config.site_dir) {
        Ok(Some(catalog)) => {
            // The server would serve the map without these layers; the
            // check still names them.
            problems.extend(catalog.source_problems(&config.site_dir));
            catalog.layer_count()
        }
        Ok(None) => 0,
        Err(map_problems) => {
            problems.extend(map_problems);
            0
        }
    };
    Ok(CheckReport {
        warnings,
        problems,
        pages: site.sitemap().len(),
        layers,
    })
}

/// The warnings a running server's configuration would get from
/// `numis check`: unknown `NUMIS_…` variables of this process and
/// deprecated keys.
pub fn config_warnings(config: &Config) -> Vec<String> {
    config.warnings(std::env::vars_os())
}
