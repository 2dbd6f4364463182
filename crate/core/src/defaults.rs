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

/// HTTP statuses of a Git request that mean "the server is busy or failed for a moment": Azure
/// DevOps answers 429 (rate limit) and 503 with `Retry-After`; 500, 502 and 504 come from its
/// front ends and proxies. Every other status is an answer that a retry would only repeat.
pub const GIT_RETRY_STATUSES: [u16; 5] = [429, 500, 502, 503, 504];

/// How often a Git request answered with one of `GIT_RETRY_STATUSES` is sent again before the
/// step fails (a push only after checking that the branch did not move: it never lands twice).
pub const GIT_HTTP_RETRIES: u32 = 4;

/// The first wait (ms) before such a retry when the server sends no `Retry-After`; it doubles per
/// retry up to `GIT_HTTP_BACKOFF_MAX_MS`, with full jitter below it.
pub const GIT_HTTP_BACKOFF_MS: u32 = 500;

/// The upper bound (ms) of that wait.
pub const GIT_HTTP_BACKOFF_MAX_MS: u32 = 8_000;

/// The longest `Retry-After` (ms) honoured: a server asking for a longer wait fails the step at
/// once with its status, rather than holding a CI job for minutes (`--timeout` bounds it too).
pub const GIT_RETRY_AFTER_MAX_MS: u32 = 60_000;

/// How long the SSH handshake (banner, key exchange, authentication) may take (ms), within
/// `--timeout`: a server that accepts and never speaks fails with TIMEOUT.
pub const SSH_READY_TIMEOUT_MS: u32 = 30_000;

/// SSH keepalive interval (ms); `SSH_KEEPALIVE_COUNT_MAX` unanswered in a row end the connection.
/// A push never waits a minute for the server, so 4 × 15 s silent is a dead connection.
pub const SSH_KEEPALIVE_INTERVAL_MS: u32 = 15_000;

/// Unanswered SSH keepalives in a row that end the connection.
pub const SSH_KEEPALIVE_COUNT_MAX: u32 = 4;

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
    /// Git over HTTPS: the statuses retried (429, 5xx from Azure DevOps' front ends).
    pub git_retry_statuses: Vec<u16>,
    /// Retries of a Git request answered with one of `gitRetryStatuses`.
    pub git_http_retries: u32,
    /// The first wait (ms) of such a retry without `Retry-After`, doubled per retry (full jitter).
    pub git_http_backoff_ms: u32,
    /// The upper bound (ms) of that wait.
    pub git_http_backoff_max_ms: u32,
    /// The longest `Retry-After` (ms) honoured; a longer one fails the step at once.
    pub git_retry_after_max_ms: u32,
    /// The SSH handshake's time limit (ms), within `--timeout`.
    pub ssh_ready_timeout_ms: u32,
    /// The SSH keepalive interval (ms).
    pub ssh_keepalive_interval_ms: u32,
    /// Unanswered SSH keepalives in a row that end the connection.
    pub ssh_keepalive_count_max: u32,
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
        git_retry_statuses: GIT_RETRY_STATUSES.to_vec(),
        git_http_retries: GIT_HTTP_RETRIES,
        git_http_backoff_ms: GIT_HTTP_BACKOFF_MS,
        git_http_backoff_max_ms: GIT_HTTP_BACKOFF_MAX_MS,
        git_retry_after_max_ms: GIT_RETRY_AFTER_MAX_MS,
        ssh_ready_timeout_ms: SSH_READY_TIMEOUT_MS,
        ssh_keepalive_interval_ms: SSH_KEEPALIVE_INTERVAL_MS,
        ssh_keepalive_count_max: SSH_KEEPALIVE_COUNT_MAX,
    }
}
