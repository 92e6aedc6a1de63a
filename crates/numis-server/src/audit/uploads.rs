//! P7 and P11, live: a citizen's file is read by the portal with its
//! limits and sanitising and stored nowhere (`/api/convert`), an upload
//! over the limit is refused, an XML entity is never expanded, and a file
//! "by URL" on this machine is refused without being fetched.

use std::time::Duration;

use url::Url;

use super::findings::Findings;
use super::http::excerpt;
use crate::config::Config;

/// A KML whose description carries a script and whose name uses an
/// entity that a careless reader would expand.
const HOSTILE_KML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE kml [<!ENTITY probe "ENTITYEXPANDED">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>
<name>Probe &probe;</name>
<description><![CDATA[<p>Probe</p><script>alert(1)</script><img src="x" onerror="alert(1)">]]></description>
<Point><coordinates>9.7320,52.3745</coordinates></Point>
</Placemark></Document></kml>"#;

/// The same file without the entity, as an ordinary citizen's KML.
fn plain_kml() -> String {
    HOSTILE_KML
        .replace("<!DOCTYPE kml [<!ENTITY probe \"ENTITYEXPANDED\">]>\n", "")
        .replace(" &probe;", "")
}

/// What the uploads showed for P7 and P11.
#[derive(Default)]
pub struct Uploads {
    pub p7: Findings,
    pub p11: Findings,
    pub not_run: Vec<String>,
}

/// Runs the upload checks; `same_machine` allows the check that a file
/// "by URL" on this machine is never fetched (a listener here would hear it).
pub async fn check(
    client: &reqwest::Client,
    base: &Url,
    config: &Config,
    same_machine: bool,
) -> Uploads {
    let mut out = Uploads::default();
    match convert(client, base, plain_kml().into_bytes()).await {
        Ok((200, text)) => {
            let lower = text.to_ascii_lowercase();
            if lower.contains("<script") || lower.contains("onerror") {
                out.p7.problem("a KML converted by /api/convert kept a script or an event handler in its description");
            } else if text.contains("Probe") {
                out.p7.saw("a KML with a script in its description was read by the portal (/api/convert) and came back as GeoJSON without it; the browser never parses the uploaded XML");
            } else {
                out.p7.problem(format!(
                    "a KML converted by /api/convert lost its content: {}",
                    excerpt(&text)
                ));
            }
        }
        Ok((status, text)) => out.p7.problem(format!(
            "an ordinary KML was refused by /api/convert ({status}: {})",
            excerpt(&text)
        )),
        Err(e) => out.not_run.push(format!("P7: /api/convert: {e}")),
    }
    match convert(client, base, HOSTILE_KML.as_bytes().to_vec()).await {
        Ok((_, text)) if text.contains("ENTITYEXPANDED") => out
            .p11
            .problem("an XML entity in an uploaded KML was expanded"),
        Ok((status, _)) => out.p11.saw(format!(
            "an XML entity in an uploaded KML was not expanded ({status})"
        )),
        Err(e) => out.not_run.push(format!("P11: entity: {e}")),
    }
    let max = config.drawings.max_upload_bytes;
    let too_large = vec![b' '; usize::try_from(max + 1).unwrap_or(usize::MAX)];
    match convert(client, base, too_large).await {
        Ok((413, _)) => out.p11.saw(format!(
            "an upload of {} bytes ([drawings] max_upload_bytes + 1) was refused with 413",
            max + 1
        )),
        Ok((status, _)) => out.p11.problem(format!(
            "an upload of {} bytes, over [drawings] max_upload_bytes, answered {status}",
            max + 1
        )),
        // The server may close the connection once the limit is read.
        Err(e) => out.p11.saw(format!(
            "an upload over [drawings] max_upload_bytes was cut off by the server ({e})"
        )),
    }
    out.p11.saw(format!(
        "creations are limited to {} an hour per client, {} at once, counted in memory under a keyed hash of the address (not exercised by the audit)",
        config.drawings.creates_per_hour, config.drawings.create_burst
    ));
    if config.external.allow_loopback_for_tests {
        out.p7.problem(
            "[external] allow_loopback_for_tests = true: numis fetches from this machine on a citizen's request; it is for the test suite only",
        );
    }
    if same_machine {
        by_url_on_this_machine(client, base, &mut out).await;
    } else {
        out.not_run.push(
            "P7: that a file by URL on the portal's own machine is never fetched is checked only when the audit runs beside the portal".into(),
        );
    }
    out
}

/// Asks the portal for a file on this machine, where a listener waits:
/// it must be refused and never connect.
async fn by_url_on_this_machine(client: &reqwest::Client, base: &Url, out: &mut Uploads) {
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => {
            out.not_run
                .push(format!("P7: no listener for the file by URL ({e})"));
            return;
        }
    };
    let Ok(port) = listener.local_addr().map(|a| a.port()) else {
        return;
    };
    let target = format!("http://127.0.0.1:{port}/numis-audit.gpx");
    let Ok(mut url) = base.join("/api/external/file") else {
        return;
    };
    url.query_pairs_mut().append_pair("url", &target);
    let answer = client.get(url).send().await;
    let contacted = tokio::time::timeout(Duration::from_millis(300), listener.accept())
        .await
        .is_ok();
    match answer {
        Ok(a) if a.status().is_client_error() && !contacted => out.p7.saw(format!(
            "a file by URL on the portal's own machine was refused ({}) and never contacted",
            a.status()
        )),
        Ok(a) => out.p7.problem(format!(
            "a file by URL on the portal's own machine answered {}{}",
            a.status(),
            if contacted { " and was fetched" } else { "" }
        )),
        Err(e) => out.not_run.push(format!("P7: file by URL: {e}")),
    }
}

async fn convert(
    client: &reqwest::Client,
    base: &Url,
    body: Vec<u8>,
) -> Result<(u16, String), String> {
    let url = base
        .join("/api/convert?to=geojson")
        .map_err(|e| e.to_string())?;
    let response = client
        .post(url)
        .header("Content-Type", "application/vnd.google-earth.kml+xml")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("no answer ({e})"))?;
    let status = response.status().as_u16();
    Ok((status, response.text().await.unwrap_or_default()))
}
