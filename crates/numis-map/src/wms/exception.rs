//! WMS service exceptions: the codes of WMS 1.1.1 (annex A.3) and 1.3.0
//! (annex E), and the `ServiceExceptionReport` documents that carry them.
//!
//! This module also holds the small XML helpers the other WMS writers share.

use std::borrow::Cow;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::request::Version;

/// The `code` of a `ServiceException`.
///
/// Version negotiation has no code of its own: in WMS it never fails
/// (WMS 1.3.0, 6.2.4 — GetCapabilities answers with the nearest supported
/// version, see [`Version::negotiate`]), and any other operation with an
/// unsupported `VERSION` is answered with [`ExceptionCode::InvalidParameterValue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExceptionCode {
    /// The request asks for an output format the server does not offer.
    InvalidFormat,
    /// WMS 1.3.0: the CRS is not offered. Written as `InvalidSRS` in 1.1.1.
    InvalidCRS,
    /// WMS 1.1.1: the SRS is not offered. Written as `InvalidCRS` in 1.3.0.
    InvalidSRS,
    /// A requested layer does not exist (or is not visible to the caller).
    LayerNotDefined,
    /// A requested style does not exist for its layer.
    StyleNotDefined,
    /// GetFeatureInfo on a layer that is not queryable.
    LayerNotQueryable,
    /// GetFeatureInfo with I/J (X/Y) outside the map.
    InvalidPoint,
    /// `UPDATESEQUENCE` equals the server's current value.
    CurrentUpdateSequence,
    /// `UPDATESEQUENCE` is newer than the server's current value.
    InvalidUpdateSequence,
    /// A mandatory parameter is missing or empty (OWS common code, used by
    /// MapServer and GeoServer in both WMS versions).
    MissingParameterValue,
    /// A parameter has a value that is not allowed (OWS common code).
    InvalidParameterValue,
    /// The `REQUEST` is not one this server implements.
    OperationNotSupported,
    /// No other code applies, e.g. an internal error. Written without a
    /// `code` attribute, as WMS servers do.
    NoApplicableCode,
}

impl ExceptionCode {
    /// The code as written in a `ServiceExceptionReport` of `version`, or
    /// `None` for [`ExceptionCode::NoApplicableCode`].
    ///
    /// `InvalidCRS` and `InvalidSRS` name the same condition; each version
    /// gets the name its specification defines, so the engine can use either.
    pub fn name(self, version: Version) -> Option<&'static str> {
        Some(match self {
            Self::InvalidFormat => "InvalidFormat",
            Self::InvalidCRS | Self::InvalidSRS => match version {
                Version::V130 => "InvalidCRS",
                Version::V111 => "InvalidSRS",
            },
            Self::LayerNotDefined => "LayerNotDefined",
            Self::StyleNotDefined => "StyleNotDefined",
            Self::LayerNotQueryable => "LayerNotQueryable",
            Self::InvalidPoint => "InvalidPoint",
            Self::CurrentUpdateSequence => "CurrentUpdateSequence",
            Self::InvalidUpdateSequence => "InvalidUpdateSequence",
            Self::MissingParameterValue => "MissingParameterValue",
            Self::InvalidParameterValue => "InvalidParameterValue",
            Self::OperationNotSupported => "OperationNotSupported",
            Self::NoApplicableCode => return None,
        })
    }

    /// The code for an unsupported CRS in `version`.
    pub fn invalid_crs(version: Version) -> Self {
        match version {
            Version::V130 => Self::InvalidCRS,
            Version::V111 => Self::InvalidSRS,
        }
    }
}

impl std::fmt::Display for ExceptionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let version = if *self == Self::InvalidSRS {
            Version::V111
        } else {
            Version::V130
        };
        f.write_str(self.name(version).unwrap_or("NoApplicableCode"))
    }
}

/// A WMS service exception: what the client did wrong (or what went wrong
/// on the server), to be answered with [`WmsError::to_xml`] or drawn into
/// an image (`EXCEPTIONS=INIMAGE`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct WmsError {
    /// The exception code.
    pub code: ExceptionCode,
    /// A helpful message: what was wrong and what is allowed.
    pub message: String,
    /// The parameter at fault (`LAYERS`, `BBOX`, …), if any.
    pub locator: Option<String>,
}

/// `application/vnd.ogc.se_xml`, the WMS 1.1.1 exception MIME type.
const SE_XML: &str = "application/vnd.ogc.se_xml";

impl WmsError {
    /// An exception without locator.
    pub fn new(code: ExceptionCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            locator: None,
        }
    }

    /// Names the parameter at fault.
    #[must_use]
    pub fn with_locator(mut self, locator: impl Into<String>) -> Self {
        self.locator = Some(locator.into());
        self
    }

    /// A missing mandatory parameter.
    pub fn missing(parameter: &str, what: &str) -> Self {
        Self::new(
            ExceptionCode::MissingParameterValue,
            format!("missing parameter {parameter}: {what}"),
        )
        .with_locator(parameter)
    }

    /// A parameter with a value that is not allowed.
    pub fn invalid(parameter: &str, message: impl Into<String>) -> Self {
        Self::new(ExceptionCode::InvalidParameterValue, message).with_locator(parameter)
    }

    /// The `ServiceExceptionReport` of `version`.
    ///
    /// WMS 1.3.0 writes the namespaced report of `exceptions_1_3_0.xsd` with
    /// `code` and `locator`; WMS 1.1.1 writes the DTD form, whose
    /// `ServiceException` has only a `code` attribute (the locator is dropped;
    /// messages name the parameter anyway).
    ///
    /// ```
    /// use numis_map::wms::{ExceptionCode, Version, WmsError};
    ///
    /// let error = WmsError::new(ExceptionCode::InvalidCRS, "EPSG:2056 is not offered").with_locator("CRS");
    /// let xml = error.to_xml(Version::V130);
    /// assert!(xml.contains(r#"<ServiceException code="InvalidCRS" locator="CRS">EPSG:2056 is not offered</ServiceException>"#));
    /// assert!(error.to_xml(Version::V111).contains(r#"code="InvalidSRS""#));
    /// ```
    pub fn to_xml(&self, version: Version) -> String {
        let doctype = match version {
            Version::V130 => None,
            Version::V111 => Some(
                r#"ServiceExceptionReport SYSTEM "http://schemas.opengis.net/wms/1.1.1/exception_1_1_1.dtd""#,
            ),
        };
        write_document(doctype, |w| {
            let mut report = w
                .create_element("ServiceExceptionReport")
                .with_attribute(("version", version.as_str()));
            if version == Version::V130 {
                report = report.with_attributes([
                    ("xmlns", "http://www.opengis.net/ogc"),
                    ("xmlns:xsi", XSI),
                    ("xsi:schemaLocation", "http://www.opengis.net/ogc http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd"),
                ]);
            }
            report.write_inner_content(|w| {
                let mut exception = w.create_element("ServiceException");
                if let Some(code) = self.code.name(version) {
                    exception = exception.with_attribute(("code", code));
                }
                if let (Version::V130, Some(locator)) = (version, &self.locator) {
                    exception = exception.with_attribute(("locator", xml_text(locator).as_ref()));
                }
                exception.write_text_content(BytesText::new(&xml_text(self.message.trim())))?;
                Ok(())
            })?;
            Ok(())
        })
    }

    /// The MIME type of [`WmsError::to_xml`]'s output: `text/xml` in WMS
    /// 1.3.0 (6.11), `application/vnd.ogc.se_xml` in WMS 1.1.1 (6.7.2).
    pub fn content_type(version: Version) -> &'static str {
        match version {
            Version::V130 => "text/xml",
            Version::V111 => SE_XML,
        }
    }
}

/// The XML Schema instance namespace.
pub(super) const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The XLink namespace of `OnlineResource`.
pub(super) const XLINK: &str = "http://www.w3.org/1999/xlink";

/// Writes an indented UTF-8 XML document: declaration, optional DOCTYPE
/// (its content without `<!DOCTYPE` and `>`), then whatever `body` writes.
pub(super) fn write_document(
    doctype: Option<&str>,
    body: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>,
) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let result = writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| match doctype {
            Some(doctype) => writer.write_event(Event::DocType(BytesText::from_escaped(doctype))),
            None => Ok(()),
        })
        .and_then(|()| body(&mut writer));
    if let Err(error) = result {
        // `impl io::Write for Vec<u8>` never fails; only a bug gets here.
        unreachable!("writing XML into memory failed: {error}");
    }
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    // Every input is a `&str` and quick-xml writes UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `text` without the characters XML 1.0 forbids (C0 controls other than
/// tab, line feed and carriage return; U+FFFE and U+FFFF). Escaping is left
/// to the writer; this only keeps data from making a document ill-formed.
pub(super) fn xml_text(text: &str) -> Cow<'_, str> {
    fn allowed(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    }
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

/// A coordinate or scale for XML: at most nine decimals, no trailing zeros.
pub(super) fn number(value: f64) -> String {
    let text = format!("{value:.9}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// Test helpers shared by the WMS modules: a small XML tree to check
/// documents by structure, and the shared WMS corpus of real server answers.
#[cfg(test)]
pub(super) mod testing {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    use quick_xml::Reader;
    use quick_xml::events::{BytesStart, Event};

    /// An element with its attributes, text and children.
    #[derive(Debug, Clone, Default)]
    pub struct Element {
        pub name: String,
        pub attributes: Vec<(String, String)>,
        pub text: String,
        pub children: Vec<Element>,
    }

    impl Element {
        pub fn attr(&self, name: &str) -> Option<&str> {
            self.attributes
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        }

        /// The first child called `name`; panics with the children's names if none.
        pub fn child(&self, name: &str) -> &Element {
            self.children
                .iter()
                .find(|c| c.name == name)
                .unwrap_or_else(|| {
                    let names: Vec<&str> = self.children.iter().map(|c| c.name.as_str()).collect();
                    panic!("<{}> has no <{name}>, only {names:?}", self.name)
                })
        }

        pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
            self.children.iter().filter(move |c| c.name == name)
        }

        /// The element at a `/`-separated path of first children.
        pub fn at(&self, path: &str) -> &Element {
            path.split('/')
                .fold(self, |element, name| element.child(name))
        }

        /// The trimmed text at `path`.
        pub fn text_at(&self, path: &str) -> &str {
            self.at(path).text.trim()
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
                    let a = a.unwrap();
                    let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                    let value = quick_xml::escape::unescape(std::str::from_utf8(&a.value).unwrap())
                        .unwrap();
                    (key, value.into_owned())
                })
                .collect();
            let name = String::from_utf8(start.name().as_ref().to_vec()).unwrap();
            Element {
                name,
                attributes,
                ..Element::default()
            }
        }
        let mut reader = Reader::from_str(xml);
        let mut stack = vec![Element::default()];
        loop {
            match reader
                .read_event()
                .unwrap_or_else(|e| panic!("malformed XML: {e}\n{xml}"))
            {
                Event::Start(start) => stack.push(element(&start)),
                Event::Empty(start) => stack.last_mut().unwrap().children.push(element(&start)),
                Event::End(_) => {
                    let done = stack.pop().unwrap();
                    stack.last_mut().unwrap().children.push(done);
                }
                Event::Text(text) => stack
                    .last_mut()
                    .unwrap()
                    .text
                    .push_str(&text.xml10_content().unwrap()),
                Event::CData(text) => stack
                    .last_mut()
                    .unwrap()
                    .text
                    .push_str(&text.decode().unwrap()),
                Event::GeneralRef(reference) => {
                    let c = match reference.resolve_char_ref().unwrap() {
                        Some(c) => c,
                        None => match reference.decode().unwrap().as_ref() {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "quot" => '"',
                            "apos" => '\'',
                            other => panic!("unknown entity &{other};"),
                        },
                    };
                    stack.last_mut().unwrap().text.push(c);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(stack.len(), 1, "unclosed elements");
        let document = stack.pop().unwrap();
        assert_eq!(
            document.children.len(),
            1,
            "a document has one root element"
        );
        document.children.into_iter().next().unwrap()
    }

    /// Every element path (names joined by `/`, runs of nested `Layer`
    /// collapsed into one so trees of any depth compare).
    pub fn paths(root: &Element) -> BTreeSet<String> {
        fn walk(element: &Element, parent: &str, out: &mut BTreeSet<String>) {
            let path = if element.name == "Layer" && parent.ends_with("/Layer") {
                parent.to_string()
            } else if parent.is_empty() {
                element.name.clone()
            } else {
                format!("{parent}/{}", element.name)
            };
            out.insert(path.clone());
            element.children.iter().for_each(|c| walk(c, &path, out));
        }
        let mut out = BTreeSet::new();
        walk(root, "", &mut out);
        out
    }

    /// (parent path, earlier name, later name) for every pair of
    /// differently named siblings, in document order.
    pub fn sibling_orders(root: &Element) -> BTreeSet<(String, String, String)> {
        fn walk(element: &Element, path: &str, out: &mut BTreeSet<(String, String, String)>) {
            for (i, a) in element.children.iter().enumerate() {
                for b in &element.children[i + 1..] {
                    if a.name != b.name {
                        out.insert((path.to_string(), a.name.clone(), b.name.clone()));
                    }
                }
            }
            for child in &element.children {
                let child_path = if child.name == "Layer" && path.ends_with("/Layer") {
                    path.to_string()
                } else {
                    format!("{path}/{}", child.name)
                };
                walk(child, &child_path, out);
            }
        }
        let mut out = BTreeSet::new();
        walk(root, &root.name, &mut out);
        out
    }

    /// The shared WMS corpus folder (`NUMIS_TEST_SHARED_DIR`/corpus/wms, by
    /// default the `shared` folder beside the repository). `None`, after
    /// printing why, when it is missing; with `CI=true` a missing corpus fails.
    pub fn corpus_dir() -> Option<PathBuf> {
        let shared = std::env::var_os("NUMIS_TEST_SHARED_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
        let dir = shared.join("corpus/wms");
        if dir.is_dir() {
            return Some(dir);
        }
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "WMS corpus missing at {}; set NUMIS_TEST_SHARED_DIR to the shared folder",
            dir.display()
        );
        println!(
            "SKIPPED: WMS corpus missing at {} (set NUMIS_TEST_SHARED_DIR to the shared folder)",
            dir.display()
        );
        None
    }

    /// The corpus files whose names start with `prefix` and contain
    /// `marker`, parsed. Bytes before the first `<` (a stray byte-order
    /// mark) are skipped and non-UTF-8 text is read lossily: only the
    /// structure matters here.
    pub fn corpus_documents(prefix: &str, marker: &str) -> Option<Vec<(String, Element)>> {
        let dir = corpus_dir()?;
        let mut documents = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !(name.starts_with(prefix) && name.contains(marker) && name.ends_with(".xml")) {
                continue;
            }
            let bytes = std::fs::read(entry.path()).unwrap();
            let start = bytes.iter().position(|&b| b == b'<').unwrap_or(0);
            let text = String::from_utf8_lossy(&bytes[start..]).into_owned();
            documents.push((name, parse(&text)));
        }
        assert!(
            !documents.is_empty(),
            "no {prefix}*{marker}* documents in {}",
            dir.display()
        );
        documents.sort_by(|a, b| a.0.cmp(&b.0));
        Some(documents)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{corpus_dir, parse};
    use super::*;

    fn crs_error() -> WmsError {
        WmsError::new(ExceptionCode::InvalidCRS, "CRS=EPSG:2056 is not offered").with_locator("CRS")
    }

    #[test]
    fn a_1_3_0_report_has_the_namespaced_form_of_the_corpus() {
        let ours = parse(&crs_error().to_xml(Version::V130));
        assert_eq!(ours.name, "ServiceExceptionReport");
        let exception = ours.child("ServiceException");
        assert_eq!(exception.attr("code"), Some("InvalidCRS"));
        assert_eq!(exception.attr("locator"), Some("CRS"));
        assert_eq!(exception.text, "CRS=EPSG:2056 is not offered");
        let Some(dir) = corpus_dir() else { return };
        let theirs = parse(
            &std::fs::read_to_string(dir.join("exception_mapserver_130_missing_layers.xml"))
                .unwrap(),
        );
        assert_eq!(ours.name, theirs.name);
        for attribute in ["version", "xmlns", "xmlns:xsi", "xsi:schemaLocation"] {
            assert_eq!(ours.attr(attribute), theirs.attr(attribute), "{attribute}");
        }
        assert_eq!(
            theirs.child("ServiceException").attr("code"),
            Some("MissingParameterValue")
        );
    }

    #[test]
    fn a_1_1_1_report_has_the_doctype_of_the_corpus_and_no_locator() {
        let xml = crs_error().to_xml(Version::V111);
        let report = parse(&xml);
        assert_eq!(report.attr("version"), Some("1.1.1"));
        assert_eq!(report.attr("xmlns"), None);
        let exception = report.child("ServiceException");
        assert_eq!(exception.attr("code"), Some("InvalidSRS"));
        assert_eq!(exception.attr("locator"), None);
        let doctype = xml.lines().find(|l| l.starts_with("<!DOCTYPE")).unwrap();
        let Some(dir) = corpus_dir() else { return };
        let theirs =
            std::fs::read_to_string(dir.join("exception_mapserver_111_updatesequence.xml"))
                .unwrap();
        assert!(theirs.lines().any(|l| l == doctype), "{doctype}");
    }

    #[test]
    fn messages_are_escaped_and_cleaned_of_control_characters() {
        let error = WmsError::new(
            ExceptionCode::LayerNotDefined,
            "layer \"<script>alert('x')</script>\" & more\u{1}",
        )
        .with_locator("LAYERS\"><x");
        let xml = error.to_xml(Version::V130);
        assert!(!xml.contains("<script>"), "{xml}");
        let exception = parse(&xml).child("ServiceException").clone();
        assert_eq!(
            exception.text,
            "layer \"<script>alert('x')</script>\" & more"
        );
        assert_eq!(exception.attr("locator"), Some("LAYERS\"><x"));
    }

    #[test]
    fn no_applicable_code_is_written_without_code() {
        let error = WmsError::new(ExceptionCode::NoApplicableCode, "internal error");
        let report = parse(&error.to_xml(Version::V130));
        assert_eq!(report.child("ServiceException").attr("code"), None);
        assert_eq!(report.child("ServiceException").attr("locator"), None);
    }

    #[test]
    fn crs_codes_are_named_as_each_version_defines_them() {
        for code in [ExceptionCode::InvalidCRS, ExceptionCode::InvalidSRS] {
            assert_eq!(code.name(Version::V130), Some("InvalidCRS"));
            assert_eq!(code.name(Version::V111), Some("InvalidSRS"));
        }
        assert_eq!(
            ExceptionCode::invalid_crs(Version::V111),
            ExceptionCode::InvalidSRS
        );
        assert_eq!(
            ExceptionCode::StyleNotDefined.name(Version::V111),
            Some("StyleNotDefined")
        );
    }

    #[test]
    fn content_types_follow_the_version() {
        assert_eq!(WmsError::content_type(Version::V130), "text/xml");
        assert_eq!(
            WmsError::content_type(Version::V111),
            "application/vnd.ogc.se_xml"
        );
    }

    #[test]
    fn errors_display_code_and_message() {
        assert_eq!(
            crs_error().to_string(),
            "InvalidCRS: CRS=EPSG:2056 is not offered"
        );
        assert_eq!(
            WmsError::missing("BBOX", "give the extent").to_string(),
            "MissingParameterValue: missing parameter BBOX: give the extent"
        );
    }

    #[test]
    fn numbers_are_written_short() {
        assert_eq!(number(25000.0), "25000");
        assert_eq!(number(52.123456789123), "52.123456789");
        assert_eq!(number(-0.0000000001), "0");
        assert_eq!(number(0.1 + 0.2), "0.3");
    }
}
