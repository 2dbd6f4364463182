//! flux-azdo's core: everything `flux bootstrap git` writes, for Azure DevOps, as pure functions.
//!
//! No I/O happens here. The host hands in bytes (Flux's manifests bundle, an existing
//! `kustomization.yaml`, a scanned host key, key material) and gets bytes and plain data back.
//! Each manifest kind has one module with an `Options` (Flux's defaults) and a `generate`
//! returning a [`Manifest`], after Flux's own `pkg/manifestgen`.

pub mod azure_url;
pub mod bundle;
pub mod check;
pub mod credentials;
pub mod defaults;
pub mod entra;
pub mod error;
pub mod image_pull_secret;
pub mod inputs;
pub mod install;
pub mod keys;
pub mod kustomization;
pub mod kustomize;
pub mod manifest;
pub mod options;
pub mod plan;
pub mod pull_request;
pub mod secret;
pub mod secret_string;
pub mod sync;
pub mod workload_identity;
pub mod yaml;

pub use defaults::{defaults, Defaults};
pub use error::{Error, ErrorCode};
pub use manifest::Manifest;

/// The Flux version whose manifests and defaults this build was checked against.
pub const FLUX_VERSION: &str = "v2.9.4";
