//! Another authority's WMS capabilities (1.3.0 or 1.1.1), read into what
//! the viewer shows before a user adds a layer: the service's title,
//! provider, fees and access constraints, its image formats, and every
//! named layer with title, abstract, CRSs, attribution, legend and
//! geographic extent. Nested layers are listed flat; what the standard
//! lets them inherit (CRSs add up, attribution, extent and `queryable`
//! are taken from the nearest ancestor that has them) is resolved here.
//! An OGC exception document becomes the provider's own message.

use serde::Serialize;

use super::xml_tree::{self, Element, XmlError};

/// A service's capabilities as the viewer receives them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Capabilities {
    /// The service URL numis uses for this service (set by the caller).
    pub url: String,
    /// The WMS version the service answered with.
    pub version: String,
    /// The service's title.
    pub title: String,
    /// The service's abstract.
    #[serde(rename = "abstract")]
    pub abstract_: String,
    /// The providing organisation, or "".
    pub provider: String,
    /// Fees, or "".
    pub fees: String,
    /// Access constraints, or "".
    pub access_constraints: String,
    /// The GetMap formats offered.
    pub formats: Vec<String>,
    /// The named layers, nested ones flattened.
    pub layers: Vec<LayerInfo>,
    /// The service offers GetLegendGraphic (an SLD extension).
    #[serde(skip)]
    pub legend_graphic: bool,
}

/// One named layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerInfo {
    /// The name GetMap asks for.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its abstract.
    #[serde(rename = "abstract")]
    pub abstract_: String,
    /// Its coordinate reference systems, its own and inherited.
    pub crs: Vec<String>,
    /// Whether it answers GetFeatureInfo.
    pub queryable: bool,
    /// Whom to credit, its own or inherited.
    pub attribution: Option<Attribution>,
    /// Whether numis can show a legend for it (a LegendURL, or the
    /// service's GetLegendGraphic).
    pub legend: bool,
    /// Its geographic extent, west, south, east, north in degrees.
    pub bbox: Option<[f64; 4]>,
    /// The LegendURL of its first style that has one.
    #[serde(skip)]
    pub legend_url: Option<String>,
}

/// A layer's attribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribution {
    /// The text to show.
    pub title: String,
    /// The provider's page, or "".
    pub url: String,
}

/// Why no capabilities could be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapabilitiesError {
    /// The service answered with an OGC exception.
    #[error("the service reported an error: {0}")]
    Service(String),
    /// Not XML.
    #[error("the service's answer cannot be read: {0}")]
    Xml(#[from] XmlError),
    /// XML, but no WMS capabilities.
    #[error("the answer is not the capabilities of a WMS (root element {0:?})")]
    NotCapabilities(String),
}

/// The longest provider message passed on.
const MAX_MESSAGE_CHARS: usize = 300;

/// Reads the capabilities in `bytes`.
pub fn read(bytes: &[u8]) -> Result<Capabilities, CapabilitiesError> {
    let root = xml_tree::parse(&xml_tree::decode(bytes))?;
    if let Some(message) = service_exception(&root) {
        return Err(CapabilitiesError::Service(message));
    }
    if !matches!(
        root.name.as_str(),
        "WMS_Capabilities" | "WMT_MS_Capabilities"
    ) {
        return Err(CapabilitiesError::NotCapabilities(root.name.clone()));
    }
    let version = root.attr("version").unwrap_or("1.3.0").to_owned();
    let service = root.child("Service").cloned().unwrap_or_default();
    let provider = service
        .find(&[
            "ContactInformation",
            "ContactPersonPrimary",
            "ContactOrganization",
        ])
        .map(|o| o.text.trim().to_owned())
        .unwrap_or_default();
    let request = root.find(&["Capability", "Request"]);
    let formats = request
        .and_then(|r| r.child("GetMap"))
        .map(|g| {
            g.children_named("Format")
                .map(|f| f.text.trim().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let legend_graphic = request.is_some_and(|r| r.child("GetLegendGraphic").is_some());
    let mut layers = Vec::new();
    if let Some(capability) = root.child("Capability") {
        for top in capability.children_named("Layer") {
            collect_layers(top, &Inherited::default(), &mut layers);
        }
    }
    for layer in &mut layers {
        layer.legend = layer.legend_url.is_some() || legend_graphic;
    }
    Ok(Capabilities {
        url: String::new(),
        version,
        title: service.text_of("Title"),
        abstract_: service.text_of("Abstract"),
        provider,
        fees: meaningful(service.text_of("Fees")),
        access_constraints: meaningful(service.text_of("AccessConstraints")),
        formats,
        layers,
        legend_graphic,
    })
}

/// The message of an OGC exception document (WMS `ServiceExceptionReport`
/// or OWS `ExceptionReport`), if `root` is one.
pub fn service_exception(root: &Element) -> Option<String> {
    let texts: Vec<String> = match root.name.as_str() {
        "ServiceExceptionReport" => root
            .children_named("ServiceException")
            .map(|e| with_code(e.attr("code"), e.text.trim()))
            .collect(),
        "ExceptionReport" => root
            .children_named("Exception")
            .map(|e| {
                let text: Vec<&str> = e
                    .children_named("ExceptionText")
                    .map(|t| t.text.trim())
                    .collect();
                with_code(e.attr("exceptionCode"), &text.join(" "))
            })
            .collect(),
        _ => return None,
    };
    let joined = texts.join("; ");
    Some(clean_message(if joined.is_empty() {
        "no reason given"
    } else {
        &joined
    }))
}

/// The provider message of an exception document in `bytes`, if it is one.
pub fn exception_message(bytes: &[u8]) -> Option<String> {
    xml_tree::parse(&xml_tree::decode(bytes))
        .ok()
        .and_then(|root| service_exception(&root))
}

fn with_code(code: Option<&str>, text: &str) -> String {
    match code {
        Some(code) if !code.is_empty() => format!("{code}: {text}"),
        _ => text.to_owned(),
    }
}

/// A provider's message, fit to pass on: one line, no control characters,
/// bounded in length.
fn clean_message(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words: Vec<&str> = one_line.split_whitespace().collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

/// "none" and the like say there is nothing; the viewer then shows nothing.
fn meaningful(text: String) -> String {
    if text.eq_ignore_ascii_case("none") || text == "-" {
        String::new()
    } else {
        text
    }
}

/// What a layer takes from its ancestors.
#[derive(Debug, Clone, Default)]
struct Inherited {
    crs: Vec<String>,
    attribution: Option<Attribution>,
    bbox: Option<[f64; 4]>,
    queryable: bool,
}

fn collect_layers(layer: &Element, parent: &Inherited, out: &mut Vec<LayerInfo>) {
    let mut here = parent.clone();
    // 1.3.0 says CRS, 1.1.1 SRS; 1.1.0 put several in one element.
    for element in layer
        .children_named("CRS")
        .chain(layer.children_named("SRS"))
    {
        for crs in element.text.split_whitespace() {
            if !here.crs.iter().any(|c| c.eq_ignore_ascii_case(crs)) {
                here.crs.push(crs.to_owned());
            }
        }
    }
    if let Some(attribution) = layer.child("Attribution").and_then(attribution) {
        here.attribution = Some(attribution);
    }
    if let Some(bbox) = geographic_bbox(layer) {
        here.bbox = Some(bbox);
    }
    if let Some(queryable) = layer.attr("queryable") {
        here.queryable = queryable == "1" || queryable.eq_ignore_ascii_case("true");
    }
    let name = layer.text_of("Name");
    if !name.is_empty() {
        let legend_url = layer.children_named("Style").find_map(|style| {
            style
                .find(&["LegendURL", "OnlineResource"])
                .and_then(|r| r.attr("href"))
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        });
        let title = layer.text_of("Title");
        out.push(LayerInfo {
            title: if title.is_empty() {
                name.clone()
            } else {
                title
            },
            name,
            abstract_: layer.text_of("Abstract"),
            crs: here.crs.clone(),
            queryable: here.queryable,
            attribution: here.attribution.clone(),
            legend: false,
            bbox: here.bbox,
            legend_url,
        });
    }
    for child in layer.children_named("Layer") {
        collect_layers(child, &here, out);
    }
}

fn attribution(element: &Element) -> Option<Attribution> {
    let title = element.text_of("Title");
    let url = element
        .child("OnlineResource")
        .and_then(|r| r.attr("href"))
        .unwrap_or_default()
        .trim()
        .to_owned();
    (!title.is_empty() || !url.is_empty()).then_some(Attribution { title, url })
}

/// 1.3.0's `EX_GeographicBoundingBox` or 1.1.1's `LatLonBoundingBox`, as
/// west, south, east, north.
fn geographic_bbox(layer: &Element) -> Option<[f64; 4]> {
    let number = |text: &str| text.trim().parse::<f64>().ok().filter(|n| n.is_finite());
    let bbox = if let Some(ex) = layer.child("EX_GeographicBoundingBox") {
        let side = |name: &str| ex.child(name).and_then(|e| number(&e.text));
        [
            side("westBoundLongitude")?,
            side("southBoundLatitude")?,
            side("eastBoundLongitude")?,
            side("northBoundLatitude")?,
        ]
    } else {
        let ll = layer.child("LatLonBoundingBox")?;
        let side = |name: &str| ll.attr(name).and_then(number);
        [side("minx")?, side("miny")?, side("maxx")?, side("maxy")?]
    };
    Some(bbox)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V111: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE WMT_MS_Capabilities SYSTEM "http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd">
<WMT_MS_Capabilities version="1.1.1">
  <Service><Name>OGC:WMS</Name><Title>Gewässer</Title><Abstract>Flüsse</Abstract>
    <ContactInformation><ContactPersonPrimary><ContactPerson>X</ContactPerson>
      <ContactOrganization>NLWKN</ContactOrganization></ContactPersonPrimary></ContactInformation>
    <Fees>none</Fees><AccessConstraints>dl-de/by-2-0</AccessConstraints></Service>
  <Capability>
    <Request><GetMap><Format>image/png</Format><Format>image/jpeg</Format></GetMap></Request>
    <Layer><Title>Root</Title><SRS>EPSG:4326 EPSG:25832</SRS>
      <LatLonBoundingBox minx="6" miny="51" maxx="12" maxy="54"/>
      <Attribution><Title>NLWKN</Title><OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="https://nlwkn.example/"/></Attribution>
      <Layer queryable="1"><Name>fluesse</Name><Title>Flüsse</Title><SRS>EPSG:3857</SRS>
        <Style><Name>default</Name><LegendURL><Format>image/png</Format>
          <OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="https://legend.example/f.png"/></LegendURL></Style>
      </Layer>
    </Layer>
  </Capability>
</WMT_MS_Capabilities>"#;

    #[test]
    fn version_1_1_1_with_srs_and_inheritance() {
        let caps = read(V111.as_bytes()).unwrap();
        assert_eq!(caps.version, "1.1.1");
        assert_eq!(caps.title, "Gewässer");
        assert_eq!(caps.provider, "NLWKN");
        assert_eq!(caps.fees, "");
        assert_eq!(caps.access_constraints, "dl-de/by-2-0");
        assert_eq!(caps.formats, ["image/png", "image/jpeg"]);
        assert!(!caps.legend_graphic);
        // The unnamed root is not listed; its child inherits.
        assert_eq!(caps.layers.len(), 1);
        let layer = &caps.layers[0];
        assert_eq!(layer.name, "fluesse");
        assert_eq!(layer.crs, ["EPSG:4326", "EPSG:25832", "EPSG:3857"]);
        assert!(layer.queryable);
        assert_eq!(layer.bbox, Some([6.0, 51.0, 12.0, 54.0]));
        assert_eq!(
            layer.attribution.as_ref().unwrap().url,
            "https://nlwkn.example/"
        );
        assert_eq!(
            layer.legend_url.as_deref(),
            Some("https://legend.example/f.png")
        );
        assert!(layer.legend);
    }

    #[test]
    fn version_1_3_0_in_its_namespace_with_a_prefix() {
        let caps = read(
            br#"<wms:WMS_Capabilities version="1.3.0" xmlns:wms="http://www.opengis.net/wms" xmlns:sld="http://www.opengis.net/sld">
            <wms:Service><wms:Title>T</wms:Title></wms:Service>
            <wms:Capability><wms:Request><wms:GetMap><wms:Format>image/png</wms:Format></wms:GetMap>
              <sld:GetLegendGraphic/></wms:Request>
              <wms:Layer><wms:Name>a</wms:Name><wms:Title>A</wms:Title><wms:CRS>EPSG:25832</wms:CRS>
                <wms:EX_GeographicBoundingBox><wms:westBoundLongitude>6.5</wms:westBoundLongitude>
                <wms:eastBoundLongitude>11.6</wms:eastBoundLongitude><wms:southBoundLatitude>51.2</wms:southBoundLatitude>
                <wms:northBoundLatitude>53.9</wms:northBoundLatitude></wms:EX_GeographicBoundingBox>
                <wms:Layer><wms:Name>b</wms:Name></wms:Layer></wms:Layer>
            </wms:Capability></wms:WMS_Capabilities>"#,
        )
        .unwrap();
        assert_eq!(caps.version, "1.3.0");
        assert!(caps.legend_graphic);
        let names: Vec<&str> = caps.layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(caps.layers[0].bbox, Some([6.5, 51.2, 11.6, 53.9]));
        // A layer without a title is shown by its name; without a
        // LegendURL it still has the service's GetLegendGraphic.
        assert_eq!(caps.layers[1].title, "b");
        assert_eq!(caps.layers[1].crs, ["EPSG:25832"]);
        assert_eq!(caps.layers[1].bbox, caps.layers[0].bbox);
        assert!(caps.layers[1].legend && caps.layers[1].legend_url.is_none());
        assert!(caps.layers[1].attribution.is_none());
    }

    #[test]
    fn exceptions_become_the_providers_message() {
        let wms = br#"<?xml version='1.0'?><ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc">
            <ServiceException code="LayerNotDefined">msWMSLoadGetMapParams(): Invalid layer(s) given in the LAYERS parameter. A layer might be disabled for this request.</ServiceException></ServiceExceptionReport>"#;
        let Err(CapabilitiesError::Service(message)) = read(wms) else {
            panic!("not an exception")
        };
        assert!(message.starts_with("LayerNotDefined: msWMSLoadGetMapParams(): Invalid layer(s)"));
        let ows = br#"<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception exceptionCode="InvalidParameterValue"><ows:ExceptionText>bad
            thing</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"#;
        assert_eq!(
            exception_message(ows).as_deref(),
            Some("InvalidParameterValue: bad thing")
        );
        let long = format!(
            "<ServiceExceptionReport><ServiceException>{}</ServiceException></ServiceExceptionReport>",
            "x".repeat(1000)
        );
        assert_eq!(
            exception_message(long.as_bytes()).unwrap().chars().count(),
            MAX_MESSAGE_CHARS + 1
        );
    }

    #[test]
    fn other_documents_are_refused() {
        assert!(matches!(
            read(b"<html><body>Not found</body></html>"),
            Err(CapabilitiesError::NotCapabilities(_))
        ));
        assert!(matches!(read(b"PNG"), Err(CapabilitiesError::Xml(_))));
    }
}
