//! The map viewer's bundle, compiled into the binary. The files carry a
//! content hash in their names, so the server may let browsers cache them
//! for good; the manifest says which file is the entry script and style.
//! Text files come with brotli and gzip twins made at build time, so the
//! server hands out compressed bytes without compressing per request.

mod bundle {
    include!(concat!(env!("OUT_DIR"), "/bundle.rs"));
}

/// One file of the bundle.
#[derive(Debug, Clone, Copy)]
pub struct File {
    /// The file's name, with its content hash, e.g. `main-3F2A9C.js`.
    pub name: &'static str,
    /// The file as built.
    pub bytes: &'static [u8],
    /// Brotli-compressed (text files only).
    pub brotli: Option<&'static [u8]>,
    /// Gzip-compressed (text files only).
    pub gzip: Option<&'static [u8]>,
}

/// The entry points of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The script's file name, e.g. `main-3F2A9C.js`.
    pub script: String,
    /// The style sheet's file name.
    pub style: Option<String>,
}

/// The bundle's entry points; `None` when the binary was built without
/// the viewer.
pub fn entry() -> Option<Entry> {
    let manifest = bundle::MANIFEST?;
    Some(Entry {
        script: json_string(manifest, "js")?,
        style: json_string(manifest, "css"),
    })
}

/// A file of the bundle by name.
pub fn file(name: &str) -> Option<&'static File> {
    bundle::FILES.iter().find(|file| file.name == name)
}

/// Number of files in the bundle.
pub fn file_count() -> usize {
    bundle::FILES.len()
}

/// The string value of `"key": "…"` in the flat manifest written by
/// `web/build.mjs` (file names: no escapes to handle, and no JSON parser
/// needed in this crate).
fn json_string(json: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\"");
    let rest = &json[json.find(&needle)? + needle.len()..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let value = &rest[..rest.find('"')?];
    (!value.is_empty() && !value.contains('\\')).then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_names_its_entry_points() {
        let manifest =
            r#"{"js": "main-AB12.js", "css":"main-CD34.css", "files": ["main-AB12.js"]}"#;
        assert_eq!(json_string(manifest, "js").as_deref(), Some("main-AB12.js"));
        assert_eq!(
            json_string(manifest, "css").as_deref(),
            Some("main-CD34.css")
        );
        assert_eq!(json_string(manifest, "map"), None);
    }

    #[test]
    fn every_file_the_manifest_names_is_in_the_bundle() {
        if let Some(entry) = entry() {
            let script = file(&entry.script).expect("the entry script is embedded");
            if let Some(style) = &entry.style {
                assert!(file(style).is_some(), "{entry:?}");
            }
            // Text files carry their compressed twins, which are smaller.
            let brotli = script.brotli.expect("the script has a brotli twin");
            let gzip = script.gzip.expect("the script has a gzip twin");
            assert!(brotli.len() < gzip.len() && gzip.len() < script.bytes.len());
        }
    }
}
