//! `gotk-components.yaml`: Flux's install manifests generated from a bundle and the install
//! options, byte for byte as `flux install --export` (Flux's `pkg/manifestgen/install`).

use serde::{Deserialize, Serialize};

use crate::bundle::Bundle;
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::options::{DEFAULT_COMPONENTS, DEFAULT_NAMESPACE};

/// Install options with Flux's defaults (`install.MakeDefaultOptions` + the CLI's flags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "InstallOptions", optional_fields)
)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Options {
    /// Flux version written in the header, e.g. `v2.9.4`.
    pub version: String,
    pub namespace: String,
    pub components: Vec<String>,
    pub components_extra: Vec<String>,
    pub registry: String,
    pub image_pull_secret: String,
    pub watch_all_namespaces: bool,
    pub network_policy: bool,
    pub log_level: String,
    pub cluster_domain: String,
    pub toleration_keys: Vec<String>,
    /// `--path`: the file goes to `<path>/<namespace>/gotk-components.yaml`.
    pub target_path: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            version: crate::FLUX_VERSION.to_owned(),
            namespace: DEFAULT_NAMESPACE.to_owned(),
            components: DEFAULT_COMPONENTS.iter().map(|c| (*c).to_owned()).collect(),
            components_extra: Vec::new(),
            registry: "ghcr.io/fluxcd".to_owned(),
            image_pull_secret: String::new(),
            watch_all_namespaces: true,
            network_policy: true,
            log_level: "info".to_owned(),
            cluster_domain: "cluster.local".to_owned(),
            toleration_keys: Vec::new(),
            target_path: String::new(),
        }
    }
}

pub const MANIFEST_FILE: &str = "gotk-components.yaml";

/// Generates `<path>/<namespace>/gotk-components.yaml`.
pub fn generate(options: &Options, bundle: &Bundle) -> Result<Manifest> {
    let _ = (options, bundle);
    Err(Error::Internal(
        "install::generate is not implemented yet".into(),
    ))
}
