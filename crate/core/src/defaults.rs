//! Flux's defaults in one value, for every front end (the CLI's help, the browser form, the VS
//! Code settings): the host reads them here instead of spelling them again.

use serde::Serialize;

use crate::keys::DEFAULT_RSA_BITS;
use crate::options::{EXTRA_COMPONENTS, LOG_LEVELS};
use crate::plan;

/// Kubernetes' oldest version the Flux version of this build supports (`flux check --pre`).
pub const MIN_KUBERNETES_VERSION: &str = "1.33";

/// `--timeout` when none is given, as Flux prints its default.
pub const TIMEOUT: &str = "5m0s";

/// `--push-retries` when none is given: how often a push rejected as not a fast-forward (another
/// bootstrap into the same repository pushed first) is rebuilt on the new tip and tried again.
/// Each race round lets at least one pusher through, and a bootstrap pushes twice, so a job that
/// keeps losing among N started at the same second needs up to about 2N retries: 20 covers a
/// matrix of ~10 legs at once; a larger fleet raises it (or spreads its jobs with `maxParallel`).
pub const PUSH_RETRIES: u32 = 20;

/// The first retry's backoff ceiling in milliseconds; it doubles per retry up to
/// `PUSH_BACKOFF_MAX_MS`, and each wait is drawn uniformly below the ceiling ("full jitter"), so
/// racing pushers spread out instead of colliding again in lockstep.
pub const PUSH_BACKOFF_MS: u32 = 50;

/// The backoff ceiling's upper bound in milliseconds.
pub const PUSH_BACKOFF_MAX_MS: u32 = 3_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Defaults {
    /// The Flux version whose manifests and defaults this build was checked against.
    pub flux_version: String,
    /// Every plan option at Flux's default (`url` empty). In TS every field is present but the
    /// two that default to "none" (`sshKeyAlgorithm`, `existingKustomization`).
    #[cfg_attr(feature = "ts", ts(type = "PlanDefaults"))]
    pub options: plan::Options,
    /// The optional components `--components-extra` may name.
    pub components_extra: Vec<String>,
    /// The values `--log-level` takes.
    pub log_levels: Vec<String>,
    /// `--ssh-rsa-bits` when none is given.
    pub rsa_bits: u32,
    /// `--timeout` when none is given, a Go duration.
    pub timeout: String,
    /// The oldest Kubernetes version Flux supports, `major.minor`.
    pub min_kubernetes_version: String,
    /// `--push-retries` when none is given.
    pub push_retries: u32,
    /// The first push retry's backoff ceiling (ms), doubled per retry (full jitter below it).
    pub push_backoff_ms: u32,
    /// The push retry backoff ceiling's upper bound (ms).
    pub push_backoff_max_ms: u32,
    /// `check --warn-days`: days before a PAT's expiry that `check` warns.
    pub pat_warn_days: u32,
}

pub fn defaults() -> Defaults {
    let owned = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
    Defaults {
        flux_version: crate::FLUX_VERSION.to_owned(),
        options: plan::Options::default(),
        components_extra: owned(&EXTRA_COMPONENTS),
        log_levels: owned(&LOG_LEVELS),
        rsa_bits: DEFAULT_RSA_BITS,
        timeout: TIMEOUT.to_owned(),
        min_kubernetes_version: MIN_KUBERNETES_VERSION.to_owned(),
        push_retries: PUSH_RETRIES,
        push_backoff_ms: PUSH_BACKOFF_MS,
        push_backoff_max_ms: PUSH_BACKOFF_MAX_MS,
        pat_warn_days: crate::credentials::PAT_WARN_DAYS,
    }
}
