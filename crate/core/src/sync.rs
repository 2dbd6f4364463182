//! `gotk-sync.yaml`: the GitRepository and Kustomization that make the cluster sync itself
//! (Flux's `pkg/manifestgen/sync`).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::options::DEFAULT_NAMESPACE;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "SyncOptions", optional_fields)
)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Options {
    /// The URL the cluster syncs from (already in Flux's sync form).
    pub url: String,
    pub namespace: String,
    pub branch: String,
    pub tag: String,
    pub semver: String,
    pub commit: String,
    /// GitRepository interval as the user wrote it (`1m`, `90s`); written in Go's form (`1m0s`).
    pub interval: String,
    pub secret_name: String,
    pub target_path: String,
    pub recurse_submodules: bool,
    pub sparse_checkout: Vec<String>,
    /// `azure` syncs through Azure workload identity: no Secret, `provider: azure`.
    pub provider: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            url: String::new(),
            namespace: DEFAULT_NAMESPACE.to_owned(),
            branch: "main".to_owned(),
            tag: String::new(),
            semver: String::new(),
            commit: String::new(),
            interval: "1m".to_owned(),
            secret_name: DEFAULT_NAMESPACE.to_owned(),
            target_path: String::new(),
            recurse_submodules: false,
            sparse_checkout: Vec::new(),
            provider: String::new(),
        }
    }
}

pub const MANIFEST_FILE: &str = "gotk-sync.yaml";

pub fn generate(options: &Options) -> Result<Manifest> {
    let _ = options;
    Err(Error::Internal(
        "sync::generate is not implemented yet".into(),
    ))
}
