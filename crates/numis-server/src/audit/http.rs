//! The few ways the audit asks the portal for JSON, with errors in words
//! for the report.

use serde_json::Value;
use url::Url;

/// The answer to `GET path` as JSON; an answer other than 2xx is an
/// error naming its status and how it begins.
pub async fn get_json(client: &reqwest::Client, base: &Url, path: &str) -> Result<Value, String> {
    let answer = super::crawl::get(client, base, path).await?;
    if !(200..300).contains(&answer.status) {
        return Err(format!("{}: {}", answer.status, excerpt(&answer.body)));
    }
    serde_json::from_str(&answer.body).map_err(|e| format!("not JSON ({e})"))
}

/// `POST path` with `body` as JSON; the answer, whatever its status.
pub async fn post_json(
    client: &reqwest::Client,
    base: &Url,
    path: &str,
    body: &Value,
) -> Result<reqwest::Response, String> {
    let url = base.join(path).map_err(|e| e.to_string())?;
    client
        .post(url)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("no answer ({e})"))
}

/// The start of an answer, for the evidence.
pub fn excerpt(text: &str) -> String {
    text.chars().take(160).collect()
}
