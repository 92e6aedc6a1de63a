//! A small streaming layer over quick-xml shared by the KML and GPX readers:
//! local names, resolved text, line numbers, and refusal of entity
//! declarations. Nothing is kept beyond the current event.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

use crate::error::{FormatError, Result};

/// An element start (empty elements arrive as start + end).
#[derive(Debug)]
pub(crate) struct Element {
    /// Local name, namespace prefix removed (`gx:Track` → `Track`).
    pub name: String,
    /// Attributes by local name, values unescaped.
    pub attributes: Vec<(String, String)>,
}

impl Element {
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// What the readers see of the XML stream.
#[derive(Debug)]
pub(crate) enum XmlEvent {
    Start(Element),
    End,
    Text(String),
    Eof,
}

/// Nested elements deeper than this are refused, so recursive readers
/// cannot overflow the stack.
pub(crate) const MAX_DEPTH: usize = 64;

pub(crate) struct XmlReader<'a> {
    reader: Reader<&'a [u8]>,
    input: &'a [u8],
    depth: usize,
}

impl<'a> XmlReader<'a> {
    /// `input` must be UTF-8; a byte order mark is skipped.
    pub(crate) fn new(input: &'a [u8]) -> Result<Self> {
        let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
        if std::str::from_utf8(input).is_err() {
            return Err(FormatError::NotUtf8);
        }
        let mut reader = Reader::from_reader(input);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        Ok(XmlReader {
            reader,
            input,
            depth: 0,
        })
    }

    /// 1-based line of the reader's current position.
    pub(crate) fn line(&self) -> u64 {
        line_at(self.input, self.reader.buffer_position())
    }

    /// An error located at the current line.
    pub(crate) fn error(&self, message: impl Into<String>) -> FormatError {
        FormatError::Xml {
            line: self.line(),
            message: message.into(),
        }
    }

    /// "line N: " for messages of other error kinds.
    pub(crate) fn location(&self) -> String {
        format!("line {}: ", self.line())
    }

    pub(crate) fn next(&mut self) -> Result<XmlEvent> {
        loop {
            let event_start = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(err) => {
                    return Err(FormatError::Xml {
                        line: line_at(self.input, self.reader.error_position()),
                        message: describe_xml_error(&err),
                    });
                }
            };
            match event {
                Event::Start(start) => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err(self.error(format!("elements nested deeper than {MAX_DEPTH}")));
                    }
                    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                    let mut attributes = Vec::new();
                    for attribute in start.attributes() {
                        let attribute = attribute.map_err(|e| self.error(e.to_string()))?;
                        let key = String::from_utf8_lossy(attribute.key.local_name().as_ref())
                            .into_owned();
                        let value = attribute
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|e| self.error(format!("attribute {key}: {e}")))?
                            .into_owned();
                        attributes.push((key, value));
                    }
                    return Ok(XmlEvent::Start(Element { name, attributes }));
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(XmlEvent::End);
                }
                Event::Text(text) => {
                    let text = text.xml10_content().map_err(|_| FormatError::NotUtf8)?;
                    return Ok(XmlEvent::Text(text.into_owned()));
                }
                Event::CData(cdata) => {
                    let text = cdata.xml10_content().map_err(|_| FormatError::NotUtf8)?;
                    return Ok(XmlEvent::Text(text.into_owned()));
                }
                Event::GeneralRef(reference) => {
                    if let Some(c) = reference
                        .resolve_char_ref()
                        .map_err(|e| self.error(e.to_string()))?
                    {
                        return Ok(XmlEvent::Text(c.to_string()));
                    }
                    let name = String::from_utf8_lossy(reference.as_ref()).into_owned();
                    // Only XML's five predefined entities exist: custom ones
                    // are never expanded (no billion laughs, no external files).
                    return match resolve_predefined_entity(&name) {
                        Some(text) => Ok(XmlEvent::Text(text.to_owned())),
                        None => Err(self.error(format!("undefined entity &{name};"))),
                    };
                }
                Event::DocType(doctype) => {
                    let content = String::from_utf8_lossy(doctype.as_ref()).into_owned();
                    if content.contains("<!ENTITY") {
                        return Err(FormatError::Xml {
                            line: line_at(self.input, event_start),
                            message: "DOCTYPE with entity declarations is refused (entities are never expanded)".to_owned(),
                        });
                    }
                }
                Event::Eof => {
                    if self.depth > 0 {
                        return Err(self.error("unexpected end of file: unclosed element"));
                    }
                    return Ok(XmlEvent::Eof);
                }
                // Not produced: empty elements are expanded into start + end.
                Event::Empty(_) => {}
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            }
        }
    }

    /// After a start event: consumes everything up to its end.
    pub(crate) fn skip(&mut self) -> Result<()> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                XmlEvent::Start(_) => depth += 1,
                XmlEvent::End => depth -= 1,
                XmlEvent::Text(_) => {}
                XmlEvent::Eof => return Err(self.error("unexpected end of file")),
            }
        }
        Ok(())
    }

    /// After a start event: the concatenated text up to its end (text of
    /// nested elements included, their tags dropped).
    pub(crate) fn text(&mut self) -> Result<String> {
        let mut depth = 1usize;
        let mut out = String::new();
        while depth > 0 {
            match self.next()? {
                XmlEvent::Start(_) => depth += 1,
                XmlEvent::End => depth -= 1,
                XmlEvent::Text(text) => out.push_str(&text),
                XmlEvent::Eof => return Err(self.error("unexpected end of file")),
            }
        }
        Ok(out)
    }

    /// After a start event: leaf texts below it keyed by relative path,
    /// e.g. `("LineStyle/color", "ff0000ff")`, in document order.
    pub(crate) fn leaves(&mut self) -> Result<Vec<(String, String)>> {
        let mut path: Vec<String> = Vec::new();
        let mut text = String::new();
        let mut out = Vec::new();
        loop {
            match self.next()? {
                XmlEvent::Start(element) => {
                    path.push(element.name);
                    text.clear();
                }
                XmlEvent::Text(t) => text.push_str(&t),
                XmlEvent::End => {
                    if path.is_empty() {
                        return Ok(out);
                    }
                    let key = path.join("/");
                    out.push((key, std::mem::take(&mut text)));
                    path.pop();
                }
                XmlEvent::Eof => return Err(self.error("unexpected end of file")),
            }
        }
    }
}

fn line_at(input: &[u8], position: u64) -> u64 {
    let end = usize::try_from(position)
        .unwrap_or(usize::MAX)
        .min(input.len());
    1 + input[..end].iter().filter(|&&b| b == b'\n').count() as u64
}

fn describe_xml_error(err: &quick_xml::Error) -> String {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    match err {
        quick_xml::Error::Syntax(SyntaxError::UnclosedTag) => "unclosed tag".to_owned(),
        quick_xml::Error::IllFormed(IllFormedError::MissingEndTag(name)) => {
            format!("unclosed element <{name}>")
        }
        quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("expected </{expected}>, found </{found}>")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_text(xml: &str) -> Result<String> {
        let mut reader = XmlReader::new(xml.as_bytes())?;
        let mut out = String::new();
        loop {
            match reader.next()? {
                XmlEvent::Text(t) => out.push_str(&t),
                XmlEvent::Eof => return Ok(out),
                _ => {}
            }
        }
    }

    #[test]
    fn predefined_and_character_references_are_resolved() {
        assert_eq!(
            all_text("<a>x &amp; &#65;&#x42; <![CDATA[<b>]]></a>").unwrap(),
            "x & AB <b>"
        );
    }

    #[test]
    fn entity_declarations_are_refused_with_the_line() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a>&x;</a>";
        let err = all_text(xml).unwrap_err().to_string();
        assert!(err.starts_with("line 2: DOCTYPE with entity"), "{err}");
    }

    #[test]
    fn unclosed_elements_are_reported_with_the_line() {
        let err = all_text("<a>\n<b>\n</a>").unwrap_err().to_string();
        assert!(err.starts_with("line 3:"), "{err}");
        let err = all_text("<a>\n<b>text").unwrap_err().to_string();
        assert!(err.contains("unclosed"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let xml = "<a>".repeat(10_000);
        assert!(
            all_text(&xml)
                .unwrap_err()
                .to_string()
                .contains("nested deeper")
        );
    }
}
