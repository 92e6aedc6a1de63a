//! Files answered to the one who asked for them: a printed map, an image
//! of the view, the export of an account. Attachments with their name,
//! kept by no shared cache.

use axum::body::Body;
use axum::http::{HeaderValue, Response, header};

/// A file for the one who asked for it: an attachment named `file_name`
/// that no shared cache keeps.
pub fn private_download(
    body: impl Into<Body>,
    content_type: &'static str,
    file_name: &str,
) -> Response<Body> {
    let mut response = Response::new(body.into());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}
