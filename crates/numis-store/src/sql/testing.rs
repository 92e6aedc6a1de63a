//! The store tests run on both databases: [`store_test!`] makes two tests
//! of one body, `<name>::sqlite` on a file in a temporary directory and
//! `<name>::postgres` in a schema of its own in the test database.

use crate::testing::ScratchSchema;
use crate::{SqlStore, StoreLocation};

/// What a test's store needs kept alive: the temporary directory or the
/// schema, removed when this is dropped.
pub(crate) enum Scratch {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres(#[allow(dead_code)] ScratchSchema),
}

/// A fresh store on SQLite.
pub(crate) async fn sqlite() -> (Scratch, SqlStore) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SqlStore::open_sqlite(dir.path())
        .await
        .expect("SQLite store");
    (Scratch::Sqlite(dir), store)
}

/// A fresh store on PostgreSQL, or `None` when the server cannot be
/// reached outside CI (see [`ScratchSchema::create`]).
pub(crate) async fn postgres() -> Option<(Scratch, SqlStore)> {
    let schema = ScratchSchema::create().await?;
    let store = SqlStore::open(&StoreLocation::Postgres(schema.url().to_owned()))
        .await
        .expect("PostgreSQL store");
    Some((Scratch::Postgres(schema), store))
}

/// `store_test!(name, |store| { … })`: the body as the test
/// `name::sqlite` and as the test `name::postgres`.
macro_rules! store_test {
    ($name:ident, |$store:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let (_scratch, $store) = crate::sql::testing::sqlite().await;
                $body
            }

            #[tokio::test]
            async fn postgres() {
                let Some((_scratch, $store)) = crate::sql::testing::postgres().await else {
                    return;
                };
                $body
            }
        }
    };
}

pub(crate) use store_test;
