//! A small XML tree for checking documents (capabilities, exceptions,
//! feature info) by structure rather than by text.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// An element with its attributes, text and children. Names keep their
/// prefix (`sld:GetLegendGraphic`).
#[derive(Debug, Clone, Default)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child called `name`, if any.
    pub fn find(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The first child called `name`; panics with the children's names if none.
    pub fn child(&self, name: &str) -> &Element {
        self.find(name).unwrap_or_else(|| {
            let names: Vec<&str> = self.children.iter().map(|c| c.name.as_str()).collect();
            panic!("<{}> has no <{name}>, only {names:?}", self.name)
        })
    }

    /// The children called `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child called `name`, or "".
    pub fn text_of(&self, name: &str) -> &str {
        self.find(name).map_or("", |c| c.text.trim())
    }

    /// All descendants called `name`, depth first.
    pub fn descendants<'a>(&'a self, name: &str) -> Vec<&'a Element> {
        let mut found = Vec::new();
        for child in &self.children {
            if child.name == name {
                found.push(child);
            }
            found.extend(child.descendants(name));
        }
        found
    }
}

/// Parses a document into its root element; panics on malformed XML.
pub fn parse(xml: &str) -> Element {
    fn element(start: &BytesStart) -> Element {
        let attributes = start
            .attributes()
            .map(|a| {
                let a = a.expect("attribute");
                let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                let value = a
                    .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                    .expect("attribute value")
                    .into_owned();
                (key, value)
            })
            .collect();
        Element {
            name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
            attributes,
            ..Element::default()
        }
    }
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Element::default()];
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("malformed XML: {e}\n{xml}"));
        let top = stack.last_mut().expect("open element");
        match event {
            Event::Start(start) => stack.push(element(&start)),
            Event::Empty(start) => top.children.push(element(&start)),
            Event::End(_) => {
                let done = stack.pop().expect("open element");
                stack
                    .last_mut()
                    .unwrap_or_else(|| panic!("unbalanced XML\n{xml}"))
                    .children
                    .push(done);
            }
            Event::Text(text) => top.text.push_str(&text.decode().expect("UTF-8 text")),
            Event::CData(text) => top.text.push_str(&text.decode().expect("UTF-8 text")),
            Event::GeneralRef(reference) => {
                let c = match reference.resolve_char_ref().expect("character reference") {
                    Some(c) => c,
                    None => match reference.decode().expect("entity").as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("unknown entity &{other};"),
                    },
                };
                top.text.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements in\n{xml}");
    let document = stack.pop().expect("document");
    assert_eq!(document.children.len(), 1, "one root element in\n{xml}");
    document.children.into_iter().next().expect("root")
}
