//! Builds the viewer bundle from `web/` and generates the table of its
//! files for `include_bytes!`, as maplibre/martin does for its UI: the
//! bundle is part of the normal build, so `cargo run --release` alone
//! serves a working viewer on a fresh machine.
//!
//! `npm ci` runs when `node_modules` is missing or older than the lock
//! file; `web/build.mjs` (esbuild) runs whenever a file in `web/` changed.
//! Node.js and npm are needed at build time only; the binary never needs
//! them, nor the internet.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let web = manifest_dir.join("../../web");
    let out = PathBuf::from(env("OUT_DIR")).join("web");
    for watched in [
        "src",
        "package.json",
        "package-lock.json",
        "build.mjs",
        "tsconfig.json",
    ] {
        println!("cargo::rerun-if-changed={}", web.join(watched).display());
    }
    println!("cargo::rerun-if-env-changed=SKIP_NUMIS_NPM_CI");
    println!("cargo::rerun-if-env-changed=SKIP_NUMIS_WEB");
    if std::env::var_os("SKIP_NUMIS_WEB").is_some() {
        // For work on the server alone, on a machine without Node.js.
        println!("cargo::warning=SKIP_NUMIS_WEB is set: building without the map viewer");
        write_table(&out, &[], None);
        return;
    }
    if !web.join("package.json").is_file() {
        // Only while the viewer does not exist yet (or in a source tree
        // without it): an empty table, and the server says so.
        println!("cargo::warning=web/package.json not found: building without the map viewer");
        write_table(&out, &[], None);
        return;
    }
    if needs_npm_ci(&web) {
        run(
            Command::new(npm())
                .arg("ci")
                .arg("--no-audit")
                .arg("--no-fund")
                .current_dir(&web),
            "npm ci",
        );
    }
    if out.exists() {
        let _ = std::fs::remove_dir_all(&out);
    }
    run(
        Command::new("node")
            .arg("build.mjs")
            .arg(&out)
            .current_dir(&web),
        "node build.mjs",
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json"))
        .unwrap_or_else(|e| fail(&format!("web/build.mjs wrote no manifest.json: {e}")));
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap_or_else(|e| fail(&format!("cannot list the bundle: {e}")))
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name != "manifest.json")
        // The compressed twins are part of their file's entry.
        .filter(|name| !name.ends_with(".br") && !name.ends_with(".gz"))
        .collect();
    files.sort();
    write_table(&out, &files, Some(&manifest));
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| fail(&format!("{name} is not set")))
}

fn npm() -> &'static str {
    if cfg!(windows) { "npm.cmd" } else { "npm" }
}

/// `npm ci` is slow; run it only when the installed packages may be stale.
fn needs_npm_ci(web: &Path) -> bool {
    if std::env::var_os("SKIP_NUMIS_NPM_CI").is_some() {
        return false;
    }
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = modified(&web.join("node_modules/.package-lock.json"));
    let locked = modified(&web.join("package-lock.json"));
    match (installed, locked) {
        (Some(installed), Some(locked)) => installed < locked,
        _ => true,
    }
}

fn run(command: &mut Command, what: &str) {
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => fail(&format!("{what} failed ({status}) in web/")),
        Err(e) => fail(&format!(
            "{what} could not start ({e}): the map viewer needs Node.js and npm at build time"
        )),
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

/// `bundle.rs`: the manifest and every file as a `File` with its bytes and
/// the brotli and gzip twins `web/build.mjs` wrote for text files.
fn write_table(out: &Path, files: &[String], manifest: Option<&str>) {
    let _ = std::fs::create_dir_all(out);
    let mut code = String::new();
    let _ = writeln!(
        code,
        "/// The bundle's `manifest.json`, if the viewer was built."
    );
    let _ = writeln!(code, "pub const MANIFEST: Option<&str> = {manifest:?};");
    let _ = writeln!(code, "/// Every file of the bundle.");
    let _ = writeln!(code, "pub const FILES: &[crate::File] = &[");
    let embedded = |path: &Path| {
        if path.is_file() {
            format!("Some(include_bytes!({:?}))", path.display().to_string())
        } else {
            "None".to_owned()
        }
    };
    for name in files {
        let path = out.join(name);
        let _ = writeln!(
            code,
            "    crate::File {{ name: {name:?}, bytes: include_bytes!({:?}), brotli: {}, gzip: {} }},",
            path.display().to_string(),
            embedded(&out.join(format!("{name}.br"))),
            embedded(&out.join(format!("{name}.gz"))),
        );
    }
    let _ = writeln!(code, "];");
    let target = PathBuf::from(env("OUT_DIR")).join("bundle.rs");
    std::fs::write(&target, code)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", target.display())));
}
