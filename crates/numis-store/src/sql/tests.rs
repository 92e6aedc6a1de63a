//! The tests of the statistics, drawings and audit trail, on both
//! databases (see [`store_test!`]), and of what only SQLite has.

use super::testing::store_test;
use super::*;
use crate::audit::AuditEntry;
use crate::drawings::StoredDrawing;
use crate::{
    AuditStore, DrawingOrder, DrawingStore, LoginFailureStore, LoginFailures, PrintJobStatus,
    PrintJobStore, StoredPrintJob,
};
fn drawing(id: &str, created_at: i64) -> StoredDrawing {
    StoredDrawing {
        id: id.into(),
        edit_key_hash: vec![7; 32],
        owner: None,
        title: format!("Zeichnung {id}"),
        features: r#"{"type":"FeatureCollection","features":[]}"#.into(),
        created_at,
        changed_at: created_at,
        expires_at: created_at + 365 * 86_400,
        copied_from: None,
        report_count: 0,
        blocked_at: None,
    }
}

store_test!(
    drawings_are_saved_changed_reported_listed_and_deleted,
    |store| {
        store.insert_drawing(&drawing("a", 100)).await.unwrap();
        let mut copy = drawing("b", 200);
        copy.copied_from = Some("a".into());
        store.insert_drawing(&copy).await.unwrap();
        assert_eq!(store.drawing("b").await.unwrap(), Some(copy.clone()));
        assert!(store.insert_drawing(&copy).await.is_err(), "ids are unique");

        assert!(
            store
                .update_drawing("a", "Neu", "{}", 300, 999)
                .await
                .unwrap()
        );
        let changed = store.drawing("a").await.unwrap().unwrap();
        assert_eq!(
            (
                changed.title.as_str(),
                changed.changed_at,
                changed.expires_at
            ),
            ("Neu", 300, 999)
        );
        assert_eq!(changed.created_at, 100, "creation time stays");
        assert!(!store.update_drawing("x", "t", "{}", 1, 2).await.unwrap());

        assert!(store.report_drawing("a", 400, "Beleidigung").await.unwrap());
        assert!(store.report_drawing("a", 401, "Spam").await.unwrap());
        assert!(!store.report_drawing("x", 401, "Spam").await.unwrap());
        let reports = store.drawing_reports("a").await.unwrap();
        assert_eq!(
            reports
                .iter()
                .map(|r| r.reason.as_str())
                .collect::<Vec<_>>(),
            ["Beleidigung", "Spam"]
        );

        let newest = store.list_drawings(DrawingOrder::Newest, 10).await.unwrap();
        assert_eq!(
            newest.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["b", "a"]
        );
        let reported = store
            .list_drawings(DrawingOrder::MostReported, 1)
            .await
            .unwrap();
        assert_eq!(reported[0].id, "a");
        assert_eq!(reported[0].report_count, 2);

        assert!(store.delete_drawing("a").await.unwrap());
        assert!(!store.delete_drawing("a").await.unwrap());
        assert_eq!(store.drawing("a").await.unwrap(), None);
        assert!(
            store.drawing_reports("a").await.unwrap().is_empty(),
            "reports go with it"
        );
    }
);

store_test!(
    a_drawing_is_blocked_unblocked_and_its_reports_dismissed,
    |store| {
        store.insert_drawing(&drawing("a", 100)).await.unwrap();
        assert!(store.set_drawing_blocked("a", Some(500)).await.unwrap());
        assert_eq!(
            store.drawing("a").await.unwrap().unwrap().blocked_at,
            Some(500)
        );
        let listed = store.list_drawings(DrawingOrder::Newest, 10).await.unwrap();
        assert_eq!(listed[0].blocked_at, Some(500), "the operator sees it");
        assert!(store.set_drawing_blocked("a", None).await.unwrap());
        assert_eq!(store.drawing("a").await.unwrap().unwrap().blocked_at, None);
        assert!(!store.set_drawing_blocked("x", Some(1)).await.unwrap());

        store.report_drawing("a", 400, "Spam").await.unwrap();
        store.report_drawing("a", 401, "Spam").await.unwrap();
        assert!(store.dismiss_drawing_reports("a").await.unwrap());
        assert_eq!(store.drawing("a").await.unwrap().unwrap().report_count, 0);
        assert!(store.drawing_reports("a").await.unwrap().is_empty());
        assert!(!store.dismiss_drawing_reports("x").await.unwrap());
    }
);

store_test!(a_blocked_drawing_is_still_purged_at_its_expiry, |store| {
    let mut blocked = drawing("blocked", 0);
    blocked.expires_at = 1_000;
    blocked.blocked_at = Some(10);
    store.insert_drawing(&blocked).await.unwrap();
    assert_eq!(store.purge_expired_drawings(1_000).await.unwrap(), 1);
    assert!(store.drawing("blocked").await.unwrap().is_none());
});

store_test!(
    the_audit_trail_is_read_newest_first_and_purged_by_age,
    |store| {
        let entry = |at: i64, action: &str| AuditEntry {
            at,
            actor: "token".into(),
            action: action.into(),
            object: "abc".into(),
        };
        store.append_audit(&entry(10, "block")).await.unwrap();
        store.append_audit(&entry(20, "unblock")).await.unwrap();
        store.append_audit(&entry(20, "delete")).await.unwrap();
        assert_eq!(
            store.audit_entries(10).await.unwrap(),
            [
                entry(20, "delete"),
                entry(20, "unblock"),
                entry(10, "block")
            ]
        );
        assert_eq!(store.audit_entries(1).await.unwrap().len(), 1);
        assert_eq!(store.purge_audit(20).await.unwrap(), 1);
        assert_eq!(
            store.audit_entries(10).await.unwrap(),
            [entry(20, "delete"), entry(20, "unblock")]
        );
    }
);

store_test!(expired_drawings_are_purged_and_the_rest_kept, |store| {
    let mut old = drawing("old", 0);
    old.expires_at = 1_000;
    store.insert_drawing(&old).await.unwrap();
    store.insert_drawing(&drawing("new", 900)).await.unwrap();
    assert_eq!(store.purge_expired_drawings(1_000).await.unwrap(), 1);
    assert!(store.drawing("old").await.unwrap().is_none());
    assert!(store.drawing("new").await.unwrap().is_some());
});

#[tokio::test]
async fn a_saved_drawing_is_there_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SqlStore::open_sqlite(dir.path()).await.unwrap();
        store.insert_drawing(&drawing("keep", 5)).await.unwrap();
        // No close: as if the process died right after the answer.
    }
    let store = SqlStore::open_sqlite(dir.path()).await.unwrap();
    assert_eq!(store.drawing("keep").await.unwrap().unwrap().created_at, 5);
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn count(d: &str, route: &str, status: u16, requests: u64, bytes: u64) -> AccessCount {
    AccessCount {
        day: day(d),
        route: route.into(),
        status: StatusClass::of(status),
        requests,
        bytes,
    }
}

store_test!(counts_add_up_and_old_days_are_purged, |store| {
    store.ping().await.unwrap();
    store
        .add_access_counts(&[
            count("2024-01-01", "/", 200, 2, 100),
            count("2026-01-01", "/", 200, 1, 10),
        ])
        .await
        .unwrap();
    store
        .add_access_counts(&[count("2026-01-01", "/", 200, 3, 30)])
        .await
        .unwrap();
    let all = store
        .access_counts(day("2000-01-01"), day("2100-01-01"))
        .await
        .unwrap();
    assert_eq!(
        all,
        vec![
            count("2024-01-01", "/", 200, 2, 100),
            count("2026-01-01", "/", 200, 4, 40)
        ]
    );
    assert_eq!(
        store.purge_access_counts(day("2025-01-01")).await.unwrap(),
        1
    );
    let left = store
        .access_counts(day("2000-01-01"), day("2100-01-01"))
        .await
        .unwrap();
    assert_eq!(left, vec![count("2026-01-01", "/", 200, 4, 40)]);
});

fn event(d: &str, event: &str, subject: &str, count: u64) -> EventCount {
    EventCount {
        day: day(d),
        event: event.into(),
        subject: subject.into(),
        count,
    }
}

store_test!(event_counts_add_up_per_key_and_read_by_range, |store| {
    store
        .add_event_counts(&[
            event("2026-01-01", "wms.getmap", "orthofoto", 2),
            event("2026-01-01", "wms.getmap", "gemeinden", 1),
            event("2026-01-02", "search", "", 1),
            event("2026-01-03", "map.view", "", 7),
        ])
        .await
        .unwrap();
    store
        .add_event_counts(&[
            event("2026-01-01", "wms.getmap", "orthofoto", 3),
            event("2026-01-02", "search", "", 1),
        ])
        .await
        .unwrap();
    let range = store
        .event_counts(day("2026-01-01"), day("2026-01-02"))
        .await
        .unwrap();
    assert_eq!(
        range,
        vec![
            event("2026-01-01", "wms.getmap", "gemeinden", 1),
            event("2026-01-01", "wms.getmap", "orthofoto", 5),
            event("2026-01-02", "search", "", 2),
        ],
        "repeated keys merge; the third day lies outside the range"
    );
});

store_test!(the_purge_takes_old_access_and_event_counts_alike, |store| {
    store
        .add_access_counts(&[
            count("2024-01-01", "/", 200, 1, 1),
            count("2026-01-01", "/", 200, 1, 1),
        ])
        .await
        .unwrap();
    store
        .add_event_counts(&[
            event("2024-01-01", "search", "", 1),
            event("2024-06-30", "drawing.export", "kml", 1),
            event("2026-01-01", "search", "", 1),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.purge_access_counts(day("2025-01-01")).await.unwrap(),
        3
    );
    let all = (day("2000-01-01"), day("2100-01-01"));
    assert_eq!(
        store.event_counts(all.0, all.1).await.unwrap(),
        vec![event("2026-01-01", "search", "", 1)]
    );
    assert_eq!(store.access_counts(all.0, all.1).await.unwrap().len(), 1);
});

#[tokio::test]
async fn a_data_dir_that_cannot_exist_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let error = SqlStore::open_sqlite(&file.join("var")).await.unwrap_err();
    assert!(error.to_string().starts_with("data directory"), "{error}");
}

#[tokio::test]
async fn the_sqlite_database_uses_the_wal_journal() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite(dir.path()).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&store.reader)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn the_store_location_comes_from_the_setting_or_the_data_dir() {
    let dir = std::path::Path::new("/srv/numis");
    assert_eq!(
        StoreLocation::from_setting(None, dir).unwrap(),
        StoreLocation::Sqlite(dir.to_owned())
    );
    assert_eq!(
        StoreLocation::from_setting(Some("  "), dir).unwrap(),
        StoreLocation::Sqlite(dir.to_owned())
    );
    assert_eq!(
        StoreLocation::from_setting(Some("postgres://numis@db/numis"), dir).unwrap(),
        StoreLocation::Postgres("postgres://numis@db/numis".into())
    );
    assert_eq!(
        StoreLocation::from_setting(Some("sqlite:///var/lib/numis"), dir).unwrap(),
        StoreLocation::Sqlite("/var/lib/numis".into())
    );
    let error = StoreLocation::from_setting(Some("mysql://root:geheim@db/numis"), dir)
        .unwrap_err()
        .to_string();
    assert!(error.contains("postgres://"), "{error}");
    assert!(
        !error.contains("geheim"),
        "the password is not shown: {error}"
    );
}

#[tokio::test]
async fn an_unreachable_postgres_server_is_a_clear_error_without_the_password() {
    // Port 1 on the loopback: nothing listens, the refusal is immediate.
    let location = StoreLocation::Postgres("postgres://numis:geheim@127.0.0.1:1/numis".into());
    let error = SqlStore::open(&location).await.unwrap_err().to_string();
    assert!(
        error.starts_with("cannot open the store postgres://numis:***@127.0.0.1:1/numis"),
        "{error}"
    );
    assert!(!error.contains("geheim"), "{error}");
}

#[tokio::test]
async fn instances_starting_together_on_one_postgres_database_migrate_it_once() {
    let Some(schema) = crate::testing::ScratchSchema::create().await else {
        return;
    };
    let location = StoreLocation::Postgres(schema.url().to_owned());
    let opened = futures_join_all((0..4).map(|_| {
        let location = location.clone();
        async move { SqlStore::open(&location).await }
    }))
    .await;
    for store in &opened {
        let store = store.as_ref().expect("every instance opens the store");
        store.ping().await.unwrap();
    }
    let store = opened[0].as_ref().unwrap();
    let migrations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&store.writer)
        .await
        .unwrap();
    assert_eq!(
        usize::try_from(migrations).unwrap(),
        super::connect::postgres_migrations(),
        "each migration recorded once"
    );
}

#[tokio::test]
async fn the_store_reconnects_by_itself_when_postgres_dropped_its_connections() {
    let Some((_scratch, store)) = super::testing::postgres().await else {
        return;
    };
    store.insert_drawing(&drawing("before", 1)).await.unwrap();
    // As when the database restarts: the server ends every connection
    // of this store (found by the schema in their search path).
    let mut admin =
        <sqlx::PgConnection as sqlx::Connection>::connect(&crate::testing::postgres_url())
            .await
            .unwrap();
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
    )
    .bind(store_application_name(&store))
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(!ended.is_empty(), "the store's connections were found");
    store.ping().await.expect("a new connection is opened");
    store.insert_drawing(&drawing("after", 2)).await.unwrap();
    assert!(store.drawing("before").await.unwrap().is_some());
    assert!(store.drawing("after").await.unwrap().is_some());
}

/// The application name the scratch schema's URL gives the store's
/// connections.
fn store_application_name(store: &SqlStore) -> String {
    let StoreLocation::Postgres(url) = store.location() else {
        panic!("not on PostgreSQL");
    };
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == "application_name")
        .map(|(_, value)| value.into_owned())
        .expect("the scratch URL names the application")
}

/// Awaits all `futures` at once (what `futures::future::join_all` does,
/// without the dependency).
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.expect("task"));
    }
    outputs
}

store_test!(
    of_instances_claiming_a_daily_run_at_once_exactly_one_gets_it,
    |store| {
        let today = day("2026-12-06");
        let claims = futures_join_all((0..6).map(|n| {
            let store = store.clone();
            async move {
                store
                    .claim_daily_run("purge", today, 100 + n)
                    .await
                    .unwrap()
            }
        }))
        .await;
        assert_eq!(
            claims.iter().filter(|claimed| **claimed).count(),
            1,
            "{claims:?}"
        );
        let (ran_for, started, finished) = store.last_daily_run("purge").await.unwrap().unwrap();
        assert_eq!((ran_for, finished), (today, None));
        assert!((100..106).contains(&started));
        store.finish_daily_run("purge", 200).await.unwrap();
        assert_eq!(
            store.last_daily_run("purge").await.unwrap().unwrap().2,
            Some(200)
        );
        assert!(
            !store.claim_daily_run("purge", today, 300).await.unwrap(),
            "once a day"
        );
        assert!(
            store
                .claim_daily_run("purge", day("2026-12-07"), 400)
                .await
                .unwrap()
        );
        assert!(
            store.claim_daily_run("other", today, 400).await.unwrap(),
            "per job"
        );
        assert_eq!(store.last_daily_run("never").await.unwrap(), None);
    }
);

fn print_job(id: u8, status: PrintJobStatus, updated_at: i64) -> StoredPrintJob {
    StoredPrintJob {
        id_hash: vec![id; 32],
        status,
        error: None,
        pdf: None,
        created_at: 10,
        updated_at,
        finished_at: None,
    }
}

store_test!(a_print_job_is_saved_changed_read_and_purged, |store| {
    store
        .save_print_job(&print_job(1, PrintJobStatus::Queued, 10))
        .await
        .unwrap();
    let mut done = print_job(1, PrintJobStatus::Done, 20);
    done.pdf = Some(b"%PDF-1.7 \x00\xff".to_vec());
    done.finished_at = Some(20);
    store.save_print_job(&done).await.unwrap();
    assert_eq!(store.print_job(&[1; 32]).await.unwrap(), Some(done));
    let mut failed = print_job(2, PrintJobStatus::Failed, 50);
    failed.error = Some("no layer".into());
    failed.finished_at = Some(50);
    store.save_print_job(&failed).await.unwrap();
    // Its instance stopped while it ran.
    store
        .save_print_job(&print_job(3, PrintJobStatus::Running, 15))
        .await
        .unwrap();
    store
        .save_print_job(&print_job(4, PrintJobStatus::Running, 45))
        .await
        .unwrap();
    assert_eq!(store.purge_print_jobs(30, 30).await.unwrap(), 2);
    assert_eq!(store.print_job(&[1; 32]).await.unwrap(), None);
    assert_eq!(store.print_job(&[3; 32]).await.unwrap(), None);
    assert_eq!(store.print_job(&[2; 32]).await.unwrap(), Some(failed));
    assert!(store.print_job(&[4; 32]).await.unwrap().is_some());
});

store_test!(
    login_failures_add_up_across_callers_and_are_forgotten,
    |store| {
        let key = [9u8; 32];
        assert_eq!(store.login_failures(&key).await.unwrap(), None);
        let counts = futures_join_all((0..8).map(|_| {
            let store = store.clone();
            async move { store.add_login_failure(&key, 100, 0).await.unwrap() }
        }))
        .await;
        let mut sorted = counts.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (1..=8).collect::<Vec<u32>>(),
            "every failure counted once"
        );
        store.block_logins(&key, 500).await.unwrap();
        store.block_logins(&key, 300).await.unwrap();
        assert_eq!(
            store.login_failures(&key).await.unwrap(),
            Some(LoginFailures {
                failures: 8,
                last_at: 100,
                blocked_until: Some(500)
            }),
            "a shorter block does not shorten a longer one"
        );
        // A failure after the forget time starts again.
        assert_eq!(
            store.add_login_failure(&key, 5_000, 4_000).await.unwrap(),
            1
        );
        store.clear_login_failures(&key).await.unwrap();
        assert_eq!(store.login_failures(&key).await.unwrap(), None);

        store.add_login_failure(&[1; 32], 100, 0).await.unwrap();
        store.add_login_failure(&[2; 32], 100, 0).await.unwrap();
        store.block_logins(&[2; 32], 1_000).await.unwrap();
        store.add_login_failure(&[3; 32], 900, 0).await.unwrap();
        assert_eq!(
            store.purge_login_failures(500).await.unwrap(),
            1,
            "only the idle, unblocked one"
        );
        assert!(store.login_failures(&[2; 32]).await.unwrap().is_some());
    }
);

/// One row or more in every table that a copy takes.
async fn fill(store: &SqlStore) {
    use crate::{AccountStore, NewAccount, PasswordReset, ProfileField, SavedView, StoredSession};
    store
        .create_account(&NewAccount {
            id: "acc".into(),
            pseudonym: "Kiebitz".into(),
            pseudonym_key: "kiebitz".into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            created_at: 1_000,
        })
        .await
        .unwrap();
    store
        .set_profile_field("acc", ProfileField::Email, Some("k@beispiel.example"))
        .await
        .unwrap();
    store
        .set_totp_secret("acc", Some(&[1, 2, 3, 0, 255]))
        .await
        .unwrap();
    store.set_blocked("acc", true).await.unwrap();
    store.grant_role("acc", "staff").await.unwrap();
    store
        .replace_recovery_codes("acc", &[vec![1; 32], vec![2; 32]])
        .await
        .unwrap();
    store
        .create_session(&StoredSession {
            token_hash: vec![3; 32],
            public_id: "s1".into(),
            account_id: "acc".into(),
            created_at: 1_000,
            last_seen_at: 1_000,
            expires_at: 9_000,
            persistent: true,
            client_label: None,
            csrf: "c".into(),
        })
        .await
        .unwrap();
    store
        .create_password_reset(&PasswordReset {
            token_hash: vec![4; 32],
            account_id: "acc".into(),
            created_at: 1_000,
            expires_at: 2_000,
        })
        .await
        .unwrap();
    store
        .create_view(&SavedView {
            id: "v1".into(),
            account_id: "acc".into(),
            name: "Harz".into(),
            state: "x=1&y=2".into(),
            created_at: 1_000,
            updated_at: 1_000,
        })
        .await
        .unwrap();
    let mut owned = drawing("owned", 100);
    owned.owner = Some("acc".into());
    owned.blocked_at = Some(150);
    store.insert_drawing(&owned).await.unwrap();
    store
        .insert_drawing(&drawing("anonymous", 200))
        .await
        .unwrap();
    for reason in ["zweiter", "erster", "dritter"] {
        store.report_drawing("owned", 300, reason).await.unwrap();
    }
    store
        .add_access_counts(&[count("2026-01-01", "/", 200, 3, 30)])
        .await
        .unwrap();
    store
        .add_event_counts(&[event("2026-01-01", "search", "", 2)])
        .await
        .unwrap();
    for action in ["block", "unblock", "delete"] {
        store
            .append_audit(&AuditEntry {
                at: 500,
                actor: "token".into(),
                action: action.into(),
                object: "owned".into(),
            })
            .await
            .unwrap();
    }
}

/// Everything [`fill`] wrote, as read back through the traits.
async fn contents(store: &SqlStore) -> String {
    use crate::AccountStore;
    let all = (day("2000-01-01"), day("2100-01-01"));
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        store.account("acc").await.unwrap(),
        store.recovery_codes_left("acc").await.unwrap(),
        store.sessions_of_account("acc").await.unwrap(),
        store.password_reset(&[4; 32], 1_500).await.unwrap(),
        store.views_of_account("acc").await.unwrap(),
        store.list_drawings(DrawingOrder::Newest, 10).await.unwrap(),
        store.drawing_reports("owned").await.unwrap(),
        store.access_counts(all.0, all.1).await.unwrap(),
        store.event_counts(all.0, all.1).await.unwrap(),
        store.audit_entries(10).await.unwrap(),
        store
            .owner_pseudonyms(&["owned", "anonymous"])
            .await
            .unwrap(),
    )
}

#[tokio::test]
async fn a_store_is_copied_into_postgres_and_back_with_every_row_and_order() {
    let Some((_postgres_scratch, postgres)) = super::testing::postgres().await else {
        return;
    };
    let (_sqlite_scratch, sqlite) = super::testing::sqlite().await;
    fill(&sqlite).await;
    let report = sqlite.copy_into(&postgres).await.unwrap();
    let rows = |name: &str| {
        report
            .tables
            .iter()
            .find(|(table, _)| *table == name)
            .unwrap()
            .1
    };
    assert_eq!(
        (rows("accounts"), rows("drawings"), rows("drawing_reports")),
        (1, 2, 3)
    );
    assert_eq!((rows("recovery_codes"), rows("audit_log")), (2, 3));
    assert_eq!(contents(&postgres).await, contents(&sqlite).await);

    let (_back_scratch, back) = super::testing::sqlite().await;
    postgres.copy_into(&back).await.unwrap();
    assert_eq!(contents(&back).await, contents(&sqlite).await);

    let error = sqlite.copy_into(&postgres).await.unwrap_err().to_string();
    assert!(error.contains("not empty"), "{error}");
    assert_eq!(
        contents(&postgres).await,
        contents(&sqlite).await,
        "nothing changed"
    );
}
