//! What the integration tests share, in one module (`mod common;` in each test file):
//! - Flux's reference files (its release bundle and `flux install --export` outputs), read from
//!   beside the checkout, never copied into it: [`flux_reference`], [`read_reference`],
//!   [`flux_bundle`];
//! - golden files: [`assert_golden`] compares with `tests/golden/<name>` byte for byte and shows
//!   the first difference; `UPDATE=1 cargo test -p flux-azdo-core` rewrites them instead (any other
//!   value, `UPDATE=0` included, compares). Flux's own files are compared with
//!   [`assert_reference`], which never rewrites: they are Flux's output, not ours;
//! - OpenSSH as the judge of our keys: [`openssh`].

// Tests are the host here: files, the environment and ssh-keygen runs are their job, not the
// core's. Each test file uses only part of this module.
#![allow(dead_code, clippy::disallowed_methods, clippy::disallowed_types)]

pub(crate) mod openssh;

use std::path::{Path, PathBuf};

use flux_azdo_core::bundle::{Bundle, BUNDLE_FILES};
use flux_azdo_core::FLUX_VERSION;

/// The repository root (the workspace holding `crate/core`).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The folder of Flux's reference files (`install.yaml`, `manifests/`, `variants/`):
/// `$FLUX_REFERENCE` (relative to the repository root unless absolute), by default
/// `<repo>/../shared/flux/<FLUX_VERSION>`. The JS tests resolve it the same way
/// (`tests/support/flux-reference.mjs`).
pub(crate) fn flux_reference() -> PathBuf {
    let dir = match std::env::var_os("FLUX_REFERENCE").filter(|v| !v.is_empty()) {
        Some(dir) => repo_root().join(dir),
        None => repo_root().join("../shared/flux").join(FLUX_VERSION),
    };
    assert!(
        dir.join("install.yaml").is_file() && dir.join("manifests").is_dir(),
        "Flux {FLUX_VERSION}'s reference files (install.yaml, manifests/) are not in {}: set \
         FLUX_REFERENCE to the folder that holds them",
        dir.display()
    );
    dir
}

/// A reference file by its path inside the reference folder, e.g. `variants/custom-options.yaml`.
pub(crate) fn read_reference(rel: &str) -> String {
    let path = flux_reference().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Flux's release bundle (`manifests/`), checked by the core.
pub(crate) fn flux_bundle() -> Bundle {
    let files = BUNDLE_FILES
        .iter()
        .map(|name| (*name, read_reference(&format!("manifests/{name}"))));
    Bundle::from_files(files).expect("Flux's bundle is complete")
}

pub(crate) fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares `actual` with `tests/golden/<name>`; `UPDATE=1` writes it instead.
pub(crate) fn assert_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("UPDATE").is_some_and(|v| v == "1") {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create golden dir");
        }
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "golden file {} is missing ({e}); run `UPDATE=1 cargo test -p flux-azdo-core` and review it",
            path.display()
        )
    });
    if let Some(diff) = first_difference(actual, &expected) {
        panic!(
            "{} differs from the generated output {diff}(run `UPDATE=1 cargo test -p flux-azdo-core` if the change is intended)",
            path.display()
        );
    }
}

/// Compares `actual` with Flux's reference file `rel`; never rewrites it.
pub(crate) fn assert_reference(rel: &str, actual: &str) {
    assert_text_eq(actual, &read_reference(rel), &format!("Flux's {rel}"));
}

/// Byte-for-byte equality, failing with the first difference rather than both texts whole.
pub(crate) fn assert_text_eq(actual: &str, expected: &str, what: &str) {
    if let Some(diff) = first_difference(actual, expected) {
        panic!("{what} differs from the generated output {diff}");
    }
}

/// Where two texts first differ, with 3 lines of context each side (`>` marks the line, shown
/// quoted so that whitespace and line ends are visible); `None` when they are equal.
pub(crate) fn first_difference(actual: &str, expected: &str) -> Option<String> {
    if actual == expected {
        return None;
    }
    // Lines keep their `\n`, so a missing final newline is a difference on the last line.
    let actual_lines: Vec<&str> = actual.split_inclusive('\n').collect();
    let expected_lines: Vec<&str> = expected.split_inclusive('\n').collect();
    let at = actual_lines
        .iter()
        .zip(&expected_lines)
        .position(|(a, e)| a != e)
        .unwrap_or_else(|| actual_lines.len().min(expected_lines.len()));
    let show = |lines: &[&str]| {
        let mut out = String::new();
        for i in at.saturating_sub(3)..at + 4 {
            let Some(line) = lines.get(i) else {
                if i == at {
                    out.push_str(&format!(">{:>5} <end of text>\n", i + 1));
                }
                break;
            };
            if i == at {
                out.push_str(&format!(">{:>5} {line:?}\n", i + 1));
            } else {
                out.push_str(&format!(" {:>5} {}\n", i + 1, line.trim_end_matches('\n')));
            }
        }
        out
    };
    Some(format!(
        "at line {} (expected {} lines, actual {}):\n--- expected\n{}--- actual\n{}",
        at + 1,
        expected_lines.len(),
        actual_lines.len(),
        show(&expected_lines),
        show(&actual_lines)
    ))
}
