//! `flux-azdo check`: the judgement over what the host read from a cluster. The host gathers
//! facts (objects, conditions, the Secret's keys, a PAT's `validTo`); this module says what is
//! wrong, how bad it is and what to do, so every front end reports the same findings.

use serde::{Deserialize, Serialize};

use crate::credentials::{
    self, CredentialFacts, CredentialKind, PatExpiry, PatExpiryOptions, PatExpiryStatus,
};
use crate::defaults::MIN_KUBERNETES_VERSION;
use crate::error::Result;

/// One Flux controller Deployment as the host found it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ComponentFact {
    pub name: String,
    pub found: bool,
    /// Available replicas ≥ 1.
    pub ready: bool,
    /// The container image, `registry/name:tag`.
    pub image: String,
}

/// A Flux object's state (GitRepository or Kustomization), as its status reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FluxObjectFact {
    pub found: bool,
    /// The Ready condition's status: `True`, `False`, `Unknown`, or empty when there is none.
    pub ready: String,
    pub reason: String,
    pub message: String,
    pub suspended: bool,
}

/// A PAT's expiry as the lifecycle API gave it, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PatFact {
    /// `validTo` in Unix milliseconds, when the PAT was found.
    pub valid_to_ms: Option<f64>,
    /// Why the expiry is unknown (no Entra credential, no match, the API refused).
    pub unavailable: String,
}

/// Everything `check` judges.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CheckFacts {
    pub namespace: String,
    pub namespace_found: bool,
    /// The API server's `major.minor[.patch]`.
    pub kubernetes_version: String,
    /// The Flux Deployments found in the namespace (`app.kubernetes.io/part-of=flux`).
    pub components: Vec<ComponentFact>,
    pub git_repository: FluxObjectFact,
    pub kustomization: FluxObjectFact,
    /// `spec.url`/`spec.provider` of the GitRepository and the Secret's keys.
    pub credential: CredentialFacts,
    pub secret_name: String,
    pub secret_found: bool,
    pub pat: PatFact,
    pub now_ms: f64,
    /// `--warn-days`.
    pub warn_days: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// One thing `check` has to say: a stable `code` to match on, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// UPPER_SNAKE, stable (see the README's check table).
    pub code: String,
    pub severity: Severity,
    /// What it is about, e.g. `GitRepository/flux-system/flux-system`.
    pub subject: String,
    pub message: String,
    /// What to do; empty for information.
    pub remedy: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum CheckStatus {
    Healthy,
    /// Works, but something needs attention (a PAT near its end, a suspended object).
    Warnings,
    Unhealthy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    pub status: CheckStatus,
    pub credential: CredentialKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub pat_expiry: Option<PatExpiry>,
    pub findings: Vec<Finding>,
}

/// The controllers the bootstrapped GitRepository and Kustomization need.
const REQUIRED_COMPONENTS: [&str; 2] = ["source-controller", "kustomize-controller"];

/// Words in source-controller's Ready message that mean the repository refused the credential.
const AUTH_FAILURE_MARKS: [&str; 7] = [
    "authentication required",
    "authorization failed",
    "unable to authenticate",
    "401",
    "403",
    "permission denied",
    "no supported methods remain",
];

pub fn evaluate(facts: &CheckFacts) -> Result<CheckReport> {
    let ns = &facts.namespace;
    let mut out = Vec::new();
    let mut add = |code: &str, severity, subject: String, message: String, remedy: &str| {
        out.push(Finding {
            code: code.to_owned(),
            severity,
            subject,
            message,
            remedy: remedy.to_owned(),
        });
    };
    let bootstrap_again = "run `flux-azdo bootstrap git` again with the same flags: it converges from any half-done state";
    if !supported(&facts.kubernetes_version) {
        add("KUBE_VERSION_UNSUPPORTED", Severity::Error, "cluster".into(),
            format!("Kubernetes {} is older than {MIN_KUBERNETES_VERSION}, the oldest this Flux supports", facts.kubernetes_version),
            "upgrade the cluster or use an older Flux (--version)");
    }
    if !facts.namespace_found {
        add(
            "NAMESPACE_MISSING",
            Severity::Error,
            format!("Namespace/{ns}"),
            format!("namespace {ns} does not exist: Flux is not installed here"),
            "run `flux-azdo bootstrap git` (or pass --namespace if Flux runs elsewhere)",
        );
    }
    for required in REQUIRED_COMPONENTS {
        if !facts
            .components
            .iter()
            .any(|c| c.found && c.name == required)
        {
            add(
                "COMPONENT_MISSING",
                Severity::Error,
                format!("Deployment/{ns}/{required}"),
                format!("{required} is not installed; the sync needs it"),
                bootstrap_again,
            );
        }
    }
    for c in facts.components.iter().filter(|c| c.found && !c.ready) {
        add("COMPONENT_NOT_READY", Severity::Error, format!("Deployment/{ns}/{}", c.name),
            format!("{} has no available replica", c.name),
            "look at its pods (`kubectl -n <namespace> describe deployment <name>`): image pulls, resources, crash loops");
    }
    let source = format!("GitRepository/{ns}/{ns}");
    let kind = if facts.git_repository.found {
        credentials::credential_kind(&facts.credential)?
    } else {
        CredentialKind::None
    };
    if !facts.git_repository.found {
        add(
            "GIT_REPOSITORY_MISSING",
            Severity::Error,
            source.clone(),
            "the sync GitRepository does not exist: bootstrap did not get to its sync step".into(),
            bootstrap_again,
        );
    } else {
        judge_source(facts, kind, &source, &mut add);
    }
    let ks = format!("Kustomization/{ns}/{ns}");
    if !facts.kustomization.found {
        add(
            "KUSTOMIZATION_MISSING",
            Severity::Error,
            ks,
            "the sync Kustomization does not exist".into(),
            bootstrap_again,
        );
    } else {
        judge_object(&facts.kustomization, "KUSTOMIZATION", &ks, &mut add);
    }
    let pat_expiry = judge_pat(facts, kind, &mut add);
    let worst = out.iter().map(|f| f.severity).max();
    let status = match worst {
        Some(Severity::Error) => CheckStatus::Unhealthy,
        Some(Severity::Warning) => CheckStatus::Warnings,
        _ => CheckStatus::Healthy,
    };
    Ok(CheckReport {
        status,
        credential: kind,
        pat_expiry,
        findings: out,
    })
}

type Add<'a> = dyn FnMut(&str, Severity, String, String, &str) + 'a;

fn judge_source(facts: &CheckFacts, kind: CredentialKind, subject: &str, add: &mut Add<'_>) {
    let secret = format!("Secret/{}/{}", facts.namespace, facts.secret_name);
    if kind != CredentialKind::WorkloadIdentity && !facts.secret_found {
        add(
            "SECRET_MISSING",
            Severity::Error,
            secret,
            "the Git credential Secret does not exist".into(),
            "run `flux-azdo rotate` to write a new credential",
        );
    } else if kind == CredentialKind::None {
        add(
            "CREDENTIAL_MISSING",
            Severity::Error,
            secret,
            "the Git Secret holds no credential the GitRepository's URL can use".into(),
            "run `flux-azdo rotate` to write a new credential",
        );
    }
    let repo = &facts.git_repository;
    let lower = repo.message.to_lowercase();
    if repo.ready == "False" && AUTH_FAILURE_MARKS.iter().any(|m| lower.contains(m)) {
        add("GIT_AUTH_FAILED", Severity::Error, subject.to_owned(),
            format!("the repository refused the credential: {}", repo.message),
            "the PAT expired or was revoked, or the deploy key was removed: run `flux-azdo rotate` with a new one");
        return;
    }
    judge_object(repo, "GIT_REPOSITORY", subject, add);
}

fn judge_object(obj: &FluxObjectFact, prefix: &str, subject: &str, add: &mut Add<'_>) {
    if obj.suspended {
        add(
            &format!("{prefix}_SUSPENDED"),
            Severity::Warning,
            subject.to_owned(),
            "reconciliation is suspended".into(),
            "resume it (`flux resume`) when the pause is over",
        );
    }
    if obj.ready != "True" {
        let state = if obj.ready.is_empty() {
            "has not reported yet".to_owned()
        } else {
            format!("is not ready ({}): {}", obj.reason, obj.message)
        };
        add(
            &format!("{prefix}_NOT_READY"),
            Severity::Error,
            subject.to_owned(),
            format!("{subject} {state}"),
            "read the controller's reason above; `flux-azdo check` again after fixing it",
        );
    }
}

fn judge_pat(facts: &CheckFacts, kind: CredentialKind, add: &mut Add<'_>) -> Option<PatExpiry> {
    if !matches!(kind, CredentialKind::Token | CredentialKind::Bearer) {
        return None;
    }
    let subject = format!("Secret/{}/{}", facts.namespace, facts.secret_name);
    let Some(valid_to_ms) = facts.pat.valid_to_ms else {
        add("PAT_EXPIRY_UNKNOWN", Severity::Info, subject,
            format!("the PAT's expiry could not be read: {}", facts.pat.unavailable),
            "pass --azure-credential to read it from the PAT lifecycle API (it needs a Microsoft Entra user token)");
        return None;
    };
    let expiry = credentials::pat_expiry(&PatExpiryOptions {
        valid_to_ms,
        now_ms: facts.now_ms,
        warn_days: facts.warn_days.unwrap_or(credentials::PAT_WARN_DAYS),
    });
    match expiry.status {
        PatExpiryStatus::Expired => add(
            "PAT_EXPIRED",
            Severity::Error,
            subject,
            "the PAT in the Secret has expired".into(),
            "create a new PAT (Code: Read) and run `flux-azdo rotate`",
        ),
        PatExpiryStatus::Expiring => add(
            "PAT_EXPIRING",
            Severity::Warning,
            subject,
            format!(
                "the PAT in the Secret expires in {} day(s)",
                expiry.days_left
            ),
            "create a new PAT (Code: Read) and run `flux-azdo rotate` before it expires",
        ),
        PatExpiryStatus::Valid => {}
    }
    Some(expiry)
}

/// `major.minor` at least Flux's minimum.
fn supported(version: &str) -> bool {
    let parse = |v: &str| -> Option<(u32, u32)> {
        let mut parts = v.trim_start_matches('v').split('.');
        let major = parts.next()?.parse().ok()?;
        let minor: String = parts
            .next()?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some((major, minor.parse().ok()?))
    };
    match (parse(version), parse(MIN_KUBERNETES_VERSION)) {
        (Some(have), Some(min)) => have >= min,
        // Unknown (not read): nothing to report.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> CheckFacts {
        let ready = FluxObjectFact {
            found: true,
            ready: "True".into(),
            ..FluxObjectFact::default()
        };
        CheckFacts {
            namespace: "flux-system".into(),
            namespace_found: true,
            kubernetes_version: "1.34.1".into(),
            components: REQUIRED_COMPONENTS
                .iter()
                .map(|n| ComponentFact {
                    name: (*n).into(),
                    found: true,
                    ready: true,
                    image: String::new(),
                })
                .collect(),
            git_repository: ready.clone(),
            kustomization: ready,
            credential: CredentialFacts {
                url: "https://dev.azure.com/o/p/_git/r".into(),
                provider: String::new(),
                secret_keys: vec!["username".into(), "password".into()],
            },
            secret_name: "flux-system".into(),
            secret_found: true,
            pat: PatFact {
                valid_to_ms: Some(100.0 * DAY),
                unavailable: String::new(),
            },
            now_ms: 0.0,
            warn_days: None,
        }
    }
    const DAY: f64 = 86_400_000.0;

    fn codes(report: &CheckReport) -> Vec<&str> {
        report.findings.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn a_healthy_cluster_has_no_findings() {
        let report = evaluate(&healthy()).expect("must succeed");
        assert_eq!(report.status, CheckStatus::Healthy);
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        assert_eq!(report.credential, CredentialKind::Token);
    }

    #[test]
    fn an_auth_failure_names_rotate() {
        let mut facts = healthy();
        facts.git_repository.ready = "False".into();
        facts.git_repository.message =
            "failed to checkout and determine revision: unable to list remote: authentication required".into();
        let report = evaluate(&facts).expect("must succeed");
        assert_eq!(report.status, CheckStatus::Unhealthy);
        assert_eq!(codes(&report), ["GIT_AUTH_FAILED"]);
        assert!(report.findings[0].remedy.contains("flux-azdo rotate"));
    }

    #[test]
    fn a_pat_near_its_end_warns_and_an_unknown_expiry_only_informs() {
        let mut facts = healthy();
        facts.pat.valid_to_ms = Some(3.0 * DAY);
        let report = evaluate(&facts).expect("must succeed");
        assert_eq!(report.status, CheckStatus::Warnings);
        assert_eq!(codes(&report), ["PAT_EXPIRING"]);
        facts.pat = PatFact {
            valid_to_ms: None,
            unavailable: "no --azure-credential".into(),
        };
        let report = evaluate(&facts).expect("must succeed");
        assert_eq!(report.status, CheckStatus::Healthy);
        assert_eq!(codes(&report), ["PAT_EXPIRY_UNKNOWN"]);
    }

    #[test]
    fn a_half_installed_cluster_lists_what_is_missing() {
        let mut facts = healthy();
        facts.git_repository = FluxObjectFact::default();
        facts.kustomization = FluxObjectFact::default();
        facts.components[1].found = false;
        facts.kubernetes_version = "1.20.0".into();
        let report = evaluate(&facts).expect("must succeed");
        assert_eq!(
            codes(&report),
            [
                "KUBE_VERSION_UNSUPPORTED",
                "COMPONENT_MISSING",
                "GIT_REPOSITORY_MISSING",
                "KUSTOMIZATION_MISSING"
            ]
        );
    }
}
