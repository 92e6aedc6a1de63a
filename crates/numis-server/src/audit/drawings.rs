//! P4, P8, P9, P10, P11, live: one test drawing taken through its whole
//! life as an anonymous citizen would — saved without account or cookie,
//! read, refused a change without its key, copied, the copy changed, both
//! deleted with their keys — with hostile markup in its texts, and
//! uploads over the limits. What it creates it deletes again.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use url::Url;

use super::findings::Findings;
use crate::config::Config;

/// The test drawing: a point in Hannover whose texts carry what the
/// sanitiser must remove (P11).
fn test_drawing() -> Value {
    json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {
                "name": "numis audit <img src=x onerror=alert(1)>",
                "description": "<p>Probe</p><script>alert(1)</script><a href=\"javascript:alert(1)\">x</a>"
            },
            "geometry": {"type": "Point", "coordinates": [9.7320, 52.3745]}
        }]
    })
}

/// An answer, read whole.
struct Answer {
    status: StatusCode,
    cookies: Vec<String>,
    body: Value,
}

/// What the life of the test drawing showed, clause by clause.
#[derive(Default)]
pub struct DrawingLife {
    pub p4: Findings,
    pub p8: Findings,
    pub p9: Findings,
    pub p10: Findings,
    pub p11: Findings,
    /// Steps that could not run.
    pub not_run: Vec<String>,
}

/// Runs the test drawing's life against `base`.
pub async fn check(client: &reqwest::Client, base: &Url, config: &Config) -> DrawingLife {
    let mut life = DrawingLife::default();
    let mut cookies = Vec::new();
    let created = match send(
        client,
        base,
        Method::POST,
        "/api/drawings?title=numis%20audit",
        None,
        Some(test_drawing()),
    )
    .await
    {
        Ok(a) if a.status == StatusCode::CREATED => a,
        // The allowance of the auditing address is used up (P11 working):
        // that proves nothing about P4.
        Ok(a) if a.status == StatusCode::TOO_MANY_REQUESTS => {
            life.not_run.push(
                "P4, P8–P11: this address may save no more drawings for now (429, the creation limit); run the audit again later".into(),
            );
            return life;
        }
        Ok(a) => {
            life.p4.problem(format!(
                "saving a drawing without an account answered {} ({})",
                a.status, a.body
            ));
            return life;
        }
        Err(e) => {
            life.not_run.push(format!(
                "P4, P8–P11: the test drawing could not be saved ({e})"
            ));
            return life;
        }
    };
    cookies.extend(created.cookies.iter().cloned());
    let id = created.body["id"].as_str().unwrap_or_default().to_owned();
    let key = created.body["edit_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    life.p4.saw(
        "a drawing was saved by a request without account, cookie or any personal data: it answered a random id and an edit key",
    );
    judge_links(&created.body, &key, &mut life.p4);
    judge_key(&key, &mut life.p9);
    judge_expiry(&created.body, config, &mut life.p8);

    let path = format!("/api/drawings/{id}");
    match send(client, base, Method::GET, &path, None, None).await {
        Ok(read) => {
            cookies.extend(read.cookies);
            judge_sanitised(&read.body, &mut life.p11);
        }
        Err(e) => life.not_run.push(format!(
            "P11: the test drawing could not be read back ({e})"
        )),
    }

    // P9/P10: no change without the key, nor with a wrong one.
    let changed = json!({"type": "FeatureCollection", "features": []});
    for (how, bearer) in [
        ("without a key", None),
        ("with a wrong key", Some("0".repeat(key.len().max(1)))),
    ] {
        match send(
            client,
            base,
            Method::PUT,
            &path,
            bearer.as_deref(),
            Some(changed.clone()),
        )
        .await
        {
            Ok(a) if matches!(a.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => life
                .p10
                .saw(format!("a change {how} was refused ({})", a.status)),
            Ok(a) => life.p10.problem(format!(
                "a change of another's drawing {how} answered {}",
                a.status
            )),
            Err(e) => life.not_run.push(format!("P10: change {how}: {e}")),
        }
    }

    // P10: anyone may copy; the copy is its own and remembers its origin.
    let copy = send(
        client,
        base,
        Method::POST,
        &format!("{path}/copy"),
        None,
        None,
    )
    .await;
    let mut copy_key = None;
    match copy {
        Ok(copy) if copy.status == StatusCode::CREATED => {
            cookies.extend(copy.cookies);
            let copy_id = copy.body["id"].as_str().unwrap_or_default().to_owned();
            let own_key = copy.body["edit_key"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if copy_id == id || own_key == key || own_key.is_empty() {
                life.p10
                    .problem("the copy did not get an id and a key of its own");
            }
            let copy_path = format!("/api/drawings/{copy_id}");
            if let Ok(read) = send(client, base, Method::GET, &copy_path, None, None).await {
                if read.body["copied_from"].as_str() == Some(id.as_str()) {
                    life.p10.saw(
                        "a copy without any key got its own id and key and records its origin",
                    );
                } else {
                    life.p10.problem(format!(
                        "the copy does not record its origin (copied_from {})",
                        read.body["copied_from"]
                    ));
                }
            }
            match send(
                client,
                base,
                Method::PUT,
                &copy_path,
                Some(&own_key),
                Some(changed.clone()),
            )
            .await
            {
                Ok(a) if a.status == StatusCode::OK => {}
                Ok(a) => life.p10.problem(format!(
                    "the copy's own key could not change it ({})",
                    a.status
                )),
                Err(e) => life.not_run.push(format!("P10: change of the copy: {e}")),
            }
            match send(client, base, Method::GET, &path, None, None).await {
                Ok(read)
                    if read.body["features"]
                        .as_array()
                        .is_some_and(|f| f.len() == 1) =>
                {
                    life.p10
                        .saw("the original is unchanged after its copy was changed")
                }
                Ok(read) => life.p10.problem(format!(
                    "the original changed with its copy ({} features)",
                    read.body["features"].as_array().map_or(0, Vec::len)
                )),
                Err(e) => life.not_run.push(format!("P10: original read again: {e}")),
            }
            copy_key = Some((copy_path, own_key));
        }
        Ok(copy) => life.p10.problem(format!(
            "copying a drawing without a key answered {}",
            copy.status
        )),
        Err(e) => life.not_run.push(format!("P10: copy: {e}")),
    }

    // P9: the key deletes, at once.
    delete(client, base, "the test drawing", &path, &key, &mut life).await;
    if let Some((copy_path, own_key)) = copy_key {
        delete(client, base, "its copy", &copy_path, &own_key, &mut life).await;
    }

    registration(client, base, config, &mut life).await;
    if cookies.is_empty() {
        life.p4.saw("no answer of the drawings API set a cookie");
    } else {
        life.p4.problem(format!(
            "the drawings API set cookies: {}",
            cookies.join(", ")
        ));
    }
    life
}

/// The registration of "Mein NUMIS" (German route of
/// `routes::account::REGISTER`, which the audit may not import: the
/// console that runs the audit sits behind the routes).
const REGISTRATION: &str = "/konto/registrieren";
/// The names a registration may require: a pseudonym and a password.
const REGISTRATION_NEEDS: &[&str] = &["pseudonym", "password", "password_repeat"];

/// "Mein NUMIS" asks only for a pseudonym and a password; the voluntary
/// fields stay hidden from operators unless configured.
async fn registration(
    client: &reqwest::Client,
    base: &Url,
    config: &Config,
    life: &mut DrawingLife,
) {
    if !config.accounts.enabled {
        life.p4
            .saw("accounts are switched off: nothing asks a visitor for personal data");
        return;
    }
    let path = REGISTRATION;
    let page = match super::crawl::get(client, base, path).await {
        Ok(page) if page.status == 200 => page,
        Ok(page) => {
            life.not_run
                .push(format!("P4: {path} answered {}", page.status));
            return;
        }
        Err(e) => {
            life.not_run.push(format!("P4: {path}: {e}"));
            return;
        }
    };
    let html = scraper::Html::parse_document(&page.body);
    let Ok(required) = scraper::Selector::parse(
        "form input[required], form select[required], form textarea[required]",
    ) else {
        return;
    };
    let demanded: Vec<String> = html
        .select(&required)
        .filter_map(|input| input.value().attr("name"))
        .filter(|name| !REGISTRATION_NEEDS.contains(name))
        .map(str::to_owned)
        .collect();
    if demanded.is_empty() {
        life.p4.saw(format!(
            "the registration ({path}) requires only a pseudonym and a password"
        ));
    } else {
        life.p4.problem(format!(
            "the registration ({path}) requires {}",
            demanded.join(", ")
        ));
    }
    life.p4.saw(if config.accounts.operators_see_profiles {
        "[accounts] operators_see_profiles = true: operators see the voluntary profile fields in the console (the privacy page must say so)"
    } else {
        "operators do not see the voluntary profile fields ([accounts] operators_see_profiles = false)"
    });
}

/// The share link carries no key; the key is only in the edit link's
/// fragment, which browsers never send.
fn judge_links(created: &Value, key: &str, p4: &mut Findings) {
    let share = created["share_url"].as_str().unwrap_or_default();
    let edit = created["edit_url"].as_str().unwrap_or_default();
    if key.is_empty() || share.contains(key) {
        p4.problem("the share link carries the edit key (or no key was given)");
    } else if edit
        .split_once('#')
        .is_some_and(|(_, fragment)| fragment.contains(key))
    {
        p4.saw("the share link carries no key; the edit link carries it in its fragment only");
    } else {
        p4.problem(format!(
            "the edit link does not keep the key in its fragment: {edit}"
        ));
    }
}

/// A key of at least 256 bits (64 hex digits or 43 base64 characters).
fn judge_key(key: &str, p9: &mut Findings) {
    let bits = if key.chars().all(|c| c.is_ascii_hexdigit()) {
        key.len() * 4
    } else {
        // Whole bytes: 43 base64 characters carry 32 of them.
        key.len() * 6 / 8 * 8
    };
    if bits >= 256 {
        p9.saw(format!("the edit key has {bits} bits"));
    } else {
        p9.problem(format!("the edit key has only {bits} bits"));
    }
}

/// The drawing expires the configured time after its save.
fn judge_expiry(created: &Value, config: &Config, p8: &mut Findings) {
    let expected =
        chrono::Utc::now() + chrono::Duration::days(config.drawings.retention_days.into());
    let expires = created["expires_at"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    match expires {
        Some(at) if (at.to_utc() - expected).num_hours().abs() <= 24 => p8.saw(format!(
            "a drawing saved now expires on {} ({} days)",
            at.date_naive(),
            config.drawings.retention_days
        )),
        Some(at) => p8.problem(format!(
            "a drawing saved now expires on {}, not after the configured {} days",
            at.date_naive(),
            config.drawings.retention_days
        )),
        None => p8.problem("a saved drawing's answer names no expiry date"),
    }
}

/// No script, event handler or `javascript:` link survived the save.
fn judge_sanitised(read: &Value, p11: &mut Findings) {
    let properties = &read["features"][0]["properties"];
    let text = properties.to_string().to_ascii_lowercase();
    let left: Vec<&str> = ["<script", "onerror", "javascript:", "<img"]
        .into_iter()
        .filter(|bad| text.contains(bad))
        .collect();
    if left.is_empty() {
        p11.saw("a drawing saved with a script, an event handler and a javascript: link in its texts kept none of them");
    } else {
        p11.problem(format!(
            "a drawing's texts kept {} after the save",
            left.join(", ")
        ));
    }
}

/// Deletes `what` at `path` with its `key`; it must be gone at once.
async fn delete(
    client: &reqwest::Client,
    base: &Url,
    what: &str,
    path: &str,
    key: &str,
    life: &mut DrawingLife,
) {
    let (p9, not_run) = (&mut life.p9, &mut life.not_run);
    match send(client, base, Method::DELETE, path, Some(key), None).await {
        Ok(a) if a.status.is_success() => {}
        Ok(a) => {
            p9.problem(format!("deleting with the edit key answered {}", a.status));
            return;
        }
        Err(e) => {
            not_run.push(format!(
                "P9: the test drawing {path} could not be deleted ({e}); delete it in the console"
            ));
            return;
        }
    }
    match send(client, base, Method::GET, path, None, None).await {
        Ok(a) if matches!(a.status, StatusCode::NOT_FOUND | StatusCode::GONE) => {
            p9.saw(format!(
                "deleted with its key, {what} answered {} at once",
                a.status
            ));
        }
        Ok(a) => p9.problem(format!(
            "after deletion with its key {what} still answered {}",
            a.status
        )),
        Err(e) => not_run.push(format!("P9: read after deletion: {e}")),
    }
}

/// Sends `body` as GeoJSON (or nothing), with the key as bearer token.
async fn send(
    client: &reqwest::Client,
    base: &Url,
    method: Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> Result<Answer, String> {
    let url = base.join(path).map_err(|e| e.to_string())?;
    let mut request = client.request(method, url);
    if let Some(key) = bearer {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/geo+json")
            .body(body.to_string());
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("no answer ({e})"))?;
    let status = response.status();
    let cookies = super::crawl::cookie_names(response.headers());
    let text = response.text().await.unwrap_or_default();
    Ok(Answer {
        status,
        cookies,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_in_the_share_link_or_a_short_key_breaks_the_promise() {
        let key = "a".repeat(64);
        let mut p4 = Findings::default();
        judge_links(
            &json!({"share_url": "https://x/karte?drawing=1", "edit_url": format!("https://x/karte?drawing=1#edit={key}")}),
            &key,
            &mut p4,
        );
        assert!(p4.problems.is_empty(), "{p4:?}");
        judge_links(
            &json!({"share_url": format!("https://x/karte?drawing=1&key={key}"), "edit_url": ""}),
            &key,
            &mut p4,
        );
        assert_eq!(p4.problems.len(), 1);
        let mut p9 = Findings::default();
        judge_key(&key, &mut p9);
        judge_key("abcdef", &mut p9);
        assert_eq!(p9.evidence, ["the edit key has 256 bits"]);
        assert_eq!(p9.problems, ["the edit key has only 24 bits"]);
    }

    #[test]
    fn markup_left_in_a_saved_drawing_is_named() {
        let mut p11 = Findings::default();
        judge_sanitised(
            &json!({"features": [{"properties": {"name": "numis audit", "description": "<p>Probe</p>"}}]}),
            &mut p11,
        );
        assert!(p11.problems.is_empty());
        judge_sanitised(
            &json!({"features": [{"properties": {"description": "<script>alert(1)</script>"}}]}),
            &mut p11,
        );
        assert_eq!(
            p11.problems,
            ["a drawing's texts kept <script after the save"]
        );
    }
}
