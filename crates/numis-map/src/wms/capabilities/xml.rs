//! The small XML writers every part of a capabilities document uses.

use std::io;

use quick_xml::Writer;
use quick_xml::events::BytesText;

use crate::wms::Version;
use crate::wms::exception::{XLINK, xml_text};

/// The document being written.
pub(super) type W = Writer<Vec<u8>>;

pub(super) fn keywords(w: &mut W, keywords: &[String]) -> io::Result<()> {
    let keywords: Vec<&str> = keywords
        .iter()
        .map(|k| k.trim())
        .filter(|k| !k.is_empty())
        .collect();
    if keywords.is_empty() {
        return Ok(());
    }
    w.create_element("KeywordList")
        .write_inner_content(|w| keywords.iter().try_for_each(|k| text(w, "Keyword", k)))?;
    Ok(())
}

/// An OnlineResource. WMS 1.1.1 declares the XLink namespace on every one
/// (its DTD fixes the attribute there); 1.3.0 declares it on the root.
pub(super) fn online_resource(w: &mut W, v: Version, href: &str) -> io::Result<()> {
    let mut element = w.create_element("OnlineResource");
    if v == Version::V111 {
        element = element.with_attribute(("xmlns:xlink", XLINK));
    }
    element
        .with_attributes([
            ("xlink:type", "simple"),
            ("xlink:href", xml_text(href).as_ref()),
        ])
        .write_empty()?;
    Ok(())
}

pub(super) fn text(w: &mut W, name: &str, content: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_text(content)))?;
    Ok(())
}

pub(super) fn optional_text(w: &mut W, name: &str, content: &str) -> io::Result<()> {
    let content = content.trim();
    if content.is_empty() {
        Ok(())
    } else {
        text(w, name, content)
    }
}

pub(super) fn non_empty_or<'a>(text: &'a str, default: &'a str) -> &'a str {
    let text = text.trim();
    if text.is_empty() { default } else { text }
}
