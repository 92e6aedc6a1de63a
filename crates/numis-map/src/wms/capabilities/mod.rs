//! GetCapabilities documents: WMS 1.3.0 (`WMS_Capabilities`, schema
//! `capabilities_1_3_0.xsd`) and WMS 1.1.1 (`WMT_MS_Capabilities`, DTD
//! `WMS_MS_Capabilities.dtd`), written from a layer tree the engine builds.
//!
//! The engine decides what is visible (restricted layers and personal
//! fields never get here); this module only writes it down in the order and
//! axis conventions each version demands.

//!
//! One module per job: this one holds the input types and writes the
//! document's frame (service, contact, operations); [`layer`] writes the
//! layer tree, [`v130`] and [`v111`] the elements only one version has,
//! [`xml`] the small writers all of them share.

mod layer;
mod v111;
mod v130;
mod xml;

use std::io;

use super::exception::write_document;
use super::request::{Bbox, ImageFormat, Limits, Version};
use crate::Crs;
use crate::config::{ContactConfig, ServiceConfig};
use layer::layer;
use xml::{W, keywords, non_empty_or, online_resource, optional_text, text};

/// What a capabilities document says; the engine fills it per request
/// (language, the caller's visible layers).
#[derive(Debug, Clone)]
pub struct CapabilitiesInput<'a> {
    /// The version to write.
    pub version: Version,
    /// `de` or `en`: picks the translations of [`crate::config::Text`] values
    /// and the few fixed texts written here (style title, data date).
    pub lang: &'a str,
    /// Absolute URL of the WMS endpoint, e.g. `http://host/ows`.
    pub online_resource: &'a str,
    /// `[service]` of the map configuration.
    pub service: &'a ServiceConfig,
    /// AccessConstraints, already composed from the layers' licences by the
    /// caller; empty writes `none`.
    pub access_constraints: String,
    /// The limits requests are checked against, advertised as `LayerLimit`,
    /// `MaxWidth` and `MaxHeight` (1.3.0 only; 1.1.1 has no such elements).
    pub limits: Limits,
    /// The root layer (title from the service); its children are the tree.
    pub root: CapLayer,
    /// GetMap formats (also offered for GetLegendGraphic); empty means
    /// [`ImageFormat::MIME_TYPES`].
    pub formats: &'a [&'a str],
    /// GetFeatureInfo formats; empty leaves GetFeatureInfo out.
    pub info_formats: &'a [&'a str],
}

/// A layer or group of the capabilities layer tree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapLayer {
    /// WMS name; `None` for a title-only category that cannot be requested.
    pub name: Option<String>,
    /// Title, in the document's language.
    pub title: String,
    /// Abstract, in the document's language.
    pub abstract_: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// GetFeatureInfo answers for this layer.
    pub queryable: bool,
    /// The layer covers everything below it (e.g. a base map).
    pub opaque: bool,
    /// Extent in longitude/latitude (EX_GeographicBoundingBox, 1.1.1
    /// LatLonBoundingBox). When `None`, the union of the children's is written.
    pub lonlat_bbox: Option<Bbox>,
    /// Extents per CRS, x = easting/longitude; written in each version's
    /// axis order (EPSG:4326 and EPSG:4258 latitude first in 1.3.0).
    pub bboxes: Vec<(Crs, Bbox)>,
    /// MinScaleDenominator: hidden at larger scales (smaller denominators).
    pub min_scale: Option<f64>,
    /// MaxScaleDenominator: hidden at smaller scales (larger denominators).
    pub max_scale: Option<f64>,
    /// LegendURL of the style `default` (every named layer gets that style).
    pub style_legend: Option<LegendUrl>,
    /// Source note and licence link.
    pub attribution: Option<Attribution>,
    /// Link to the metadata record.
    pub metadata_url: Option<String>,
    /// Link to the layer's data as GeoJSON features (DataURL), for layers
    /// whose data are open.
    pub data_url: Option<String>,
    /// Date of the data ("Stand"), appended to the abstract as its own
    /// paragraph (`Stand: 2016-01-01` / `Data as of: 2016-01-01`) so every
    /// client that shows the abstract shows it (clause L6).
    pub data_date: Option<String>,
    /// Sub-layers, in the order of the layer tree.
    pub children: Vec<CapLayer>,
}

/// A legend image of a style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegendUrl {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// MIME type, e.g. `image/png`.
    pub format: String,
    /// Absolute GetLegendGraphic URL.
    pub href: String,
}

/// The provider of a layer's data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    /// The source note, e.g. `© GeoBasis-DE / BKG 2016, dl-de/by-2-0, Daten geändert`.
    pub title: String,
    /// Link, e.g. to the licence text.
    pub online_resource: Option<String>,
}

/// The MIME type of a capabilities document: `text/xml` in WMS 1.3.0,
/// `application/vnd.ogc.wms_xml` in WMS 1.1.1.
pub fn capabilities_content_type(version: Version) -> &'static str {
    match version {
        Version::V130 => "text/xml",
        Version::V111 => "application/vnd.ogc.wms_xml",
    }
}

/// Writes the capabilities document of `input.version`.
///
/// ```
/// use numis_map::config::ServiceConfig;
/// use numis_map::wms::{capabilities_xml, CapabilitiesInput, CapLayer, Limits, Version};
///
/// let service = ServiceConfig::default();
/// let input = CapabilitiesInput {
///     version: Version::V130,
///     lang: "de",
///     online_resource: "http://localhost/ows",
///     service: &service,
///     access_constraints: String::new(),
///     limits: Limits::default(),
///     root: CapLayer { title: "Umweltkarten".into(), ..CapLayer::default() },
///     formats: &["image/png"],
///     info_formats: &["text/html"],
/// };
/// let xml = capabilities_xml(&input);
/// assert!(xml.contains(r#"<WMS_Capabilities version="1.3.0""#));
/// assert!(xml.contains("<CRS>EPSG:25832</CRS>"));
/// ```
pub fn capabilities_xml(input: &CapabilitiesInput) -> String {
    match input.version {
        Version::V130 => write_document(None, |w| document(w, input)),
        Version::V111 => write_document(Some(v111::DOCTYPE), |w| document(w, input)),
    }
}

fn document(w: &mut W, input: &CapabilitiesInput) -> io::Result<()> {
    let v = input.version;
    let root = match v {
        Version::V130 => w
            .create_element("WMS_Capabilities")
            .with_attributes(v130::ROOT_ATTRIBUTES),
        Version::V111 => w
            .create_element("WMT_MS_Capabilities")
            .with_attribute(("version", "1.1.1")),
    };
    root.write_inner_content(|w| {
        service(w, input)?;
        capability(w, input)
    })?;
    Ok(())
}

fn service(w: &mut W, input: &CapabilitiesInput) -> io::Result<()> {
    let v = input.version;
    let config = input.service;
    w.create_element("Service").write_inner_content(|w| {
        text(
            w,
            "Name",
            if v == Version::V130 { "WMS" } else { "OGC:WMS" },
        )?;
        let title = config.title.get(input.lang).trim();
        text(w, "Title", if title.is_empty() { "WMS" } else { title })?;
        optional_text(w, "Abstract", config.abstract_.get(input.lang))?;
        keywords(w, &config.keywords)?;
        online_resource(w, v, input.online_resource)?;
        contact(w, &config.contact)?;
        // "none" is the reserved keyword for no fees or constraints
        // (WMS 1.3.0, 7.2.4.6.12), so it stays English in every language.
        text(w, "Fees", non_empty_or(config.fees.get(input.lang), "none"))?;
        text(
            w,
            "AccessConstraints",
            non_empty_or(&input.access_constraints, "none"),
        )?;
        if v == Version::V130 {
            text(w, "LayerLimit", &input.limits.max_layers.to_string())?;
            text(w, "MaxWidth", &input.limits.max_width.to_string())?;
            text(w, "MaxHeight", &input.limits.max_height.to_string())?;
        }
        Ok(())
    })?;
    Ok(())
}

/// ContactInformation, written only when some contact field is set; each
/// group only when one of its fields is (the schema makes all children of
/// ContactPersonPrimary and ContactAddress mandatory, so missing ones are
/// written empty).
fn contact(w: &mut W, c: &ContactConfig) -> io::Result<()> {
    let set = |s: &str| !s.trim().is_empty();
    let person = set(&c.person) || set(&c.organisation);
    let address = set(&c.address) || set(&c.city) || set(&c.postcode) || set(&c.country);
    if !(person || address || set(&c.position) || set(&c.phone) || set(&c.email)) {
        return Ok(());
    }
    w.create_element("ContactInformation")
        .write_inner_content(|w| {
            if person {
                w.create_element("ContactPersonPrimary")
                    .write_inner_content(|w| {
                        text(w, "ContactPerson", c.person.trim())?;
                        text(w, "ContactOrganization", c.organisation.trim())
                    })?;
            }
            optional_text(w, "ContactPosition", &c.position)?;
            if address {
                w.create_element("ContactAddress")
                    .write_inner_content(|w| {
                        text(w, "AddressType", "postal")?;
                        text(w, "Address", c.address.trim())?;
                        text(w, "City", c.city.trim())?;
                        text(w, "StateOrProvince", "")?;
                        text(w, "PostCode", c.postcode.trim())?;
                        text(w, "Country", c.country.trim())
                    })?;
            }
            optional_text(w, "ContactVoiceTelephone", &c.phone)?;
            optional_text(w, "ContactElectronicMailAddress", &c.email)
        })?;
    Ok(())
}

fn capability(w: &mut W, input: &CapabilitiesInput) -> io::Result<()> {
    let v = input.version;
    let href = operation_url(input.online_resource);
    let formats: &[&str] = if input.formats.is_empty() {
        &ImageFormat::MIME_TYPES
    } else {
        input.formats
    };
    w.create_element("Capability").write_inner_content(|w| {
        w.create_element("Request").write_inner_content(|w| {
            operation(
                w,
                v,
                "GetCapabilities",
                &[capabilities_content_type(v)],
                &href,
            )?;
            operation(w, v, "GetMap", formats, &href)?;
            if !input.info_formats.is_empty() {
                operation(w, v, "GetFeatureInfo", input.info_formats, &href)?;
            }
            // An SLD extended operation in 1.3.0; part of the 1.1.1 DTD.
            let legend = if v == Version::V130 {
                "sld:GetLegendGraphic"
            } else {
                "GetLegendGraphic"
            };
            operation(w, v, legend, formats, &href)
        })?;
        w.create_element("Exception").write_inner_content(|w| {
            let formats = match v {
                Version::V130 => ["XML", "INIMAGE", "BLANK"],
                Version::V111 => [
                    "application/vnd.ogc.se_xml",
                    "application/vnd.ogc.se_inimage",
                    "application/vnd.ogc.se_blank",
                ],
            };
            formats.into_iter().try_for_each(|f| text(w, "Format", f))
        })?;
        layer(w, input, &input.root, true)
    })?;
    Ok(())
}

/// The URL prefix of operations: the endpoint followed by `?` (or `&` when
/// it already has a query), ready for `key=value` pairs (WMS 1.3.0, 6.3.3).
fn operation_url(endpoint: &str) -> String {
    if !endpoint.contains('?') {
        format!("{endpoint}?")
    } else if endpoint.ends_with('?') || endpoint.ends_with('&') {
        endpoint.to_string()
    } else {
        format!("{endpoint}&")
    }
}

fn operation(w: &mut W, v: Version, name: &str, formats: &[&str], href: &str) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        formats.iter().try_for_each(|f| text(w, "Format", f))?;
        w.create_element("DCPType").write_inner_content(|w| {
            w.create_element("HTTP").write_inner_content(|w| {
                w.create_element("Get")
                    .write_inner_content(|w| online_resource(w, v, href))?;
                Ok(())
            })?;
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::exception::testing::{
        Element, corpus_documents, parse, paths, sibling_orders,
    };
    use super::*;
    use crate::config::Text;
    use crate::wms::exception::XLINK;

    fn service() -> ServiceConfig {
        ServiceConfig {
            title: Text::Translated {
                de: "Umweltkarten Niedersachsen".into(),
                en: Some("Environmental maps of Lower Saxony".into()),
            },
            abstract_: Text::Plain("Karten zu Luft, Wasser & Boden".into()),
            keywords: vec!["Umwelt".into(), " ".into(), "Niedersachsen".into()],
            contact: ContactConfig {
                organisation: "Musterbehörde".into(),
                email: "wms@example.org".into(),
                city: "Hannover".into(),
                ..ContactConfig::default()
            },
            ..ServiceConfig::default()
        }
    }

    fn hannover() -> Bbox {
        Bbox {
            min_x: 9.6,
            min_y: 52.3,
            max_x: 9.9,
            max_y: 52.5,
        }
    }

    fn tree() -> CapLayer {
        let gemeinden = CapLayer {
            name: Some("gemeinden".into()),
            title: "Gemeinden".into(),
            abstract_: "Gemeindegrenzen".into(),
            keywords: vec!["Verwaltung".into()],
            lonlat_bbox: Some(hannover()),
            bboxes: vec![
                (
                    Crs::Utm32,
                    Bbox {
                        min_x: 549_000.0,
                        min_y: 5_796_000.0,
                        max_x: 570_000.0,
                        max_y: 5_819_000.0,
                    },
                ),
                (Crs::Wgs84, hannover()),
                (Crs::Crs84, hannover()),
            ],
            min_scale: Some(1000.0),
            max_scale: Some(500_000.0),
            style_legend: Some(LegendUrl {
                width: 20,
                height: 20,
                format: "image/png".into(),
                href: "http://localhost/ows?SERVICE=WMS&REQUEST=GetLegendGraphic&LAYER=gemeinden"
                    .into(),
            }),
            attribution: Some(Attribution {
                title: "© GeoBasis-DE / BKG 2016, dl-de/by-2-0, Daten geändert".into(),
                online_resource: Some("https://www.govdata.de/dl-de/by-2-0".into()),
            }),
            metadata_url: Some("https://example.org/csw?REQUEST=GetRecordById&ID=1".into()),
            data_url: Some("https://example.org/ogcapi/collections/gemeinden/items".into()),
            data_date: Some("2016-01-01".into()),
            ..CapLayer::default()
        };
        let luft = CapLayer {
            name: Some("luft".into()),
            title: "Luftmessstationen".into(),
            queryable: true,
            lonlat_bbox: Some(Bbox {
                min_x: 7.0,
                min_y: 51.3,
                max_x: 11.5,
                max_y: 53.8,
            }),
            ..CapLayer::default()
        };
        CapLayer {
            title: "Umweltkarten Niedersachsen".into(),
            children: vec![
                CapLayer {
                    name: Some("verwaltung".into()),
                    title: "Verwaltung".into(),
                    children: vec![gemeinden],
                    ..CapLayer::default()
                },
                CapLayer {
                    title: "Luft".into(),
                    children: vec![luft],
                    ..CapLayer::default()
                },
            ],
            ..CapLayer::default()
        }
    }

    fn write(version: Version, lang: &str, service: &ServiceConfig, root: CapLayer) -> String {
        capabilities_xml(&CapabilitiesInput {
            version,
            lang,
            online_resource: "http://localhost/ows",
            service,
            access_constraints: "Nutzung nach dl-de/by-2-0".into(),
            limits: Limits::default(),
            root,
            formats: &ImageFormat::MIME_TYPES,
            info_formats: &["text/html", "application/json"],
        })
    }

    fn document(version: Version) -> Element {
        parse(&write(version, "de", &service(), tree()))
    }

    fn names(element: &Element) -> Vec<&str> {
        element.children.iter().map(|c| c.name.as_str()).collect()
    }

    /// The layer (at any depth) called `name`.
    fn layer<'a>(root: &'a Element, name: &str) -> &'a Element {
        root.descendants("Layer")
            .into_iter()
            .find(|l| {
                l.children
                    .iter()
                    .any(|c| c.name == "Name" && c.text == name)
            })
            .unwrap_or_else(|| panic!("no layer {name}"))
    }

    #[test]
    fn the_1_3_0_document_has_the_schema_structure() {
        let caps = document(Version::V130);
        assert_eq!(caps.name, "WMS_Capabilities");
        assert_eq!(caps.attr("version"), Some("1.3.0"));
        assert_eq!(caps.attr("xmlns"), Some("http://www.opengis.net/wms"));
        assert!(
            caps.attr("xsi:schemaLocation")
                .unwrap()
                .contains("wms/1.3.0/capabilities_1_3_0.xsd")
        );
        assert_eq!(names(&caps), ["Service", "Capability"]);
        let service = caps.child("Service");
        assert_eq!(
            names(service),
            [
                "Name",
                "Title",
                "Abstract",
                "KeywordList",
                "OnlineResource",
                "ContactInformation",
                "Fees",
                "AccessConstraints",
                "LayerLimit",
                "MaxWidth",
                "MaxHeight"
            ]
        );
        assert_eq!(service.text_at("Name"), "WMS");
        assert_eq!(service.text_at("Title"), "Umweltkarten Niedersachsen");
        assert_eq!(names(service.child("KeywordList")), ["Keyword", "Keyword"]);
        assert_eq!(service.text_at("LayerLimit"), "64");
        assert_eq!(service.text_at("MaxWidth"), "4096");
        let capability = caps.child("Capability");
        assert_eq!(names(capability), ["Request", "Exception", "Layer"]);
        let request = capability.child("Request");
        assert_eq!(
            names(request),
            [
                "GetCapabilities",
                "GetMap",
                "GetFeatureInfo",
                "sld:GetLegendGraphic"
            ]
        );
        assert_eq!(request.text_at("GetCapabilities/Format"), "text/xml");
        let get_map = request.child("GetMap");
        let formats: Vec<&str> = get_map
            .children_named("Format")
            .map(|f| f.text.as_str())
            .collect();
        assert_eq!(formats, ImageFormat::MIME_TYPES);
        let href = get_map.at("DCPType/HTTP/Get/OnlineResource");
        assert_eq!(href.attr("xlink:href"), Some("http://localhost/ows?"));
        assert_eq!(href.attr("xlink:type"), Some("simple"));
        let exceptions: Vec<&str> = capability
            .child("Exception")
            .children
            .iter()
            .map(|f| f.text.as_str())
            .collect();
        assert_eq!(exceptions, ["XML", "INIMAGE", "BLANK"]);
        let root = capability.child("Layer");
        let crs: Vec<&str> = root
            .children_named("CRS")
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(crs, crate::crs::ALL.map(Crs::code));
        assert!(
            root.children_named("Name").next().is_none(),
            "the root has no name"
        );
    }

    /// Children of every Layer come in the order of the schema (1.3.0) or
    /// DTD (1.1.1) sequence.
    #[test]
    fn layer_children_follow_the_schema_sequence() {
        let sequence_130 = [
            "Name",
            "Title",
            "Abstract",
            "KeywordList",
            "CRS",
            "EX_GeographicBoundingBox",
            "BoundingBox",
            "Attribution",
            "MetadataURL",
            "DataURL",
            "Style",
            "MinScaleDenominator",
            "MaxScaleDenominator",
            "Layer",
        ];
        let sequence_111 = [
            "Name",
            "Title",
            "Abstract",
            "KeywordList",
            "SRS",
            "LatLonBoundingBox",
            "BoundingBox",
            "Attribution",
            "MetadataURL",
            "DataURL",
            "Style",
            "ScaleHint",
            "Layer",
        ];
        for (version, sequence) in [
            (Version::V130, &sequence_130[..]),
            (Version::V111, &sequence_111[..]),
        ] {
            let caps = document(version);
            for layer in caps.descendants("Layer") {
                let positions: Vec<usize> = layer
                    .children
                    .iter()
                    .map(|c| {
                        sequence
                            .iter()
                            .position(|s| *s == c.name)
                            .unwrap_or_else(|| panic!("{} in {version}", c.name))
                    })
                    .collect();
                assert!(positions.is_sorted(), "{version}: {:?}", names(layer));
            }
        }
    }

    #[test]
    fn a_named_layer_has_everything_the_engine_gave() {
        let caps = document(Version::V130);
        let gemeinden = layer(&caps, "gemeinden");
        assert_eq!(gemeinden.attr("queryable"), Some("0"));
        assert_eq!(gemeinden.text_at("Title"), "Gemeinden");
        assert_eq!(
            gemeinden.text_at("Abstract"),
            "Gemeindegrenzen\n\nStand: 2016-01-01"
        );
        let geographic = gemeinden.child("EX_GeographicBoundingBox");
        assert_eq!(
            names(geographic),
            [
                "westBoundLongitude",
                "eastBoundLongitude",
                "southBoundLatitude",
                "northBoundLatitude"
            ]
        );
        assert_eq!(geographic.text_at("westBoundLongitude"), "9.6");
        assert_eq!(geographic.text_at("northBoundLatitude"), "52.5");
        let attribution = gemeinden.child("Attribution");
        assert_eq!(
            attribution.text_at("Title"),
            "© GeoBasis-DE / BKG 2016, dl-de/by-2-0, Daten geändert"
        );
        assert_eq!(
            attribution.child("OnlineResource").attr("xlink:href"),
            Some("https://www.govdata.de/dl-de/by-2-0")
        );
        let metadata = gemeinden.child("MetadataURL");
        assert_eq!(metadata.attr("type"), Some("ISO19115:2003"));
        assert_eq!(metadata.text_at("Format"), "text/xml");
        let data = gemeinden.child("DataURL");
        assert_eq!(data.text_at("Format"), "application/geo+json");
        assert_eq!(
            data.child("OnlineResource").attr("xlink:href"),
            Some("https://example.org/ogcapi/collections/gemeinden/items")
        );
        let style = gemeinden.child("Style");
        assert_eq!(style.text_at("Name"), "default");
        assert_eq!(style.text_at("Title"), "Standard");
        let legend = style.child("LegendURL");
        assert_eq!(
            (legend.attr("width"), legend.attr("height")),
            (Some("20"), Some("20"))
        );
        assert_eq!(legend.text_at("Format"), "image/png");
        assert_eq!(
            legend.child("OnlineResource").attr("xlink:href"),
            Some("http://localhost/ows?SERVICE=WMS&REQUEST=GetLegendGraphic&LAYER=gemeinden")
        );
        assert_eq!(gemeinden.text_at("MinScaleDenominator"), "1000");
        assert_eq!(gemeinden.text_at("MaxScaleDenominator"), "500000");
        assert_eq!(layer(&caps, "luft").attr("queryable"), Some("1"));
    }

    #[test]
    fn epsg_4326_bounding_boxes_are_latitude_first_in_1_3_0_only() {
        let caps = document(Version::V130);
        let boxes = layer(&caps, "gemeinden")
            .children_named("BoundingBox")
            .collect::<Vec<_>>();
        let corners =
            |b: &Element| ["minx", "miny", "maxx", "maxy"].map(|a| b.attr(a).unwrap().to_string());
        let by_crs = |crs: &str| *boxes.iter().find(|b| b.attr("CRS") == Some(crs)).unwrap();
        assert_eq!(corners(by_crs("EPSG:4326")), ["52.3", "9.6", "52.5", "9.9"]);
        assert_eq!(corners(by_crs("CRS:84")), ["9.6", "52.3", "9.9", "52.5"]);
        assert_eq!(
            corners(by_crs("EPSG:25832")),
            ["549000", "5796000", "570000", "5819000"]
        );
        assert!(
            boxes
                .iter()
                .all(|b| b.attr("resx").is_none() && b.attr("resy").is_none())
        );

        let caps = document(Version::V111);
        let boxes = layer(&caps, "gemeinden")
            .children_named("BoundingBox")
            .collect::<Vec<_>>();
        assert_eq!(boxes.len(), 2, "no CRS:84 in 1.1.1");
        let wgs84 = boxes
            .iter()
            .find(|b| b.attr("SRS") == Some("EPSG:4326"))
            .unwrap();
        assert_eq!(corners(wgs84), ["9.6", "52.3", "9.9", "52.5"]);
    }

    #[test]
    fn wms_1_1_1_writes_the_dtd_form() {
        let xml = write(Version::V111, "de", &service(), tree());
        assert!(xml.contains(
            r#"<!DOCTYPE WMT_MS_Capabilities SYSTEM "http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd">"#
        ));
        let caps = parse(&xml);
        assert_eq!(caps.name, "WMT_MS_Capabilities");
        assert_eq!(
            caps.attributes,
            [("version".to_string(), "1.1.1".to_string())]
        );
        let service = caps.child("Service");
        assert_eq!(service.text_at("Name"), "OGC:WMS");
        assert!(
            service
                .children
                .iter()
                .all(|c| !["LayerLimit", "MaxWidth", "MaxHeight"].contains(&c.name.as_str()))
        );
        assert_eq!(
            service.child("OnlineResource").attr("xmlns:xlink"),
            Some(XLINK)
        );
        let request = caps.at("Capability/Request");
        assert_eq!(
            names(request),
            [
                "GetCapabilities",
                "GetMap",
                "GetFeatureInfo",
                "GetLegendGraphic"
            ]
        );
        assert_eq!(
            request.text_at("GetCapabilities/Format"),
            "application/vnd.ogc.wms_xml"
        );
        let exceptions: Vec<&str> = caps
            .at("Capability/Exception")
            .children
            .iter()
            .map(|f| f.text.as_str())
            .collect();
        assert_eq!(
            exceptions,
            [
                "application/vnd.ogc.se_xml",
                "application/vnd.ogc.se_inimage",
                "application/vnd.ogc.se_blank"
            ]
        );
        let root = caps.at("Capability/Layer");
        let srs: Vec<&str> = root
            .children_named("SRS")
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(
            srs,
            [
                "EPSG:25832",
                "EPSG:3857",
                "EPSG:4326",
                "EPSG:4258",
                "EPSG:31467"
            ]
        );
        let gemeinden = layer(&caps, "gemeinden");
        let lat_lon = gemeinden.child("LatLonBoundingBox");
        assert_eq!(lat_lon.attr("minx"), Some("9.6"));
        assert_eq!(lat_lon.attr("maxy"), Some("52.5"));
        assert_eq!(gemeinden.child("MetadataURL").attr("type"), Some("TC211"));
        assert!(caps.descendants("CRS").is_empty());
    }

    #[test]
    fn scale_denominators_become_mapserver_scale_hints_in_1_1_1() {
        let caps = document(Version::V111);
        let hint = layer(&caps, "gemeinden").child("ScaleHint");
        // 1000 × 0.00028 m × √2 and 500000 × 0.00028 m × √2.
        assert_eq!(hint.attr("min"), Some("0.395979797"));
        assert_eq!(hint.attr("max"), Some("197.989898732"));
        let only_min = CapLayer {
            name: Some("x".into()),
            title: "x".into(),
            min_scale: Some(1000.0),
            ..CapLayer::default()
        };
        let mut root = tree();
        root.children.push(only_min);
        let caps = parse(&write(Version::V111, "de", &service(), root));
        let hint = layer(&caps, "x").child("ScaleHint");
        assert_eq!(
            (hint.attr("min"), hint.attr("max")),
            (Some("0.395979797"), Some("Infinity"))
        );
        assert!(
            layer(&caps, "luft")
                .children_named("ScaleHint")
                .next()
                .is_none()
        );
    }

    #[test]
    fn text_is_escaped_and_round_trips() {
        let tricky = "Boden & Wasser <\"neu\"> 'x' ]]> \u{7}";
        let clean = "Boden & Wasser <\"neu\"> 'x' ]]> ";
        let service = ServiceConfig {
            title: Text::Plain(tricky.into()),
            keywords: vec![tricky.into()],
            ..service()
        };
        let root = CapLayer {
            title: tricky.into(),
            children: vec![CapLayer {
                name: Some("a&b".into()),
                title: tricky.into(),
                attribution: Some(Attribution {
                    title: tricky.into(),
                    online_resource: Some("http://x/?a=1&b=\"2\"".into()),
                }),
                ..CapLayer::default()
            }],
            ..CapLayer::default()
        };
        let xml = write(Version::V130, "de", &service, root);
        assert!(!xml.contains("<\"neu\">"), "{xml}");
        let caps = parse(&xml);
        assert_eq!(caps.text_at("Service/Title"), clean.trim());
        assert_eq!(caps.text_at("Service/KeywordList/Keyword"), clean.trim());
        let layer = layer(&caps, "a&b");
        assert_eq!(layer.text_at("Title"), clean.trim());
        assert_eq!(
            layer.at("Attribution/OnlineResource").attr("xlink:href"),
            Some("http://x/?a=1&b=\"2\"")
        );
    }

    #[test]
    fn contact_information_is_written_only_when_set() {
        let caps = document(Version::V130);
        let contact = caps.at("Service/ContactInformation");
        assert_eq!(
            names(contact),
            [
                "ContactPersonPrimary",
                "ContactAddress",
                "ContactElectronicMailAddress"
            ]
        );
        assert_eq!(
            contact.text_at("ContactPersonPrimary/ContactOrganization"),
            "Musterbehörde"
        );
        assert_eq!(contact.text_at("ContactPersonPrimary/ContactPerson"), "");
        assert_eq!(
            names(contact.child("ContactAddress")),
            [
                "AddressType",
                "Address",
                "City",
                "StateOrProvince",
                "PostCode",
                "Country"
            ]
        );
        assert_eq!(contact.text_at("ContactAddress/City"), "Hannover");
        let bare = ServiceConfig::default();
        let caps = parse(&write(Version::V130, "de", &bare, tree()));
        assert!(
            caps.child("Service")
                .children_named("ContactInformation")
                .next()
                .is_none()
        );
    }

    #[test]
    fn fees_and_access_constraints_default_to_the_keyword_none() {
        let caps = document(Version::V130);
        assert_eq!(caps.text_at("Service/Fees"), "none");
        assert_eq!(
            caps.text_at("Service/AccessConstraints"),
            "Nutzung nach dl-de/by-2-0"
        );
        let service = service();
        let xml = capabilities_xml(&CapabilitiesInput {
            version: Version::V130,
            lang: "de",
            online_resource: "http://localhost/ows",
            service: &service,
            access_constraints: String::new(),
            limits: Limits::default(),
            root: tree(),
            formats: &[],
            info_formats: &[],
        });
        let caps = parse(&xml);
        assert_eq!(caps.text_at("Service/AccessConstraints"), "none");
        let request = caps.at("Capability/Request");
        assert_eq!(
            names(request),
            ["GetCapabilities", "GetMap", "sld:GetLegendGraphic"],
            "no formats, no GetFeatureInfo"
        );
        assert_eq!(
            request.child("GetMap").children_named("Format").count(),
            ImageFormat::MIME_TYPES.len()
        );
    }

    #[test]
    fn a_missing_geographic_box_is_the_union_of_the_children() {
        let caps = document(Version::V130);
        let root = caps.at("Capability/Layer");
        let geographic = root.child("EX_GeographicBoundingBox");
        let values: Vec<&str> = geographic
            .children
            .iter()
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(values, ["7", "11.5", "51.3", "53.8"]);
        let verwaltung = layer(&caps, "verwaltung");
        assert_eq!(
            verwaltung.text_at("EX_GeographicBoundingBox/westBoundLongitude"),
            "9.6"
        );
    }

    #[test]
    fn english_documents_use_the_english_texts() {
        let caps = parse(&write(Version::V130, "en", &service(), tree()));
        assert_eq!(
            caps.text_at("Service/Title"),
            "Environmental maps of Lower Saxony"
        );
        let gemeinden = layer(&caps, "gemeinden");
        assert_eq!(gemeinden.text_at("Style/Title"), "Default");
        assert!(
            gemeinden
                .text_at("Abstract")
                .ends_with("Data as of: 2016-01-01")
        );
    }

    #[test]
    fn only_named_layers_get_a_style() {
        let caps = document(Version::V130);
        let styled: Vec<&str> = caps
            .descendants("Layer")
            .into_iter()
            .filter(|l| l.children_named("Style").next().is_some())
            .map(|l| l.text_at("Name"))
            .collect();
        assert_eq!(styled, ["verwaltung", "gemeinden", "luft"]);
        assert!(
            layer(&caps, "luft")
                .child("Style")
                .children_named("LegendURL")
                .next()
                .is_none()
        );
    }

    #[test]
    fn operation_urls_end_ready_for_parameters() {
        assert_eq!(operation_url("http://h/ows"), "http://h/ows?");
        assert_eq!(operation_url("http://h/ows?"), "http://h/ows?");
        assert_eq!(operation_url("http://h/ows?map=x"), "http://h/ows?map=x&");
        assert_eq!(operation_url("http://h/ows?map=x&"), "http://h/ows?map=x&");
    }

    #[test]
    fn content_types_follow_the_version() {
        assert_eq!(capabilities_content_type(Version::V130), "text/xml");
        assert_eq!(
            capabilities_content_type(Version::V111),
            "application/vnd.ogc.wms_xml"
        );
    }

    /// Corpus documents whose element order breaks their schema, left out
    /// of the order check: DWD's GeoServer 1.1.1 writes the root layer's
    /// ScaleHint before its Name, against WMS_MS_Capabilities.dtd.
    const DISORDERED: [&str; 1] = ["caps_dwd_geoserver_111.xml"];

    /// Every element path we write occurs in some real capabilities
    /// document of the same version, and no two siblings we write come in
    /// an order a real document reverses.
    fn assert_structure_matches_corpus(version: Version, marker: &str) {
        let Some(corpus) = corpus_documents("caps_", marker) else {
            return;
        };
        let ours = document(version);
        let mut known = std::collections::BTreeSet::new();
        for (_, document) in &corpus {
            known.extend(paths(document));
        }
        // Valid per capabilities_1_3_0.xsd, but no corpus service sets it.
        known.insert("WMS_Capabilities/Service/LayerLimit".to_string());
        // DataURL (an open layer's features at /ogcapi): in the 1.3.0
        // schema and the 1.1.1 DTD alike, but no corpus service links data.
        for root in ["WMS_Capabilities", "WMT_MS_Capabilities"] {
            for tail in ["", "/Format", "/OnlineResource"] {
                known.insert(format!("{root}/Capability/Layer/DataURL{tail}"));
            }
        }
        let unknown: Vec<String> = paths(&ours)
            .into_iter()
            .filter(|p| !known.contains(p))
            .collect();
        assert!(
            unknown.is_empty(),
            "{version}: paths no real document has: {unknown:#?}"
        );
        let corpus_orders: Vec<(&str, _)> = corpus
            .iter()
            .filter(|(name, _)| !DISORDERED.contains(&name.as_str()))
            .map(|(name, document)| (name.as_str(), sibling_orders(document)))
            .collect();
        for (parent, a, b) in sibling_orders(&ours) {
            let reversed = (parent.clone(), b.clone(), a.clone());
            let culprits: Vec<&str> = corpus_orders
                .iter()
                .filter(|(_, orders)| orders.contains(&reversed))
                .map(|(name, _)| *name)
                .collect();
            assert!(
                culprits.is_empty(),
                "{version}: we write {a} before {b} in {parent}, {culprits:?} the other way"
            );
        }
    }

    #[test]
    fn the_1_3_0_structure_matches_real_documents() {
        assert_structure_matches_corpus(Version::V130, "_130");
    }

    #[test]
    fn the_1_1_1_structure_matches_real_documents() {
        assert_structure_matches_corpus(Version::V111, "_111");
    }
}
