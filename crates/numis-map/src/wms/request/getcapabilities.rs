//! GetCapabilities: the version is negotiated, never refused (WMS 1.3.0,
//! 6.2.4), and LANGUAGE picks the document's language.

use super::WmsRequest;
use super::raw::RawQuery;
use super::version::Version;

/// The GetCapabilities request of `raw`.
pub(super) fn capabilities_request(raw: &RawQuery) -> WmsRequest {
    WmsRequest::GetCapabilities {
        version: raw.version_text().map_or(Version::V130, Version::negotiate),
        language: raw.language(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn capabilities_negotiate_the_version() {
        assert_eq!(capabilities_version(&[]), Version::V130);
        assert_eq!(capabilities_version(&[("VERSION", "1.1.1")]), Version::V111);
        assert_eq!(capabilities_version(&[("VERSION", "1.3.0")]), Version::V130);
        assert_eq!(capabilities_version(&[("VERSION", "1.2.0")]), Version::V111);
        assert_eq!(capabilities_version(&[("VERSION", "1.0.0")]), Version::V111);
        assert_eq!(capabilities_version(&[("VERSION", "1.4")]), Version::V130);
        assert_eq!(
            capabilities_version(&[("VERSION", "nonsense")]),
            Version::V130
        );
        assert_eq!(capabilities_version(&[("WMTVER", "1.1.0")]), Version::V111);
    }

    #[test]
    fn capabilities_accept_the_wms_1_0_name_and_a_missing_service() {
        let pairs = query(&[("request", "capabilities"), ("language", "en")]);
        assert_eq!(
            parse(&pairs, &Limits::default()).unwrap(),
            WmsRequest::GetCapabilities {
                version: Version::V130,
                language: Some("en".into())
            }
        );
    }
}
