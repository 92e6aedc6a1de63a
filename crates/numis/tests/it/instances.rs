//! Several numis instances on one PostgreSQL store (issue 16): whatever
//! one instance stores, every other reads; print jobs, failed logins,
//! statistics and the daily purge are shared. (The same through nginx with
//! the deployment's configuration: tests/clients/test_deploy_nginx.py.)

use std::time::Duration;

use numis_store::testing::ScratchSchema;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

use crate::util::{ACCOUNT_PASSWORD, TestServer, client, create_account, demo_site, try_login};

const POINT: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Messstelle"},
   "geometry":{"type":"Point","coordinates":[9.735,52.366]}}]}"#;

/// Two instances on one new schema, or `None` outside CI without
/// PostgreSQL.
async fn two_instances(env: &[(&str, &str)]) -> Option<(ScratchSchema, TestServer, TestServer)> {
    let schema = ScratchSchema::create().await?;
    let mut env: Vec<(&str, &str)> = env.to_vec();
    env.push(("NUMIS_STORE__URL", schema.url()));
    let one = TestServer::start_with(&demo_site(), &env);
    let two = TestServer::start_with(&demo_site(), &env);
    Some((schema, one, two))
}

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_drawing_saved_on_one_instance_is_read_changed_and_deleted_on_the_other() {
    let Some((_schema, one, two)) = two_instances(&[]).await else {
        return;
    };
    let (status, created) = json_of(
        client()
            .post(one.url("/api/drawings?title=Eins"))
            .header(CONTENT_TYPE, "application/geo+json")
            .body(POINT)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    let key = created["edit_key"].as_str().unwrap();
    let read = client()
        .get(two.url(&format!("/api/drawings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    assert!(read.text().await.unwrap().contains("Messstelle"));
    let changed = client()
        .put(two.url(&format!("/api/drawings/{id}?title=Zwei")))
        .header(CONTENT_TYPE, "application/geo+json")
        .header("Authorization", format!("Bearer {key}"))
        .body(POINT.replace("Messstelle", "Pegel"))
        .send()
        .await
        .unwrap();
    assert!(
        changed.status().is_success(),
        "{}",
        changed.text().await.unwrap()
    );
    let (_, again) = json_of(
        client()
            .get(one.url(&format!("/api/drawings/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(again.to_string().contains("Pegel"), "{again}");
    let deleted = client()
        .delete(one.url(&format!("/api/drawings/{id}")))
        .header("Authorization", format!("Bearer {key}"))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());
    let gone = client()
        .get(two.url(&format!("/api/drawings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_print_made_on_one_instance_is_served_by_the_other() {
    let Some((_schema, one, two)) = two_instances(&[]).await else {
        return;
    };
    let spec = json!({
        "paper": "A4", "orientation": "portrait", "scale": 250000, "dpi": 100,
        "center": [550000, 5800000], "layers": ["gemeinden"], "title": "Zwei Instanzen",
    });
    let (status, job) = json_of(
        client()
            .post(one.url("/api/print"))
            .header(CONTENT_TYPE, "application/json")
            .body(spec.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().unwrap();
    let mut done = Value::Null;
    for _ in 0..600 {
        let (_, state) = json_of(
            client()
                .get(two.url(&format!("/api/print/{id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        if state["status"] == "done" || state["status"] == "failed" {
            done = state;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        done["status"], "done",
        "the other instance knows the job: {done}"
    );
    let pdf = client()
        .get(two.url(&format!("/api/print/{id}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn a_login_on_one_instance_is_valid_on_the_other_and_failures_count_on_both() {
    let Some((_schema, one, two)) = two_instances(&[("NUMIS_ACCOUNTS__ENABLED", "true")]).await
    else {
        return;
    };
    create_account(&one, "Rohrdommel", false);
    let browser = try_login(&one, "Rohrdommel", ACCOUNT_PASSWORD)
        .await
        .expect("login on the first instance");
    let me = client()
        .get(two.url("/api/me"))
        .header("Cookie", &browser.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.status(),
        StatusCode::OK,
        "the session is valid on the second"
    );

    // Five wrong passwords, alternating between the instances: the sixth
    // attempt waits on either, as on a single instance.
    let attempt = |server: &TestServer, password: &str| {
        client()
            .post(server.url("/konto/anmelden"))
            .header("Origin", &server.base)
            .form(&[("pseudonym", "Rohrdommel"), ("password", password)])
            .send()
    };
    for n in 0..5 {
        let server = if n % 2 == 0 { &one } else { &two };
        let response = attempt(server, "falsches Passwort!").await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    for server in [&one, &two] {
        let response = attempt(server, ACCOUNT_PASSWORD).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "an attacker gets the free tries once, not once per instance"
        );
    }
}

#[tokio::test]
async fn statistics_of_both_instances_add_up_and_the_daily_purge_runs_once() {
    let Some((schema, mut one, mut two)) =
        two_instances(&[("NUMIS_STATS__FLUSH_SECONDS", "1")]).await
    else {
        return;
    };
    for n in 0..20 {
        let server = if n % 3 == 0 { &one } else { &two };
        let response = client().get(server.url("/impressum")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert!(one.stop().success() && two.stop().success());
    let store =
        numis_store::SqlStore::open(&numis_store::StoreLocation::Postgres(schema.url().into()))
            .await
            .unwrap();
    use numis_store::Store;
    let today = chrono::Utc::now().date_naive();
    let counts = store
        .access_counts(today - chrono::Days::new(1), today + chrono::Days::new(1))
        .await
        .unwrap();
    let pages: u64 = counts
        .iter()
        .filter(|count| count.route == "/impressum" && count.status.get() == 2)
        .map(|count| count.requests)
        .sum();
    assert_eq!(pages, 20, "every request counted once: {counts:?}");

    let (ran_for, _, finished) = store.last_daily_run("purge").await.unwrap().unwrap();
    assert_eq!(ran_for, today);
    assert!(finished.is_some(), "the purge ended");
    let deferred = [&one, &two]
        .iter()
        .filter(|server| {
            server
                .log()
                .contains("today's purge runs on another instance")
        })
        .count();
    assert_eq!(deferred, 1, "one instance purged, the other left it");
    store.close().await;
}

#[tokio::test]
async fn a_logout_on_one_instance_ends_the_session_on_the_other_within_seconds() {
    let Some((_schema, one, two)) = two_instances(&[("NUMIS_ACCOUNTS__ENABLED", "true")]).await
    else {
        return;
    };
    create_account(&one, "Zwergtaucher", false);
    let browser = try_login(&one, "Zwergtaucher", ACCOUNT_PASSWORD)
        .await
        .expect("login");
    let me = |server: &TestServer| {
        client()
            .get(server.url("/api/me"))
            .header("Cookie", &browser.cookie)
            .send()
    };
    assert_eq!(me(&two).await.unwrap().status(), StatusCode::OK);
    let logout = client()
        .post(one.url("/konto/abmelden"))
        .header("Origin", &one.base)
        .header("Cookie", &browser.cookie)
        .form(&[("csrf", browser.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(logout.status().is_redirection() || logout.status().is_success());
    assert_ne!(
        me(&one).await.unwrap().status(),
        StatusCode::OK,
        "ended here at once"
    );
    // The second instance, used all the while (as a viewer asking for
    // tiles would), learns it within its session cache's lifetime.
    let deadline =
        std::time::Instant::now() + numis_server::session_cache::TTL + Duration::from_secs(2);
    loop {
        if me(&two).await.unwrap().status() != StatusCode::OK {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the second instance still accepts the ended session"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
