//! Markdown to HTML: CommonMark with tables, footnotes, strikethrough, task
//! lists and Markdown Extra heading attributes (`## Title {.class #id}`).
//! Headings without an explicit id get one from their text, so every
//! section can be linked. Raw HTML written by the operator is kept: page
//! files are trusted operator content, never user input.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// Renders Markdown to HTML.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, options).collect();
    assign_heading_ids(&mut events);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Gives every heading without an id a unique one derived from its text.
fn assign_heading_ids(events: &mut [Event<'_>]) {
    let mut used: HashSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            let base = slugify(&text);
            let base = if base.is_empty() {
                "section".to_owned()
            } else {
                base
            };
            let mut id = base.clone();
            let mut n = 1;
            while !used.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
                *slot = Some(CowStr::from(id));
            }
            i = j;
        }
        i += 1;
    }
}

/// A URL fragment from heading text: lower case, German umlauts spelled
/// out, everything else that is not a letter or digit becomes `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => slug.push_str("ae"),
            'ö' => slug.push_str("oe"),
            'ü' => slug.push_str("ue"),
            'ß' => slug.push_str("ss"),
            c if c.is_alphanumeric() => slug.push(c),
            _ => {
                if !slug.ends_with('-') {
                    slug.push('-');
                }
            }
        }
    }
    slug.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_footnotes_strikethrough_render() {
        let html = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~alt~~ neu[^1]\n\n[^1]: Quelle\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>alt</del>"), "{html}");
        assert!(html.contains("footnote-definition"), "{html}");
    }

    #[test]
    fn headings_get_ids_and_extra_attributes_are_kept() {
        let html = to_html("## Über uns\n\n## Kontakt {.wichtig #kontakt}\n\n## Über uns\n");
        assert!(html.contains(r#"<h2 id="ueber-uns">"#), "{html}");
        assert!(
            html.contains(r#"<h2 id="kontakt" class="wichtig">"#),
            "{html}"
        );
        assert!(html.contains(r#"<h2 id="ueber-uns-1">"#), "{html}");
    }

    #[test]
    fn operator_html_is_kept() {
        let html = to_html("<div class=\"hinweis\">Text</div>\n");
        assert!(html.contains("<div class=\"hinweis\">Text</div>"), "{html}");
    }
}
