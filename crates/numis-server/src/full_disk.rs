//! A store whose disk is full, for the tests of what the server does when
//! a write fails: it answers and reads, and every write fails.

use async_trait::async_trait;
use chrono::NaiveDate;
use numis_store::{AccessCount, EventCount, Store, StoreError};

/// A store whose disk is full.
pub(crate) struct FullDisk;

fn disk_full() -> StoreError {
    StoreError::DataDir {
        path: "var".into(),
        source: std::io::Error::other("No space left on device"),
    }
}

#[async_trait]
impl Store for FullDisk {
    async fn ping(&self) -> numis_store::Result<()> {
        Ok(())
    }
    async fn add_access_counts(&self, _: &[AccessCount]) -> numis_store::Result<()> {
        Err(disk_full())
    }
    async fn access_counts(
        &self,
        _: NaiveDate,
        _: NaiveDate,
    ) -> numis_store::Result<Vec<AccessCount>> {
        Ok(Vec::new())
    }
    async fn purge_access_counts(&self, _: NaiveDate) -> numis_store::Result<u64> {
        Ok(0)
    }
    async fn add_event_counts(&self, _: &[EventCount]) -> numis_store::Result<()> {
        Err(disk_full())
    }
    async fn event_counts(
        &self,
        _: NaiveDate,
        _: NaiveDate,
    ) -> numis_store::Result<Vec<EventCount>> {
        Ok(Vec::new())
    }
    async fn claim_daily_run(&self, _: &str, _: NaiveDate, _: i64) -> numis_store::Result<bool> {
        Err(disk_full())
    }
    async fn finish_daily_run(&self, _: &str, _: i64) -> numis_store::Result<()> {
        Err(disk_full())
    }
    async fn last_daily_run(
        &self,
        _: &str,
    ) -> numis_store::Result<Option<(NaiveDate, i64, Option<i64>)>> {
        Ok(None)
    }
}
