//! P1, live: requests carrying unique markers where a client's identity
//! travels — user agent, forwarded address, query, cookie, referrer, path,
//! a search term and a map layer name — then, once the statistics have
//! been written, every file of the data directory and the server's log
//! searched for them. None may appear: the requests are counted, nothing
//! about them is kept.

use std::path::Path;
use std::time::Duration;

use numis_store::{SqlStore, StoreLocation};
use url::Url;

use super::clauses;
use super::report::Row;

/// A client address as a proxy would forward it (TEST-NET-3, RFC 5737).
const FORWARDED_ADDRESS: &str = "203.0.113.77";

/// The markers of one run: random, so no earlier run's can be found.
pub struct Markers {
    token: String,
}

impl Default for Markers {
    /// Fresh markers.
    fn default() -> Self {
        let mut bytes = [0u8; 8];
        // Without randomness the markers are still unlikely in the files.
        let _ = getrandom::fill(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Self { token }
    }
}

impl Markers {
    fn marker(&self, channel: &str) -> String {
        format!("{channel}mark{}", self.token)
    }

    /// What is searched for, with the channel it was sent in.
    pub fn needles(&self) -> Vec<(String, &'static str)> {
        let mut needles: Vec<(String, &'static str)> = [
            ("agent", "user agent"),
            ("query", "query string"),
            ("cookie", "cookie"),
            ("referer", "referrer"),
            ("path", "path"),
            ("term", "search term"),
            ("layer", "WMS layer name"),
        ]
        .into_iter()
        .map(|(channel, what)| (self.marker(channel), what))
        .collect();
        needles.push((FORWARDED_ADDRESS.into(), "forwarded client address"));
        needles
    }

    /// Sends the requests; answers how many were answered.
    pub async fn send(&self, client: &reqwest::Client, base: &Url) -> usize {
        let paths = [
            format!("/?q={}", self.marker("query")),
            format!("/api/search?q={}", self.marker("term")),
            format!(
                "/ows?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS={}&STYLES=&CRS=EPSG:25832\
                 &BBOX=330000,5680000,690000,5990000&WIDTH=60&HEIGHT=50&FORMAT=image/png",
                self.marker("layer")
            ),
            format!("/{}", self.marker("path")),
            "/karte".to_owned(),
        ];
        let mut answered = 0;
        for path in paths {
            let Ok(url) = base.join(&path) else {
                continue;
            };
            let sent = client
                .get(url)
                .header(
                    "User-Agent",
                    format!("Mozilla/5.0 {}", self.marker("agent")),
                )
                .header("X-Forwarded-For", FORWARDED_ADDRESS)
                .header("Forwarded", format!("for={FORWARDED_ADDRESS}"))
                .header("Cookie", format!("numis_audit={}", self.marker("cookie")))
                .header(
                    "Referer",
                    format!("https://{}.example/", self.marker("referer")),
                )
                .send()
                .await;
            if sent.is_ok() {
                answered += 1;
            }
        }
        answered
    }
}

/// Where the markers are looked for.
#[derive(Debug, Default, Clone, Copy)]
pub struct Places<'a> {
    /// The data directory, when the portal runs on this machine.
    pub data_dir: Option<&'a Path>,
    /// The server's log file.
    pub log: Option<&'a Path>,
    /// The PostgreSQL store, when the portal keeps its data there.
    pub postgres: Option<&'a StoreLocation>,
}

/// Copies every numis table of the PostgreSQL `store` into a SQLite file
/// in a temporary directory and searches that: the rows copied, and where
/// the markers were found (by table file).
async fn search_postgres(
    store: &StoreLocation,
    needles: &[(String, &'static str)],
) -> Result<(u64, Vec<String>), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let copy = StoreLocation::Sqlite(dir.path().to_owned());
    let from = SqlStore::open(store).await.map_err(|e| e.to_string())?;
    let to = SqlStore::open(&copy).await.map_err(|e| e.to_string())?;
    let copied = from.copy_into(&to).await;
    from.close().await;
    to.close().await;
    let report = copied.map_err(|e| e.to_string())?;
    let rows = report.tables.iter().map(|(_, n)| n).sum();
    let (_, _, found) = search_dir(dir.path(), needles);
    // The copy's path means nothing to the reader: name the store.
    let found = found
        .into_iter()
        .map(|f| match f.split_once(": ") {
            Some((_, what)) => format!("the PostgreSQL store: {what}"),
            None => f,
        })
        .collect();
    Ok((rows, found))
}

/// Where `needles` occur in the files under `dir` (`file: what`).
pub fn search_dir(dir: &Path, needles: &[(String, &'static str)]) -> (usize, u64, Vec<String>) {
    let mut files = 0;
    let mut bytes = 0;
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(content) = std::fs::read(entry.path()) else {
            continue;
        };
        files += 1;
        bytes += content.len() as u64;
        for (needle, what) in needles {
            if contains(&content, needle.as_bytes()) {
                found.push(format!("{}: the {what} ({needle})", entry.path().display()));
            }
        }
    }
    (files, bytes, found)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The P1 row, after `wait` for the statistics to be written; `data_dir`
/// and `log` are searched when the portal runs on this machine. With
/// neither there is nothing to search: no markers are sent and the row is
/// not judged (`None`), rather than holding on no evidence.
pub async fn check(
    client: &reqwest::Client,
    base: &Url,
    places: Places<'_>,
    wait: Duration,
) -> (Option<Row>, Vec<String>) {
    let Places {
        data_dir,
        log,
        postgres,
    } = places;
    if data_dir.is_none() && log.is_none() && postgres.is_none() {
        return (
            None,
            vec!["P1: the portal is not on this machine and no log was given (--log FILE): nothing could be searched for markers".into()],
        );
    }
    let markers = Markers::default();
    let needles = markers.needles();
    let answered = markers.send(client, base).await;
    tokio::time::sleep(wait).await;
    let mut evidence = vec![format!(
        "{answered} requests sent with markers in the user agent, X-Forwarded-For and Forwarded ({FORWARDED_ADDRESS}), query, cookie, referrer, path, a search term and a WMS layer name"
    )];
    let mut problems = Vec::new();
    let mut not_run = Vec::new();
    match data_dir {
        Some(dir) => {
            let (files, bytes, found) = search_dir(dir, &needles);
            evidence.push(format!(
                "{files} files ({:.1} MB) of the data directory searched after the statistics were written",
                bytes as f64 / 1e6
            ));
            problems.extend(found);
        }
        None => not_run
            .push("P1: the data directory is not on this machine; it was not searched".into()),
    }
    if let Some(store) = postgres {
        match search_postgres(store, &needles).await {
            Ok((rows, found)) => {
                evidence.push(format!(
                    "the PostgreSQL store ({rows} rows of every numis table, copied into a temporary file) searched"
                ));
                problems.extend(found);
            }
            Err(e) => not_run.push(format!(
                "P1: the PostgreSQL store could not be searched ({e})"
            )),
        }
    }
    match log {
        Some(path) => match std::fs::read(path) {
            Ok(content) => {
                evidence.push(format!(
                    "the log {} ({} bytes) searched",
                    path.display(),
                    content.len()
                ));
                for (needle, what) in &needles {
                    if contains(&content, needle.as_bytes()) {
                        problems.push(format!("{}: the {what} ({needle})", path.display()));
                    }
                }
            }
            Err(e) => not_run.push(format!(
                "P1: the log {} could not be read ({e})",
                path.display()
            )),
        },
        None => {
            not_run.push("P1: no log given (--log FILE); the server's log was not searched".into())
        }
    }
    let row = clauses::P1.judged(evidence, problems);
    (Some(row), not_run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn with_nothing_to_search_p1_is_not_judged_and_nothing_is_sent() {
        // Nothing listens on port 9: had a request been sent, it would fail,
        // but none is: the answer comes at once, without a row.
        let client = reqwest::Client::new();
        let base = Url::parse("http://127.0.0.1:9/").unwrap();
        let (row, not_run) =
            check(&client, &base, Places::default(), Duration::from_secs(60)).await;
        assert!(row.is_none());
        assert!(
            not_run[0].contains("nothing could be searched"),
            "{not_run:?}"
        );
    }

    #[test]
    fn a_marker_in_any_file_of_the_data_directory_is_found_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let markers = Markers::default();
        let needles = markers.needles();
        std::fs::create_dir(dir.path().join("logs")).unwrap();
        std::fs::write(dir.path().join("numis.db"), b"counts only").unwrap();
        assert!(search_dir(dir.path(), &needles).2.is_empty());
        std::fs::write(
            dir.path().join("logs/access.log"),
            format!("GET / {} 200", markers.marker("agent")),
        )
        .unwrap();
        let (files, _, found) = search_dir(dir.path(), &needles);
        assert_eq!(files, 2);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("access.log") && found[0].contains("user agent"),
            "{found:?}"
        );
        // Two runs never share markers.
        assert_ne!(Markers::default().token, markers.token);
    }
}
