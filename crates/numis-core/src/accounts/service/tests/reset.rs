//! Password reset by a link in a mail, on the fixture of `super`.

use sha2::{Digest, Sha256};

use super::*;
use crate::accounts::{MAX_LIVE_RESETS, RESET_VALIDITY_SECONDS, ResetMail};

const EMAIL: &str = "heidschnucke@beispiel.example";
const NEW_PASSWORD: &str = "Wollgras im Großen Moor";

/// Registers `NAME` with `EMAIL` in the profile; answers the account id.
async fn with_email(f: &Fixture) -> String {
    let id = f.register(NAME).await.account_id;
    f.service
        .set_profile_field(&id, ProfileField::Email, EMAIL)
        .await
        .unwrap();
    id
}

async fn request(f: &Fixture, name: &str) -> Option<ResetMail> {
    f.service.request_reset(name).await.unwrap()
}

#[tokio::test]
async fn a_link_is_made_only_for_an_account_with_an_address() {
    let f = Fixture::new().await;
    f.register("Moorfrosch").await;
    with_email(&f).await;

    assert!(request(&f, "Niemand").await.is_none(), "unknown pseudonym");
    assert!(request(&f, "x").await.is_none(), "no pseudonym at all");
    assert!(request(&f, "Moorfrosch").await.is_none(), "no address");

    let mail = request(&f, " heidschnucke ").await.unwrap();
    assert_eq!(mail.to, EMAIL);
    assert_eq!(mail.pseudonym, NAME, "as registered, not as typed");
    assert_eq!(mail.token.as_str().len(), 43, "256 bits, URL-safe");
    assert!(
        mail.token
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert!(!format!("{mail:?}").contains(mail.token.as_str()));
    assert_ne!(
        request(&f, NAME).await.unwrap().token,
        mail.token,
        "a new token each time"
    );
}

#[tokio::test]
async fn only_the_hash_of_the_token_is_stored() {
    let f = Fixture::new().await;
    let id = with_email(&f).await;
    let mail = request(&f, NAME).await.unwrap();
    let hash: [u8; 32] = Sha256::digest(mail.token.as_str().as_bytes()).into();
    let stored = f
        .store
        .password_reset(&hash, f.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.account_id, id);
    assert_eq!(stored.expires_at, f.now() + RESET_VALIDITY_SECONDS);
    assert_eq!(
        f.store
            .password_reset(mail.token.as_str().as_bytes(), f.now())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_blocked_account_gets_no_link_and_its_links_stop_working() {
    let f = Fixture::new().await;
    with_email(&f).await;
    let mail = request(&f, NAME).await.unwrap();
    f.service.block(NAME).await.unwrap();
    assert!(request(&f, NAME).await.is_none());
    assert!(
        !f.service
            .reset_link_works(mail.token.as_str())
            .await
            .unwrap()
    );
    let refused = f
        .service
        .reset_password_by_link(mail.token.as_str(), NEW_PASSWORD)
        .await;
    assert!(
        matches!(refused, Err(AccountError::ResetLink)),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_link_sets_a_new_password_once_and_ends_every_session() {
    let f = Fixture::new().await;
    let id = with_email(&f).await;
    let session = f.login(NAME, PASSWORD).await.unwrap();
    let other = request(&f, NAME).await.unwrap();
    let mail = request(&f, NAME).await.unwrap();
    let token = mail.token.as_str();

    assert!(f.service.reset_link_works(token).await.unwrap());
    assert!(
        f.service.reset_link_works(token).await.unwrap(),
        "looking uses up nothing"
    );
    f.service
        .reset_password_by_link(token, NEW_PASSWORD)
        .await
        .unwrap();

    assert_eq!(
        f.service.session(session.token.as_str()).await.unwrap(),
        None
    );
    assert!(matches!(
        f.login(NAME, PASSWORD).await,
        Err(AccountError::WrongCredentials)
    ));
    f.login(NAME, NEW_PASSWORD).await.unwrap();

    for used in [token, other.token.as_str()] {
        assert!(!f.service.reset_link_works(used).await.unwrap());
        let again = f.service.reset_password_by_link(used, OTHER_PASSWORD).await;
        assert!(matches!(again, Err(AccountError::ResetLink)), "{again:?}");
    }
    assert_eq!(f.store.live_password_resets(&id, f.now()).await.unwrap(), 0);
    f.login(NAME, NEW_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_refused_password_keeps_the_link_working() {
    let f = Fixture::new().await;
    with_email(&f).await;
    let mail = request(&f, NAME).await.unwrap();
    for bad in ["kurz", NAME] {
        let refused = f
            .service
            .reset_password_by_link(mail.token.as_str(), bad)
            .await;
        assert!(
            matches!(refused, Err(AccountError::Password(_))),
            "{refused:?}"
        );
    }
    f.service
        .reset_password_by_link(mail.token.as_str(), NEW_PASSWORD)
        .await
        .unwrap();
    f.login(NAME, NEW_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_link_works_for_one_hour() {
    let f = Fixture::new().await;
    with_email(&f).await;
    let mail = request(&f, NAME).await.unwrap();
    f.pass(RESET_VALIDITY_SECONDS - 1);
    assert!(
        f.service
            .reset_link_works(mail.token.as_str())
            .await
            .unwrap()
    );
    f.pass(1);
    assert!(
        !f.service
            .reset_link_works(mail.token.as_str())
            .await
            .unwrap()
    );
    let late = f
        .service
        .reset_password_by_link(mail.token.as_str(), NEW_PASSWORD)
        .await;
    assert!(matches!(late, Err(AccountError::ResetLink)));
    f.login(NAME, PASSWORD).await.unwrap();
}

#[tokio::test]
async fn malformed_and_unknown_tokens_reset_nothing() {
    let f = Fixture::new().await;
    with_email(&f).await;
    request(&f, NAME).await.unwrap();
    let unknown = "A".repeat(43);
    for token in ["", "kein-token", unknown.as_str(), "A+A"] {
        assert!(!f.service.reset_link_works(token).await.unwrap());
        let refused = f.service.reset_password_by_link(token, NEW_PASSWORD).await;
        assert!(matches!(refused, Err(AccountError::ResetLink)), "{token}");
    }
    f.login(NAME, PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_mailbox_gets_at_most_three_links_an_hour_and_every_pseudonym_is_throttled() {
    let f = Fixture::new().await;
    with_email(&f).await;
    let mut mails = 0;
    for _ in 0..ThrottleRules::default().free_failures {
        if request(&f, NAME).await.is_some() {
            mails += 1;
        }
        assert!(request(&f, "Niemand").await.is_none());
    }
    assert_eq!(mails, MAX_LIVE_RESETS, "the rest was not sent");
    for name in [NAME, "Niemand"] {
        let refused = f.service.request_reset(name).await;
        assert!(
            matches!(refused, Err(AccountError::Throttled(_))),
            "{name}: the same answer for a pseudonym without account"
        );
    }

    // An hour later the links have expired and the throttle forgot.
    f.pass(RESET_VALIDITY_SECONDS);
    f.pass_throttle(Duration::from_secs(3_600));
    assert!(request(&f, NAME).await.is_some());
}

#[tokio::test]
async fn a_login_with_the_right_password_forgets_the_requests() {
    let f = Fixture::new().await;
    with_email(&f).await;
    for _ in 0..ThrottleRules::default().free_failures {
        f.service.request_reset(NAME).await.unwrap();
    }
    assert!(matches!(
        f.login(NAME, PASSWORD).await,
        Err(AccountError::Throttled(_))
    ));
    f.pass_throttle(Duration::from_secs(1));
    f.login(NAME, PASSWORD).await.unwrap();
    f.service.request_reset(NAME).await.unwrap();
}

#[tokio::test]
async fn the_purge_deletes_expired_links() {
    let f = Fixture::new().await;
    let id = with_email(&f).await;
    request(&f, NAME).await.unwrap();
    f.pass(RESET_VALIDITY_SECONDS / 2);
    let fresh = request(&f, NAME).await.unwrap();
    f.pass(RESET_VALIDITY_SECONDS / 2);
    assert_eq!(
        f.service.purge(f.now()).await.unwrap(),
        Purged {
            resets: 1,
            ..Purged::default()
        }
    );
    assert_eq!(f.store.live_password_resets(&id, 0).await.unwrap(), 1);
    assert!(
        f.service
            .reset_link_works(fresh.token.as_str())
            .await
            .unwrap()
    );
}
