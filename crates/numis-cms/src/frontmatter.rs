//! Splitting a Grav page file into its YAML front matter and Markdown body,
//! and reading the header fields that decide routing and visibility.
//!
//! Grav parses front matter with a lenient YAML parser (`yaml_compat`), so
//! real page trees contain things strict YAML rejects: unquoted values that
//! start with `@` (`items: @self.children`) and tab indentation. We accept
//! both the way Grav does, and report anything else with the file's line.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

use crate::error::{CmsError, Result};

/// A page file split into header and body.
#[derive(Debug, Clone, Default)]
pub struct PageFile {
    /// The front matter as a JSON-like value (an object, possibly empty).
    pub header: Value,
    /// The Markdown after the front matter.
    pub body: String,
}

/// Splits `text` into front matter and body; `path` is only for errors.
pub fn split(path: &Path, text: &str) -> Result<PageFile> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok(PageFile {
            header: Value::Object(Default::default()),
            body: text.to_owned(),
        });
    };
    // The header ends at the next line consisting of `---` alone, or at the
    // end of the file (a page with front matter only and no newline).
    let mut yaml_end = rest.len();
    let mut body_start = rest.len();
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\r', '\n']) == "---" {
            yaml_end = offset;
            body_start = offset + line.len();
            break;
        }
        offset += line.len();
    }
    let yaml = &rest[..yaml_end];
    let header = parse_yaml(path, yaml, 2)?;
    Ok(PageFile {
        header,
        body: rest[body_start..].to_owned(),
    })
}

/// Parses YAML leniently, as Grav does; `first_line` is the line of the
/// file on which the YAML text starts (for error messages).
pub fn parse_yaml(path: &Path, yaml: &str, first_line: usize) -> Result<Value> {
    if yaml.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    let parsed = parse_yaml_ordered(path, yaml, first_line)?;
    let value = serde_json::to_value(&parsed).map_err(|e| CmsError::Yaml {
        path: path.to_owned(),
        line: first_line,
        message: e.to_string(),
    })?;
    Ok(match value {
        Value::Null => Value::Object(Default::default()),
        Value::Object(_) => value,
        _ => {
            return Err(CmsError::Yaml {
                path: path.to_owned(),
                line: first_line,
                message: "front matter must be a mapping of keys to values".into(),
            });
        }
    })
}

/// Parses YAML leniently like [`parse_yaml`], keeping mappings in the
/// order written (JSON objects here are sorted by key; `site.yaml`
/// redirects are tried in the order the operator wrote them).
pub fn parse_yaml_ordered(
    path: &Path,
    yaml: &str,
    first_line: usize,
) -> Result<serde_norway::Value> {
    let strict = serde_norway::from_str::<serde_norway::Value>(yaml);
    let parsed = match strict {
        Ok(value) => value,
        Err(strict_error) => {
            // Grav's compatibility mode: quote `@…` scalars, expand tabs.
            let lenient = lenient_yaml(yaml);
            serde_norway::from_str::<serde_norway::Value>(&lenient).map_err(|_| {
                let line = strict_error
                    .location()
                    .map_or(0, |l| l.line() + first_line - 1);
                CmsError::Yaml {
                    path: path.to_owned(),
                    line,
                    message: yaml_message(&strict_error),
                }
            })?
        }
    };
    Ok(parsed)
}

/// The error text without serde's trailing "at line X column Y", which we
/// replace by the file's own line number.
fn yaml_message(error: &serde_norway::Error) -> String {
    let text = error.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Rewrites what Grav's lenient parser accepts into strict YAML.
fn lenient_yaml(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + 16);
    for line in yaml.lines() {
        let indent_len = line.len() - line.trim_start_matches([' ', '\t']).len();
        let indent = line[..indent_len].replace('\t', "    ");
        let rest = &line[indent_len..];
        out.push_str(&indent);
        out.push_str(&quote_at_scalar(rest));
        out.push('\n');
    }
    out
}

/// `key: @value` → `key: '@value'`, `- @value` → `- '@value'`.
fn quote_at_scalar(line: &str) -> String {
    let split_at = if let Some(item) = line.strip_prefix("- ") {
        Some((line.len() - item.len(), item))
    } else {
        line.find(": ").map(|i| (i + 2, &line[i + 2..]))
    };
    match split_at {
        Some((at, value)) if value.trim_start().starts_with('@') => {
            let value = value.trim();
            format!("{}'{}'", &line[..at], value.replace('\'', "''"))
        }
        _ => line.to_owned(),
    }
}

/// Reads a boolean header field that Grav also accepts as a string or number.
pub fn header_bool(header: &Value, key: &str) -> Option<bool> {
    match header.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_f64() != Some(0.0)),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Some(true),
            "false" | "no" | "off" | "0" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Reads a string header field (numbers are turned into strings).
pub fn header_str(header: &Value, key: &str) -> Option<String> {
    match header.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses a Grav date the way PHP's `strtotime` reads the formats found in
/// real page trees: `13:34 06/07/2017` (US month/day), `2017-06-07 13:34`,
/// `07-06-2017 13:34` (European day-month), plain dates, RFC 3339, and Unix
/// timestamps.
pub fn parse_date(value: &Value) -> Option<NaiveDateTime> {
    if let Some(seconds) = value.as_i64() {
        return chrono::DateTime::from_timestamp(seconds, 0).map(|d| d.naive_utc());
    }
    let text = value.as_str()?.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(d.naive_utc());
    }
    const DATETIME_FORMATS: &[&str] = &[
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%H:%M %m/%d/%Y",
        "%H:%M:%S %m/%d/%Y",
        "%m/%d/%Y %H:%M",
        "%d-%m-%Y %H:%M",
        "%H:%M %d-%m-%Y",
        "%d.%m.%Y %H:%M",
    ];
    for format in DATETIME_FORMATS {
        if let Ok(d) = NaiveDateTime::parse_from_str(text, format) {
            return Some(d);
        }
    }
    const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%m/%d/%Y", "%d-%m-%Y", "%d.%m.%Y"];
    for format in DATE_FORMATS {
        if let Ok(d) = NaiveDate::parse_from_str(text, format) {
            return d.and_hms_opt(0, 0, 0);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_str(text: &str) -> Result<PageFile> {
        split(Path::new("test.md"), text)
    }

    #[test]
    fn a_file_without_front_matter_is_all_body() {
        let page = split_str("# Hello\n").unwrap();
        assert_eq!(page.header, serde_json::json!({}));
        assert_eq!(page.body, "# Hello\n");
    }

    #[test]
    fn front_matter_and_body_are_separated() {
        let page = split_str("---\ntitle: Hallo\nvisible: true\n---\n\nText\n").unwrap();
        assert_eq!(header_str(&page.header, "title").as_deref(), Some("Hallo"));
        assert_eq!(header_bool(&page.header, "visible"), Some(true));
        assert_eq!(page.body, "\nText\n");
    }

    #[test]
    fn front_matter_only_without_trailing_newline_is_accepted() {
        let page = split_str("---\nroutable: false\n---").unwrap();
        assert_eq!(header_bool(&page.header, "routable"), Some(false));
        assert_eq!(page.body, "");
    }

    #[test]
    fn unquoted_at_values_are_read_as_grav_does() {
        let page = split_str(
            "---\ncontent:\n    items: @self.children\n    order:\n        by: date\n---\n",
        )
        .unwrap();
        assert_eq!(page.header["content"]["items"], "@self.children");
    }

    #[test]
    fn tab_indented_lists_are_read_as_grav_does() {
        let page = split_str("---\nfeatures:\n\t- header: Fast\n\t  text: \"yes\"\n---\n").unwrap();
        assert_eq!(page.header["features"][0]["header"], "Fast");
    }

    #[test]
    fn broken_front_matter_names_the_file_line() {
        let error =
            split_str("---\ntitle: ok\nmenu: [unclosed\nother: x\n---\nbody\n").unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with("test.md:"), "{text}");
        let line: usize = text.split(':').nth(1).unwrap().parse().unwrap();
        assert!((3..=5).contains(&line), "line {line} in {text}");
    }

    #[test]
    fn grav_dates_are_parsed_like_strtotime() {
        let d = parse_date(&Value::String("13:34 06/07/2017 ".into())).unwrap();
        assert_eq!(d.to_string(), "2017-06-07 13:34:00");
        let d = parse_date(&Value::String("2030-01-02".into())).unwrap();
        assert_eq!(d.to_string(), "2030-01-02 00:00:00");
        assert!(parse_date(&Value::String("someday".into())).is_none());
    }
}
