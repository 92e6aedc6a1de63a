//! The identity of a rendered GetMap image, for caches: everything that
//! changes the image — layers, extent, size, format, background, language
//! and which layers the caller may see — and nothing else (not the version
//! it was asked in, nor how exceptions would have been reported).

use crate::Crs;
use crate::render::ImageFormat;
use crate::view::{CatalogView, ViewIdentity};
use crate::wms::GetMapRequest;

/// Two requests with equal keys get identical images.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RenderKey {
    layers: Vec<String>,
    crs: Crs,
    /// The extent's bits: `-0.0` and `0.0` stay apart, as in the request.
    bbox: [u64; 4],
    width: u32,
    height: u32,
    format: ImageFormat,
    transparent: bool,
    bgcolor: [u8; 3],
    /// `de` unless the request asked for English.
    language: String,
    view: ViewIdentity,
}

impl RenderKey {
    /// The key of `request` as drawn for `view`.
    pub fn new(request: &GetMapRequest, view: &CatalogView<'_>) -> Self {
        let b = request.bbox;
        Self {
            layers: request.layers.clone(),
            crs: request.crs,
            bbox: [b.min_x, b.min_y, b.max_x, b.max_y].map(f64::to_bits),
            width: request.width,
            height: request.height,
            format: request.format,
            transparent: request.transparent,
            bgcolor: request.bgcolor,
            language: request.language.clone().unwrap_or_else(|| "de".into()),
            view: view.identity(),
        }
    }

    /// Roughly the bytes the key holds, for weighing cache entries.
    pub fn weight(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.layers.iter().map(String::len).sum::<usize>()
            + self.language.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, MAP_FILE};
    use crate::view::Caller;
    use crate::wms::{self, Limits, WmsRequest};

    fn get_map(extra: &[(&str, &str)]) -> GetMapRequest {
        let mut pairs = vec![
            ("REQUEST", "GetMap"),
            ("VERSION", "1.3.0"),
            ("LAYERS", "open"),
            ("CRS", "EPSG:25832"),
            ("BBOX", "0,0,1000,1000"),
            ("WIDTH", "256"),
            ("HEIGHT", "256"),
            ("FORMAT", "image/png"),
        ];
        pairs.extend_from_slice(extra);
        let pairs: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        match wms::parse(&pairs, &Limits::default()) {
            Ok(WmsRequest::GetMap(map)) => map,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keys_differ_by_what_changes_the_image_and_the_callers_view_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("empty.geojson"),
            r#"{"type":"FeatureCollection","features":[]}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join(MAP_FILE),
            "[[layer]]\nid = \"open\"\ntitle = \"Open\"\nsource = { type = \"geojson\", path = \"empty.geojson\" }\n",
        )
        .unwrap();
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        let public = Caller::default();
        let operator = Caller {
            roles: Vec::new(),
            operator: true,
        };
        let key = |request: &GetMapRequest, caller: &Caller| {
            RenderKey::new(request, &catalog.view(caller))
        };
        let base = key(&get_map(&[]), &public);
        assert_eq!(base, key(&get_map(&[("EXCEPTIONS", "INIMAGE")]), &public));
        assert_eq!(base, key(&get_map(&[("LANGUAGE", "de")]), &public));
        assert_ne!(base, key(&get_map(&[]), &operator));
        for change in [
            ("LANGUAGE", "en"),
            ("TRANSPARENT", "TRUE"),
            ("BGCOLOR", "0x000000"),
        ] {
            assert_ne!(base, key(&get_map(&[change]), &public), "{change:?}");
        }
        assert!(base.weight() > std::mem::size_of::<RenderKey>());
    }
}
