//! The clauses the audit judges, in one place: each one's id (as in
//! `docs/privacy.md`), its promise in a few words, and what an operator
//! changes when it does not hold.

use super::report::{Row, Verdict};

/// One clause of the privacy or terms page.
#[derive(Debug, Clone, Copy)]
pub struct Clause {
    pub id: &'static str,
    pub promise: &'static str,
    pub fix: &'static str,
}

impl Clause {
    /// The row: it holds unless `problems` were found, which then lead
    /// its evidence.
    pub fn judged(&self, evidence: Vec<String>, problems: Vec<String>) -> Row {
        Row::judged(self.id, self.promise, evidence, problems, self.fix)
    }

    /// The row of a clause about something this portal does not do.
    pub fn not_applicable(&self, why: impl Into<String>) -> Row {
        Row {
            clause: self.id.into(),
            promise: self.promise.into(),
            verdict: Verdict::NotApplicable,
            evidence: vec![why.into()],
            fix: None,
        }
    }
}

pub const P1: Clause = Clause {
    id: "P1",
    promise: "access records are not personal",
    fix: "Find what writes the client's data (a proxy's access log in the data directory, a log level or filter that records headers) and stop it; numis itself keeps only counts.",
};
pub const P2: Clause = Clause {
    id: "P2",
    promise: "statistics, anonymised, kept for a limited time",
    fix: "Set [stats] retention_days to the time the privacy page names (730 for two years).",
};
pub const P3: Clause = Clause {
    id: "P3",
    promise: "no requests to third parties",
    fix: "Serve what a page loads from the portal itself (theme assets under /assets/), or, for an external base map, name its provider and what it receives on the privacy page; remove any other reference to another server.",
};
pub const P4: Clause = Clause {
    id: "P4",
    promise: "usable without personal data, or under a pseudonym",
    fix: "Let no proxy or template demand a login or set a cookie for drawing and sharing, and let the registration ask for nothing but a pseudonym and a password; numis needs no more.",
};
pub const P5: Clause = Clause {
    id: "P5",
    promise: "no cookies on public pages",
    fix: "Remove what sets the cookie (a template, a proxy in front of numis, a handler); numis itself sets cookies only after a login or when display preferences are kept on purpose.",
};
pub const P6: Clause = Clause {
    id: "P6",
    promise: "the map can be embedded, its layout and functions cannot be altered",
    fix: "Do not change numis's frame-ancestors in a proxy: /embed must keep `frame-ancestors *`, every other route `'self'`.",
};
pub const P7: Clause = Clause {
    id: "P7",
    promise: "users' own data in the viewer",
    fix: "Keep files read by the portal (/api/convert) and files by URL fetched by numis under [external]'s rules; allow no private addresses.",
};
pub const P8: Clause = Clause {
    id: "P8",
    promise: "drawings kept for one year, no guarantee",
    fix: "Set [drawings] retention_days = 365 (or change the privacy page to the time configured), and keep a numis server running so that the daily purge runs.",
};
pub const P9: Clause = Clause {
    id: "P9",
    promise: "the creator can delete at any time",
    fix: "Keep the drawings API as numis serves it: the edit key alone changes and deletes a drawing.",
};
pub const P10: Clause = Clause {
    id: "P10",
    promise: "others view and copy, never change",
    fix: "Keep the drawings API as numis serves it: without the key a change is refused, a copy gets its own key.",
};
pub const P11: Clause = Clause {
    id: "P11",
    promise: "no abuse; content shown safely",
    fix: "Keep the upload limits ([drawings] max_upload_bytes, max_features, max_vertices) and let no proxy pass larger bodies to other handlers.",
};
pub const P12: Clause = Clause {
    id: "P12",
    promise: "the operator may delete at any time",
    fix: "Keep the console and /api/admin/… behind numis's own door: let no proxy answer them, and give the operator role only to the operators.",
};
pub const P13: Clause = Clause {
    id: "P13",
    promise: "the privacy page is published",
    fix: "Keep the privacy page at /datenschutz (pages/datenschutz in the site).",
};
pub const L1: Clause = Clause {
    id: "L1",
    promise: "a visible source note on every presentation, \"Daten geändert\" when changed",
    fix: "Give every [[layer]] in map.toml its `licence = { id, url }` and `attribution` as the data's provider requires.",
};
pub const L2: Clause = Clause {
    id: "L2",
    promise: "below DIN A5 the short form",
    fix: "Keep numis's print layouts: sheets below A5 print the notes on one line, larger ones the block \"Quellen: …\".",
};
pub const L3: Clause = Clause {
    id: "L3",
    promise: "personal data are excluded from external use",
    fix: "List every field that holds personal data in the layer's `personal` in map.toml: numis then keeps it from every output.",
};
pub const L4: Clause = Clause {
    id: "L4",
    promise: "static images: at most ten per website, each with the source",
    fix: "Keep numis's image export: its band below the map carries every drawn layer's source note.",
};
pub const L5: Clause = Clause {
    id: "L5",
    promise: "open geodata free to use, with their licence",
    fix: "Give each layer its licence (`licence = { id, url }`) and source note; set `open_data` only for data whose licence allows it.",
};
pub const L6: Clause = Clause {
    id: "L6",
    promise: "no guarantee of currency",
    fix: "State on the terms page (/nutzungshinweise) that the data come without a guarantee of currency, correctness and completeness.",
};
pub const L7: Clause = Clause {
    id: "L7",
    promise: "internal data stays internal",
    fix: "Give the layer `access = \"<role>\"` in map.toml and the role to its users, and let no proxy cache answers across callers (numis marks answers for role holders `Cache-Control: private`).",
};
pub const L8: Clause = Clause {
    id: "L8",
    promise: "data minimisation, export, erasure, retention",
    fix: "Give every stored kind a retention no longer than its purpose needs (at most ten years).",
};
pub const T: Clause = Clause {
    id: "T",
    promise: "transport security and headers",
    fix: "Keep numis's security headers (a proxy must not drop them); set [security] hsts = true when the portal is served by https.",
};
