//! The server's layout shows its architecture, and stays that way: no
//! module imports one that imports it back (directly or around a longer
//! loop). The crate root (`lib.rs`) counts as a module too, so a router
//! may not reach back into the place that assembles the routers.
//!
//! The graph is read from the source: every `crate::…` and `super::…` path
//! in code (comments left out), resolved to the longest module it names.

#![allow(clippy::unwrap_used, reason = "a test reads its own crate's sources")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `routes/ows.rs` → `routes::ows`, `routes/mod.rs` → `routes`, `lib.rs` → `crate`.
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] {
        return "crate".to_owned();
    }
    parts.join("::")
}

/// The code of a file without comments (doc links are not imports) and
/// without its unit tests (`use super::*` there names the file itself).
fn code_of(text: &str) -> String {
    text.lines()
        .take_while(|line| line.trim() != "#[cfg(test)]")
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Module paths named in `code`, as written after `crate::` (braced lists
/// expanded one level: `crate::{a::b, c}` names `a::b` and `c`).
fn crate_paths(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        // `numis_cms::crate` cannot occur; `supercrate::` would be a name
        // ending in the prefix, so insist on a boundary before it.
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(list) = rest.strip_prefix('{') {
            let end = list.find('}').unwrap_or(list.len());
            for item in list[..end].split(',') {
                let item = item.trim();
                if !item.is_empty() {
                    out.push(path_head(item));
                }
            }
        } else {
            out.push(path_head(rest));
        }
    }
    out
}

/// The `a::b::c` at the start of `text`.
fn path_head(text: &str) -> String {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(text.len());
    text[..end].trim_end_matches(':').to_owned()
}

/// The longest known module that `path` (relative to the crate) lies in.
fn resolve(path: &str, modules: &BTreeSet<String>) -> String {
    let segments: Vec<&str> = path.split("::").collect();
    for len in (1..=segments.len()).rev() {
        let candidate = segments[..len].join("::");
        if modules.contains(&candidate) {
            return candidate;
        }
    }
    "crate".to_owned()
}

fn parent_of(module: &str) -> String {
    match module.rsplit_once("::") {
        Some((parent, _)) => parent.to_owned(),
        None => "crate".to_owned(),
    }
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| module_of(f.strip_prefix(&src).unwrap()))
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(file.strip_prefix(&src).unwrap());
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        let mut targets: Vec<String> = crate_paths(&code, "crate::")
            .iter()
            .map(|p| resolve(p, &modules))
            .collect();
        // `super::x` inside `a::b` names `a::x`; in a unit-test module it
        // names the file's own module, which is no edge.
        let parent = parent_of(&module);
        for path in crate_paths(&code, "super::") {
            let full = if parent == "crate" {
                path
            } else {
                format!("{parent}::{path}")
            };
            targets.push(resolve(&full, &modules));
        }
        let entry = edges.entry(module.clone()).or_default();
        for target in targets {
            if target != module {
                entry.insert(target);
            }
        }
    }
    edges
}

/// A loop in the graph, as the list of modules around it.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, edges, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn no_module_of_the_server_imports_one_that_imports_it_back() {
    let edges = graph();
    assert!(edges.len() > 10, "the sources were found: {edges:?}");
    if let Some(cycle) = find_cycle(&edges) {
        panic!("import cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn the_cycle_finder_finds_a_loop_and_reads_braced_imports() {
    let paths = crate_paths(
        "use crate::{state::AppState, routes::ows};\nlet x = crate::config::Config::default();",
        "crate::",
    );
    assert_eq!(
        paths,
        ["state::AppState", "routes::ows", "config::Config::default"]
    );
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_cycle(&edges), None);
    edges.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&edges).unwrap(),
        ["a", "b", "c", "a"].map(String::from)
    );
}
