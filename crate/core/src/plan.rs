//! The repository half of a bootstrap, as one pure function: from the bootstrap options (the
//! flags of `flux bootstrap git` that shape files) to the three files bootstrap commits, the
//! sync URL, and the decisions that follow from the URL (Azure DevOps SSH needs RSA keys and the
//! `--ssh-hostkey-algos` patch).

use serde::{Deserialize, Serialize};

use crate::azure_url::{self, HostKind, Repo, SyncUrl, SyncUrlOptions};
use crate::bundle::Bundle;
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::options::DEFAULT_NAMESPACE;
use crate::yaml::{self, Node};
use crate::{install, kustomization, sync};

/// The host key algorithms Azure DevOps SSH accepts; the default there.
pub const AZURE_DEVOPS_HOSTKEY_ALGOS: [&str; 2] = ["rsa-sha2-512", "rsa-sha2-256"];

/// Every option that shapes the repository files, flat, named as the CLI flags in camelCase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "PlanOptions", optional_fields)
)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Options {
    pub url: String,
    pub branch: String,
    pub path: String,
    pub interval: String,
    pub token_auth: bool,
    pub with_bearer_token: bool,
    pub username: String,
    pub ssh_hostname: String,
    pub ssh_hostkey_algos: Vec<String>,
    pub allow_insecure_http: bool,
    pub secret_name: String,
    pub recurse_submodules: bool,
    pub sparse_checkout: Vec<String>,
    /// `azure`: the cluster syncs with Azure workload identity (no Secret).
    pub provider: String,
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
    /// The `<path>/<namespace>/kustomization.yaml` already in the repository, kept as it is.
    pub existing_kustomization: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        let install = install::Options::default();
        let sync = sync::Options::default();
        Self {
            url: String::new(),
            branch: sync.branch,
            path: String::new(),
            interval: sync.interval,
            token_auth: false,
            with_bearer_token: false,
            username: "git".to_owned(),
            ssh_hostname: String::new(),
            ssh_hostkey_algos: Vec::new(),
            allow_insecure_http: false,
            secret_name: DEFAULT_NAMESPACE.to_owned(),
            recurse_submodules: false,
            sparse_checkout: Vec::new(),
            provider: String::new(),
            version: install.version,
            namespace: install.namespace,
            components: install.components,
            components_extra: install.components_extra,
            registry: install.registry,
            image_pull_secret: install.image_pull_secret,
            watch_all_namespaces: install.watch_all_namespaces,
            network_policy: install.network_policy,
            log_level: install.log_level,
            cluster_domain: install.cluster_domain,
            toleration_keys: install.toleration_keys,
            existing_kustomization: None,
        }
    }
}

/// How the cluster will authenticate to the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SyncAuth"))]
#[serde(rename_all = "camelCase")]
pub enum SyncAuth {
    /// HTTPS with the PAT (`--token-auth`).
    Token,
    /// HTTPS with the PAT as a bearer token (`--with-bearer-token`).
    Bearer,
    /// SSH with a deploy key.
    Ssh,
    /// Azure workload identity (`provider: azure`): no Secret at all.
    WorkloadIdentity,
}

/// What bootstrap will commit, and the facts the host needs to do the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub repo: Repo,
    pub sync_url: SyncUrl,
    pub sync_auth: SyncAuth,
    /// `<path>/<namespace>/gotk-components.yaml`.
    pub components: Manifest,
    /// `<path>/<namespace>/gotk-sync.yaml`.
    pub sync: Manifest,
    /// `<path>/<namespace>/kustomization.yaml` (the existing file, with the host key patch
    /// added where needed).
    pub kustomization: Manifest,
    /// Whether `kustomization` differs from the existing file.
    pub kustomization_changed: bool,
    /// The host key algorithms the controllers are patched with (empty: no patch).
    pub ssh_hostkey_algos: Vec<String>,
    /// The SSH key algorithm to generate when no key is given: `rsa` for Azure DevOps
    /// (the only one it accepts), `ecdsa` elsewhere (Flux's default).
    pub default_key_algorithm: String,
    /// `kustomization.yaml` goes into the first (components) commit: the controllers must
    /// carry the host key flag from their first start to reach Azure DevOps over SSH.
    pub kustomization_in_components_commit: bool,
    /// What the host applies to the cluster for the components: `gotk-components.yaml` with
    /// the host key patch of `kustomization.yaml` already applied (the host has no kustomize).
    pub cluster_components: String,
}

/// Plans the repository files of a bootstrap.
pub fn plan(options: &Options, bundle: &Bundle) -> Result<Plan> {
    let repo = azure_url::parse(&options.url)?;
    let sync_auth = if options.provider == "azure" {
        SyncAuth::WorkloadIdentity
    } else if options.with_bearer_token {
        SyncAuth::Bearer
    } else if options.token_auth {
        SyncAuth::Token
    } else {
        SyncAuth::Ssh
    };
    let sync_url = repo.sync_url(&SyncUrlOptions {
        token_auth: sync_auth != SyncAuth::Ssh,
        username: options.username.clone(),
        ssh_hostname: options.ssh_hostname.clone(),
        allow_insecure_http: options.allow_insecure_http,
    })?;
    let is_azure = matches!(
        repo.kind,
        HostKind::AzureDevOpsServices | HostKind::AzureDevOpsServer
    );

    // Flux applies --ssh-hostkey-algos only to its own connection; the controllers need the
    // patch too, and for Azure DevOps they need it whether or not the user knew to ask.
    let ssh_hostkey_algos: Vec<String> = if sync_auth != SyncAuth::Ssh {
        Vec::new()
    } else if !options.ssh_hostkey_algos.is_empty() {
        options.ssh_hostkey_algos.clone()
    } else if is_azure {
        AZURE_DEVOPS_HOSTKEY_ALGOS
            .iter()
            .map(|a| (*a).to_owned())
            .collect()
    } else {
        Vec::new()
    };

    let components = install::generate(
        &install::Options {
            version: options.version.clone(),
            namespace: options.namespace.clone(),
            components: options.components.clone(),
            components_extra: options.components_extra.clone(),
            registry: options.registry.clone(),
            image_pull_secret: options.image_pull_secret.clone(),
            watch_all_namespaces: options.watch_all_namespaces,
            network_policy: options.network_policy,
            log_level: options.log_level.clone(),
            cluster_domain: options.cluster_domain.clone(),
            toleration_keys: options.toleration_keys.clone(),
            target_path: options.path.clone(),
        },
        bundle,
    )?;
    let sync = sync::generate(&sync::Options {
        url: sync_url.url.clone(),
        namespace: options.namespace.clone(),
        branch: options.branch.clone(),
        interval: options.interval.clone(),
        secret_name: options.secret_name.clone(),
        target_path: options.path.clone(),
        recurse_submodules: options.recurse_submodules,
        sparse_checkout: options.sparse_checkout.clone(),
        provider: options.provider.clone(),
        ..sync::Options::default()
    })?;
    let kustomization = kustomization::generate(&kustomization::Options {
        namespace: options.namespace.clone(),
        target_path: options.path.clone(),
        existing: options.existing_kustomization.clone(),
        ssh_hostkey_algos: ssh_hostkey_algos.clone(),
    })?;

    let cluster_components = with_hostkey_algos(&components.content, &ssh_hostkey_algos)?;
    Ok(Plan {
        cluster_components,
        default_key_algorithm: if is_azure { "rsa" } else { "ecdsa" }.to_owned(),
        kustomization_in_components_commit: !ssh_hostkey_algos.is_empty(),
        repo,
        sync_url,
        sync_auth,
        components,
        sync,
        kustomization: kustomization.manifest,
        kustomization_changed: kustomization.changed,
        ssh_hostkey_algos,
    })
}

/// Applies the `--ssh-hostkey-algos` patch of `kustomization.yaml` to the components, as
/// kustomize would: the flag is appended to the first container's args of the Deployments the
/// patch targets.
pub fn with_hostkey_algos(components: &str, algos: &[String]) -> Result<String> {
    if algos.is_empty() {
        return Ok(components.to_owned());
    }
    let flag = format!("--ssh-hostkey-algos={}", algos.join(","));
    let mut docs = yaml::parse_documents(kustomization::MANIFEST_FILE, components)?;
    for doc in docs.iter_mut().filter(|d| d.kind() == "Deployment") {
        let name = doc.name();
        if !HOSTKEY_PATCH_TARGETS.contains(&name.as_str()) {
            continue;
        }
        let args = doc
            .at_mut(&["spec", "template", "spec", "containers"])
            .and_then(Node::as_seq_mut)
            .and_then(|containers| containers.first_mut())
            .and_then(|container| container.get_mut("args"))
            .and_then(Node::as_seq_mut)
            .ok_or_else(|| Error::InvalidBundle {
                reason: format!("Deployment {name} has no container args to add {flag} to"),
            })?;
        args.push(Node::str(flag.clone()));
    }
    Ok(yaml::documents_to_string(&docs))
}

/// The Deployments the host key patch targets (`(source-controller|image-automation-controller)`).
const HOSTKEY_PATCH_TARGETS: [&str; 2] = ["source-controller", "image-automation-controller"];
