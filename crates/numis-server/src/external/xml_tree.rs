//! A small element tree read from an XML document with quick-xml, for
//! documents that are read as a whole and are bounded in size (a WMS's
//! capabilities, at most 5 MB). Names are kept without their namespace
//! prefix: WMS 1.3.0 puts its elements in a namespace, 1.1.1 in none, and
//! providers spell prefixes as they like (`sld:GetLegendGraphic`,
//! `xlink:href`); the local names are what the standard defines.
//!
//! No DTD is read and no entity but XML's own and character references is
//! expanded, so a document cannot make the server fetch anything or grow
//! beyond its size.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// How deep elements may nest; deeper documents are refused (a WMS nests
/// layers a few levels, never hundreds).
pub const MAX_DEPTH: usize = 100;

/// One element: its local name, attributes (local names), text and children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// The name without a namespace prefix.
    pub name: String,
    /// Attributes by local name, as written.
    pub attrs: Vec<(String, String)>,
    /// The element's own text (not its children's), untrimmed.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed.
    #[error("the document is not well-formed XML ({0})")]
    Malformed(String),
    /// No root element.
    #[error("the document has no element")]
    Empty,
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("the document nests elements deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element reached by following `path` from here.
    pub fn find(&self, path: &[&str]) -> Option<&Element> {
        path.iter()
            .try_fold(self, |element, name| element.child(name))
    }

    /// The value of the attribute with local name `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The trimmed text of the child named `name`, or "".
    pub fn text_of(&self, name: &str) -> String {
        self.child(name)
            .map(|c| c.text.trim().to_owned())
            .unwrap_or_default()
    }
}

/// Reads `bytes` as UTF-8, or as ISO-8859-1 when they are not UTF-8 (the
/// one other encoding German authorities' services still declare).
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Parses `text` into its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().expand_empty_elements = true;
    // Open elements; the finished root is popped last.
    let mut open: Vec<Element> = Vec::new();
    let malformed = |e: &dyn std::fmt::Display| XmlError::Malformed(e.to_string());
    loop {
        match reader.read_event().map_err(|e| malformed(&e))? {
            Event::Start(start) => {
                if open.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                open.push(element(&start)?);
            }
            Event::End(_) => {
                let done = open.pop().ok_or(XmlError::Empty)?;
                match open.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(text) => {
                if let Some(current) = open.last_mut() {
                    current
                        .text
                        .push_str(&text.decode().map_err(|e| malformed(&e))?);
                }
            }
            Event::CData(data) => {
                if let Some(current) = open.last_mut() {
                    current
                        .text
                        .push_str(&data.decode().map_err(|e| malformed(&e))?);
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(current) = open.last_mut() {
                    if let Some(c) = reference.resolve_char_ref().map_err(|e| malformed(&e))? {
                        current.text.push(c);
                    } else {
                        let name = reference.decode().map_err(|e| malformed(&e))?;
                        // Entities a DTD would define are left out, never expanded.
                        if let Some(value) = resolve_predefined_entity(&name) {
                            current.text.push_str(value);
                        }
                    }
                }
            }
            Event::Eof => return Err(XmlError::Empty),
            _ => {}
        }
    }
}

fn element(start: &BytesStart<'_>) -> Result<Element, XmlError> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError::Malformed(e.to_string()))?;
        let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::Malformed(e.to_string()))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element {
        name,
        attrs,
        ..Element::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_dropped_and_references_resolved() {
        let root = parse(
            r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "boom">]>
            <w:r xmlns:w="urn:w" xmlns:xlink="urn:x"><w:a xlink:href="h?a=1&amp;b=2">A &amp; B &#252; &x;</w:a><b/></w:r>"#,
        )
        .unwrap();
        assert_eq!(root.name, "r");
        let a = root.child("a").unwrap();
        assert_eq!(a.attr("href"), Some("h?a=1&b=2"));
        assert_eq!(a.text, "A & B ü ");
        assert!(root.child("b").is_some());
    }

    #[test]
    fn broken_and_deep_documents_are_refused() {
        assert!(matches!(parse("<a><b></a>"), Err(XmlError::Malformed(_))));
        assert_eq!(parse(""), Err(XmlError::Empty));
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(&deep), Err(XmlError::TooDeep));
    }

    #[test]
    fn latin1_is_read_when_the_bytes_are_not_utf8() {
        assert_eq!(decode(b"Gew\xe4sser"), "Gewässer");
        assert_eq!(decode("Gewässer".as_bytes()), "Gewässer");
    }
}
