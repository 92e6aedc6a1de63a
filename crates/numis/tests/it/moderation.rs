//! Moderation of drawings (issue 13, clause P12): the operator blocks,
//! unblocks, dismisses reports of and deletes drawings; the public gets
//! 410 for a blocked one; every action is in the audit trail with its
//! actor, the token or an operator account's pseudonym.

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;

use crate::util::{Browser, TestServer, client, create_account, demo_site, login};

const OPERATOR: &str = "moderations-token";
const LINE: &str = r#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Weg"},
   "geometry":{"type":"LineString","coordinates":[[9.735,52.366],[9.741,52.359]]}}]}"#;

/// The body of an answer as JSON.
trait JsonBody {
    async fn json_value(self) -> Value;
}

impl JsonBody for reqwest::Response {
    async fn json_value(self) -> Value {
        serde_json::from_str(&self.text().await.unwrap()).unwrap()
    }
}

/// Who sends an admin request.
enum As<'a> {
    Token,
    Session { cookie: &'a str, csrf: &'a str },
}

async fn create(server: &TestServer) -> (String, String) {
    let response = client()
        .post(server.url("/api/drawings?title=Gemeldet"))
        .header(CONTENT_TYPE, "application/geo+json")
        .body(LINE)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json_value().await;
    (
        body["id"].as_str().unwrap().to_owned(),
        body["edit_key"].as_str().unwrap().to_owned(),
    )
}

async fn report(server: &TestServer, id: &str) -> StatusCode {
    client()
        .post(server.url(&format!("/api/drawings/{id}/report")))
        .body(r#"{"reason": "Beleidigung"}"#)
        .send()
        .await
        .unwrap()
        .status()
}

fn admin(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    who: &As<'_>,
) -> reqwest::RequestBuilder {
    let request = client().request(method, server.url(path));
    match who {
        As::Token => request.header(AUTHORIZATION, format!("Bearer {OPERATOR}")),
        As::Session { cookie, csrf } => request
            .header("Cookie", *cookie)
            .header("X-CSRF-Token", *csrf),
    }
}

async fn act(server: &TestServer, id: &str, action: &str, who: &As<'_>) -> StatusCode {
    admin(
        server,
        reqwest::Method::POST,
        &format!("/api/admin/drawings/{id}/{action}"),
        who,
    )
    .send()
    .await
    .unwrap()
    .status()
}

async fn inspect(server: &TestServer, id: &str, who: &As<'_>) -> Value {
    let response = admin(
        server,
        reqwest::Method::GET,
        &format!("/api/admin/drawings/{id}"),
        who,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json_value().await
}

async fn audit(server: &TestServer, who: &As<'_>) -> Vec<(String, String, String)> {
    let response = admin(
        server,
        reqwest::Method::GET,
        "/api/admin/audit?limit=50",
        who,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json_value().await;
    body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["at"].as_str().unwrap().ends_with('Z'));
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["object"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The public statuses of the drawing `id`: GET, `.kml`, copy, PUT with
/// its key, report.
async fn public_statuses(server: &TestServer, id: &str, key: &str) -> Vec<StatusCode> {
    let url = server.url(&format!("/api/drawings/{id}"));
    let get = client().get(&url).send().await.unwrap();
    let body = get.status();
    let kml = client()
        .get(format!("{url}.kml"))
        .send()
        .await
        .unwrap()
        .status();
    let copy = client()
        .post(format!("{url}/copy"))
        .send()
        .await
        .unwrap()
        .status();
    let put = client()
        .put(&url)
        .header(AUTHORIZATION, format!("Bearer {key}"))
        .header(CONTENT_TYPE, "application/geo+json")
        .body(LINE)
        .send()
        .await
        .unwrap()
        .status();
    vec![body, kml, copy, put, report(server, id).await]
}

#[tokio::test]
async fn a_blocked_drawing_is_gone_for_the_public_and_every_action_is_audited() {
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_OPERATOR__TOKEN", OPERATOR)]);
    let (id, key) = create(&server).await;
    assert_eq!(report(&server, &id).await, StatusCode::ACCEPTED);

    assert_eq!(
        act(&server, &id, "block", &As::Token).await,
        StatusCode::NO_CONTENT
    );
    let statuses = public_statuses(&server, &id, &key).await;
    assert_eq!(
        statuses,
        [StatusCode::GONE; 5],
        "GET, .kml, copy, PUT, report"
    );
    let gone: Value = client()
        .get(server.url(&format!("/api/drawings/{id}")))
        .send()
        .await
        .unwrap()
        .json_value()
        .await;
    assert!(
        gone.to_string()
            .contains("this drawing was blocked by the operator"),
        "{gone}"
    );
    let seen = inspect(&server, &id, &As::Token).await;
    assert_eq!(seen["blocked"], true, "{seen}");
    assert!(seen["blocked_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(seen["owner"], Value::Null, "anonymous");
    assert_eq!(seen["report_count"], 1);
    let list: Value = admin(
        &server,
        reqwest::Method::GET,
        "/api/admin/drawings",
        &As::Token,
    )
    .send()
    .await
    .unwrap()
    .json_value()
    .await;
    assert_eq!(list["drawings"][0]["blocked"], true, "{list}");

    assert_eq!(
        act(&server, &id, "unblock", &As::Token).await,
        StatusCode::NO_CONTENT
    );
    let response = client()
        .get(server.url(&format!("/api/drawings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(inspect(&server, &id, &As::Token).await["blocked"], false);

    assert_eq!(
        act(&server, &id, "dismiss", &As::Token).await,
        StatusCode::NO_CONTENT
    );
    let dismissed = inspect(&server, &id, &As::Token).await;
    assert_eq!(dismissed["report_count"], 0);
    assert_eq!(dismissed["reports"].as_array().unwrap().len(), 0);

    let deleted = admin(
        &server,
        reqwest::Method::DELETE,
        &format!("/api/admin/drawings/{id}"),
        &As::Token,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let response = client()
        .get(server.url(&format!("/api/drawings/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        act(&server, &id, "block", &As::Token).await,
        StatusCode::NOT_FOUND
    );

    let token = |action: &str| ("token".to_owned(), action.to_owned(), id.clone());
    assert_eq!(
        audit(&server, &As::Token).await,
        [
            token("delete"),
            token("dismiss"),
            token("unblock"),
            token("block")
        ],
        "newest first, refused actions not recorded"
    );
    let unauthorised = client()
        .get(server.url("/api/admin/audit"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorised.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_operator_account_is_the_actor_and_a_citizen_is_refused() {
    let server = TestServer::start_with(&demo_site(), &[("NUMIS_OPERATOR__TOKEN", OPERATOR)]);
    create_account(&server, "Olga Operator", true);
    create_account(&server, "Bürgerin", false);
    let (id, key) = create(&server).await;

    let Browser { cookie, csrf } = login(&server, "Olga Operator").await;
    let olga = As::Session {
        cookie: &cookie,
        csrf: &csrf,
    };
    let without_csrf = client()
        .post(server.url(&format!("/api/admin/drawings/{id}/block")))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        without_csrf.status(),
        StatusCode::FORBIDDEN,
        "CSRF is needed"
    );
    assert_eq!(
        act(&server, &id, "block", &olga).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        public_statuses(&server, &id, &key).await[0],
        StatusCode::GONE
    );
    assert_eq!(inspect(&server, &id, &olga).await["blocked"], true);
    assert_eq!(
        audit(&server, &olga).await,
        [("Olga Operator".to_owned(), "block".to_owned(), id.clone())]
    );

    let Browser {
        cookie: citizen_cookie,
        csrf: citizen_csrf,
    } = login(&server, "Bürgerin").await;
    let citizen = As::Session {
        cookie: &citizen_cookie,
        csrf: &citizen_csrf,
    };
    for action in ["block", "unblock", "dismiss"] {
        assert_eq!(
            act(&server, &id, action, &citizen).await,
            StatusCode::FORBIDDEN,
            "{action}"
        );
    }
    for (method, path) in [
        (reqwest::Method::GET, "/api/admin/drawings".to_owned()),
        (reqwest::Method::GET, format!("/api/admin/drawings/{id}")),
        (reqwest::Method::DELETE, format!("/api/admin/drawings/{id}")),
        (reqwest::Method::GET, "/api/admin/audit".to_owned()),
    ] {
        let status = admin(&server, method.clone(), &path, &citizen)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    assert_eq!(
        audit(&server, &As::Token).await.len(),
        1,
        "nothing recorded"
    );
    assert_eq!(inspect(&server, &id, &As::Token).await["blocked"], true);
}
