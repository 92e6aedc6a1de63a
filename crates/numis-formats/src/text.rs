//! Turning untrusted text into safe names and descriptions.

use std::collections::{HashMap, HashSet};

/// Longest name kept, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Reduces untrusted HTML to `p, br, em, strong, b, i, ul, ol, li, a`, with
/// `href` only for http/https and `rel="noopener noreferrer nofollow"`.
/// Scripts, styles, iframes, event handlers and other URLs are removed.
/// Returns `None` when nothing but whitespace is left.
pub fn sanitize_description(html: &str) -> Option<String> {
    let tags: HashSet<&str> = ["p", "br", "em", "strong", "b", "i", "ul", "ol", "li", "a"].into();
    let tag_attributes: HashMap<&str, HashSet<&str>> = [("a", ["href"].into())].into();
    // Content of these is dropped entirely, not turned into visible text.
    let dropped: HashSet<&str> = [
        "script", "style", "iframe", "noscript", "template", "object", "embed", "svg", "math",
        "title", "textarea", "select",
    ]
    .into();
    let clean = ammonia::Builder::empty()
        .tags(tags)
        .tag_attributes(tag_attributes)
        .clean_content_tags(dropped)
        .url_schemes(["http", "https"].into())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true)
        .clean(html)
        .to_string();
    let trimmed = clean.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// Makes a plain-text name: markup removed, whitespace collapsed, at most
/// [`MAX_NAME_CHARS`] characters. `None` when empty.
pub fn plain_name(text: &str) -> Option<String> {
    let stripped = if text.contains('<') {
        let dropped: HashSet<&str> = ["script", "style", "iframe", "noscript", "template"].into();
        let escaped = ammonia::Builder::empty()
            .clean_content_tags(dropped)
            .clean(text)
            .to_string();
        unescape_html_text(&escaped)
    } else {
        text.to_owned()
    };
    let collapsed = stripped.split_whitespace().collect::<Vec<_>>().join(" ");
    let capped: String = collapsed.chars().take(MAX_NAME_CHARS).collect();
    (!capped.is_empty()).then_some(capped)
}

/// Undoes the escaping ammonia's serializer applies to text nodes.
fn unescape_html_text(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Keeps an icon reference only if it is a relative name or an http(s)
/// URL; `javascript:`, `data:`, `file:` and absolute paths are dropped.
pub fn safe_icon_href(href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.len() > 2048 || href.chars().any(char::is_control) {
        return None;
    }
    let lower = href.to_ascii_lowercase();
    let is_web = lower.starts_with("http://") || lower.starts_with("https://");
    let is_relative = !href.contains(':')
        && !href.starts_with('/')
        && !href.starts_with('\\')
        && !href.split(['/', '\\']).any(|segment| segment == "..");
    (is_web || is_relative).then(|| href.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_keep_safe_markup_and_lose_everything_else() {
        let html = r#"<p onclick="x()">Hi <b>there</b></p><script>alert(1)</script>
            <img src=x onerror="alert(2)"><a href="javascript:alert(3)">js</a>
            <a href="https://example.org/">ok</a><iframe src="https://evil"></iframe>
            <style>p{}</style><ul><li>one</li></ul>"#;
        let clean = sanitize_description(html).unwrap();
        for bad in [
            "script",
            "alert",
            "onerror",
            "onclick",
            "javascript",
            "iframe",
            "style",
            "img",
        ] {
            assert!(!clean.contains(bad), "{bad} left in {clean}");
        }
        assert!(clean.contains("<p>Hi <b>there</b></p>"));
        assert!(clean.contains(
            r#"<a href="https://example.org/" rel="noopener noreferrer nofollow">ok</a>"#
        ));
        assert!(clean.contains("<ul><li>one</li></ul>"));
    }

    #[test]
    fn names_are_plain_collapsed_and_capped() {
        assert_eq!(
            plain_name("  A &amp;\n  <b>B</b> < C ").unwrap(),
            "A & B < C"
        );
        assert_eq!(plain_name("x<script>evil()</script>y").unwrap(), "xy");
        assert_eq!(
            plain_name(&"é".repeat(500)).unwrap().chars().count(),
            MAX_NAME_CHARS
        );
        assert_eq!(plain_name(" \n "), None);
    }

    #[test]
    fn icon_hrefs_are_relative_or_web() {
        assert!(safe_icon_href("files/icon.png").is_some());
        assert!(safe_icon_href("https://example.org/i.png").is_some());
        for bad in [
            "javascript:alert(1)",
            "data:image/png;base64,x",
            "file:///etc/passwd",
            "/etc/x",
            "../x.png",
        ] {
            assert_eq!(safe_icon_href(bad), None, "{bad}");
        }
    }
}
