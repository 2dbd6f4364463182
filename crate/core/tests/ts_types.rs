//! The TypeScript declarations of the core's public types are generated from the Rust types
//! (never kept by hand): this test compares them with `npm/src/generated/core-types.ts` and
//! rewrites that file when run with `UPDATE=1`.
#![cfg(feature = "ts")]
#![allow(clippy::disallowed_methods, clippy::unwrap_used)]

use flux_azdo_core::{
    azure_url, install, kustomization, manifest, options, secret, sync, ErrorCode,
};
use ts_rs::{Config, TS};

fn declarations() -> String {
    let cfg = Config::default();
    let decls = [
        manifest::Manifest::decl(&cfg),
        ErrorCode::decl(&cfg),
        install::Options::decl(&cfg),
        sync::Options::decl(&cfg),
        kustomization::Options::decl(&cfg),
        kustomization::Output::decl(&cfg),
        options::SecretString::decl(&cfg),
        secret::Options::decl(&cfg),
        secret::Auth::decl(&cfg),
        secret::Secret::decl(&cfg),
        secret::Output::decl(&cfg),
        azure_url::HostKind::decl(&cfg),
        azure_url::Repo::decl(&cfg),
        azure_url::SyncUrlOptions::decl(&cfg),
        azure_url::SshHost::decl(&cfg),
        azure_url::SyncUrl::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust core's types by crate/core/tests/ts_types.rs. Do not edit:\n// run `UPDATE=1 cargo test -p flux-azdo-core --features ts --test ts_types`.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.trim_end().to_owned() + "\n"
}

#[test]
fn typescript_declarations_match_the_rust_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../npm/src/generated/core-types.ts");
    let expected = declarations();
    if std::env::var_os("UPDATE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is out of date; run UPDATE=1 cargo test -p flux-azdo-core --features ts --test ts_types",
        path.display()
    );
}
