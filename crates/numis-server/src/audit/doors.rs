//! P12 and L7, live: the moderation (console and admin API) opens only
//! for the operator, and a restricted layer appears for a caller holding
//! its role — the operator token, when the audit knows it.

use numis_map::config::MapConfig;
use reqwest::StatusCode;
use url::Url;

use super::findings::Findings;

/// Where the moderation is reached, and what a stranger must get there.
const ADMIN_APIS: &[&str] = &["/api/admin/drawings", "/api/admin/audit"];
const CONSOLE_PAGES: &[&str] = &["/verwaltung/zeichnungen", "/verwaltung/protokoll"];

/// What the doors showed.
#[derive(Default)]
pub struct Doors {
    pub p12: Findings,
    /// The restricted layers as the role holder sees them (L7).
    pub l7: Findings,
    pub not_run: Vec<String>,
}

/// Knocks on the moderation's doors as a stranger, with a wrong token and,
/// when known, with the operator `token`.
pub async fn check(
    client: &reqwest::Client,
    base: &Url,
    token: Option<&str>,
    map: Option<&MapConfig>,
) -> Doors {
    let mut doors = Doors::default();
    for path in ADMIN_APIS {
        for (who, bearer) in [
            ("without a token", None),
            ("with a wrong token", Some("numis-audit-wrong-token")),
        ] {
            match status(client, base, path, bearer).await {
                Ok(s)
                    if matches!(
                        s,
                        StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                    ) =>
                {
                    doors.p12.saw(format!("{path} {who}: {s}"));
                }
                Ok(s) => doors.p12.problem(format!("{path} answered {s} {who}")),
                Err(e) => doors.not_run.push(format!("P12: {path}: {e}")),
            }
        }
    }
    for path in CONSOLE_PAGES {
        match status(client, base, path, None).await {
            // The login (303), or no console at all without accounts.
            Ok(s)
                if matches!(
                    s,
                    StatusCode::SEE_OTHER
                        | StatusCode::FOUND
                        | StatusCode::NOT_FOUND
                        | StatusCode::UNAUTHORIZED
                        | StatusCode::FORBIDDEN
                ) =>
            {
                doors.p12.saw(format!("{path} without a session: {s}"));
            }
            Ok(s) => doors.p12.problem(format!(
                "the console page {path} answered {s} without a session"
            )),
            Err(e) => doors.not_run.push(format!("P12: {path}: {e}")),
        }
    }
    let Some(token) = token else {
        doors.not_run.push(
            "P12, L7: no operator token was known to the audit, so the moderation and the restricted layers were not opened as the operator".into(),
        );
        return doors;
    };
    match status(client, base, "/api/admin/drawings", Some(token)).await {
        Ok(StatusCode::OK) => doors.p12.saw("/api/admin/drawings with the operator token: 200 (the moderation opens for the operator)"),
        Ok(s) => doors.p12.problem(format!("/api/admin/drawings answered {s} to the operator token")),
        Err(e) => doors.not_run.push(format!("P12: /api/admin/drawings as the operator: {e}")),
    }
    let restricted: Vec<&str> = map
        .map(|m| {
            m.layers
                .iter()
                .filter(|l| l.access != "public")
                .map(|l| l.id.as_str())
                .collect()
        })
        .unwrap_or_default();
    if restricted.is_empty() {
        return doors;
    }
    match body(client, base, "/api/layers", token).await {
        Ok(listing) => {
            for id in restricted {
                if listing.contains(&format!("\"{id}\"")) {
                    doors.l7.saw(format!(
                        "the layer {id:?} is listed by /api/layers for the operator"
                    ));
                } else {
                    doors.l7.problem(format!(
                        "the layer {id:?} is missing from /api/layers even for the operator"
                    ));
                }
            }
        }
        Err(e) => doors
            .not_run
            .push(format!("L7: /api/layers as the operator: {e}")),
    }
    doors
}

async fn status(
    client: &reqwest::Client,
    base: &Url,
    path: &str,
    bearer: Option<&str>,
) -> Result<StatusCode, String> {
    let url = base.join(path).map_err(|e| e.to_string())?;
    let mut request = client.get(url);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("no answer ({e})"))?;
    Ok(response.status())
}

async fn body(
    client: &reqwest::Client,
    base: &Url,
    path: &str,
    token: &str,
) -> Result<String, String> {
    let url = base.join(path).map_err(|e| e.to_string())?;
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("no answer ({e})"))?;
    response.text().await.map_err(|e| e.to_string())
}
