//! The query of `/items` (OGC 17-069r4, 7.15; 18-058r1, 7), parsed and
//! checked once: handlers see only an [`ItemsQuery`]. A parameter the
//! standard or this service does not define is refused (400), as is any
//! parameter given twice.

use geo::Rect;

use super::crs::OgcCrs;

/// Features per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 100;
/// The largest page; a larger `limit` is served as this one, as Part 1
/// requires (17-069r4, /req/core/fc-limit-response-1: no error).
pub const MAX_LIMIT: usize = 10_000;

/// Parameters every OGC API resource here reads.
pub const COMMON: [&str; 2] = ["f", "lang"];
/// Parameters `/items` reads besides the property filters.
const ITEMS: [&str; 7] = [
    "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "f",
];
/// Parameters `/items/{featureId}` reads.
pub const FEATURE: [&str; 3] = ["f", "lang", "crs"];

/// A checked `/items` query.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemsQuery {
    /// Features per page, 1 to [`MAX_LIMIT`].
    pub limit: usize,
    /// Matching features skipped before the page.
    pub offset: usize,
    /// Only features meeting this area, in `crs.engine()` coordinates
    /// (x first, whatever the axis order of `bbox-crs`).
    pub bbox: Option<(OgcCrs, Rect<f64>)>,
    /// The CRS of the answer's coordinates.
    pub crs: OgcCrs,
    /// Property filters: a feature matches when each named property's
    /// value, written as text, equals the given text.
    pub filters: Vec<(String, String)>,
}

/// The first parameter of `pairs` that is not among `known`, if any.
pub fn unknown<'p>(pairs: &'p [(String, String)], known: &[&str]) -> Option<&'p str> {
    pairs
        .iter()
        .map(|(name, _)| name.as_str())
        .find(|name| !known.contains(name))
}

/// The value of `name`, refusing it twice.
pub fn single<'p>(pairs: &'p [(String, String)], name: &str) -> Result<Option<&'p str>, String> {
    let mut values = pairs
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str());
    let first = values.next();
    if values.next().is_some() {
        return Err(format!("parameter '{name}' is given more than once"));
    }
    Ok(first)
}

/// The CRS of `crs` (CRS84 when absent).
pub fn output_crs(pairs: &[(String, String)]) -> Result<OgcCrs, String> {
    match single(pairs, "crs")? {
        None => Ok(OgcCrs::Crs84),
        Some(uri) => OgcCrs::parse(uri)
            .ok_or_else(|| format!("crs '{uri}' is not offered; see the collection's 'crs' list")),
    }
}

impl ItemsQuery {
    /// Parses `pairs`; `queryable` are the property names that may be
    /// filtered on. The error says which parameter is wrong and why.
    pub fn parse(pairs: &[(String, String)], queryable: &[&str]) -> Result<Self, String> {
        for (name, _) in pairs {
            let known = ITEMS.contains(&name.as_str())
                || COMMON.contains(&name.as_str())
                || queryable.contains(&name.as_str());
            if !known {
                return Err(format!(
                    "unknown parameter '{name}'; this collection reads limit, offset, bbox, \
                     bbox-crs, crs, datetime, f, lang and the properties {}",
                    if queryable.is_empty() {
                        "(none)".to_owned()
                    } else {
                        queryable.join(", ")
                    }
                ));
            }
        }
        let limit = match single(pairs, "limit")? {
            None => DEFAULT_LIMIT,
            Some(text) => match text.trim().parse::<usize>() {
                Ok(0) | Err(_) => {
                    return Err(format!(
                        "limit must be a whole number from 1 (got '{text}')"
                    ));
                }
                Ok(n) => n.min(MAX_LIMIT),
            },
        };
        let offset = match single(pairs, "offset")? {
            None => 0,
            Some(text) => text
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("offset must be a whole number from 0 (got '{text}')"))?,
        };
        let bbox_crs = match single(pairs, "bbox-crs")? {
            None => OgcCrs::Crs84,
            Some(uri) => {
                OgcCrs::parse(uri).ok_or_else(|| format!("bbox-crs '{uri}' is not offered"))?
            }
        };
        let bbox = single(pairs, "bbox")?
            .map(|text| parse_bbox(text, bbox_crs))
            .transpose()?;
        if bbox.is_none() && single(pairs, "bbox-crs")?.is_some() {
            return Err("bbox-crs needs a bbox".to_owned());
        }
        let crs = output_crs(pairs)?;
        // Time is accepted as the standard asks, but no layer here has a
        // temporal property, so it selects nothing away (17-069r4, 7.15.4).
        single(pairs, "datetime")?;
        let mut filters = Vec::new();
        for name in queryable {
            if let Some(value) = single(pairs, name)? {
                filters.push(((*name).to_owned(), value.to_owned()));
            }
        }
        Ok(Self {
            limit,
            offset,
            bbox,
            crs,
            filters,
        })
    }
}

/// `minx,miny,maxx,maxy` (or with heights, `minx,miny,minz,maxx,maxy,maxz`)
/// in `crs`'s axis order, as an area in engine coordinates.
fn parse_bbox(text: &str, crs: OgcCrs) -> Result<(OgcCrs, Rect<f64>), String> {
    let numbers: Vec<f64> = text
        .split(',')
        .map(|n| n.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("bbox must be 4 numbers separated by commas (got '{text}')"))?;
    let [a, b, c, d] = match numbers.as_slice() {
        [a, b, c, d] => [*a, *b, *c, *d],
        [a, b, _, d, e, _] => [*a, *b, *d, *e],
        _ => {
            return Err(format!(
                "bbox must be 4 numbers (or 6 with heights), got {}",
                numbers.len()
            ));
        }
    };
    if [a, b, c, d].iter().any(|n| !n.is_finite()) {
        return Err("bbox numbers must be finite".to_owned());
    }
    // Back to x first (longitude, easting), whatever the CRS's axis order.
    let (min_x, min_y) = crs.ordered(a, b);
    let (max_x, max_y) = crs.ordered(c, d);
    if min_x > max_x || min_y > max_y {
        return Err(format!(
            "bbox corners are swapped: the lower corner comes first (got '{text}')"
        ));
    }
    Ok((
        crs,
        Rect::new(
            geo::coord! { x: min_x, y: min_y },
            geo::coord! { x: max_x, y: max_y },
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    #[test]
    fn defaults_limits_and_filters() {
        let q = ItemsQuery::parse(&pairs(""), &[]).unwrap();
        assert_eq!(
            (q.limit, q.offset, q.crs, q.bbox),
            (100, 0, OgcCrs::Crs84, None)
        );
        let q = ItemsQuery::parse(&pairs("limit=20000&offset=5&name=Celle"), &["name"]).unwrap();
        assert_eq!((q.limit, q.offset), (MAX_LIMIT, 5));
        assert_eq!(q.filters, [("name".to_owned(), "Celle".to_owned())]);
        for bad in [
            "limit=0",
            "limit=-1",
            "limit=x",
            "offset=-2",
            "limit=1&limit=2",
        ] {
            assert!(ItemsQuery::parse(&pairs(bad), &[]).is_err(), "{bad}");
        }
        let error = ItemsQuery::parse(&pairs("owner=x"), &["name"]).unwrap_err();
        assert!(error.contains("unknown parameter 'owner'"), "{error}");
    }

    #[test]
    fn a_bbox_in_epsg_4326_is_read_latitude_first() {
        let q = ItemsQuery::parse(
            &pairs("bbox=52.3,9.7,52.4,9.8&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326"),
            &[],
        )
        .unwrap();
        let (crs, rect) = q.bbox.unwrap();
        assert_eq!(crs, OgcCrs::Wgs84);
        assert_eq!((rect.min().x, rect.min().y), (9.7, 52.3));
        assert_eq!((rect.max().x, rect.max().y), (9.8, 52.4));
        for bad in [
            "bbox=1,2,3",
            "bbox=3,2,1,4",
            "bbox=a,b,c,d",
            "bbox=1,2,3,inf",
            "bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326",
            "bbox=1,2,3,4&bbox-crs=EPSG:2056",
            "crs=http://www.opengis.net/def/crs/EPSG/0/31467",
        ] {
            assert!(ItemsQuery::parse(&pairs(bad), &[]).is_err(), "{bad}");
        }
        let q = ItemsQuery::parse(&pairs("bbox=9,52,0,10,53,100"), &[]).unwrap();
        assert_eq!(q.bbox.unwrap().1.max().x, 10.0);
    }
}
