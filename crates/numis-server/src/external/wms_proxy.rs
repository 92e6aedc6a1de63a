//! Another authority's WMS through numis: capabilities read and kept
//! for a few minutes, map and legend images fetched and kept for a
//! couple of minutes, both in caches bounded in bytes. Every request goes
//! through the safe [`Fetcher`] (public addresses only, pinned, bounded);
//! the URLs are built by [`super::wms_request`], never taken from the
//! browser — a legend's address comes from the provider's capabilities.
//!
//! Rate limits are the caller's business (the routes): they know the
//! client and count only what is not answered from a cache.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use quick_cache::sync::Cache;
use url::Url;

use super::capabilities::{self, Capabilities, CapabilitiesError};
use super::fetch::{Expect, FetchError, Fetcher};
use super::wms_request::{capabilities_url, legend_graphic_url, sniff_image};

/// How long capabilities are kept.
pub const CAPABILITIES_TTL: Duration = Duration::from_secs(300);
/// How long map and legend images are kept.
pub const IMAGE_TTL: Duration = Duration::from_secs(120);
/// Bytes of capabilities kept at most.
const CAPABILITIES_CACHE_BYTES: u64 = 16 * 1024 * 1024;
/// Bytes of images kept at most.
const IMAGE_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// Capabilities: at most 5 MB, XML only (1.1.1's own type and the
/// exception type included, so that an exception can be read).
const CAPABILITIES: Expect = Expect {
    max_bytes: 5 * 1024 * 1024,
    content_types: &[
        "text/xml",
        "application/xml",
        "application/vnd.ogc.wms_xml",
        "application/vnd.ogc.se_xml",
    ],
};

/// Images: at most 10 MB; XML is read only to pass on the provider's
/// exception, never answered.
const IMAGE: Expect = Expect {
    max_bytes: 10 * 1024 * 1024,
    content_types: &[
        "image/",
        "text/xml",
        "application/xml",
        "application/vnd.ogc.se",
    ],
};

/// An image fetched from a provider, labelled by its signature.
#[derive(Debug, Clone)]
pub struct Image {
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`.
    pub content_type: &'static str,
    /// The image.
    pub bytes: Bytes,
}

/// Why a WMS request through numis failed; every message can be shown.
#[derive(Debug, thiserror::Error)]
pub enum WmsProxyError {
    /// The fetch failed or was refused.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The provider answered with an OGC exception.
    #[error("the map service reported an error: {0}")]
    Provider(String),
    /// The capabilities cannot be read.
    #[error(transparent)]
    Capabilities(CapabilitiesError),
    /// The provider's answer is no image of a type passed on.
    #[error("the map service sent no PNG, JPEG, GIF or WebP image")]
    NotAnImage,
    /// The service has no layer of that name.
    #[error("the service has no layer {0:?}")]
    UnknownLayer(String),
    /// The layer has no legend.
    #[error("the layer {0:?} has no legend")]
    NoLegend(String),
}

#[derive(Clone)]
struct Kept<T> {
    value: T,
    at: Instant,
    weight: u64,
}

#[derive(Clone)]
struct ByWeight;

impl<T> quick_cache::Weighter<String, Kept<T>> for ByWeight {
    fn weight(&self, key: &String, kept: &Kept<T>) -> u64 {
        key.len() as u64 + kept.weight
    }
}

/// The caches of the WMS proxy.
pub struct WmsProxy {
    capabilities: Cache<String, Kept<Arc<Capabilities>>, ByWeight>,
    images: Cache<String, Kept<Image>, ByWeight>,
}

impl Default for WmsProxy {
    fn default() -> Self {
        Self {
            // Typical capabilities are 20–500 KB, images 20–200 KB.
            capabilities: Cache::with_weighter(256, CAPABILITIES_CACHE_BYTES, ByWeight),
            images: Cache::with_weighter(1024, IMAGE_CACHE_BYTES, ByWeight),
        }
    }
}

fn fresh<T: Clone>(kept: Option<Kept<T>>, ttl: Duration) -> Option<T> {
    kept.filter(|k| k.at.elapsed() < ttl).map(|k| k.value)
}

impl WmsProxy {
    /// The capabilities of `service` if read lately.
    pub fn cached_capabilities(&self, service: &Url) -> Option<Arc<Capabilities>> {
        fresh(self.capabilities.get(service.as_str()), CAPABILITIES_TTL)
    }

    /// Reads the capabilities of `service`: asks for 1.3.0 and takes a
    /// 1.1.1 answer too; a service that refuses 1.3.0 is asked for 1.1.1.
    pub async fn fetch_capabilities(
        &self,
        fetcher: &Fetcher,
        service: &Url,
    ) -> Result<Arc<Capabilities>, WmsProxyError> {
        let (mut caps, weight) = match read_capabilities(fetcher, service, "1.3.0").await {
            Ok(read) => read,
            Err(first @ WmsProxyError::Provider(_))
            | Err(first @ WmsProxyError::Capabilities(_)) => {
                read_capabilities(fetcher, service, "1.1.1")
                    .await
                    .map_err(|_| first)?
            }
            Err(other) => return Err(other),
        };
        caps.url = service.to_string();
        let caps = Arc::new(caps);
        self.capabilities.insert(
            service.to_string(),
            Kept {
                value: caps.clone(),
                at: Instant::now(),
                weight,
            },
        );
        Ok(caps)
    }

    /// The image at `url` if fetched lately.
    pub fn cached_image(&self, url: &Url) -> Option<Image> {
        fresh(self.images.get(url.as_str()), IMAGE_TTL)
    }

    /// Fetches the image at `url` and keeps it.
    pub async fn fetch_image(&self, fetcher: &Fetcher, url: &Url) -> Result<Image, WmsProxyError> {
        let fetched = fetcher.get(url.as_str(), IMAGE).await?;
        if !fetched
            .content_type
            .to_ascii_lowercase()
            .starts_with("image/")
        {
            let message = capabilities::exception_message(&fetched.bytes).unwrap_or_else(|| {
                format!("it sent {:?} instead of an image", fetched.content_type)
            });
            return Err(WmsProxyError::Provider(message));
        }
        let content_type = sniff_image(&fetched.bytes).ok_or(WmsProxyError::NotAnImage)?;
        let image = Image {
            content_type,
            bytes: Bytes::from(fetched.bytes),
        };
        self.images.insert(
            url.to_string(),
            Kept {
                value: image.clone(),
                at: Instant::now(),
                weight: image.bytes.len() as u64,
            },
        );
        Ok(image)
    }
}

/// Where the legend of `layer` is: its LegendURL in the capabilities
/// (relative ones against the service), or the service's
/// GetLegendGraphic.
pub fn legend_url(caps: &Capabilities, service: &Url, layer: &str) -> Result<Url, WmsProxyError> {
    let info = caps
        .layers
        .iter()
        .find(|l| l.name == layer)
        .ok_or_else(|| WmsProxyError::UnknownLayer(layer.to_owned()))?;
    if let Some(url) = info
        .legend_url
        .as_deref()
        .and_then(|u| service.join(u).ok())
    {
        return Ok(url);
    }
    if caps.legend_graphic {
        return Ok(legend_graphic_url(service, &caps.version, layer));
    }
    Err(WmsProxyError::NoLegend(layer.to_owned()))
}

async fn read_capabilities(
    fetcher: &Fetcher,
    service: &Url,
    version: &str,
) -> Result<(Capabilities, u64), WmsProxyError> {
    let fetched = fetcher
        .get(capabilities_url(service, version).as_str(), CAPABILITIES)
        .await?;
    let weight = fetched.bytes.len() as u64;
    let caps = capabilities::read(&fetched.bytes).map_err(|e| match e {
        CapabilitiesError::Service(message) => WmsProxyError::Provider(message),
        other => WmsProxyError::Capabilities(other),
    })?;
    Ok((caps, weight))
}
