//! The service against the SQLite store in a temporary directory, on a
//! clock the tests move.

use std::sync::atomic::{AtomicI64, Ordering};

use numis_store::SqlStore;

use super::*;

const DAY: i64 = 86_400;
/// 2026-01-01T00:00:00Z.
const NEW_YEAR: i64 = 1_767_225_600;

const LINE: &[u8] = br#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"name":"Weg zum Maschsee"},
   "geometry":{"type":"LineString","coordinates":[[9.735,52.366],[9.741,52.359],[9.745,52.352]]}}]}"#;

const KML: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
  <Placemark><name>Messpunkt</name>
    <description><![CDATA[<p>Gut</p><script>alert(1)</script>]]></description>
    <Point><coordinates>9.73,52.37,0</coordinates></Point></Placemark>
</Document></kml>"#;

/// A service over a fresh store, and the clock it reads.
struct Fixture {
    service: DrawingService,
    clock: Arc<AtomicI64>,
    store: SqlStore,
    _dir: tempfile::TempDir,
}

impl Fixture {
    async fn new(rules: DrawingRules) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlStore::open_sqlite(dir.path()).await.unwrap();
        let clock = Arc::new(AtomicI64::new(NEW_YEAR));
        let time = clock.clone();
        let service = DrawingService::new(Arc::new(store.clone()), rules)
            .with_clock(move || time.load(Ordering::SeqCst));
        Self {
            service,
            clock,
            store,
            _dir: dir,
        }
    }

    /// The same store under other rules.
    fn under(&self, rules: DrawingRules) -> DrawingService {
        let time = self.clock.clone();
        DrawingService::new(Arc::new(self.store.clone()), rules)
            .with_clock(move || time.load(Ordering::SeqCst))
    }

    fn pass(&self, seconds: i64) {
        self.clock.fetch_add(seconds, Ordering::SeqCst);
    }

    async fn create(&self, title: &str, bytes: &[u8]) -> Created {
        self.service
            .create(Some(title), &Upload::new(bytes, None))
            .await
            .unwrap()
    }
}

fn geojson() -> Upload<'static> {
    Upload::new(LINE, Some("application/geo+json"))
}

#[tokio::test]
async fn a_new_drawing_is_stored_with_a_hashed_key_and_a_year_to_live() {
    let f = Fixture::new(DrawingRules::default()).await;
    let created = f.create("Spaziergang", LINE).await;
    assert_eq!(created.expires_at, NEW_YEAR + 365 * DAY, "P8: a year");
    let stored = f.service.read(&created.id).await.unwrap();
    assert_eq!(stored.title, "Spaziergang");
    assert_eq!(stored.created_at, NEW_YEAR);
    assert!(stored.features.contains("Weg zum Maschsee"));
    assert_ne!(
        stored.edit_key_hash,
        created.edit_key.as_bytes(),
        "the key itself is never stored"
    );
    assert_eq!(stored.edit_key_hash.len(), 32);
    assert!(matches!(
        f.service.read("gibtesnicht").await,
        Err(DrawingError::NotFound)
    ));
}

#[tokio::test]
async fn a_drawing_is_exported_in_every_format() {
    let f = Fixture::new(DrawingRules::default()).await;
    let created = f.create("", KML).await;
    let kml = f
        .service
        .export(&created.id, ExportFormat::Kml)
        .await
        .unwrap();
    assert!(kml.contains("<kml") && kml.contains("Messpunkt"), "{kml}");
    assert!(!kml.contains("alert"), "sanitised at import: {kml}");
    let gpx = f
        .service
        .export(&created.id, ExportFormat::Gpx)
        .await
        .unwrap();
    assert!(gpx.contains("<wpt lat=\"52.37\" lon=\"9.73\">"), "{gpx}");
    let geojson = f
        .service
        .export(&created.id, ExportFormat::GeoJson)
        .await
        .unwrap();
    assert!(geojson.contains("\"Messpunkt\""), "{geojson}");
}

#[tokio::test]
async fn only_the_edit_key_opens_a_drawing_for_changes() {
    let f = Fixture::new(DrawingRules::default()).await;
    let created = f.create("Original", LINE).await;
    let other = f.create("Andere", LINE).await;
    for key in [
        None,
        Some(""),
        Some("falsch"),
        Some(other.edit_key.as_str()),
    ] {
        assert!(
            matches!(
                f.service.editable(&created.id, key).await,
                Err(DrawingError::Forbidden)
            ),
            "{key:?}"
        );
    }
    let editable = f
        .service
        .editable(&created.id, Some(&created.edit_key))
        .await
        .unwrap();
    assert_eq!(editable.drawing().title, "Original");
}

#[tokio::test]
async fn an_update_replaces_features_keeps_the_title_unless_given_and_moves_the_expiry() {
    let f = Fixture::new(DrawingRules::default()).await;
    let created = f.create("Original", LINE).await;
    f.pass(10 * DAY);
    let key = Some(created.edit_key.as_str());
    let editable = f.service.editable(&created.id, key).await.unwrap();
    let expires = f
        .service
        .update(editable, None, &Upload::new(KML, None))
        .await
        .unwrap();
    assert_eq!(expires, NEW_YEAR + 10 * DAY + 365 * DAY);
    let changed = f.service.read(&created.id).await.unwrap();
    assert_eq!(changed.title, "Original", "no title given: kept");
    assert!(changed.features.contains("Messpunkt"));
    assert_eq!(changed.changed_at, NEW_YEAR + 10 * DAY);
    assert_eq!(changed.created_at, NEW_YEAR);

    let editable = f.service.editable(&created.id, key).await.unwrap();
    f.service
        .update(editable, Some(" Neu\u{7}"), &geojson())
        .await
        .unwrap();
    assert_eq!(f.service.read(&created.id).await.unwrap().title, "Neu");
}

#[tokio::test]
async fn a_refused_upload_changes_nothing() {
    let f = Fixture::new(DrawingRules::default()).await;
    let created = f.create("Original", LINE).await;
    let editable = f
        .service
        .editable(&created.id, Some(&created.edit_key))
        .await
        .unwrap();
    let refused = f
        .service
        .update(
            editable,
            Some("Neu"),
            &Upload::new(
                b"<kml><Placemark><name>kaputt",
                Some("application/vnd.google-earth.kml+xml"),
            ),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused, DrawingError::Unreadable(_)),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("line"), "{refused}");
    let unchanged = f.service.read(&created.id).await.unwrap();
    assert_eq!(unchanged.title, "Original");
    assert!(unchanged.features.contains("Weg zum Maschsee"));
}

#[tokio::test]
async fn deleting_with_the_key_removes_the_drawing_and_only_it() {
    let f = Fixture::new(DrawingRules::default()).await;
    let created = f.create("", LINE).await;
    let other = f.create("Andere", LINE).await;
    let editable = f
        .service
        .editable(&created.id, Some(&created.edit_key))
        .await
        .unwrap();
    f.service.delete(editable).await.unwrap();
    assert!(matches!(
        f.service.read(&created.id).await,
        Err(DrawingError::NotFound)
    ));
    assert_eq!(f.service.read(&other.id).await.unwrap().title, "Andere");
}

#[tokio::test]
async fn titles_lose_control_characters_and_are_cut_to_their_limit() {
    assert_eq!(clean_title("  Ein\u{0}Titel\n "), "EinTitel");
    assert_eq!(
        clean_title(&"ä".repeat(300)).chars().count(),
        MAX_TITLE_CHARS
    );
    let f = Fixture::new(DrawingRules::default()).await;
    let untitled = f.service.create(None, &geojson()).await.unwrap();
    assert_eq!(f.service.read(&untitled.id).await.unwrap().title, "");
}

#[tokio::test]
async fn a_copy_has_its_own_key_and_remembers_its_origin() {
    let f = Fixture::new(DrawingRules::default()).await;
    let original = f.create("Runde", KML).await;
    f.pass(DAY);
    let copy = f.service.copy(&original.id).await.unwrap();
    assert_ne!(copy.id, original.id);
    assert_ne!(copy.edit_key, original.edit_key);
    assert_eq!(copy.expires_at, NEW_YEAR + DAY + 365 * DAY, "a new year");
    let stored = f.service.read(&copy.id).await.unwrap();
    let source = f.service.read(&original.id).await.unwrap();
    assert_eq!(stored.copied_from.as_deref(), Some(original.id.as_str()));
    assert_eq!(
        (stored.title, stored.features),
        (source.title, source.features)
    );
    assert!(matches!(
        f.service.editable(&copy.id, Some(&original.edit_key)).await,
        Err(DrawingError::Forbidden)
    ));
}

#[tokio::test]
async fn an_expired_drawing_says_when_and_is_gone_after_the_purge() {
    let f = Fixture::new(DrawingRules {
        retention_days: 1,
        ..DrawingRules::default()
    })
    .await;
    let created = f.create("", LINE).await;
    let kept = f.create("", LINE).await;
    f.pass(DAY / 2);
    let editable = f
        .service
        .editable(&kept.id, Some(&kept.edit_key))
        .await
        .unwrap();
    f.service.update(editable, None, &geojson()).await.unwrap();
    f.pass(DAY / 2);

    let at = NEW_YEAR + DAY;
    let key = Some(created.edit_key.as_str());
    for refused in [
        f.service.read(&created.id).await.map(drop),
        f.service
            .export(&created.id, ExportFormat::Kml)
            .await
            .map(drop),
        f.service.editable(&created.id, key).await.map(drop),
        f.service.copy(&created.id).await.map(drop),
        f.service.report(&created.id, "Spam").await,
    ] {
        assert!(
            matches!(refused, Err(DrawingError::Expired { at: when }) if when == at),
            "{refused:?}"
        );
    }
    // Its owner's export of everything still reaches it until the purge.
    let stored = f.service.inspect(&created.id).await.unwrap().drawing;
    let kml = DrawingService::export_stored(&stored, ExportFormat::Kml).unwrap();
    assert!(kml.contains("<kml"), "{kml}");
    assert_eq!(
        f.service.purge_expired().await.unwrap(),
        1,
        "only the unchanged one"
    );
    assert!(matches!(
        f.service.read(&created.id).await,
        Err(DrawingError::NotFound)
    ));
    assert!(
        f.service.read(&kept.id).await.is_ok(),
        "changed: a day more"
    );
}

#[tokio::test]
async fn reports_are_cleaned_counted_and_refused_when_empty() {
    let f = Fixture::new(DrawingRules::default()).await;
    let created = f.create("", LINE).await;
    f.service
        .report(&created.id, " Beleidigung\u{0}\nim Titel ")
        .await
        .unwrap();
    f.service
        .report(&created.id, &"x".repeat(5_000))
        .await
        .unwrap();
    let empty = f
        .service
        .report(&created.id, " \u{1}\n ")
        .await
        .unwrap_err();
    assert_eq!(empty.to_string(), "the reason is empty");
    assert!(matches!(
        f.service.report("gibtesnicht", "Spam").await,
        Err(DrawingError::NotFound)
    ));

    let inspected = f.service.inspect(&created.id).await.unwrap();
    assert_eq!(inspected.drawing.report_count, 2);
    let reasons: Vec<&str> = inspected
        .reports
        .iter()
        .map(|r| r.reason.as_str())
        .collect();
    assert_eq!(reasons[0], "Beleidigung\nim Titel");
    assert_eq!(reasons[1].chars().count(), MAX_REASON_CHARS);
}

#[tokio::test]
async fn the_operator_lists_inspects_and_deletes_expired_drawings_too() {
    let f = Fixture::new(DrawingRules {
        retention_days: 0,
        ..DrawingRules::default()
    })
    .await;
    let quiet = f.create("Ruhig", LINE).await;
    f.pass(1);
    let expired = f.create("Abgelaufen", KML).await;
    let newest = f
        .service
        .list_for_moderation(DrawingOrder::Newest, 0)
        .await
        .unwrap();
    assert_eq!(newest.len(), 1, "a limit of 0 shows one");
    assert_eq!(newest[0].id, expired.id);
    let all = f
        .service
        .list_for_moderation(DrawingOrder::Newest, u32::MAX)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        f.service.inspect(&expired.id).await.unwrap().drawing.title,
        "Abgelaufen"
    );
    f.service.delete_any(&expired.id).await.unwrap();
    assert!(matches!(
        f.service.delete_any(&expired.id).await,
        Err(DrawingError::NotFound)
    ));
    assert!(matches!(
        f.service.inspect(&expired.id).await,
        Err(DrawingError::NotFound)
    ));
    assert!(f.service.inspect(&quiet.id).await.is_ok());
}

#[tokio::test]
async fn conversion_reads_like_a_save_and_stores_nothing() {
    let f = Fixture::new(DrawingRules::default()).await;
    let gpx = f
        .service
        .convert(&Upload::new(KML, None), ExportFormat::Gpx)
        .unwrap();
    assert!(gpx.contains("<name>Messpunkt</name>"), "{gpx}");
    assert!(
        f.service
            .list_for_moderation(DrawingOrder::Newest, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        f.service
            .convert(&Upload::new(KML, Some("text/html")), ExportFormat::Kml),
        Err(DrawingError::UnsupportedType { .. })
    ));
}

/// A KML at the upload limits: `features` line placemarks of `vertices`
/// vertices in all, each vertex as short as KML allows (`9.123,52`), so
/// that the document stays under 5 MB while its stored GeoJSON
/// (`[9.123,52.0]`) is longer.
fn kml_at_the_limits(features: usize, vertices: usize) -> String {
    let per_feature = vertices / features;
    let mut kml = String::from(r#"<kml xmlns="http://www.opengis.net/kml/2.2"><Document>"#);
    for p in 0..features {
        kml.push_str("<Placemark><LineString><coordinates>");
        for v in 0..per_feature {
            kml.push_str(&format!("9.{:03},{} ", v % 1000, 47 + p % 8));
        }
        kml.push_str("</coordinates></LineString></Placemark>\n");
    }
    kml.push_str("</Document></kml>");
    kml
}

#[tokio::test]
async fn a_drawing_at_the_upload_limits_is_exported_in_every_format() {
    let rules = DrawingRules::default();
    let limits = rules.limits.clone();
    let f = Fixture::new(rules).await;
    let kml = kml_at_the_limits(1_000, limits.max_vertices);
    assert!(kml.len() as u64 <= limits.max_bytes, "{} bytes", kml.len());
    let created = f.create("Groß", kml.as_bytes()).await;
    let stored = f.service.read(&created.id).await.unwrap();
    assert!(
        stored.features.len() as u64 > limits.max_bytes,
        "the stored form ({} bytes) is longer than any upload may be",
        stored.features.len()
    );

    let exported = f
        .service
        .export(&created.id, ExportFormat::Kml)
        .await
        .unwrap();
    assert_eq!(exported.matches("<Placemark").count(), 1_000);
    let vertices: usize = exported
        .split("<coordinates>")
        .skip(1)
        .map(|rest| {
            rest.split("</coordinates>")
                .next()
                .unwrap()
                .split_whitespace()
                .count()
        })
        .sum();
    assert_eq!(vertices, limits.max_vertices);
    let gpx = f
        .service
        .export(&created.id, ExportFormat::Gpx)
        .await
        .unwrap();
    assert_eq!(gpx.matches("<trkpt ").count(), limits.max_vertices);
}

#[tokio::test]
async fn lowered_limits_do_not_lock_away_drawings_saved_before() {
    let f = Fixture::new(DrawingRules::default()).await;
    let created = f.create("", LINE).await;
    let stricter = f.under(DrawingRules {
        limits: Limits {
            max_bytes: 10,
            max_features: 0,
            max_vertices: 1,
            ..Limits::default()
        },
        ..DrawingRules::default()
    });
    let kml = stricter
        .export(&created.id, ExportFormat::Kml)
        .await
        .unwrap();
    assert!(kml.contains("9.745,52.352"), "{kml}");
    assert!(matches!(
        stricter.create(None, &geojson()).await,
        Err(DrawingError::TooLarge { limit: 10 })
    ));
}

#[tokio::test]
async fn a_drawing_saved_by_an_account_is_its_owners_to_change_without_the_key() {
    use numis_store::{AccountStore, NewAccount};
    let f = Fixture::new(DrawingRules::default()).await;
    for id in ["konto-a", "konto-b"] {
        f.store
            .create_account(&NewAccount {
                id: id.into(),
                pseudonym: id.into(),
                pseudonym_key: id.into(),
                password_hash: "$argon2id$unused".into(),
                created_at: NEW_YEAR,
            })
            .await
            .unwrap();
    }
    let owned = f
        .service
        .create_owned(Some("Meins"), &geojson(), Some("konto-a"))
        .await
        .unwrap();
    let stored = f.service.read(&owned.id).await.unwrap();
    assert_eq!(stored.owner.as_deref(), Some("konto-a"));
    let editable = f
        .service
        .editable_by_owner(&owned.id, "konto-a")
        .await
        .unwrap();
    assert_eq!(editable.drawing().title, "Meins");
    assert!(matches!(
        f.service.editable_by_owner(&owned.id, "konto-b").await,
        Err(DrawingError::Forbidden)
    ));
    // The edit key keeps working beside the owner.
    assert!(
        f.service
            .editable(&owned.id, Some(&owned.edit_key))
            .await
            .is_ok()
    );
    // Anonymous drawings have no owner, and nobody opens them without the key.
    let anonymous = f.create("Anonym", LINE).await;
    assert!(matches!(
        f.service.editable_by_owner(&anonymous.id, "konto-a").await,
        Err(DrawingError::Forbidden)
    ));
    // A copy made while logged in belongs to the one who copied.
    let copy = f
        .service
        .copy_owned(&anonymous.id, Some("konto-b"))
        .await
        .unwrap();
    assert_eq!(
        f.service.read(&copy.id).await.unwrap().owner.as_deref(),
        Some("konto-b")
    );
}

#[tokio::test]
async fn a_blocked_drawing_is_gone_for_the_public_but_not_for_the_operator() {
    let f = Fixture::new(DrawingRules::default()).await;
    let created = f.create("Beleidigend", LINE).await;
    f.service.report(&created.id, "Beleidigung").await.unwrap();
    f.service.block(&created.id).await.unwrap();

    let blocked = |r: &Result<_>| matches!(r, Err(DrawingError::Blocked));
    assert!(blocked(&f.service.read(&created.id).await.map(|_| ())));
    assert!(blocked(
        &f.service
            .export(&created.id, ExportFormat::Kml)
            .await
            .map(|_| ())
    ));
    assert!(blocked(&f.service.copy(&created.id).await.map(|_| ())));
    assert!(blocked(
        &f.service
            .editable(&created.id, Some(&created.edit_key))
            .await
            .map(|_| ())
    ));
    assert!(blocked(&f.service.report(&created.id, "Spam").await));
    assert_eq!(
        DrawingError::Blocked.to_string(),
        "this drawing was blocked by the operator"
    );

    let inspected = f.service.inspect(&created.id).await.unwrap();
    assert_eq!(inspected.drawing.blocked_at, Some(NEW_YEAR));
    assert_eq!(
        inspected.drawing.report_count, 1,
        "the refused report is not counted"
    );
    f.pass(10);
    f.service.block(&created.id).await.unwrap();
    assert_eq!(
        f.service
            .inspect(&created.id)
            .await
            .unwrap()
            .drawing
            .blocked_at,
        Some(NEW_YEAR),
        "blocking again keeps the first time"
    );

    f.service.unblock(&created.id).await.unwrap();
    assert!(f.service.read(&created.id).await.is_ok());
    f.service.dismiss_reports(&created.id).await.unwrap();
    let dismissed = f.service.inspect(&created.id).await.unwrap();
    assert_eq!(dismissed.drawing.report_count, 0);
    assert!(dismissed.reports.is_empty());

    for missing in [
        f.service.block("gibtesnicht").await,
        f.service.unblock("gibtesnicht").await,
        f.service.dismiss_reports("gibtesnicht").await,
    ] {
        assert!(matches!(missing, Err(DrawingError::NotFound)));
    }
}

#[tokio::test]
async fn a_blocked_drawing_is_purged_at_its_normal_expiry() {
    let f = Fixture::new(DrawingRules {
        retention_days: 1,
        ..DrawingRules::default()
    })
    .await;
    let created = f.create("Gesperrt", LINE).await;
    f.service.block(&created.id).await.unwrap();
    assert_eq!(f.service.purge_expired().await.unwrap(), 0, "not before");
    f.pass(DAY);
    assert_eq!(f.service.purge_expired().await.unwrap(), 1);
    assert!(matches!(
        f.service.inspect(&created.id).await,
        Err(DrawingError::NotFound)
    ));
}

#[tokio::test]
async fn an_anonymous_drawing_has_no_owner_pseudonym() {
    let f = Fixture::new(DrawingRules::default()).await;
    let created = f.create("Anonym", LINE).await;
    assert_eq!(
        f.service
            .inspect(&created.id)
            .await
            .unwrap()
            .owner_pseudonym,
        None
    );
    let listed = f
        .service
        .list_for_moderation(DrawingOrder::Newest, 10)
        .await
        .unwrap();
    assert!(
        f.service
            .owner_pseudonyms(&listed)
            .await
            .unwrap()
            .is_empty()
    );
}
