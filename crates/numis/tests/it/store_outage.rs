//! PostgreSQL going away and coming back (issue 16): a clear error when it
//! cannot be reached at start-up, `/healthz` 503 while it is down, and a
//! server that reconnects by itself without losing an acknowledged save.
//! The database is reached through a TCP relay the test can cut, as a
//! failed database server or network would.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use numis_store::testing::ScratchSchema;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::util::{TestServer, client, demo_site};

const POINT: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Pegel"},
   "geometry":{"type":"Point","coordinates":[9.735,52.366]}}]}"#;

/// A relay from a local port to PostgreSQL that can be cut and restored.
struct Relay {
    port: u16,
    task: Option<JoinHandle<()>>,
}

impl Relay {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        Self {
            port,
            task: Some(tokio::spawn(relay(listener))),
        }
    }

    /// Closes the port and every connection through it.
    fn cut(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    /// Opens the same port again.
    async fn restore(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.task = Some(tokio::spawn(relay(listener)));
    }
}

/// Relays every connection to PostgreSQL until aborted; the connections
/// end with it (a `JoinSet` aborts its tasks when dropped).
async fn relay(listener: TcpListener) {
    let mut connections = tokio::task::JoinSet::new();
    while let Ok((mut inbound, _)) = listener.accept().await {
        connections.spawn(async move {
            if let Ok(mut outbound) = TcpStream::connect("127.0.0.1:5432").await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

/// The scratch schema's URL with the relay's port instead of PostgreSQL's.
fn through(relay: &Relay, schema: &ScratchSchema) -> String {
    let mut url = url_of(schema.url());
    url.set_port(Some(relay.port)).unwrap();
    url.to_string()
}

fn url_of(text: &str) -> reqwest::Url {
    reqwest::Url::parse(text).unwrap()
}

async fn health(server: &TestServer) -> StatusCode {
    client()
        .get(server.url("/healthz"))
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .map_or(StatusCode::REQUEST_TIMEOUT, |r| r.status())
}

/// Waits until `/healthz` answers `expected` (at most 30 s).
async fn health_becomes(server: &TestServer, expected: StatusCode) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = health(server).await;
        if status == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "/healthz stayed {status}, not {expected}:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn save(server: &TestServer) -> (StatusCode, String) {
    let response = client()
        .post(server.url("/api/drawings"))
        .header(CONTENT_TYPE, "application/geo+json")
        .body(POINT)
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_down_answers_503_and_the_server_reconnects_without_losing_a_save() {
    let Some(schema) = ScratchSchema::create().await else {
        return;
    };
    let mut relay = Relay::start().await;
    let url = through(&relay, &schema);
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_STORE__URL", url.as_str())]);
    assert_eq!(health(&server).await, StatusCode::OK);
    let (status, body) = save(&server).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let before: serde_json::Value = serde_json::from_str(&body).unwrap();

    relay.cut();
    health_becomes(&server, StatusCode::SERVICE_UNAVAILABLE).await;
    let (status, body) = save(&server).await;
    assert!(
        status.is_server_error() && !body.contains("postgres://"),
        "a save while the store is down fails clearly: {status} {body}"
    );
    // The pages that need no store still answer.
    let page = client().get(server.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    relay.restore().await;
    health_becomes(&server, StatusCode::OK).await;
    let id = before["id"].as_str().unwrap();
    let read = client()
        .get(server.url(&format!("/api/drawings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.status(),
        StatusCode::OK,
        "the save before the outage is there"
    );
    let (status, body) = save(&server).await;
    assert_eq!(status, StatusCode::CREATED, "saves work again: {body}");
}

#[test]
fn an_unreachable_store_at_start_up_is_a_clear_error_without_its_password() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_numis"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .arg("--site-dir")
        .arg(demo_site())
        .env_remove("NUMIS_CONFIG")
        // Port 1: nothing listens there.
        .env(
            "NUMIS_STORE__URL",
            "postgres://numis:geheim@127.0.0.1:1/numis",
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "numis kept running without its store"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        text.contains("cannot open the store postgres://numis:***@127.0.0.1:1/numis"),
        "{text}"
    );
    assert!(!text.contains("geheim"), "{text}");
}
