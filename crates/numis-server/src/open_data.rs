//! Open-data downloads (clauses L5, P7): a layer's data as a ZIP of the
//! data file and its licence note, or as a plain KML file, built lazily by
//! `numis_map::export` and kept in a byte-bounded cache. One [`Downloads`]
//! belongs to one loaded map (see [`crate::map_service::MapService`]), so
//! a reload starts a new generation with an empty cache and new ETags.
//!
//! What is cached is the data file alone, deflated in a one-file archive
//! (per layer, format and language). A download copies that entry's
//! compressed bytes into a new archive beside the licence note, which
//! names the address the file was fetched from; the copy costs no
//! compression, so the expensive part (GeoPackage, KML) is built once.
//!
//! Who may have which layer (L7) and whether its data are open (L5) is
//! decided by the caller's view before anything here is asked.

use std::io::{Cursor, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use numis_map::export::{self, DataFormat, ExportError, LicenceNote, Provenance};
use numis_map::view::VisibleLayer;
use quick_cache::sync::Cache;
use zip::write::SimpleFileOptions;

/// Memory for built files, in MiB. [default: 128]
pub const DEFAULT_CACHE_MB: u64 = 128;

/// What a cached file is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FileKey {
    layer: String,
    format: DataFormat,
    lang: &'static str,
    /// The data file deflated in a one-file archive, or as it is.
    zipped: bool,
}

#[derive(Clone)]
struct FileWeight;

impl quick_cache::Weighter<FileKey, Bytes> for FileWeight {
    fn weight(&self, key: &FileKey, file: &Bytes) -> u64 {
        (key.layer.len() + file.len() + 64) as u64
    }
}

/// Why a download could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    /// The engine could not write the data file.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The archive could not be written.
    #[error("ZIP: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// Writing into memory failed.
    #[error("ZIP: {0}")]
    Io(#[from] std::io::Error),
}

/// The built files of one loaded map.
pub struct Downloads {
    generation: u64,
    files: Cache<FileKey, Bytes, FileWeight>,
    builds: tokio::sync::Semaphore,
}

/// Files built at once: a burst of first downloads must not take every
/// core from the map.
const BUILD_SLOTS: usize = 2;

/// Counts loaded maps, so that each has its own generation.
static GENERATIONS: AtomicU64 = AtomicU64::new(0);

impl Downloads {
    /// An empty cache of `cache_mb` MiB (0: nothing is kept, every
    /// download is built anew).
    pub fn new(cache_mb: u64) -> Self {
        let bytes = cache_mb.saturating_mul(1024 * 1024).max(1);
        // The process start time keeps generations of two runs apart.
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let generation = started
            .wrapping_mul(1000)
            .wrapping_add(GENERATIONS.fetch_add(1, Ordering::Relaxed));
        Self {
            generation,
            files: Cache::with_weighter(64, bytes, FileWeight),
            builds: tokio::sync::Semaphore::new(BUILD_SLOTS),
        }
    }

    /// Waits for a slot to build files in; hold it while building. `None`
    /// when the server is shutting down.
    pub async fn build_slot(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.builds.acquire().await.ok()
    }

    /// The generation: changes whenever the map is loaded anew. ETags of
    /// downloads include it.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The data file of `layer` in `format`, not zipped (the plain KML).
    /// Building may take seconds: call from a blocking thread.
    pub fn plain(
        &self,
        layer: &VisibleLayer<'_>,
        format: DataFormat,
        provenance: Provenance<'_>,
    ) -> Result<Bytes, DownloadError> {
        let key = FileKey {
            layer: layer.id().to_owned(),
            format,
            lang: lang_of(provenance.lang),
            zipped: false,
        };
        self.files.get_or_insert_with(&key, || {
            Ok(Bytes::from(export::write(layer, format, provenance)?))
        })
    }

    /// The ZIP of `layer`'s data in `format` with the licence note naming
    /// `download_url`. Building may take seconds the first time: call
    /// from a blocking thread.
    pub fn package(
        &self,
        layer: &VisibleLayer<'_>,
        format: DataFormat,
        provenance: Provenance<'_>,
        download_url: &str,
    ) -> Result<Vec<u8>, DownloadError> {
        let key = FileKey {
            layer: layer.id().to_owned(),
            format,
            lang: lang_of(provenance.lang),
            zipped: true,
        };
        let entry = self.files.get_or_insert_with(&key, || {
            let data = export::write(layer, format, provenance)?;
            let name = format!("{}.{}", layer.id(), format.extension());
            one_file_archive(&name, &data).map(Bytes::from)
        })?;
        let note = LicenceNote {
            layer: *layer,
            lang: provenance.lang,
            portal: provenance.portal,
            download_url,
        };
        with_licence(&entry, note.file_name(), &note.text())
    }
}

fn lang_of(lang: &str) -> &'static str {
    if lang == "en" { "en" } else { "de" }
}

/// Deflated, dated 1980-01-01 (the ZIP epoch): the same data make the same
/// bytes, whenever and wherever they are built.
fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
}

fn one_file_archive(name: &str, data: &[u8]) -> Result<Vec<u8>, DownloadError> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(name, options())?;
    zip.write_all(data)?;
    Ok(zip.finish()?.into_inner())
}

/// The data entry of `entry` (copied still compressed), then the licence
/// note.
fn with_licence(entry: &[u8], name: &str, text: &str) -> Result<Vec<u8>, DownloadError> {
    let mut source = zip::ZipArchive::new(Cursor::new(entry))?;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(entry.len() + 4096)));
    for index in 0..source.len() {
        zip.raw_copy_file(source.by_index_raw(index)?)?;
    }
    zip.start_file(name, options())?;
    zip.write_all(text.as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn the_copied_entry_and_the_note_unzip_as_written() {
        let entry = one_file_archive("a.geojson", b"{\"type\":\"FeatureCollection\"}").unwrap();
        let package = with_licence(&entry, "LIZENZ.txt", "Quelle: x\r\n").unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(package.clone())).unwrap();
        assert_eq!(archive.len(), 2);
        let mut data = String::new();
        archive
            .by_name("a.geojson")
            .unwrap()
            .read_to_string(&mut data)
            .unwrap();
        assert_eq!(data, "{\"type\":\"FeatureCollection\"}");
        let mut note = String::new();
        archive
            .by_name("LIZENZ.txt")
            .unwrap()
            .read_to_string(&mut note)
            .unwrap();
        assert_eq!(note, "Quelle: x\r\n");
        assert_eq!(
            with_licence(&entry, "LIZENZ.txt", "Quelle: x\r\n").unwrap(),
            package,
            "the same input makes the same bytes"
        );
    }
}
