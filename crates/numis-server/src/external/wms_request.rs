//! The requests numis sends to another authority's WMS, built by numis
//! itself: the service URL the user gave, stripped of the WMS's own
//! parameters (its other parameters, such as MapServer's `map=`, stay),
//! plus only the parameters of the operation, each checked. Nothing else
//! of what the browser sent reaches the provider.

use url::Url;

/// The WMS parameters numis sets itself; a service URL's own copies are
/// dropped (compared without case, as the standard compares names).
const WMS_PARAMETERS: &[&str] = &[
    "service",
    "request",
    "version",
    "wmtver",
    "layers",
    "layer",
    "styles",
    "style",
    "crs",
    "srs",
    "bbox",
    "width",
    "height",
    "format",
    "transparent",
    "bgcolor",
    "exceptions",
    "sld_version",
    "query_layers",
    "info_format",
    "feature_count",
    "i",
    "j",
    "x",
    "y",
];

/// The largest image side asked for, in pixels.
pub const MAX_SIDE: u32 = 4096;

/// Raster formats passed on: no SVG or other format that can carry script.
const IMAGE_FORMATS: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// The service URL as numis uses it: `text` without the WMS parameters and
/// without a fragment. `None` if it is no URL.
pub fn service_url(text: &str) -> Option<Url> {
    let mut url = Url::parse(text.trim()).ok()?;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !WMS_PARAMETERS.contains(&name.to_ascii_lowercase().as_str()))
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    url.set_fragment(None);
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(&kept);
    }
    Some(url)
}

/// `service` with the operation's `params` appended.
pub fn with_params(service: &Url, params: &[(&str, &str)]) -> Url {
    let mut url = service.clone();
    url.query_pairs_mut().extend_pairs(params);
    url
}

/// GetCapabilities of `service` in `version`.
pub fn capabilities_url(service: &Url, version: &str) -> Url {
    with_params(
        service,
        &[
            ("SERVICE", "WMS"),
            ("REQUEST", "GetCapabilities"),
            ("VERSION", version),
        ],
    )
}

/// GetLegendGraphic of `layer` (the SLD extension most servers offer).
pub fn legend_graphic_url(service: &Url, version: &str, layer: &str) -> Url {
    with_params(
        service,
        &[
            ("SERVICE", "WMS"),
            ("VERSION", version),
            ("REQUEST", "GetLegendGraphic"),
            ("LAYER", layer),
            ("FORMAT", "image/png"),
            ("SLD_VERSION", "1.1.0"),
        ],
    )
}

/// A checked GetMap.
#[derive(Debug, Clone, PartialEq)]
pub struct GetMap {
    version: &'static str,
    layers: String,
    styles: String,
    crs: String,
    bbox: [f64; 4],
    width: u32,
    height: u32,
    format: String,
    transparent: Option<bool>,
}

impl GetMap {
    /// Reads the GetMap parameters of `pairs` (names in any case, as
    /// OpenLayers' `ImageWMS` sends them); `url` and unknown names are
    /// ignored. `Err` says what is wrong.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, String> {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim())
        };
        if get("SERVICE").is_some_and(|s| !s.eq_ignore_ascii_case("WMS")) {
            return Err("SERVICE must be WMS".into());
        }
        if get("REQUEST").is_some_and(|r| !r.eq_ignore_ascii_case("GetMap")) {
            return Err("only REQUEST=GetMap is passed on".into());
        }
        let version = match get("VERSION").unwrap_or("1.3.0") {
            "1.3.0" => "1.3.0",
            "1.1.1" => "1.1.1",
            other => {
                return Err(format!(
                    "VERSION {other:?} is not supported; use 1.3.0 or 1.1.1"
                ));
            }
        };
        let layers = get("LAYERS").unwrap_or_default();
        if layers.is_empty() {
            return Err("LAYERS names no layer".into());
        }
        checked_text("LAYERS", layers, 2000)?;
        let styles = get("STYLES").unwrap_or_default();
        checked_text("STYLES", styles, 2000)?;
        let crs = get("CRS")
            .or_else(|| get("SRS"))
            .ok_or("CRS (or SRS for 1.1.1) is missing")?;
        if crs.is_empty()
            || crs.len() > 64
            || !crs
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | '-'))
        {
            return Err(format!(
                "CRS {crs:?} is not a reference system code such as EPSG:25832"
            ));
        }
        let bbox = bbox(get("BBOX").ok_or("BBOX is missing")?)?;
        let width = side("WIDTH", get("WIDTH"))?;
        let height = side("HEIGHT", get("HEIGHT"))?;
        let format = get("FORMAT").unwrap_or("image/png").to_ascii_lowercase();
        let known = IMAGE_FORMATS.iter().any(|f| {
            format == *f
                || format
                    .strip_prefix(f)
                    .is_some_and(|rest| rest.starts_with(';'))
        });
        if !known || format.len() > 64 || format.chars().any(char::is_control) {
            return Err(format!(
                "FORMAT {format:?} is not passed on; use one of {}",
                IMAGE_FORMATS.join(", ")
            ));
        }
        let transparent = match get("TRANSPARENT") {
            None | Some("") => None,
            Some(t) if t.eq_ignore_ascii_case("true") => Some(true),
            Some(t) if t.eq_ignore_ascii_case("false") => Some(false),
            Some(_) => return Err("TRANSPARENT must be TRUE or FALSE".into()),
        };
        Ok(Self {
            version,
            layers: layers.to_owned(),
            styles: styles.to_owned(),
            crs: crs.to_owned(),
            bbox,
            width,
            height,
            format,
            transparent,
        })
    }

    /// The provider's GetMap URL for `service`. Exceptions are asked for as
    /// XML, so that an error never comes back dressed as an image.
    pub fn provider_url(&self, service: &Url) -> Url {
        let [a, b, c, d] = self.bbox;
        let bbox = format!("{a},{b},{c},{d}");
        let (width, height) = (self.width.to_string(), self.height.to_string());
        let (crs_name, exceptions) = if self.version == "1.3.0" {
            ("CRS", "XML")
        } else {
            ("SRS", "application/vnd.ogc.se_xml")
        };
        let mut params = vec![
            ("SERVICE", "WMS"),
            ("VERSION", self.version),
            ("REQUEST", "GetMap"),
            ("LAYERS", self.layers.as_str()),
            ("STYLES", self.styles.as_str()),
            (crs_name, self.crs.as_str()),
            ("BBOX", bbox.as_str()),
            ("WIDTH", width.as_str()),
            ("HEIGHT", height.as_str()),
            ("FORMAT", self.format.as_str()),
        ];
        match self.transparent {
            Some(true) => params.push(("TRANSPARENT", "TRUE")),
            Some(false) => params.push(("TRANSPARENT", "FALSE")),
            None => {}
        }
        params.push(("EXCEPTIONS", exceptions));
        with_params(service, &params)
    }
}

fn checked_text(name: &str, text: &str, max: usize) -> Result<(), String> {
    if text.len() > max {
        return Err(format!("{name} is longer than {max} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err(format!("{name} contains control characters"));
    }
    Ok(())
}

fn bbox(text: &str) -> Result<[f64; 4], String> {
    let bad = || format!("BBOX {text:?} must be four numbers minx,miny,maxx,maxy");
    let numbers: Vec<f64> = text
        .split(',')
        .map(|n| n.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    let [a, b, c, d] = numbers[..] else {
        return Err(bad());
    };
    if a >= c || b >= d {
        return Err(format!(
            "BBOX {text:?} is empty: each minimum must be below its maximum"
        ));
    }
    Ok([a, b, c, d])
}

fn side(name: &str, value: Option<&str>) -> Result<u32, String> {
    value
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|v| (1..=MAX_SIDE).contains(v))
        .ok_or_else(|| format!("{name} must be a whole number of pixels from 1 to {MAX_SIDE}"))
}

/// The image type of `bytes` by their signature, if they are one of the
/// raster formats passed on; the answer is labelled by this, never by
/// what the provider claimed.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    const OL: &str = "url=x&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&FORMAT=image%2Fpng&TRANSPARENT=true&LAYERS=a%2Cb&STYLES=&CRS=EPSG%3A25832&WIDTH=512&HEIGHT=256&BBOX=400000%2C5700000%2C500000%2C5800000";

    #[test]
    fn the_service_url_keeps_its_own_parameters_only() {
        let url = service_url(
            "https://geo.example/wms?map=/x.map&SERVICE=WMS&request=GetCapabilities&Version=1.1.1#top",
        )
        .unwrap();
        assert_eq!(url.as_str(), "https://geo.example/wms?map=%2Fx.map");
        assert_eq!(
            service_url("http://127.0.0.1:8091/?").unwrap().as_str(),
            "http://127.0.0.1:8091/"
        );
        assert!(service_url("not a url").is_none());
    }

    #[test]
    fn an_openlayers_getmap_becomes_the_providers_getmap() {
        let get_map = GetMap::from_pairs(&pairs(OL)).unwrap();
        let service = service_url("https://geo.example/wms?map=m").unwrap();
        assert_eq!(
            get_map.provider_url(&service).as_str(),
            "https://geo.example/wms?map=m&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=a%2Cb&STYLES=&CRS=EPSG%3A25832&BBOX=400000%2C5700000%2C500000%2C5800000&WIDTH=512&HEIGHT=256&FORMAT=image%2Fpng&TRANSPARENT=TRUE&EXCEPTIONS=XML"
        );
        let old = GetMap::from_pairs(&pairs(
            "VERSION=1.1.1&LAYERS=a&SRS=EPSG:4326&BBOX=6,51,12,54&WIDTH=10&HEIGHT=10&FORMAT=image/png;%20mode=8bit",
        ))
        .unwrap();
        let url = old.provider_url(&service).to_string();
        assert!(url.contains("&SRS=EPSG%3A4326&"), "{url}");
        assert!(
            url.ends_with("EXCEPTIONS=application%2Fvnd.ogc.se_xml"),
            "{url}"
        );
    }

    #[test]
    fn bad_parameters_are_refused_with_a_reason() {
        let with = |from: &str, to: &str| GetMap::from_pairs(&pairs(&OL.replace(from, to)));
        for (from, to, says) in [
            ("WIDTH=512", "WIDTH=0", "WIDTH"),
            ("WIDTH=512", "WIDTH=5000", "WIDTH"),
            ("HEIGHT=256", "HEIGHT=-3", "HEIGHT"),
            ("BBOX=400000", "BBOX=NaN", "BBOX"),
            ("%2C5800000", "", "BBOX"),
            ("BBOX=400000", "BBOX=600000", "empty"),
            ("image%2Fpng", "image%2Fsvg%2Bxml", "FORMAT"),
            ("image%2Fpng", "text%2Fhtml", "FORMAT"),
            ("LAYERS=a%2Cb", "LAYERS=a%0Ab", "control"),
            ("LAYERS=a%2Cb", "LAYERS=", "LAYERS"),
            ("CRS=EPSG%3A25832", "CRS=EPSG%3A25832%26x%3Dy", "CRS"),
            ("REQUEST=GetMap", "REQUEST=GetFeatureInfo", "GetMap"),
            ("VERSION=1.3.0", "VERSION=2.0", "VERSION"),
            ("TRANSPARENT=true", "TRANSPARENT=maybe", "TRANSPARENT"),
        ] {
            let error = with(from, to).expect_err(to);
            assert!(error.contains(says), "{to}: {error}");
        }
    }

    #[test]
    fn images_are_known_by_their_signature() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image(&[0xff, 0xd8, 0xff, 0xe0]), Some("image/jpeg"));
        assert_eq!(sniff_image(b"GIF89a"), Some("image/gif"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff_image(b"<?xml version='1.0'?>"), None);
    }
}
