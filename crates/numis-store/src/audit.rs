//! The shape of an audit trail entry (clause P12): one moderation action.
//! What the actions are and who may take them is decided by the caller.

/// One recorded action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When, Unix seconds (UTC).
    pub at: i64,
    /// Who: an operator account's pseudonym, or `token` for the operator
    /// token. Never a client address.
    pub actor: String,
    /// What, e.g. `block`.
    pub action: String,
    /// On what, e.g. a drawing id.
    pub object: String,
}
