//! The service against the SQLite store in a temporary directory, on
//! clocks the tests move. Passwords are hashed with Argon2id at the
//! smallest parameters, so the tests stay fast; the OWASP parameters of
//! the production constructor are tested in `password::hasher`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use numis_store::{OwnedDrawings, ProfileField, SqlStore};

use super::*;
use crate::accounts::{HashParams, PasswordHasher, ThrottleRules, TotpError, TotpSecret};
use crate::drawings::{DrawingRules, DrawingService, Upload};

// Password reset by mail: its own file, with this module's fixture.
mod reset;
// The console's operator functions: search, details, reset links.
mod operator;

/// 2026-01-01T00:00:00Z.
const NEW_YEAR: i64 = 1_767_225_600;
const HOUR: i64 = 3_600;

const NAME: &str = "Heidschnucke";
const PASSWORD: &str = "Moorlilie am Steinhuder Meer";
const OTHER_PASSWORD: &str = "Kraniche über dem Drömling";

const FAST: HashParams = HashParams {
    memory_kib: 8,
    iterations: 1,
    parallelism: 1,
};

struct Fixture {
    service: AccountService,
    store: Arc<SqlStore>,
    clock: Arc<AtomicI64>,
    instant: Arc<Mutex<Instant>>,
    _dir: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqlStore::open_sqlite(dir.path()).await.unwrap());
        let clock = Arc::new(AtomicI64::new(NEW_YEAR));
        let instant = Arc::new(Mutex::new(Instant::now()));
        let mut fixture = Self {
            service: AccountService::new(
                store.clone(),
                PasswordWorkers::new(PasswordHasher::new()),
                AccountRules::default(),
            ),
            store,
            clock,
            instant,
            _dir: dir,
        };
        fixture.service = fixture.with_params(FAST);
        fixture
    }

    /// A service over the same store, clocks and throttle rules, hashing
    /// with `params`.
    fn with_params(&self, params: HashParams) -> AccountService {
        let time = self.clock.clone();
        let instant = self.instant.clone();
        let throttle = LoginThrottle::with_clock(
            ThrottleRules::default(),
            Arc::new(move || *instant.lock().unwrap()),
        );
        AccountService::new(
            self.store.clone(),
            PasswordWorkers::new(PasswordHasher::with_params(params).unwrap()),
            AccountRules::default(),
        )
        .with_throttle(throttle)
        .with_clock(move || time.load(Ordering::SeqCst))
    }

    fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }

    fn pass(&self, seconds: i64) {
        self.clock.fetch_add(seconds, Ordering::SeqCst);
    }

    fn pass_throttle(&self, duration: Duration) {
        *self.instant.lock().unwrap() += duration;
    }

    async fn register(&self, name: &str) -> Registered {
        self.service.register(name, PASSWORD).await.unwrap()
    }

    async fn login(&self, name: &str, password: &str) -> Result<LoggedIn> {
        self.service
            .login(name, password, None, false, 1, None)
            .await
    }
}

#[tokio::test]
async fn registration_shows_ten_recovery_codes_and_stores_only_their_hashes() {
    let f = Fixture::new().await;
    let registered = f.register(NAME).await;
    assert_eq!(registered.recovery_codes.len(), 10);
    assert_eq!(
        f.service
            .recovery_codes_left(&registered.account_id)
            .await
            .unwrap(),
        10
    );
    let account = f
        .store
        .account(&registered.account_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.pseudonym, NAME);
    assert!(account.password_hash.starts_with("$argon2id$"));
    assert!(!account.password_hash.contains(PASSWORD));
}

#[tokio::test]
async fn a_pseudonym_is_taken_after_normalisation_and_case_folding() {
    let f = Fixture::new().await;
    f.register(NAME).await;
    let again = f.service.register("  HEIDSCHNUCKE ", OTHER_PASSWORD).await;
    assert!(
        matches!(again, Err(AccountError::PseudonymTaken)),
        "{again:?}"
    );
}

#[tokio::test]
async fn registration_refuses_common_passwords_and_bad_pseudonyms() {
    let f = Fixture::new().await;
    let common = f.service.register(NAME, "Passwort123").await;
    assert!(
        matches!(common, Err(AccountError::Password(_))),
        "{common:?}"
    );
    let short = f.service.register("ab", PASSWORD).await;
    assert!(
        matches!(short, Err(AccountError::Pseudonym(_))),
        "{short:?}"
    );
    assert!(f.service.list_accounts().await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_pseudonyms_and_wrong_passwords_get_the_same_answer() {
    let f = Fixture::new().await;
    f.register(NAME).await;
    let wrong = f.login(NAME, OTHER_PASSWORD).await;
    let unknown = f.login("Niemand", PASSWORD).await;
    let invalid = f.login("x", PASSWORD).await;
    for answer in [wrong, unknown, invalid] {
        assert!(
            matches!(answer, Err(AccountError::WrongCredentials)),
            "{answer:?}"
        );
    }
}

#[tokio::test]
async fn a_login_gives_a_session_the_token_finds_again() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    f.service.grant(NAME, "naturschutz").await.unwrap();
    let logged_in = f
        .service
        .login(
            "heidschnucke",
            PASSWORD,
            None,
            false,
            1,
            Some("Firefox on Linux".into()),
        )
        .await
        .unwrap();
    assert!(!logged_in.persistent);
    assert_eq!(logged_in.expires_at, f.now() + 12 * HOUR);
    let info = f
        .service
        .session(logged_in.token.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.account_id, id);
    assert_eq!(info.pseudonym, NAME);
    assert_eq!(info.roles, vec!["naturschutz".to_owned()]);
    assert_eq!(info.public_id, logged_in.public_id);
    assert!(info.csrf.matches(Some(logged_in.csrf.as_str())));
    let listed = f.service.sessions(&id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].client_label.as_deref(), Some("Firefox on Linux"));
    assert_eq!(f.service.session("not a token").await.unwrap(), None);
}

#[tokio::test]
async fn an_idle_session_ends_and_is_deleted_but_a_remembered_one_lives_on() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    let short = f.login(NAME, PASSWORD).await.unwrap();
    let remembered = f
        .service
        .login(NAME, PASSWORD, None, true, 1, None)
        .await
        .unwrap();
    assert!(remembered.persistent);
    f.pass(2 * HOUR);
    assert_eq!(f.service.session(short.token.as_str()).await.unwrap(), None);
    let left = f.service.sessions(&id).await.unwrap();
    assert_eq!(left.len(), 1, "the idle session was deleted");
    assert_eq!(left[0].public_id, remembered.public_id);
    f.pass(5 * 24 * HOUR);
    assert!(
        f.service
            .session(remembered.token.as_str())
            .await
            .unwrap()
            .is_some()
    );
    f.pass(25 * 24 * HOUR);
    assert_eq!(
        f.service.session(remembered.token.as_str()).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn after_five_failures_a_pseudonym_must_wait_and_a_success_forgets_them() {
    let f = Fixture::new().await;
    f.register(NAME).await;
    for client in 0..5 {
        let answer = f
            .service
            .login(NAME, OTHER_PASSWORD, None, false, client, None)
            .await;
        assert!(matches!(answer, Err(AccountError::WrongCredentials)));
    }
    let waiting = f.service.login(NAME, PASSWORD, None, false, 99, None).await;
    let Err(AccountError::Throttled(wait)) = waiting else {
        panic!("{waiting:?}");
    };
    assert_eq!(wait.seconds(), 1);
    f.pass_throttle(Duration::from_secs(2));
    f.service
        .login(NAME, PASSWORD, None, false, 99, None)
        .await
        .unwrap();
    // Forgotten: one more failure is no reason to wait.
    let again = f
        .service
        .login(NAME, OTHER_PASSWORD, None, false, 5, None)
        .await;
    assert!(matches!(again, Err(AccountError::WrongCredentials)));
    f.service
        .login(NAME, PASSWORD, None, false, 6, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn instances_sharing_a_store_share_a_pseudonyms_failures() {
    let f = Fixture::new().await;
    f.register(NAME).await;
    // Two instances behind a load balancer: each its own memory, one
    // store for the pseudonym's failures.
    let instance = || f.with_params(FAST).with_shared_failures(f.store.clone());
    let (one, two) = (instance(), instance());
    for attempt in 0..5u64 {
        let service = if attempt % 2 == 0 { &one } else { &two };
        let answer = service
            .login(NAME, OTHER_PASSWORD, None, false, attempt, None)
            .await;
        assert!(matches!(answer, Err(AccountError::WrongCredentials)));
    }
    for service in [&one, &two] {
        let waiting = service.login(NAME, PASSWORD, None, false, 99, None).await;
        let Err(AccountError::Throttled(wait)) = waiting else {
            panic!("the fifth failure on either instance counts on both: {waiting:?}");
        };
        assert_eq!(wait.seconds(), 1);
    }
    // The wait is measured on the clock of the store's rows, in seconds.
    f.pass(2);
    one.login(NAME, PASSWORD, None, false, 99, None)
        .await
        .unwrap();
    let again = two.login(NAME, OTHER_PASSWORD, None, false, 5, None).await;
    assert!(
        matches!(again, Err(AccountError::WrongCredentials)),
        "the success on one instance forgot the failures for both: {again:?}"
    );
}

#[tokio::test]
async fn a_client_guessing_many_pseudonyms_must_wait_too() {
    let f = Fixture::new().await;
    for name in ["Anna", "Bernd", "Clara", "Dieter", "Emil"] {
        let answer = f.service.login(name, PASSWORD, None, false, 7, None).await;
        assert!(matches!(answer, Err(AccountError::WrongCredentials)));
    }
    let waiting = f
        .service
        .login("Frieda", PASSWORD, None, false, 7, None)
        .await;
    assert!(
        matches!(waiting, Err(AccountError::Throttled(_))),
        "{waiting:?}"
    );
    let elsewhere = f
        .service
        .login("Frieda", PASSWORD, None, false, 8, None)
        .await;
    assert!(matches!(elsewhere, Err(AccountError::WrongCredentials)));
}

#[tokio::test]
async fn a_blocked_account_is_refused_only_after_the_right_password() {
    let f = Fixture::new().await;
    f.register(NAME).await;
    let before = f.login(NAME, PASSWORD).await.unwrap();
    f.service.block(NAME).await.unwrap();
    assert_eq!(
        f.service.session(before.token.as_str()).await.unwrap(),
        None
    );
    let right = f.login(NAME, PASSWORD).await;
    assert!(matches!(right, Err(AccountError::Blocked)), "{right:?}");
    let wrong = f.login(NAME, OTHER_PASSWORD).await;
    assert!(
        matches!(wrong, Err(AccountError::WrongCredentials)),
        "{wrong:?}"
    );
    f.service.unblock(NAME).await.unwrap();
    f.login(NAME, PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_hash_made_with_other_parameters_is_replaced_at_login() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    let stronger = f.with_params(HashParams {
        memory_kib: 16,
        ..FAST
    });
    stronger
        .login(NAME, PASSWORD, None, false, 1, None)
        .await
        .unwrap();
    let hash = f.store.account(&id).await.unwrap().unwrap().password_hash;
    assert!(hash.contains("m=16,"), "{hash}");
    stronger
        .login(NAME, PASSWORD, None, false, 1, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_second_factor_needs_a_fresh_code_once_confirmed() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    let setup = f.service.totp_begin(&id).await.unwrap();
    assert!(setup.uri.starts_with("otpauth://totp/numis:Heidschnucke?"));
    assert!(setup.qr_svg.contains("<svg"));
    // Not on before it is confirmed.
    f.login(NAME, PASSWORD).await.unwrap();
    assert!(!f.service.second_factor_on(&id).await.unwrap());
    let secret = setup.secret.to_base32();
    let wrong = f.service.totp_confirm(&id, &secret, "000000").await;
    assert!(matches!(wrong, Err(AccountError::SecondFactor(_))));
    let code = setup.secret.code_at(f.now());
    f.service.totp_confirm(&id, &secret, &code).await.unwrap();
    assert!(f.service.second_factor_on(&id).await.unwrap());

    let without = f.login(NAME, PASSWORD).await;
    assert!(
        matches!(without, Err(AccountError::SecondFactorRequired)),
        "{without:?}"
    );
    let replayed = f
        .service
        .login(NAME, PASSWORD, Some(&code), false, 1, None)
        .await;
    assert!(
        matches!(
            replayed,
            Err(AccountError::SecondFactor(TotpError::Replayed))
        ),
        "{replayed:?}"
    );
    f.pass(30);
    let fresh = setup.secret.code_at(f.now());
    f.service
        .login(NAME, PASSWORD, Some(&fresh), false, 1, None)
        .await
        .unwrap();
    let again = f
        .service
        .login(NAME, PASSWORD, Some(&fresh), false, 1, None)
        .await;
    assert!(
        matches!(again, Err(AccountError::SecondFactor(_))),
        "{again:?}"
    );

    let refused = f.service.totp_disable(&id, OTHER_PASSWORD).await;
    assert!(matches!(refused, Err(AccountError::WrongCredentials)));
    f.service.totp_disable(&id, PASSWORD).await.unwrap();
    assert!(!f.service.second_factor_on(&id).await.unwrap());
    f.login(NAME, PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_wrong_second_factor_counts_as_a_failed_login() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    let secret = TotpSecret::generate().unwrap();
    f.store
        .set_totp_secret(&id, Some(secret.as_bytes()))
        .await
        .unwrap();
    for _ in 0..5 {
        let answer = f
            .service
            .login(NAME, PASSWORD, Some("123 456"), false, 1, None)
            .await;
        assert!(matches!(answer, Err(AccountError::SecondFactor(_))));
    }
    let waiting = f
        .service
        .login(
            NAME,
            PASSWORD,
            Some(&secret.code_at(f.now())),
            false,
            2,
            None,
        )
        .await;
    assert!(
        matches!(waiting, Err(AccountError::Throttled(_))),
        "{waiting:?}"
    );
}

#[tokio::test]
async fn logout_and_ending_sessions_touch_only_the_named_ones() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    let other = f.register("Moorfrosch").await.account_id;
    let here = f.login(NAME, PASSWORD).await.unwrap();
    let there = f.login(NAME, PASSWORD).await.unwrap();
    let third = f.login(NAME, PASSWORD).await.unwrap();
    let foreign = f.login("Moorfrosch", PASSWORD).await.unwrap();

    assert!(
        !f.service
            .end_session(&other, &there.public_id)
            .await
            .unwrap()
    );
    assert!(f.service.end_session(&id, &there.public_id).await.unwrap());
    assert_eq!(f.service.session(there.token.as_str()).await.unwrap(), None);

    assert_eq!(
        f.service
            .end_other_sessions(&id, here.token.as_str())
            .await
            .unwrap(),
        1
    );
    assert_eq!(f.service.session(third.token.as_str()).await.unwrap(), None);
    assert!(
        f.service
            .session(here.token.as_str())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        f.service
            .session(foreign.token.as_str())
            .await
            .unwrap()
            .is_some()
    );

    assert!(f.service.logout(here.token.as_str()).await.unwrap());
    assert_eq!(f.service.session(here.token.as_str()).await.unwrap(), None);
    assert!(!f.service.logout(here.token.as_str()).await.unwrap());
}

#[tokio::test]
async fn changing_the_password_needs_the_old_one_and_ends_the_other_sessions() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    let here = f.login(NAME, PASSWORD).await.unwrap();
    let there = f.login(NAME, PASSWORD).await.unwrap();
    let wrong = f
        .service
        .change_password(&id, OTHER_PASSWORD, OTHER_PASSWORD, here.token.as_str())
        .await;
    assert!(matches!(wrong, Err(AccountError::WrongCredentials)));
    let weak = f
        .service
        .change_password(&id, PASSWORD, "Passwort123", here.token.as_str())
        .await;
    assert!(matches!(weak, Err(AccountError::Password(_))));
    f.service
        .change_password(&id, PASSWORD, OTHER_PASSWORD, here.token.as_str())
        .await
        .unwrap();
    assert!(
        f.service
            .session(here.token.as_str())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(f.service.session(there.token.as_str()).await.unwrap(), None);
    assert!(matches!(
        f.login(NAME, PASSWORD).await,
        Err(AccountError::WrongCredentials)
    ));
    f.login(NAME, OTHER_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_recovery_code_works_once_and_strangers_learn_nothing() {
    let f = Fixture::new().await;
    let registered = f.register(NAME).await;
    let session = f.login(NAME, PASSWORD).await.unwrap();
    let code = registered.recovery_codes[3].to_string();

    for (name, code) in [
        (NAME, "7kq2-m9xd-4tva-hc3e"),
        ("Niemand", code.as_str()),
        (NAME, "kein code"),
    ] {
        let answer = f.service.recover(name, code, OTHER_PASSWORD).await;
        assert!(
            matches!(answer, Err(AccountError::RecoveryCode)),
            "{answer:?}"
        );
    }
    f.service
        .recover(NAME, &code, OTHER_PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        f.service.session(session.token.as_str()).await.unwrap(),
        None
    );
    f.login(NAME, OTHER_PASSWORD).await.unwrap();
    assert_eq!(
        f.service
            .recovery_codes_left(&registered.account_id)
            .await
            .unwrap(),
        9
    );
    let again = f.service.recover(NAME, &code, PASSWORD).await;
    assert!(matches!(again, Err(AccountError::RecoveryCode)));
}

#[tokio::test]
async fn new_recovery_codes_need_the_password_and_replace_the_old_ones() {
    let f = Fixture::new().await;
    let registered = f.register(NAME).await;
    let refused = f
        .service
        .new_recovery_codes(&registered.account_id, OTHER_PASSWORD)
        .await;
    assert!(matches!(refused, Err(AccountError::WrongCredentials)));
    let fresh = f
        .service
        .new_recovery_codes(&registered.account_id, PASSWORD)
        .await
        .unwrap();
    let old = registered.recovery_codes[0].to_string();
    let answer = f.service.recover(NAME, &old, OTHER_PASSWORD).await;
    assert!(matches!(answer, Err(AccountError::RecoveryCode)));
    f.service
        .recover(NAME, &fresh[0].to_string(), OTHER_PASSWORD)
        .await
        .unwrap();
}

#[tokio::test]
async fn profile_fields_are_set_and_removed_one_at_a_time() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    assert_eq!(f.service.profile(&id).await.unwrap(), Default::default());
    f.service
        .set_profile_field(&id, ProfileField::Email, " heid@example.org ")
        .await
        .unwrap();
    f.service
        .set_profile_field(&id, ProfileField::Name, "Heide Schnucke")
        .await
        .unwrap();
    f.service
        .remove_profile_field(&id, ProfileField::Name)
        .await
        .unwrap();
    let profile = f.service.profile(&id).await.unwrap();
    assert_eq!(profile.email.as_deref(), Some("heid@example.org"));
    assert_eq!(profile.name, None);
    f.service
        .set_profile_field(&id, ProfileField::Email, "  ")
        .await
        .unwrap();
    assert_eq!(f.service.profile(&id).await.unwrap().email, None);
    let long = "x".repeat(MAX_PROFILE_CHARS + 1);
    let refused = f
        .service
        .set_profile_field(&id, ProfileField::PostalAddress, &long)
        .await;
    assert!(matches!(refused, Err(AccountError::TooLong { .. })));
}

#[tokio::test]
async fn personal_data_tells_everything_but_the_secrets() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    f.service
        .set_profile_field(&id, ProfileField::Organisation, "Moorverein")
        .await
        .unwrap();
    let data = f.service.personal_data(&id).await.unwrap();
    assert_eq!(data.pseudonym, NAME);
    assert_eq!(data.created_at, NEW_YEAR);
    assert!(!data.second_factor);
    assert_eq!(data.profile.organisation.as_deref(), Some("Moorverein"));
    let setup = f.service.totp_begin(&id).await.unwrap();
    let code = setup.secret.code_at(f.now());
    f.service
        .totp_confirm(&id, &setup.secret.to_base32(), &code)
        .await
        .unwrap();
    assert!(f.service.personal_data(&id).await.unwrap().second_factor);
    let gone = f.service.personal_data("no such account").await;
    assert!(matches!(gone, Err(AccountError::NotFound)));
}

#[tokio::test]
async fn saved_views_belong_to_their_account_alone() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    let other = f.register("Moorfrosch").await.account_id;
    let view = f
        .service
        .create_view(&id, " Steinhuder Meer ", "z=12&c=9.35,52.47")
        .await
        .unwrap();
    assert_eq!(view.name, "Steinhuder Meer");
    assert!(matches!(
        f.service.create_view(&id, "  ", "z=1").await,
        Err(AccountError::EmptyName)
    ));
    f.pass(60);
    f.service.rename_view(&id, &view.id, "Meer").await.unwrap();
    let views = f.service.views(&id).await.unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].name, "Meer");
    assert_eq!(views[0].updated_at, NEW_YEAR + 60);

    assert!(f.service.views(&other).await.unwrap().is_empty());
    for answer in [
        f.service.view(&other, &view.id).await.map(|_| ()),
        f.service.rename_view(&other, &view.id, "Meins").await,
        f.service.delete_view(&other, &view.id).await,
    ] {
        assert!(
            matches!(answer, Err(AccountError::NoSuchView)),
            "{answer:?}"
        );
    }
    f.service.delete_view(&id, &view.id).await.unwrap();
    assert!(f.service.views(&id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_claimed_drawing_is_mine_and_goes_with_the_account_if_asked() {
    let f = Fixture::new().await;
    let drawings = DrawingService::new(f.store.clone(), DrawingRules::default());
    let gpx = br#"<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
      <wpt lat="52.37" lon="9.73"><name>Start</name></wpt></gpx>"#;
    let kept = drawings
        .create(Some("Runde"), &Upload::new(gpx, None))
        .await
        .unwrap();
    let gone = drawings
        .create(Some("Weg"), &Upload::new(gpx, None))
        .await
        .unwrap();
    let id = f.register(NAME).await.account_id;
    let other = f.register("Moorfrosch").await.account_id;

    f.service.claim_drawing(&id, &kept.id).await.unwrap();
    f.service.claim_drawing(&id, &gone.id).await.unwrap();
    assert!(matches!(
        f.service.claim_drawing(&other, &kept.id).await,
        Err(AccountError::NotClaimable)
    ));
    assert!(matches!(
        f.service.claim_drawing(&id, "no-such-drawing").await,
        Err(AccountError::NotClaimable)
    ));
    assert_eq!(f.service.my_drawings(&id).await.unwrap().len(), 2);
    assert!(f.service.my_drawings(&other).await.unwrap().is_empty());

    let refused = f
        .service
        .delete_account(&id, OTHER_PASSWORD, OwnedDrawings::Delete)
        .await;
    assert!(matches!(refused, Err(AccountError::WrongCredentials)));
    f.service
        .delete_account(&other, PASSWORD, OwnedDrawings::KeepAnonymous)
        .await
        .unwrap();
    f.service
        .delete_account(&id, PASSWORD, OwnedDrawings::Delete)
        .await
        .unwrap();
    assert!(f.store.account(&id).await.unwrap().is_none());
    assert!(drawings.read(&kept.id).await.is_err());
    assert!(matches!(
        f.login(NAME, PASSWORD).await,
        Err(AccountError::WrongCredentials)
    ));
}

#[tokio::test]
async fn the_operator_creates_grants_resets_and_deletes_by_pseudonym() {
    let f = Fixture::new().await;
    f.service
        .create_account("Betrieb", PASSWORD, &["operator", "naturschutz"])
        .await
        .unwrap();
    assert!(matches!(
        f.service
            .create_account("Zweiter", PASSWORD, &["bad role"])
            .await,
        Err(AccountError::BadRole)
    ));
    f.register(NAME).await;
    f.service.grant(NAME, "forst").await.unwrap();
    assert!(matches!(
        f.service.grant("Niemand", "forst").await,
        Err(AccountError::NotFound)
    ));
    let list = f.service.list_accounts().await.unwrap();
    let names: Vec<_> = list
        .iter()
        .map(|a| (a.pseudonym.as_str(), a.roles.clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            (
                "Betrieb",
                vec!["naturschutz".to_owned(), "operator".to_owned()]
            ),
            (NAME, vec!["forst".to_owned()]),
        ]
    );
    assert!(f.service.revoke(NAME, "forst").await.unwrap());
    assert!(!f.service.revoke(NAME, "forst").await.unwrap());

    let session = f.login(NAME, PASSWORD).await.unwrap();
    f.service
        .reset_password(NAME, OTHER_PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        f.service.session(session.token.as_str()).await.unwrap(),
        None
    );
    f.login(NAME, OTHER_PASSWORD).await.unwrap();

    f.service
        .delete_by_operator(NAME, OwnedDrawings::KeepAnonymous)
        .await
        .unwrap();
    assert_eq!(f.service.list_accounts().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_purge_deletes_ended_sessions_and_long_unused_accounts() {
    let f = Fixture::new().await;
    f.register("Moorfrosch").await;
    f.register(NAME).await;
    f.pass(3 * HOUR);
    let session = f.login(NAME, PASSWORD).await.unwrap();
    f.pass(3 * HOUR);
    assert_eq!(
        f.service.purge(f.now()).await.unwrap(),
        Purged {
            sessions: 1,
            ..Purged::default()
        }
    );
    assert_eq!(
        f.service.session(session.token.as_str()).await.unwrap(),
        None
    );

    // Moorfrosch was last seen at New Year, Heidschnucke 3 hours later.
    let limit = NEW_YEAR + i64::from(DEFAULT_INACTIVE_DAYS) * DAY;
    assert_eq!(
        f.service.purge(limit + HOUR).await.unwrap(),
        Purged {
            accounts: 1,
            ..Purged::default()
        }
    );
    let left = f.service.list_accounts().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].pseudonym, NAME);
}

#[tokio::test]
async fn credentials_without_a_session_pass_like_a_login_but_never_past_a_second_factor() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    f.service.grant(NAME, "naturschutz").await.unwrap();
    let known = f.service.authenticate(NAME, PASSWORD, 7).await.unwrap();
    assert_eq!(known.account_id, id);
    assert_eq!(known.roles, vec!["naturschutz".to_owned()]);
    assert!(
        f.store.sessions_of_account(&id).await.unwrap().is_empty(),
        "authenticating starts no session"
    );
    assert!(matches!(
        f.service.authenticate(NAME, OTHER_PASSWORD, 7).await,
        Err(AccountError::WrongCredentials)
    ));
    assert!(matches!(
        f.service.authenticate("Niemand", PASSWORD, 7).await,
        Err(AccountError::WrongCredentials)
    ));
    let setup = f.service.totp_begin(&id).await.unwrap();
    let code = setup.secret.code_at(f.now());
    f.service
        .totp_confirm(&id, &setup.secret.to_base32(), &code)
        .await
        .unwrap();
    assert!(matches!(
        f.service.authenticate(NAME, PASSWORD, 7).await,
        Err(AccountError::SecondFactorRequired)
    ));
}

#[tokio::test]
async fn an_erasure_waiting_for_its_log_truncation_counts_as_done_and_is_finished_later() {
    let f = Fixture::new().await;
    assert!(
        !f.service.finish_erasures().await.unwrap(),
        "nothing pending"
    );
    // The store erased the rows but a reader kept the log (the store's
    // own test provokes this with a real reader).
    let deleted = f
        .service
        .erased(Err(numis_store::StoreError::CheckpointBusy), true)
        .unwrap();
    assert!(deleted, "for the citizen the account is gone");
    assert!(f.service.finish_erasures().await.unwrap(), "truncated now");
    assert!(!f.service.finish_erasures().await.unwrap(), "and only once");
    // Any other store failure stays a failure.
    let failed = f.service.erased::<bool>(
        Err(numis_store::StoreError::DataDir {
            path: "var".into(),
            source: std::io::Error::other("No space left on device"),
        }),
        true,
    );
    assert!(matches!(failed, Err(AccountError::Store(_))));
}
