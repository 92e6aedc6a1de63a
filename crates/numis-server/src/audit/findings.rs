//! What a live check found about one clause, before it becomes a row:
//! what was seen, and what breaks the promise.

use super::clauses::Clause;
use super::report::Row;

/// Evidence and problems gathered for one clause.
#[derive(Debug, Default, Clone)]
pub struct Findings {
    pub evidence: Vec<String>,
    pub problems: Vec<String>,
}

impl Findings {
    /// Something observed that shows the promise kept.
    pub fn saw(&mut self, finding: impl Into<String>) {
        self.evidence.push(finding.into());
    }

    /// Something observed that breaks the promise.
    pub fn problem(&mut self, finding: impl Into<String>) {
        self.problems.push(finding.into());
    }

    /// Adds `other`'s findings to these.
    pub fn absorb(&mut self, other: Findings) {
        self.evidence.extend(other.evidence);
        self.problems.extend(other.problems);
    }

    /// The clause's row: it holds unless a problem was found.
    pub fn row(self, clause: &Clause) -> Row {
        clause.judged(self.evidence, self.problems)
    }
}
