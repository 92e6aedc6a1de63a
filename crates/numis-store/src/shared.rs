//! The shapes of what several numis instances on one store share beyond
//! the aggregates: print jobs, failed logins per pseudonym, and the daily
//! runs of the purge.

/// Where a print job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintJobStatus {
    /// Waiting for a worker of the instance that took it.
    Queued,
    /// Being made.
    Running,
    /// Made: the PDF is stored with it.
    Done,
    /// Not made; the reason is stored with it.
    Failed,
}

impl PrintJobStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// The status with this stored name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "queued" => Some(Self::Queued),
            "running" => Some(Self::Running),
            "done" => Some(Self::Done),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A print job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPrintJob {
    /// SHA-256 of the job's id (the id is the only key to the PDF and is
    /// never stored).
    pub id_hash: Vec<u8>,
    /// Where it stands.
    pub status: PrintJobStatus,
    /// Why it failed.
    pub error: Option<String>,
    /// The PDF, once done.
    pub pdf: Option<Vec<u8>>,
    /// Submitted, Unix seconds (UTC).
    pub created_at: i64,
    /// Last changed, Unix seconds.
    pub updated_at: i64,
    /// Done or failed, Unix seconds.
    pub finished_at: Option<i64>,
}

/// The failed logins counted for one pseudonym.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    /// Failures in a row.
    pub failures: u32,
    /// The last one, Unix seconds.
    pub last_at: i64,
    /// No login until then, Unix seconds.
    pub blocked_until: Option<i64>,
}
