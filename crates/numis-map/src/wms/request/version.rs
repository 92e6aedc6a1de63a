//! The WMS versions numis speaks (1.3.0 and 1.1.1) and how a request's
//! VERSION is read: negotiated for GetCapabilities, checked for the rest.

/// A supported WMS version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// WMS 1.1.1: `SRS`, `X`/`Y`, longitude first everywhere.
    V111,
    /// WMS 1.3.0: `CRS`, `I`/`J`, EPSG:4326 and EPSG:4258 latitude first.
    #[default]
    V130,
}

impl Version {
    /// `"1.1.1"` or `"1.3.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V111 => "1.1.1",
            Self::V130 => "1.3.0",
        }
    }

    /// The version to serve for an operation other than GetCapabilities.
    /// Besides the two supported versions this accepts 1.0.0 and 1.1.0 as
    /// 1.1.1, which reads their requests the same way (SRS, longitude first).
    pub fn parse(version: &str) -> Option<Self> {
        match version.trim() {
            "1.3.0" => Some(Self::V130),
            "1.1.1" | "1.1.0" | "1.0.0" => Some(Self::V111),
            _ => None,
        }
    }

    /// Version negotiation for GetCapabilities (WMS 1.3.0, 6.2.4): a
    /// supported version is served as asked; otherwise the highest supported
    /// version below the requested one, or the lowest supported when the
    /// request is below all of them. Text that is not a version number gets
    /// the highest version, as a missing VERSION does.
    ///
    /// ```
    /// use numis_map::wms::Version;
    ///
    /// assert_eq!(Version::negotiate("1.1.1"), Version::V111);
    /// assert_eq!(Version::negotiate("1.2.0"), Version::V111);
    /// assert_eq!(Version::negotiate("1.0.0"), Version::V111);
    /// assert_eq!(Version::negotiate("2.0.0"), Version::V130);
    /// ```
    pub fn negotiate(requested: &str) -> Self {
        let parts: Option<Vec<u32>> = requested
            .trim()
            .split('.')
            .map(|p| p.parse().ok())
            .collect();
        match parts {
            Some(parts) if parts < vec![1, 3, 0] => Self::V111,
            _ => Self::V130,
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::wms::ExceptionCode;

    #[test]
    fn a_missing_version_is_1_3_0_unless_only_srs_is_given() {
        assert_eq!(get_map(&[("VERSION", "")]).unwrap().version, Version::V130);
        let map = get_map(&[
            ("VERSION", ""),
            ("CRS", ""),
            ("SRS", "EPSG:4326"),
            ("BBOX", "9.5,51.5,10.5,52.5"),
        ])
        .unwrap();
        assert_eq!(map.version, Version::V111);
        assert_eq!(map.bbox.min_x, 9.5);
    }

    #[test]
    fn get_map_rejects_an_unsupported_version() {
        let error = assert_error(
            get_map(&[("VERSION", "2.0.0")]),
            ExceptionCode::InvalidParameterValue,
            "VERSION",
        );
        assert!(error.message.contains("1.3.0"), "{error}");
        assert_eq!(
            get_map(&[("VERSION", "1.1.0")]).unwrap().version,
            Version::V111
        );
    }
}
