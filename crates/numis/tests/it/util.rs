//! Helpers shared by the integration tests: the real `numis` binary started
//! on a free port with its own data directory and captured log, and the
//! location of the shared test material.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use numis_store::testing::ScratchSchema;
use numis_store::{SqlStore, StoreLocation};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// The demo site shipped in the repository.
pub fn demo_site() -> PathBuf {
    repo_root().join("site")
}

/// The shared material beside the repository (`../shared`), or where
/// `NUMIS_TEST_SHARED_DIR` points.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("NUMIS_TEST_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => repo_root().join("../shared"),
    }
}

/// A folder of the shared material, or `None` (with a visible note) when it
/// is missing outside CI. In CI (`CI=true`) a missing folder fails the test.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = shared_dir().join(relative);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("shared test material missing in CI: {}", path.display());
    }
    eprintln!(
        "SKIPPED: shared test material not found at {} (set NUMIS_TEST_SHARED_DIR)",
        path.display()
    );
    None
}

/// Which store the servers under test use: SQLite in their data
/// directory, or, with `NUMIS_TEST_STORE=postgres`, a schema of their own
/// in the test database (`numis_store::testing`). The test suite runs
/// this binary once with each.
pub fn on_postgres() -> bool {
    std::env::var("NUMIS_TEST_STORE").as_deref() == Ok("postgres")
}

/// A store for a server under test: nothing to set up on SQLite, a
/// scratch schema on PostgreSQL (or `None`, skipped with a message, when
/// the database cannot be reached outside CI).
fn scratch_store() -> Option<Option<ScratchSchema>> {
    if !on_postgres() {
        return Some(None);
    }
    ScratchSchema::create_blocking().map(Some)
}

/// A running `numis serve`.
pub struct TestServer {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The server's data directory (deleted at drop).
    pub data_dir: tempfile::TempDir,
    site: PathBuf,
    env: Vec<(String, String)>,
    log_path: PathBuf,
    _log_dir: tempfile::TempDir,
    /// The PostgreSQL schema when the suite runs on PostgreSQL.
    schema: Option<ScratchSchema>,
    /// Wait at start until the map is loaded (`/healthz` says so)?
    await_map: bool,
}

impl TestServer {
    /// Starts the server on `site` with default settings.
    pub fn start(site: &Path) -> Self {
        Self::start_with(site, &[])
    }

    /// Starts the server on `site` and returns as soon as it listens,
    /// while its map may still be loading.
    pub fn start_listening(site: &Path) -> Self {
        Self::launch(site, &[], false)
    }

    /// Starts the server on `site` with extra environment variables.
    pub fn start_with(site: &Path, env: &[(&str, &str)]) -> Self {
        Self::launch(site, env, true)
    }

    fn launch(site: &Path, env: &[(&str, &str)], await_map: bool) -> Self {
        // A test that names its own store gets no scratch schema.
        let own_store = env.iter().any(|(key, _)| *key == "NUMIS_STORE__URL");
        let schema = if own_store {
            None
        } else {
            scratch_store().expect(
                "PostgreSQL for NUMIS_TEST_STORE=postgres cannot be reached (see the message above)",
            )
        };
        let log_dir = tempfile::tempdir().expect("log dir");
        let mut server = Self {
            child: None,
            base: String::new(),
            data_dir: tempfile::tempdir().expect("data dir"),
            site: site.to_owned(),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            log_path: log_dir.path().join("server.log"),
            _log_dir: log_dir,
            schema,
            await_map,
        };
        server.spawn();
        server
    }

    /// Starts the process (again) on the same site, data and settings.
    fn spawn(&mut self) {
        let log = File::create(&self.log_path).expect("log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_numis"));
        command
            .args(["serve", "--bind", "127.0.0.1:0", "--site-dir"])
            .arg(&self.site)
            .arg("--data-dir")
            .arg(self.data_dir.path())
            // Only the flags and `env` configure the server under test.
            .env_remove("NUMIS_CONFIG")
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        for (key, value) in self.store_env().iter().chain(&self.env) {
            command.env(key, value);
        }
        self.child = Some(command.spawn().expect("start numis"));
        self.base = self.wait_for_address();
        if self.await_map {
            self.wait_for_map();
        }
    }

    /// Waits until `/healthz` no longer says "loading": the server
    /// listens at once and loads the map behind it.
    fn wait_for_map(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let address = self.base.trim_start_matches("http://").to_owned();
        loop {
            match healthz(&address) {
                Some(answer) if !answer.ends_with("loading\n") => return,
                _ => {}
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("numis exited with {status} while loading:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "numis did not finish loading:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The environment that points a `numis` command at this server's
    /// store (empty on SQLite, where `--data-dir` does).
    pub fn store_env(&self) -> Vec<(String, String)> {
        let own = self.env.iter().find(|(key, _)| key == "NUMIS_STORE__URL");
        let scratch = self
            .schema
            .iter()
            .map(|schema| ("NUMIS_STORE__URL".to_owned(), schema.url().to_owned()));
        own.cloned().into_iter().chain(scratch).take(1).collect()
    }

    /// The server's store, opened beside it (to look at what it wrote).
    pub async fn store(&self) -> SqlStore {
        let url = self.store_env().into_iter().next().map(|(_, url)| url);
        let location = StoreLocation::from_setting(url.as_deref(), self.data_dir.path())
            .expect("the server's store setting");
        SqlStore::open(&location).await.expect("the server's store")
    }

    /// Everything the server stored: each file below its data directory
    /// and, on PostgreSQL, each table of its schema as text; by name.
    pub fn stored_data(&self) -> Vec<(String, Vec<u8>)> {
        let mut stored = crate::privacy::files_below(self.data_dir.path());
        if let Some(schema) = &self.schema {
            stored.extend(
                schema
                    .dump_blocking()
                    .into_iter()
                    .map(|(table, rows)| (format!("table {table}"), rows.into_bytes())),
            );
        }
        stored
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// The file the server logs to.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Runs `numis` with `args` on this server's data directory and
    /// store.
    pub fn run_numis(&self, args: &[&str]) -> (ExitStatus, String) {
        let output = Command::new(env!("CARGO_BIN_EXE_numis"))
            .args(args)
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .env_remove("NUMIS_CONFIG")
            .envs(self.store_env())
            .output()
            .expect("run numis");
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        (output.status, text)
    }

    /// Kills the process with SIGKILL: no shutdown, no last write.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("running");
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
    }

    /// Starts a stopped or killed server again on its data directory
    /// (it listens on a new port).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "stop or kill the server first");
        self.spawn();
    }

    fn wait_for_address(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let log = self.log();
            if let Some(rest) = log.split("listening on ").nth(1) {
                let address: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
                return address;
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("numis exited with {status} before listening:\n{log}");
            }
            assert!(Instant::now() < deadline, "numis did not start:\n{log}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends SIGTERM and waits for the process to end.
    pub fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("numis did not stop on SIGTERM:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The raw answer of `GET /healthz` at `address`, without an async
/// runtime (servers are started from synchronous and async tests alike).
pub fn healthz(address: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET /healthz HTTP/1.0\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An HTTP client that does not follow redirects and keeps no cookies.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Copies a folder tree (test sites are assembled in temp dirs).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Runs `numis` with `args` and returns (status, stdout+stderr).
pub fn run_numis(args: &[&str]) -> (ExitStatus, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_numis"))
        .args(args)
        .env_remove("NUMIS_CONFIG")
        .output()
        .expect("run numis");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status, text)
}

/// The password of every account made by [`create_account`].
pub const ACCOUNT_PASSWORD: &str = "Kranichzug über dem Moor";

/// Creates an account on the command line in the server's data
/// directory, with the operator role when `operator`.
pub fn create_account(server: &TestServer, pseudonym: &str, operator: bool) {
    use std::io::Write;
    let mut args = vec!["account", "create", pseudonym, "--password-stdin"];
    if operator {
        args.extend(["--role", "operator"]);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_numis"))
        .args(&args)
        .arg("--data-dir")
        .arg(server.data_dir.path())
        .env_remove("NUMIS_CONFIG")
        .envs(server.store_env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{ACCOUNT_PASSWORD}\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A logged-in browser: its session cookie (`name=value`) and the
/// session's CSRF token.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

/// Logs in with `password` as a browser would (from our origin); `None`
/// when the login is refused.
pub async fn try_login(server: &TestServer, pseudonym: &str, password: &str) -> Option<Browser> {
    let response = client()
        .post(server.url("/konto/anmelden"))
        .header("Origin", &server.base)
        .form(&[("pseudonym", pseudonym), ("password", password)])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get(reqwest::header::SET_COOKIE)?
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    if cookie.ends_with('=') {
        // A cookie being cleared: no session.
        return None;
    }
    let me = client()
        .get(server.url("/api/me"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    if me.status() != reqwest::StatusCode::OK {
        return None;
    }
    let me: serde_json::Value = serde_json::from_str(&me.text().await.unwrap()).ok()?;
    Some(Browser {
        cookie,
        csrf: me["csrf"].as_str()?.to_owned(),
    })
}

/// Logs in an account made by [`create_account`].
pub async fn login(server: &TestServer, pseudonym: &str) -> Browser {
    try_login(server, pseudonym, ACCOUNT_PASSWORD)
        .await
        .unwrap_or_else(|| panic!("{pseudonym} logs in"))
}
