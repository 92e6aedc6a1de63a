//! An acknowledged save is never lost: a burst of creates and updates from
//! several clients, the server killed with SIGKILL in the middle of it, a
//! restart on the same data directory, and every drawing whose save was
//! acknowledged read back intact.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::util::{TestServer, client, demo_site};

/// Concurrent clients of the burst.
const CLIENTS: usize = 8;
/// Acknowledged saves before the kill (the clients keep sending).
const KILL_AFTER: usize = 150;
/// Versions each client writes to one drawing before starting another.
const VERSIONS: u32 = 4;

/// A drawing whose content says which client wrote which version of it.
fn version(client: usize, version: u32) -> String {
    let x = 9.7 + client as f64 * 0.01;
    let y = 52.3 + f64::from(version) * 0.001;
    json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": { "name": format!("client {client} version {version}") },
            "geometry": { "type": "LineString", "coordinates": [[x, y], [x + 0.005, y + 0.005]] }
        }]
    })
    .to_string()
}

/// What a client knows of one drawing: its key, the last version the server
/// acknowledged, and the one in flight when the server died (which may or
/// may not have been written).
#[derive(Clone)]
struct Known {
    client: usize,
    key: String,
    acknowledged: u32,
    in_flight: Option<u32>,
}

#[tokio::test]
async fn no_acknowledged_save_is_lost_when_the_server_is_killed() {
    let mut server =
        TestServer::start_with(&demo_site(), &[("NUMIS_DRAWINGS__CREATES_PER_HOUR", "0")]);
    let base = server.base.clone();
    let known: Arc<Mutex<HashMap<String, Known>>> = Arc::default();
    let acknowledged = Arc::new(AtomicUsize::new(0));

    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let (base, known, acknowledged) = (base.clone(), known.clone(), acknowledged.clone());
        clients.push(tokio::spawn(async move {
            let http = client();
            'drawings: loop {
                let Ok(response) = http
                    .post(format!("{base}/api/drawings"))
                    .header(CONTENT_TYPE, "application/geo+json")
                    .body(version(n, 0))
                    .send()
                    .await
                else {
                    return;
                };
                if response.status() != StatusCode::CREATED {
                    return;
                }
                let Ok(Ok(created)) = response
                    .text()
                    .await
                    .map(|t| serde_json::from_str::<Value>(&t))
                else {
                    return;
                };
                let id = created["id"].as_str().unwrap().to_owned();
                let key = created["edit_key"].as_str().unwrap().to_owned();
                known.lock().await.insert(
                    id.clone(),
                    Known {
                        client: n,
                        key: key.clone(),
                        acknowledged: 0,
                        in_flight: None,
                    },
                );
                acknowledged.fetch_add(1, Ordering::SeqCst);
                for v in 1..=VERSIONS {
                    if let Some(k) = known.lock().await.get_mut(&id) {
                        k.in_flight = Some(v);
                    }
                    let answer = http
                        .put(format!("{base}/api/drawings/{id}"))
                        .header(AUTHORIZATION, format!("Bearer {key}"))
                        .header(CONTENT_TYPE, "application/geo+json")
                        .body(version(n, v))
                        .send()
                        .await;
                    match answer {
                        Ok(r) if r.status() == StatusCode::OK => {
                            if let Some(k) = known.lock().await.get_mut(&id) {
                                k.acknowledged = v;
                                k.in_flight = None;
                            }
                            acknowledged.fetch_add(1, Ordering::SeqCst);
                        }
                        _ => return,
                    }
                }
                continue 'drawings;
            }
        }));
    }

    // Kill in the middle of the burst, with requests in flight.
    while acknowledged.load(Ordering::SeqCst) < KILL_AFTER {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.kill();
    for c in clients {
        c.await.unwrap();
    }
    let known = known.lock().await.clone();
    assert!(
        known.len() >= KILL_AFTER / (VERSIONS as usize + 1),
        "a real burst: {}",
        known.len()
    );

    server.restart();
    let http = client();
    for (id, k) in &known {
        let response = http
            .get(server.url(&format!("/api/drawings/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "drawing {id} is readable"
        );
        let stored: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        let name = stored["features"][0]["properties"]["name"]
            .as_str()
            .unwrap()
            .to_owned();
        let allowed: Vec<u32> = std::iter::once(k.acknowledged).chain(k.in_flight).collect();
        let matching = allowed.iter().find(|v| {
            name == format!("client {} version {v}", k.client)
                && stored["features"][0]["geometry"]
                    == serde_json::from_str::<Value>(&version(k.client, **v)).unwrap()["features"]
                        [0]["geometry"]
        });
        assert!(
            matching.is_some(),
            "drawing {id} holds {name:?}, acknowledged were {allowed:?}"
        );
        // And it is still the creator's: the key still changes it.
        let response = http
            .put(server.url(&format!("/api/drawings/{id}")))
            .header(AUTHORIZATION, format!("Bearer {}", k.key))
            .header(CONTENT_TYPE, "application/geo+json")
            .body(version(k.client, 99))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "drawing {id} takes its key"
        );
    }
}
