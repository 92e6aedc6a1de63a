//! `numis store migrate-to` (issue 16): a portal on SQLite moves to
//! PostgreSQL, and back, without losing a drawing, an account or a
//! session; a target that is not empty is refused.

use numis_store::testing::ScratchSchema;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;

use crate::util::{ACCOUNT_PASSWORD, TestServer, client, create_account, demo_site, try_login};

const LINE: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Deichweg"},
   "geometry":{"type":"LineString","coordinates":[[8.1,53.5],[8.2,53.6]]}}]}"#;

fn migrate(data_dir: &std::path::Path, env: &[(&str, &str)], target: &str) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_numis"))
        .args(["store", "migrate-to", target, "--data-dir"])
        .arg(data_dir)
        .env_remove("NUMIS_CONFIG")
        .env_remove("NUMIS_STORE__URL")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[tokio::test]
async fn a_sqlite_portal_moves_to_postgres_and_back_with_its_drawings_and_sessions() {
    let Some(schema) = ScratchSchema::create().await else {
        return;
    };
    // A portal on SQLite (whatever store the suite runs on).
    let sqlite = [("NUMIS_STORE__URL", "")];
    let env = [("NUMIS_ACCOUNTS__ENABLED", "true"), sqlite[0]];
    let mut before = TestServer::start_with(&demo_site(), &env);
    create_account(&before, "Austernfischer", false);
    let browser = try_login(&before, "Austernfischer", ACCOUNT_PASSWORD)
        .await
        .expect("login");
    let created = client()
        .post(before.url("/api/drawings?title=Deich"))
        .header(CONTENT_TYPE, "application/geo+json")
        .body(LINE)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: serde_json::Value = serde_json::from_str(&created.text().await.unwrap()).unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(before.stop().success());

    let (ok, output) = migrate(before.data_dir.path(), &sqlite, schema.url());
    assert!(ok, "{output}");
    for table in ["accounts", "sessions", "drawings", "access_stats"] {
        assert!(
            output
                .lines()
                .any(|line| line.trim_start().starts_with(table) && line.ends_with("verified")),
            "{table} copied and verified:\n{output}"
        );
    }
    assert!(!output.contains("geheim"));

    // The same portal on PostgreSQL: the drawing, the account and even
    // the session are there.
    let after = TestServer::start_with(
        &demo_site(),
        &[
            ("NUMIS_ACCOUNTS__ENABLED", "true"),
            ("NUMIS_STORE__URL", schema.url()),
        ],
    );
    let read = client()
        .get(after.url(&format!("/api/drawings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    assert!(read.text().await.unwrap().contains("Deichweg"));
    let me = client()
        .get(after.url("/api/me"))
        .header("Cookie", &browser.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK, "still logged in");
    assert!(
        try_login(&after, "Austernfischer", ACCOUNT_PASSWORD)
            .await
            .is_some()
    );

    // Into a store that is not empty: refused, nothing written.
    let (ok, output) = migrate(before.data_dir.path(), &sqlite, schema.url());
    assert!(!ok && output.contains("not empty"), "{output}");

    // And back, into a new data directory.
    let back = tempfile::tempdir().unwrap();
    let target = format!("sqlite://{}", back.path().display());
    let (ok, output) = migrate(
        after.data_dir.path(),
        &[("NUMIS_STORE__URL", schema.url())],
        &target,
    );
    assert!(ok, "{output}");
    let on_sqlite = TestServer::start_with(&demo_site(), &[("NUMIS_STORE__URL", target.as_str())]);
    let read = client()
        .get(on_sqlite.url(&format!("/api/drawings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
}
