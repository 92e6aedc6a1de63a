use super::*;
use crate::sql::testing::store_test;
use crate::{DrawingStore, StoredDrawing};

async fn open() -> (tempfile::TempDir, SqlStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite(dir.path()).await.unwrap();
    (dir, store)
}

/// Gives the store two accounts: `a1` (Anna) and `a2` (Bert).
async fn anna_and_bert(store: &SqlStore) {
    store
        .create_account(&new_account("a1", "Anna"))
        .await
        .unwrap();
    store
        .create_account(&new_account("a2", "Bert"))
        .await
        .unwrap();
}

fn new_account(id: &str, pseudonym: &str) -> NewAccount {
    NewAccount {
        id: id.into(),
        pseudonym: pseudonym.into(),
        pseudonym_key: pseudonym.to_lowercase(),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt${id}"),
        created_at: 1_000,
    }
}

fn session(token: &str, account_id: &str, last_seen_at: i64) -> StoredSession {
    StoredSession {
        token_hash: token.as_bytes().to_vec(),
        public_id: format!("public-{token}"),
        account_id: account_id.into(),
        created_at: last_seen_at,
        last_seen_at,
        expires_at: last_seen_at + 12 * 3600,
        persistent: false,
        client_label: Some("Firefox on Linux".into()),
        csrf: format!("csrf-{token}"),
    }
}

fn reset(token: &str, account_id: &str, expires_at: i64) -> PasswordReset {
    PasswordReset {
        token_hash: token.as_bytes().to_vec(),
        account_id: account_id.into(),
        created_at: expires_at - 3_600,
        expires_at,
    }
}

fn view(id: &str, account_id: &str, name: &str) -> SavedView {
    SavedView {
        id: id.into(),
        account_id: account_id.into(),
        name: name.into(),
        state: "?center=9.7,52.4&zoom=9&layers=naturschutz".into(),
        created_at: 2_000,
        updated_at: 2_000,
    }
}

fn drawing(id: &str, owner: Option<&str>, title: &str) -> StoredDrawing {
    StoredDrawing {
        id: id.into(),
        edit_key_hash: vec![7; 32],
        owner: owner.map(Into::into),
        title: title.into(),
        features: r#"{"type":"FeatureCollection","features":[]}"#.into(),
        created_at: 100,
        changed_at: 100,
        expires_at: 100 + 365 * 86_400,
        copied_from: None,
        report_count: 0,
        blocked_at: None,
    }
}

/// Rows of account `id` left in every table that can hold them.
async fn rows_of(store: &SqlStore, id: &str) -> i64 {
    let mut total = 0;
    for sql in [
        "SELECT COUNT(*) FROM accounts WHERE id = $1",
        "SELECT COUNT(*) FROM account_roles WHERE account_id = $1",
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1",
        "SELECT COUNT(*) FROM sessions WHERE account_id = $1",
        "SELECT COUNT(*) FROM password_resets WHERE account_id = $1",
        "SELECT COUNT(*) FROM saved_views WHERE account_id = $1",
        "SELECT COUNT(*) FROM drawings WHERE owner = $1",
    ] {
        let count: i64 = sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(&store.reader)
            .await
            .unwrap();
        total += count;
    }
    total
}

store_test!(
    an_account_is_found_by_id_and_by_pseudonym_key_with_nothing_voluntary_set,
    |store| {
        store
            .create_account(&new_account("a1", "Müller"))
            .await
            .unwrap();
        let account = store.account("a1").await.unwrap().unwrap();
        assert_eq!(account.pseudonym, "Müller");
        assert_eq!(account.pseudonym_key, "müller");
        assert!(account.password_hash.starts_with("$argon2id$"));
        assert_eq!((account.created_at, account.last_seen_at), (1_000, 1_000));
        assert!(!account.blocked);
        assert!(!account.profile_access);
        assert_eq!(account.totp_secret, None);
        assert!(account.roles.is_empty());
        assert_eq!(account.profile, Profile::default());
        assert_eq!(
            store.account_by_pseudonym_key("müller").await.unwrap(),
            Some(account)
        );
        assert_eq!(store.account("nobody").await.unwrap(), None);
        assert_eq!(
            store.account_by_pseudonym_key("nobody").await.unwrap(),
            None
        );
    }
);

store_test!(
    a_pseudonym_key_taken_by_another_account_is_refused_as_taken,
    |store| {
        store
            .create_account(&new_account("a1", "Anna"))
            .await
            .unwrap();
        let mut same_key = new_account("a2", "ANNA");
        same_key.pseudonym_key = "anna".into();
        let error = store.create_account(&same_key).await.unwrap_err();
        assert!(matches!(error, StoreError::PseudonymTaken), "{error:?}");
        assert_eq!(store.account("a2").await.unwrap(), None);

        store
            .create_account(&new_account("a2", "Bert"))
            .await
            .unwrap();
        let error = store.set_pseudonym("a2", "ANNA", "anna").await.unwrap_err();
        assert!(matches!(error, StoreError::PseudonymTaken), "{error:?}");
        assert!(store.set_pseudonym("a2", "Bertha", "bertha").await.unwrap());
        assert_eq!(
            store.account("a2").await.unwrap().unwrap().pseudonym,
            "Bertha"
        );
        assert!(!store.set_pseudonym("nobody", "X", "x").await.unwrap());
    }
);

store_test!(
    a_duplicate_account_id_is_a_query_error_not_a_taken_pseudonym,
    |store| {
        store
            .create_account(&new_account("a1", "Anna"))
            .await
            .unwrap();
        let error = store
            .create_account(&new_account("a1", "Bert"))
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Query { .. }), "{error:?}");
    }
);

store_test!(profile_fields_are_set_and_removed_one_by_one, |store| {
    store
        .create_account(&new_account("a1", "Anna"))
        .await
        .unwrap();
    for (field, value) in [
        (ProfileField::Email, "anna@example.org"),
        (ProfileField::Name, "Anna Beispiel"),
        (ProfileField::Organisation, "NABU Hannover"),
        (ProfileField::PostalAddress, "Am Markt 1, 30159 Hannover"),
    ] {
        assert!(
            store
                .set_profile_field("a1", field, Some(value))
                .await
                .unwrap()
        );
    }
    assert!(
        store
            .set_profile_field("a1", ProfileField::Name, None)
            .await
            .unwrap()
    );
    let profile = store.account("a1").await.unwrap().unwrap().profile;
    assert_eq!(
        profile,
        Profile {
            email: Some("anna@example.org".into()),
            name: None,
            organisation: Some("NABU Hannover".into()),
            postal_address: Some("Am Markt 1, 30159 Hannover".into()),
        }
    );
    assert!(
        !store
            .set_profile_field("nobody", ProfileField::Email, Some("x"))
            .await
            .unwrap()
    );
});

store_test!(
    password_block_profile_access_and_last_use_are_changed,
    |store| {
        store
            .create_account(&new_account("a1", "Anna"))
            .await
            .unwrap();
        assert!(
            store
                .set_password_hash("a1", "$argon2id$new")
                .await
                .unwrap()
        );
        assert!(store.set_blocked("a1", true).await.unwrap());
        assert!(store.set_profile_access("a1", true).await.unwrap());
        assert!(store.touch_account("a1", 5_000).await.unwrap());
        assert!(store.touch_account("a1", 4_000).await.unwrap());
        let account = store.account("a1").await.unwrap().unwrap();
        assert_eq!(account.password_hash, "$argon2id$new");
        assert!(account.blocked);
        assert!(account.profile_access);
        assert_eq!(account.last_seen_at, 5_000, "an older use does not go back");
        assert!(store.set_blocked("a1", false).await.unwrap());
        assert!(!store.account("a1").await.unwrap().unwrap().blocked);
        assert!(!store.set_password_hash("nobody", "x").await.unwrap());
        assert!(!store.set_blocked("nobody", true).await.unwrap());
        assert!(!store.touch_account("nobody", 1).await.unwrap());
    }
);

store_test!(
    roles_are_granted_once_revoked_and_listed_without_profile_data,
    |store| {
        anna_and_bert(&store).await;
        assert!(store.grant_role("a1", "naturschutz").await.unwrap());
        assert!(
            store.grant_role("a1", "naturschutz").await.unwrap(),
            "again"
        );
        assert!(store.grant_role("a1", "admin").await.unwrap());
        assert!(!store.grant_role("nobody", "admin").await.unwrap());
        assert_eq!(
            store.account("a1").await.unwrap().unwrap().roles,
            ["admin", "naturschutz"]
        );
        assert!(store.revoke_role("a1", "admin").await.unwrap());
        assert!(!store.revoke_role("a1", "admin").await.unwrap());
        let list = store.list_accounts().await.unwrap();
        assert_eq!(
            list.iter()
                .map(|a| (a.pseudonym.as_str(), a.roles.clone()))
                .collect::<Vec<_>>(),
            [
                ("Anna", vec!["naturschutz".to_string()]),
                ("Bert", Vec::new())
            ]
        );
    }
);

store_test!(
    a_totp_step_is_accepted_once_and_never_an_older_one,
    |store| {
        store
            .create_account(&new_account("a1", "Anna"))
            .await
            .unwrap();
        assert!(
            store
                .set_totp_secret("a1", Some(b"JBSWY3DPEHPK3PXP"))
                .await
                .unwrap()
        );
        assert!(store.use_totp_step("a1", 100).await.unwrap());
        assert!(!store.use_totp_step("a1", 100).await.unwrap(), "replay");
        assert!(!store.use_totp_step("a1", 99).await.unwrap(), "older");
        assert!(store.use_totp_step("a1", 101).await.unwrap());
        let account = store.account("a1").await.unwrap().unwrap();
        assert_eq!(
            account.totp_secret.as_deref(),
            Some(&b"JBSWY3DPEHPK3PXP"[..])
        );
        assert_eq!(account.totp_last_step, Some(101));

        assert!(store.set_totp_secret("a1", None).await.unwrap());
        let account = store.account("a1").await.unwrap().unwrap();
        assert_eq!((account.totp_secret, account.totp_last_step), (None, None));
        assert!(!store.use_totp_step("nobody", 1).await.unwrap());
    }
);

store_test!(
    a_recovery_code_works_exactly_once_and_new_codes_replace_the_old,
    |store| {
        anna_and_bert(&store).await;
        let codes: Vec<Vec<u8>> = (0..10u8).map(|i| vec![i; 32]).collect();
        assert!(store.replace_recovery_codes("a1", &codes).await.unwrap());
        assert_eq!(store.recovery_codes_left("a1").await.unwrap(), 10);

        assert!(
            !store.use_recovery_code("a2", &codes[0]).await.unwrap(),
            "another account's"
        );
        assert!(store.use_recovery_code("a1", &codes[0]).await.unwrap());
        assert!(
            !store.use_recovery_code("a1", &codes[0]).await.unwrap(),
            "used"
        );
        assert_eq!(store.recovery_codes_left("a1").await.unwrap(), 9);

        // Two requests with the same code at once: one wins.
        let (first, second) = tokio::join!(
            store.use_recovery_code("a1", &codes[1]),
            store.use_recovery_code("a1", &codes[1])
        );
        assert_eq!(
            u8::from(first.unwrap()) + u8::from(second.unwrap()),
            1,
            "exactly one use"
        );

        let fresh = vec![vec![99; 32]];
        assert!(store.replace_recovery_codes("a1", &fresh).await.unwrap());
        assert!(
            !store.use_recovery_code("a1", &codes[2]).await.unwrap(),
            "old codes are gone"
        );
        assert!(store.use_recovery_code("a1", &fresh[0]).await.unwrap());
        assert!(
            !store
                .replace_recovery_codes("nobody", &fresh)
                .await
                .unwrap()
        );
    }
);

store_test!(
    a_session_is_found_by_its_token_hash_and_its_use_recorded_at_most_once_a_minute,
    |store| {
        store
            .create_account(&new_account("a1", "Anna"))
            .await
            .unwrap();
        let stored = session("t1", "a1", 10_000);
        store.create_session(&stored).await.unwrap();

        assert_eq!(
            store.find_session(b"t1", 10_030).await.unwrap(),
            Some(stored.clone())
        );
        let unchanged = store.find_session(b"t1", 10_059).await.unwrap().unwrap();
        assert_eq!(
            unchanged.last_seen_at, 10_000,
            "not written within a minute"
        );

        let found = store.find_session(b"t1", 10_060).await.unwrap().unwrap();
        assert_eq!(
            found.last_seen_at, 10_000,
            "answers the use before this one"
        );
        let later = store.find_session(b"t1", 10_061).await.unwrap().unwrap();
        assert_eq!(later.last_seen_at, 10_060, "the use was recorded");
        assert_eq!(
            store.account("a1").await.unwrap().unwrap().last_seen_at,
            10_060,
            "using a session is using the account"
        );
        assert_eq!(store.find_session(b"unknown", 10_061).await.unwrap(), None);
    }
);

store_test!(
    a_session_needs_an_existing_account_and_a_fresh_public_id,
    |store| {
        assert!(
            store
                .create_session(&session("t1", "nobody", 1))
                .await
                .is_err()
        );
        store
            .create_account(&new_account("a1", "Anna"))
            .await
            .unwrap();
        store.create_session(&session("t1", "a1", 1)).await.unwrap();
        let mut same_public_id = session("t2", "a1", 1);
        same_public_id.public_id = "public-t1".into();
        assert!(store.create_session(&same_public_id).await.is_err());
        assert_eq!(store.count_sessions().await.unwrap(), 1);
    }
);

store_test!(
    sessions_are_listed_and_ended_one_by_one_or_all_but_the_current,
    |store| {
        anna_and_bert(&store).await;
        for (token, account, seen) in [
            ("t1", "a1", 1),
            ("t2", "a1", 3),
            ("t3", "a1", 2),
            ("t4", "a2", 1),
        ] {
            store
                .create_session(&session(token, account, seen))
                .await
                .unwrap();
        }
        let listed = store.sessions_of_account("a1").await.unwrap();
        assert_eq!(
            listed
                .iter()
                .map(|s| s.public_id.as_str())
                .collect::<Vec<_>>(),
            ["public-t2", "public-t3", "public-t1"],
            "most recently used first"
        );
        assert_eq!(listed[0].client_label.as_deref(), Some("Firefox on Linux"));

        assert!(
            !store
                .delete_session_by_public_id("a2", "public-t1")
                .await
                .unwrap(),
            "another account's session stays"
        );
        assert!(
            store
                .delete_session_by_public_id("a1", "public-t1")
                .await
                .unwrap()
        );
        assert_eq!(store.sessions_of_account("a1").await.unwrap().len(), 2);

        assert!(store.delete_session(b"t4").await.unwrap());
        assert!(!store.delete_session(b"t4").await.unwrap());

        store.create_session(&session("t5", "a1", 4)).await.unwrap();
        assert_eq!(
            store
                .delete_sessions_of_account("a1", Some(b"t5"))
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            store
                .sessions_of_account("a1")
                .await
                .unwrap()
                .iter()
                .map(|s| s.public_id.as_str())
                .collect::<Vec<_>>(),
            ["public-t5"]
        );
        assert_eq!(
            store.delete_sessions_of_account("a1", None).await.unwrap(),
            1
        );
        assert_eq!(store.count_sessions().await.unwrap(), 0);
    }
);

store_test!(
    expired_and_idle_sessions_are_purged_but_a_remembered_one_only_at_its_end,
    |store| {
        store
            .create_account(&new_account("a1", "Anna"))
            .await
            .unwrap();
        let now = 100_000;
        let idle_cutoff = now - 2 * 3600;
        let mut ended = session("ended", "a1", now - 60);
        ended.expires_at = now;
        let idle = session("idle", "a1", idle_cutoff - 1);
        let active = session("active", "a1", idle_cutoff);
        let mut remembered = session("remembered", "a1", idle_cutoff - 10 * 86_400);
        remembered.persistent = true;
        remembered.expires_at = now + 86_400;
        for s in [&ended, &idle, &active, &remembered] {
            store.create_session(s).await.unwrap();
        }
        assert_eq!(
            store
                .purge_expired_sessions(now, idle_cutoff)
                .await
                .unwrap(),
            2
        );
        let mut left: Vec<_> = store
            .sessions_of_account("a1")
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.public_id)
            .collect();
        left.sort();
        assert_eq!(left, ["public-active", "public-remembered"]);
        assert_eq!(store.count_sessions().await.unwrap(), 2);
    }
);

store_test!(a_reset_link_is_taken_exactly_once, |store| {
    anna_and_bert(&store).await;
    let link = reset("reset-anna", "a1", 5_000);
    store.create_password_reset(&link).await.unwrap();
    for _ in 0..2 {
        assert_eq!(
            store.password_reset(b"reset-anna", 4_999).await.unwrap(),
            Some(link.clone()),
            "looking uses up nothing"
        );
    }
    assert_eq!(
        store.password_reset(b"reset-anna", 5_000).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .take_password_reset(b"reset-anna", 4_999)
            .await
            .unwrap(),
        Some(link)
    );
    assert_eq!(
        store
            .take_password_reset(b"reset-anna", 4_999)
            .await
            .unwrap(),
        None,
        "used up"
    );
    assert_eq!(
        store.take_password_reset(b"never-sent", 1).await.unwrap(),
        None
    );
});

store_test!(
    an_expired_reset_link_never_works_and_is_gone_after_the_attempt,
    |store| {
        anna_and_bert(&store).await;
        store
            .create_password_reset(&reset("late", "a1", 5_000))
            .await
            .unwrap();
        assert_eq!(
            store.take_password_reset(b"late", 5_000).await.unwrap(),
            None,
            "expires_at is the first second it no longer works"
        );
        assert_eq!(rows_of(&store, "a1").await, 1, "only the account is left");
    }
);

store_test!(
    a_reset_link_needs_an_existing_account_and_a_fresh_token,
    |store| {
        anna_and_bert(&store).await;
        assert!(
            store
                .create_password_reset(&reset("t", "nobody", 5_000))
                .await
                .is_err()
        );
        store
            .create_password_reset(&reset("t", "a1", 5_000))
            .await
            .unwrap();
        assert!(
            store
                .create_password_reset(&reset("t", "a2", 5_000))
                .await
                .is_err(),
            "token hash taken"
        );
    }
);

store_test!(
    reset_links_are_counted_while_live_deleted_per_account_and_purged_when_expired,
    |store| {
        anna_and_bert(&store).await;
        for (token, account, expires_at) in [
            ("a-old", "a1", 2_000),
            ("a-new", "a1", 6_000),
            ("a-newer", "a1", 7_000),
            ("b-old", "a2", 2_000),
            ("b-new", "a2", 6_000),
        ] {
            store
                .create_password_reset(&reset(token, account, expires_at))
                .await
                .unwrap();
        }
        assert_eq!(store.live_password_resets("a1", 2_000).await.unwrap(), 2);
        assert_eq!(store.live_password_resets("a1", 1_999).await.unwrap(), 3);
        assert_eq!(store.live_password_resets("nobody", 0).await.unwrap(), 0);

        assert_eq!(store.purge_expired_password_resets(2_000).await.unwrap(), 2);
        assert_eq!(store.live_password_resets("a2", 0).await.unwrap(), 1);

        assert_eq!(
            store.delete_password_resets_of_account("a1").await.unwrap(),
            2
        );
        assert_eq!(store.live_password_resets("a1", 0).await.unwrap(), 0);
        assert_eq!(
            store
                .take_password_reset(b"b-new", 2_000)
                .await
                .unwrap()
                .map(|r| r.account_id),
            Some("a2".to_owned()),
            "the other account's link still works"
        );
    }
);

store_test!(saved_views_belong_to_their_account_alone, |store| {
    anna_and_bert(&store).await;
    store.create_view(&view("v1", "a1", "Leine")).await.unwrap();
    store
        .create_view(&view("v2", "a1", "Deister"))
        .await
        .unwrap();
    assert!(store.create_view(&view("v3", "nobody", "x")).await.is_err());
    assert_eq!(
        store
            .views_of_account("a1")
            .await
            .unwrap()
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>(),
        ["Deister", "Leine"]
    );
    assert_eq!(
        store.view("a1", "v1").await.unwrap(),
        Some(view("v1", "a1", "Leine"))
    );

    assert_eq!(store.view("a2", "v1").await.unwrap(), None);
    assert!(store.views_of_account("a2").await.unwrap().is_empty());
    assert!(!store.rename_view("a2", "v1", "Meins", 3_000).await.unwrap());
    assert!(!store.delete_view("a2", "v1").await.unwrap());

    assert!(
        store
            .rename_view("a1", "v1", "Leinetal", 3_000)
            .await
            .unwrap()
    );
    let renamed = store.view("a1", "v1").await.unwrap().unwrap();
    assert_eq!(
        (
            renamed.name.as_str(),
            renamed.created_at,
            renamed.updated_at
        ),
        ("Leinetal", 2_000, 3_000)
    );
    assert!(store.delete_view("a1", "v1").await.unwrap());
    assert!(!store.delete_view("a1", "v1").await.unwrap());
    assert_eq!(store.view("a1", "v1").await.unwrap(), None);
});

store_test!(
    an_anonymous_drawing_is_claimed_once_and_listed_under_its_owner,
    |store| {
        anna_and_bert(&store).await;
        store
            .insert_drawing(&drawing("d1", None, "Anonym"))
            .await
            .unwrap();
        let mut saved = drawing("d2", Some("a1"), "Gespeichert");
        saved.created_at = 200;
        store.insert_drawing(&saved).await.unwrap();

        assert!(store.claim_drawing("d1", "a1").await.unwrap());
        assert!(
            store.claim_drawing("d1", "a1").await.unwrap(),
            "own already"
        );
        assert!(!store.claim_drawing("d1", "a2").await.unwrap(), "taken");
        assert!(!store.claim_drawing("none", "a2").await.unwrap());
        assert_eq!(
            store.drawing("d1").await.unwrap().unwrap().owner.as_deref(),
            Some("a1")
        );
        assert_eq!(
            store
                .drawings_of_owner("a1")
                .await
                .unwrap()
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>(),
            ["d2", "d1"],
            "newest first"
        );
        assert!(store.drawings_of_owner("a2").await.unwrap().is_empty());
    }
);

store_test!(the_owners_pseudonyms_are_found_for_moderation, |store| {
    anna_and_bert(&store).await;
    store
        .set_profile_field("a1", ProfileField::Name, Some("Anna Schmidt"))
        .await
        .unwrap();
    store
        .insert_drawing(&drawing("d1", Some("a1"), "Annas"))
        .await
        .unwrap();
    store
        .insert_drawing(&drawing("d2", None, "Anonym"))
        .await
        .unwrap();
    let pseudonyms = store.owner_pseudonyms(&["d1", "d2", "none"]).await.unwrap();
    assert_eq!(pseudonyms.len(), 1, "anonymous and missing left out");
    assert_eq!(pseudonyms["d1"], "Anna", "the pseudonym, never the name");
    assert!(store.owner_pseudonyms(&[]).await.unwrap().is_empty());
});

/// An account with something in every table.
async fn populated_account(store: &SqlStore, id: &str, pseudonym: &str) {
    store
        .create_account(&new_account(id, pseudonym))
        .await
        .unwrap();
    store.grant_role(id, "naturschutz").await.unwrap();
    store
        .replace_recovery_codes(id, &[format!("code-{id}").into_bytes()])
        .await
        .unwrap();
    store
        .create_session(&session(&format!("token-{id}"), id, 1_000))
        .await
        .unwrap();
    store
        .create_password_reset(&reset(&format!("reset-{id}"), id, 5_000))
        .await
        .unwrap();
    store
        .create_view(&view(&format!("view-{id}"), id, "Ansicht"))
        .await
        .unwrap();
    store
        .insert_drawing(&drawing(&format!("drawing-{id}"), Some(id), "Zeichnung"))
        .await
        .unwrap();
}

store_test!(
    deleting_an_account_removes_all_its_rows_and_keeps_its_drawings_anonymous_if_asked,
    |store| {
        populated_account(&store, "a1", "Anna").await;
        populated_account(&store, "a2", "Bert").await;
        assert_eq!(rows_of(&store, "a1").await, 7);

        assert!(
            store
                .delete_account("a1", OwnedDrawings::KeepAnonymous)
                .await
                .unwrap()
        );
        assert_eq!(rows_of(&store, "a1").await, 0);
        let kept = store.drawing("drawing-a1").await.unwrap().unwrap();
        assert_eq!(kept.owner, None, "kept, anonymous");
        assert_eq!(
            rows_of(&store, "a2").await,
            7,
            "the other account is untouched"
        );

        assert!(
            store
                .delete_account("a2", OwnedDrawings::Delete)
                .await
                .unwrap()
        );
        assert_eq!(rows_of(&store, "a2").await, 0);
        assert_eq!(store.drawing("drawing-a2").await.unwrap(), None);
        assert!(
            !store
                .delete_account("a2", OwnedDrawings::Delete)
                .await
                .unwrap()
        );
    }
);

#[tokio::test]
async fn inactive_accounts_are_purged_and_their_drawings_kept_anonymous() {
    let (dir, store) = open().await;
    populated_account(&store, "old", "Eisvogel-Inaktiv-4417").await;
    populated_account(&store, "recent", "Neu").await;
    store.touch_account("recent", 50_000).await.unwrap();
    assert_eq!(store.purge_inactive_accounts(50_000).await.unwrap(), 1);
    assert_eq!(rows_of(&store, "old").await, 0);
    assert_eq!(
        store.drawing("drawing-old").await.unwrap().unwrap().owner,
        None
    );
    assert_eq!(rows_of(&store, "recent").await, 7);
    assert_eq!(store.purge_inactive_accounts(50_000).await.unwrap(), 0);
    let found = occurs_in_files(dir.path(), "Eisvogel-Inaktiv-4417");
    assert!(
        found.is_empty(),
        "the purged pseudonym remains in {found:?}"
    );
}

#[tokio::test]
async fn every_sqlite_connection_overwrites_deleted_content() {
    let (_dir, store) = open().await;
    for pool in [&store.writer, &store.reader] {
        let secure_delete: i64 = sqlx::query_scalar("PRAGMA secure_delete")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(secure_delete, 1);
    }
}

/// Whether `needle` occurs in any file of `dir`, read as raw bytes.
fn occurs_in_files(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if bytes
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
        {
            found.push(path.display().to_string());
        }
    }
    found
}

#[tokio::test]
async fn an_erased_account_leaves_no_trace_in_any_database_file() {
    let (dir, store) = open().await;
    // Another account before and after, so the erased rows sit between
    // live ones on the same pages.
    populated_account(&store, "before", "Vorher").await;
    let traces = [
        "Zaunkoenig-Pseudonym-7731",
        "zaunkoenig-7731@beispiel.example",
        "Zaunkoenigweg 7731, 37073 Goettingen",
        "Zaunkoenig-Ansicht-7731",
        "Zaunkoenig-Zeichnung-7731",
        "zaunkoenig-sitzung-7731",
    ];
    let [pseudonym, email, address, view_name, drawing_title, token] = traces;
    store
        .create_account(&new_account("gone", pseudonym))
        .await
        .unwrap();
    store
        .set_profile_field("gone", ProfileField::Email, Some(email))
        .await
        .unwrap();
    store
        .set_profile_field("gone", ProfileField::PostalAddress, Some(address))
        .await
        .unwrap();
    for n in 0..3 {
        store
            .create_session(&session(&format!("{token}-{n}"), "gone", 1_000 + n))
            .await
            .unwrap();
    }
    store
        .create_view(&view("view-gone", "gone", view_name))
        .await
        .unwrap();
    store
        .insert_drawing(&drawing("drawing-gone", Some("gone"), drawing_title))
        .await
        .unwrap();
    populated_account(&store, "after", "Nachher").await;
    for trace in traces {
        assert!(
            !occurs_in_files(dir.path(), trace).is_empty(),
            "{trace} was written, so the check below can fail"
        );
    }

    assert!(
        store
            .delete_account("gone", OwnedDrawings::Delete)
            .await
            .unwrap()
    );

    for trace in traces {
        let found = occurs_in_files(dir.path(), trace);
        assert!(found.is_empty(), "{trace} remains in {found:?}");
    }
    assert_eq!(rows_of(&store, "before").await, 7, "the others remain");
    assert_eq!(rows_of(&store, "after").await, 7);
}

#[tokio::test]
async fn an_erasure_blocked_by_a_reader_finishes_its_log_truncation_later() {
    use sqlx::Connection;

    let (dir, store) = open().await;
    store
        .create_account(&new_account("a1", "Wiesenweihe-Ulla"))
        .await
        .unwrap();
    // Another process (a backup, `sqlite3` in a shell) reads in a long
    // transaction: the write-ahead log cannot be truncated meanwhile.
    let path = dir.path().join(crate::DATABASE_FILE);
    let mut reader = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN").execute(&mut reader).await.unwrap();
    let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&mut reader)
        .await
        .unwrap();
    let outcome = store.delete_account("a1", OwnedDrawings::Delete).await;
    assert!(
        matches!(outcome, Err(StoreError::CheckpointBusy)),
        "{outcome:?}"
    );
    assert!(
        store.account("a1").await.unwrap().is_none(),
        "the rows are gone"
    );
    assert!(matches!(
        store.truncate_log().await,
        Err(StoreError::CheckpointBusy)
    ));
    sqlx::query("ROLLBACK").execute(&mut reader).await.unwrap();
    reader.close().await.unwrap();

    store.truncate_log().await.unwrap();
    let wal = dir.path().join(format!("{}-wal", crate::DATABASE_FILE));
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(16).any(|w| w == b"Wiesenweihe-Ulla"),
            "the pseudonym is in no file"
        );
    }
}
