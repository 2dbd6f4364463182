//! The credential lifecycle after bootstrap: which credential a cluster's Git Secret holds,
//! what `rotate` replaces it with, and how close a PAT is to its expiry. The host reads the
//! cluster and the clock; the decisions are made here.

use serde::{Deserialize, Serialize};

use crate::azure_url::{self, PushTarget};
use crate::error::{Error, Result};
use crate::keys::{EcdsaCurve, KeyAlgorithm, DEFAULT_RSA_BITS};
use crate::plan::{self, DeployKeySpec};
use crate::secret::{BEARER_TOKEN_KEY, IDENTITY_KEY, PASSWORD_KEY, USERNAME_KEY};

/// `--warn-days`: how many days before a PAT's `validTo` `check` warns.
pub const PAT_WARN_DAYS: u32 = 14;

/// What the cluster authenticates to the repository with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum CredentialKind {
    /// HTTPS basic auth with a PAT (`username` + `password`).
    Token,
    /// HTTPS with the PAT as a bearer token (`bearerToken`).
    Bearer,
    /// SSH with a deploy key (`identity`).
    Ssh,
    /// Azure workload identity (`provider: azure`): the Secret holds no credential.
    WorkloadIdentity,
    /// Nothing the URL's transport can use: the Secret is missing or lacks the keys.
    None,
}

/// What the host read from the cluster about the sync credential.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CredentialFacts {
    /// The GitRepository's `spec.url`.
    pub url: String,
    /// The GitRepository's `spec.provider` (empty: `generic`).
    pub provider: String,
    /// The keys of the Git Secret's `data` (empty when there is no Secret).
    pub secret_keys: Vec<String>,
}

/// The credential in use, by Flux's rules: `provider: azure` wins over any Secret; otherwise
/// the URL's transport decides which of the Secret's keys source-controller reads.
pub fn credential_kind(facts: &CredentialFacts) -> Result<CredentialKind> {
    if facts.provider == "azure" {
        return Ok(CredentialKind::WorkloadIdentity);
    }
    let has = |key: &str| facts.secret_keys.iter().any(|k| k == key);
    let target = azure_url::parse(&facts.url)?.push_target(&[])?;
    Ok(match target {
        PushTarget::Ssh { .. } if has(IDENTITY_KEY) => CredentialKind::Ssh,
        PushTarget::Https { .. } if has(BEARER_TOKEN_KEY) => CredentialKind::Bearer,
        PushTarget::Https { .. } if has(USERNAME_KEY) && has(PASSWORD_KEY) => CredentialKind::Token,
        _ => CredentialKind::None,
    })
}

/// Options of `rotationPlan`: the cluster's facts and the flags of `rotate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "RotationOptions", optional_fields)
)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RotationOptions {
    /// What the cluster holds now.
    pub facts: CredentialFacts,
    /// The kind the user asked for (`--token-auth` → token, `--private-key-file` → ssh);
    /// unset: the kind in use.
    pub to: Option<CredentialKind>,
    /// `--ssh-key-algorithm` for a generated key; unset as in bootstrap.
    pub ssh_key_algorithm: Option<KeyAlgorithm>,
    /// `--ssh-rsa-bits`.
    pub ssh_rsa_bits: u32,
    /// `--ssh-ecdsa-curve`.
    pub ssh_ecdsa_curve: EcdsaCurve,
}

impl Default for RotationOptions {
    fn default() -> Self {
        Self {
            facts: CredentialFacts::default(),
            to: None,
            ssh_key_algorithm: None,
            ssh_rsa_bits: DEFAULT_RSA_BITS,
            ssh_ecdsa_curve: EcdsaCurve::default(),
        }
    }
}

/// What `rotate` does: the credential it replaces and, for SSH, the key to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RotationPlan {
    /// The credential in the Secret now, which is also the one written (see `CredentialKindSwitch`).
    pub kind: CredentialKind,
    /// A loaded or generated deploy key must be RSA (Azure DevOps).
    pub requires_rsa: bool,
    /// The key to generate when no `--private-key-file` is given.
    pub deploy_key: DeployKeySpec,
    /// Where the user adds the new public key (Azure DevOps Services' SSH keys page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub deploy_key_page: Option<String>,
    /// How flux-azdo proves the new credential from where it runs: the GitRepository's URL.
    pub probe: PushTarget,
}

/// Plans a rotation. A credential the GitRepository's URL cannot use (a PAT for an `ssh://`
/// URL, a key for `https://`) is refused: the URL lives in Git, and `rotate` commits nothing.
pub fn rotation_plan(options: &RotationOptions) -> Result<RotationPlan> {
    let repo = azure_url::parse(&options.facts.url)?;
    let kind = credential_kind(&options.facts)?;
    let probe = repo.push_target(&[])?;
    let over_ssh = matches!(probe, PushTarget::Ssh { .. });
    let current = match kind {
        CredentialKind::WorkloadIdentity => return Err(Error::CredentialNotRotatable {
            reason: "the GitRepository uses Azure workload identity (provider: azure); its tokens are short-lived and rotate themselves".to_owned(),
        }),
        // A missing or emptied Secret: write what the URL's transport needs.
        CredentialKind::None if over_ssh => CredentialKind::Ssh,
        CredentialKind::None => CredentialKind::Token,
        other => other,
    };
    if let Some(to) = options.to {
        let compatible = match to {
            CredentialKind::Ssh => over_ssh,
            CredentialKind::Token | CredentialKind::Bearer => !over_ssh,
            CredentialKind::WorkloadIdentity | CredentialKind::None => false,
        };
        if !compatible || (to != current && !matches!(kind, CredentialKind::None)) {
            return Err(Error::CredentialKindSwitch {
                from: kind_name(kind).to_owned(),
                to: kind_name(to).to_owned(),
                url: options.facts.url.clone(),
            });
        }
    }
    let requires_rsa = repo.is_azure_devops();
    let key_options = plan::Options {
        ssh_key_algorithm: options.ssh_key_algorithm,
        ssh_rsa_bits: options.ssh_rsa_bits,
        ssh_ecdsa_curve: options.ssh_ecdsa_curve,
        ..plan::Options::default()
    };
    Ok(RotationPlan {
        kind: current,
        requires_rsa,
        deploy_key: plan::deploy_key(&key_options, requires_rsa && over_ssh)?,
        deploy_key_page: repo.deploy_key_page(),
        probe,
    })
}

fn kind_name(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::Token => "a PAT",
        CredentialKind::Bearer => "a bearer token",
        CredentialKind::Ssh => "an SSH deploy key",
        CredentialKind::WorkloadIdentity => "workload identity",
        CredentialKind::None => "no credential",
    }
}

/// Options of `patExpiry`: a PAT's `validTo` and the clock, both as Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PatExpiryOptions {
    /// `validTo` from the PAT lifecycle API.
    pub valid_to_ms: f64,
    pub now_ms: f64,
    /// `--warn-days`.
    pub warn_days: u32,
}

impl Default for PatExpiryOptions {
    fn default() -> Self {
        Self {
            valid_to_ms: 0.0,
            now_ms: 0.0,
            warn_days: PAT_WARN_DAYS,
        }
    }
}

/// How close a PAT is to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum PatExpiryStatus {
    Valid,
    /// Within `--warn-days` of `validTo`.
    Expiring,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PatExpiry {
    pub status: PatExpiryStatus,
    /// Whole days left (rounded down; negative once expired).
    pub days_left: f64,
}

const DAY_MS: f64 = 86_400_000.0;

pub fn pat_expiry(options: &PatExpiryOptions) -> PatExpiry {
    let left = options.valid_to_ms - options.now_ms;
    let status = if left <= 0.0 {
        PatExpiryStatus::Expired
    } else if left <= f64::from(options.warn_days) * DAY_MS {
        PatExpiryStatus::Expiring
    } else {
        PatExpiryStatus::Valid
    };
    PatExpiry {
        status,
        days_left: (left / DAY_MS).floor(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(url: &str, provider: &str, keys: &[&str]) -> CredentialFacts {
        CredentialFacts {
            url: url.to_owned(),
            provider: provider.to_owned(),
            secret_keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        }
    }

    const HTTPS: &str = "https://dev.azure.com/org/project/_git/repo";
    const SSH: &str = "ssh://git@ssh.dev.azure.com/v3/org/project/repo";

    #[test]
    fn kind_follows_the_url_and_the_secret_keys() {
        let kind = |f: &CredentialFacts| credential_kind(f).expect("must succeed");
        assert_eq!(
            kind(&facts(HTTPS, "", &["username", "password"])),
            CredentialKind::Token
        );
        assert_eq!(
            kind(&facts(HTTPS, "", &["bearerToken"])),
            CredentialKind::Bearer
        );
        assert_eq!(
            kind(&facts(
                SSH,
                "",
                &["identity", "identity.pub", "known_hosts"]
            )),
            CredentialKind::Ssh
        );
        // A key for an https URL is not used by source-controller.
        assert_eq!(kind(&facts(HTTPS, "", &["identity"])), CredentialKind::None);
        assert_eq!(
            kind(&facts(HTTPS, "azure", &["username", "password"])),
            CredentialKind::WorkloadIdentity
        );
    }

    #[test]
    fn rotation_keeps_the_kind_and_refuses_a_switch_or_workload_identity() {
        let options = |url: &str, keys: &[&str], to: Option<CredentialKind>| RotationOptions {
            facts: facts(url, "", keys),
            to,
            ..RotationOptions::default()
        };
        let ssh = rotation_plan(&options(SSH, &["identity"], None)).expect("must succeed");
        assert_eq!(ssh.kind, CredentialKind::Ssh);
        assert!(ssh.requires_rsa);
        assert_eq!(ssh.deploy_key.algorithm, KeyAlgorithm::Rsa);
        assert_eq!(
            ssh.deploy_key_page.as_deref(),
            Some("https://dev.azure.com/org/_usersSettings/keys")
        );
        let switch = rotation_plan(&options(
            HTTPS,
            &["username", "password"],
            Some(CredentialKind::Ssh),
        ))
        .expect_err("must fail");
        assert_eq!(switch.code(), crate::ErrorCode::CredentialKindSwitch);
        let wi = rotation_plan(&RotationOptions {
            facts: facts(HTTPS, "azure", &[]),
            ..RotationOptions::default()
        })
        .expect_err("must fail");
        assert_eq!(wi.code(), crate::ErrorCode::CredentialNotRotatable);
        // An emptied Secret gets what the URL needs.
        assert_eq!(
            rotation_plan(&options(HTTPS, &[], None))
                .expect("must succeed")
                .kind,
            CredentialKind::Token
        );
    }

    #[test]
    fn expiry_warns_within_the_window() {
        let at = |days: f64| {
            pat_expiry(&PatExpiryOptions {
                valid_to_ms: days * DAY_MS,
                now_ms: 0.0,
                warn_days: 14,
            })
            .status
        };
        assert_eq!(at(30.0), PatExpiryStatus::Valid);
        assert_eq!(at(14.0), PatExpiryStatus::Expiring);
        assert_eq!(at(0.5), PatExpiryStatus::Expiring);
        assert_eq!(at(-1.0), PatExpiryStatus::Expired);
    }
}
