//! The console's operator functions, on the fixture of `super`: search
//! by pseudonym, one account's details, and the one-time reset link an
//! operator hands over.

use super::*;
use crate::accounts::{AccountError, OPERATOR_RESET_VALIDITY_SECONDS};

const NEW_PASSWORD: &str = "Wollgras im Großen Moor";

fn names(accounts: &[numis_store::AccountSummary]) -> Vec<&str> {
    accounts.iter().map(|a| a.pseudonym.as_str()).collect()
}

#[tokio::test]
async fn search_finds_parts_of_pseudonyms_caselessly() {
    let f = Fixture::new().await;
    for name in ["Jürgen Müller", "STRASSENBAU Nord", "Heidschnucke"] {
        f.register(name).await;
    }
    let found = f.service.search_accounts("mül").await.unwrap();
    assert_eq!(names(&found), ["Jürgen Müller"]);
    let found = f.service.search_accounts("  MU\u{308}LLER ").await.unwrap();
    assert_eq!(names(&found), ["Jürgen Müller"], "decomposed, upper case");
    let found = f.service.search_accounts("straße").await.unwrap();
    assert_eq!(names(&found), ["STRASSENBAU Nord"], "ß folds to ss");
    assert!(f.service.search_accounts("Moor").await.unwrap().is_empty());
    assert_eq!(f.service.search_accounts("").await.unwrap().len(), 3);
}

#[tokio::test]
async fn details_are_found_by_id_or_pseudonym_and_count_drawings() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    f.service.grant(&id, "forst").await.unwrap();
    f.service
        .set_profile_field(&id, ProfileField::Name, "Hanna Heide")
        .await
        .unwrap();
    let drawings = DrawingService::new(f.store.clone(), DrawingRules::default());
    let gpx = br#"<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
      <wpt lat="52.37" lon="9.73"><name>Start</name></wpt></gpx>"#;
    let created = drawings
        .create(Some("Runde"), &Upload::new(gpx, None))
        .await
        .unwrap();
    f.service.claim_drawing(&id, &created.id).await.unwrap();

    let by_id = f.service.account_details(&id).await.unwrap();
    let by_name = f.service.account_details("heidschnucke").await.unwrap();
    assert_eq!(by_id, by_name);
    assert_eq!(by_id.summary.id, id);
    assert_eq!(by_id.summary.roles, ["forst"]);
    assert_eq!(by_id.drawings, 1);
    assert_eq!(by_id.profile.name.as_deref(), Some("Hanna Heide"));
    assert!(!by_id.second_factor);
    assert!(matches!(
        f.service.account_details("Niemand").await,
        Err(AccountError::NotFound)
    ));
}

#[tokio::test]
async fn an_issued_reset_link_works_once_for_a_day_and_keeps_the_password_until_used() {
    let f = Fixture::new().await;
    let id = f.register(NAME).await.account_id;
    let issued = f.service.issue_reset(&id).await.unwrap();
    assert_eq!(issued.pseudonym, NAME);
    assert_eq!(issued.expires_at, f.now() + OPERATOR_RESET_VALIDITY_SECONDS);
    assert!(!format!("{issued:?}").contains(issued.token.as_str()));
    // Nothing changed yet: the old password still logs in.
    f.login(NAME, PASSWORD).await.unwrap();

    f.pass(OPERATOR_RESET_VALIDITY_SECONDS - 1);
    let token = issued.token.as_str();
    assert!(f.service.reset_link_works(token).await.unwrap());
    f.service
        .reset_password_by_link(token, NEW_PASSWORD)
        .await
        .unwrap();
    assert!(matches!(
        f.service.reset_password_by_link(token, NEW_PASSWORD).await,
        Err(AccountError::ResetLink)
    ));
    assert!(f.login(NAME, PASSWORD).await.is_err());
    f.login(NAME, NEW_PASSWORD).await.unwrap();

    let late = f.service.issue_reset(NAME).await.unwrap();
    f.pass(OPERATOR_RESET_VALIDITY_SECONDS);
    assert!(
        !f.service
            .reset_link_works(late.token.as_str())
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn no_reset_link_for_a_blocked_or_unknown_account() {
    let f = Fixture::new().await;
    f.register(NAME).await;
    f.service.block(NAME).await.unwrap();
    assert!(matches!(
        f.service.issue_reset(NAME).await,
        Err(AccountError::Blocked)
    ));
    assert!(matches!(
        f.service.issue_reset("Niemand").await,
        Err(AccountError::NotFound)
    ));
}
