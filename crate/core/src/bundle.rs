//! Flux's manifests bundle: the 9 flat files of the release asset `manifests.tar.gz`
//! (`<controller>.yaml` for the 7 controllers, `rbac.yaml`, `policies.yaml`).

use std::collections::BTreeMap;
use std::io::Read;

use crate::error::{Error, Result};

/// The files every bundle must contain.
pub const BUNDLE_FILES: [&str; 9] = [
    "source-controller.yaml",
    "kustomize-controller.yaml",
    "helm-controller.yaml",
    "notification-controller.yaml",
    "image-reflector-controller.yaml",
    "image-automation-controller.yaml",
    "source-watcher.yaml",
    "rbac.yaml",
    "policies.yaml",
];

/// The most a `manifests.tar.gz` may unpack to (its files together): v2.9.4's 9 files are
/// 0.35 MiB, so this leaves room for any release and none for a decompression bomb.
const MAX_TAR_BYTES: u64 = 64 << 20;

/// The bundle's files by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    files: BTreeMap<String, String>,
}

impl Bundle {
    /// Builds a bundle from name → content pairs (names may carry a directory prefix, which is
    /// dropped). Every file of [`BUNDLE_FILES`] must be present.
    pub fn from_files<I, N, C>(files: I) -> Result<Self>
    where
        I: IntoIterator<Item = (N, C)>,
        N: AsRef<str>,
        C: Into<String>,
    {
        let mut map = BTreeMap::new();
        for (name, content) in files {
            let base = name
                .as_ref()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            // Only Flux's files: what the bundle holds is exactly what `files()` hands out.
            if BUNDLE_FILES.contains(&base.as_str()) {
                map.insert(base, content.into());
            }
        }
        let missing: Vec<&str> = BUNDLE_FILES
            .iter()
            .copied()
            .filter(|f| !map.contains_key(*f))
            .collect();
        if !missing.is_empty() {
            return Err(Error::InvalidBundle {
                reason: format!(
                    "missing {}; a bundle is the 9 files of Flux's manifests.tar.gz release asset",
                    missing.join(", ")
                ),
            });
        }
        Ok(Self { files: map })
    }

    /// Reads `manifests.tar.gz` bytes. Whatever the bytes, the answer is a bundle or
    /// `INVALID_BUNDLE`; a file or archive far larger than any Flux release (a decompression
    /// bomb) is refused before it is read into memory.
    pub fn from_tar_gz(bytes: &[u8]) -> Result<Self> {
        let bad = |e: std::io::Error| Error::InvalidBundle {
            reason: format!("not a readable manifests.tar.gz ({e})"),
        };
        let too_big = || Error::InvalidBundle {
            reason: format!(
                "the archive holds more than {} MiB; Flux's manifests are well under 1 MiB",
                MAX_TAR_BYTES >> 20
            ),
        };
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        let mut files = Vec::new();
        let mut total: u64 = 0;
        for entry in archive.entries().map_err(bad)? {
            let entry = entry.map_err(bad)?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = entry.path().map_err(bad)?.to_string_lossy().into_owned();
            total = total.saturating_add(entry.header().size().map_err(bad)?);
            if total > MAX_TAR_BYTES {
                return Err(too_big());
            }
            let mut content = String::new();
            entry
                .take(MAX_TAR_BYTES)
                .read_to_string(&mut content)
                .map_err(|e| Error::InvalidBundle {
                    reason: format!("{name} is not UTF-8 text ({e})"),
                })?;
            files.push((name, content));
        }
        Self::from_files(files)
    }

    /// The content of one bundle file, e.g. `rbac.yaml`.
    pub fn file(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// The 9 files by name.
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }
}
