//! The TypeScript declarations of every type that crosses the wasm boundary are generated from
//! the Rust types (never kept by hand): this test compares them with
//! `crate/wasm/ts/core-types.ts` (which the wasm facade puts into its `.d.ts`) and rewrites
//! that file when run with `UPDATE=1`.
//!
//! Input option types are written with every serde-defaulted field optional, here and only
//! here, so callers never need `Partial<>`; output types stay complete.
#![cfg(feature = "ts")]
#![allow(clippy::disallowed_methods, clippy::unwrap_used)]

use flux_azdo_core::{
    azure_url, check, credentials, defaults, entra, image_pull_secret, inputs, install, keys,
    kustomization, kustomize, manifest, plan, secret, secret_string, sync, workload_identity,
    ErrorCode,
};
use ts_rs::{Config, TS};

/// Types the host passes in whose fields have serde defaults, and the fields that have none.
fn input<T: TS>(cfg: &Config, required: &[&str]) -> String {
    optional_fields(&T::decl(cfg), required)
}

fn declarations() -> String {
    let cfg = Config::default();
    let decls = [
        manifest::Manifest::decl(&cfg),
        ErrorCode::decl(&cfg),
        input::<install::Options>(&cfg, &[]),
        input::<sync::Options>(&cfg, &["url"]),
        input::<kustomization::Options>(&cfg, &[]),
        kustomization::Output::decl(&cfg),
        secret_string::SecretString::decl(&cfg),
        input::<secret::Options>(&cfg, &["auth"]),
        secret::Auth::decl(&cfg),
        secret::Secret::decl(&cfg),
        input::<image_pull_secret::Options>(&cfg, &["name", "registry", "credentials"]),
        image_pull_secret::ImagePullSecretPlan::decl(&cfg),
        azure_url::HostKind::decl(&cfg),
        azure_url::Repo::decl(&cfg),
        input::<azure_url::SyncUrlOptions>(&cfg, &[]),
        azure_url::SshHost::decl(&cfg),
        azure_url::SyncUrl::decl(&cfg),
        azure_url::PushTarget::decl(&cfg),
        azure_url::SshHostPolicy::decl(&cfg),
        keys::KeyAlgorithm::decl(&cfg),
        keys::EcdsaCurve::decl(&cfg),
        keys::KeyPair::decl(&cfg),
        keys::KeyGenerator::decl(&cfg),
        keys::GeneratedKeyPair::decl(&cfg),
        input::<inputs::GenerateRsaKeyOptions>(&cfg, &[]),
        input::<inputs::LoadPrivateKeyOptions>(&cfg, &["privateKey"]),
        inputs::KnownHostsLineOptions::decl(&cfg),
        inputs::CheckHostKeyOptions::decl(&cfg),
        keys::HostKeyVerdict::decl(&cfg),
        keys::HostKeyCheck::decl(&cfg),
        inputs::DurationOptions::decl(&cfg),
        inputs::SyncPathCheck::decl(&cfg),
        input::<inputs::PushTargetOptions>(&cfg, &["url"]),
        input::<plan::Options>(&cfg, &["url"]),
        // The same fields as Flux's defaults fill them: complete but for the `Option` ones.
        plan::Options::decl(&cfg).replacen("type PlanOptions =", "type PlanDefaults =", 1),
        plan::SyncAuth::decl(&cfg),
        plan::DeployKeySpec::decl(&cfg),
        plan::Author::decl(&cfg),
        plan::Commits::decl(&cfg),
        flux_azdo_core::pull_request::PullRequestPlan::decl(&cfg),
        plan::Plan::decl(&cfg),
        workload_identity::WorkloadIdentity::decl(&cfg),
        plan::WorkloadIdentityPlan::decl(&cfg),
        entra::AzureCredentialKind::decl(&cfg),
        entra::EntraPush::decl(&cfg),
        entra::PushCredential::decl(&cfg),
        entra::PushCredentials::decl(&cfg),
        defaults::Defaults::decl(&cfg),
        input::<kustomize::Input>(&cfg, &["kustomization"]),
        kustomize::Output::decl(&cfg),
        input::<kustomize::RepoFiles>(&cfg, &[]),
        kustomize::ClusterObjects::decl(&cfg),
        credentials::CredentialKind::decl(&cfg),
        input::<credentials::CredentialFacts>(&cfg, &[]),
        input::<credentials::RotationOptions>(&cfg, &[]),
        credentials::RotationPlan::decl(&cfg),
        input::<credentials::PatExpiryOptions>(&cfg, &[]),
        credentials::PatExpiryStatus::decl(&cfg),
        credentials::PatExpiry::decl(&cfg),
        input::<check::ComponentFact>(&cfg, &[]),
        input::<check::FluxObjectFact>(&cfg, &[]),
        input::<check::PatFact>(&cfg, &[]),
        input::<check::CheckFacts>(&cfg, &[]),
        check::Severity::decl(&cfg),
        check::Finding::decl(&cfg),
        check::CheckStatus::decl(&cfg),
        check::CheckReport::decl(&cfg),
        // The bundle crosses as JS values serde does not describe.
        "/**\n * Flux's manifests bundle: the `manifests.tar.gz` bytes, or file name → content.\n */\ntype BundleData = Uint8Array | Record<string, string>;".to_owned(),
        "/**\n * The 9 files of Flux's manifests bundle, by name.\n */\ntype BundleFiles = Record<string, string>;".to_owned(),
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

/// Marks every top-level field of an object type optional (`name?:`), except `required`.
fn optional_fields(decl: &str, required: &[&str]) -> String {
    let bytes = decl.as_bytes();
    let mut out = String::with_capacity(decl.len() + 64);
    let mut depth = 0usize;
    // Whether the next identifier at depth 1 starts a field (after `{` or `,`).
    let mut field_start = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if decl[i..].starts_with("/*") {
            let end = decl[i..].find("*/").map_or(decl.len(), |e| i + e + 2);
            out.push_str(&decl[i..end]);
            i = end;
            continue;
        }
        if c == b'"' {
            let end = decl[i + 1..].find('"').map_or(decl.len(), |e| i + e + 2);
            out.push_str(&decl[i..end]);
            i = end;
            field_start = false;
            continue;
        }
        match c {
            b'{' | b'[' | b'(' | b'<' => {
                depth += 1;
                field_start = depth == 1 && c == b'{';
            }
            b'}' | b']' | b')' | b'>' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => field_start = true,
            _ if field_start && depth == 1 && (c.is_ascii_alphabetic() || c == b'_') => {
                let len = decl[i..]
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(decl.len() - i);
                let name = &decl[i..i + len];
                out.push_str(name);
                i += len;
                if decl[i..].starts_with(':') && !required.contains(&name) {
                    out.push('?');
                }
                field_start = false;
                continue;
            }
            _ if c.is_ascii_whitespace() => {}
            _ => field_start = false,
        }
        out.push(char::from(c));
        i += 1;
    }
    out
}

#[test]
fn typescript_declarations_match_the_rust_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wasm/ts/core-types.ts");
    let expected = declarations();
    if std::env::var("UPDATE").as_deref() == Ok("1") {
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

#[test]
fn input_fields_become_optional_but_the_required_ones() {
    let decl = "type T = { \n/**\n * a: doc, with \"x\"\n */\nurl: string, list: Array<{ inner: string, }>, kind: \"a\" | \"b\", done?: string, };";
    assert_eq!(
        optional_fields(decl, &["url"]),
        "type T = { \n/**\n * a: doc, with \"x\"\n */\nurl: string, list?: Array<{ inner: string, }>, kind?: \"a\" | \"b\", done?: string, };"
    );
}
