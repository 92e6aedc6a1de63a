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

    /// The clause's row: it holds unless a problem was found. Nothing
    /// observed is no row: a clause is not taken as proven on no evidence
    /// (the check that could not run says so under "could not run").
    pub fn row(self, clause: &Clause) -> Option<Row> {
        if self.evidence.is_empty() && self.problems.is_empty() {
            return None;
        }
        Some(clause.judged(self.evidence, self.problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::clauses;
    use crate::audit::report::Verdict;

    #[test]
    fn nothing_observed_is_no_row_and_a_problem_breaks_it() {
        assert!(Findings::default().row(&clauses::P9).is_none());
        let mut found = Findings::default();
        found.saw("the edit key has 256 bits");
        let row = found.clone().row(&clauses::P9).unwrap();
        assert_eq!(row.verdict, Verdict::Holds);
        found.problem("deleting with the edit key answered 500");
        let row = found.row(&clauses::P9).unwrap();
        assert_eq!(row.verdict, Verdict::DoesNotHold);
        assert_eq!(row.evidence[0], "deleting with the edit key answered 500");
        assert_eq!(row.fix.as_deref(), Some(clauses::P9.fix));
    }
}
