//! Golden files: `assert_golden("sync/token.yaml", &text)` compares byte for byte with
//! `tests/golden/sync/token.yaml`; `UPDATE=1 cargo test` rewrites the files instead.

#![allow(dead_code, clippy::disallowed_methods, clippy::disallowed_types)]

use std::path::PathBuf;

pub(crate) fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

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
    if expected != actual {
        panic!(
            "{} differs from the generated output\n--- expected\n{expected}\n--- actual\n{actual}\n(run `UPDATE=1 cargo test -p flux-azdo-core` if the change is intended)",
            path.display()
        );
    }
}
