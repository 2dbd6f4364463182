//! The repository half of a bootstrap, as one pure function: from the bootstrap options (the
//! flags of `flux bootstrap git` that shape files) to the three files bootstrap commits, the
//! sync URL, and every decision that follows from the options and the URL (how the CLI pushes,
//! which deploy key, the `--ssh-hostkey-algos` patch, the commits), so the host decides nothing.

use serde::{Deserialize, Serialize};

use crate::azure_url::{self, PushTarget, Repo, SyncUrl, SyncUrlOptions};
use crate::bundle::Bundle;
use crate::entra::{self, EntraPush, PushCredential, PushCredentials};
use crate::error::{Error, Result};
use crate::image_pull_secret::{self, ImagePullSecretPlan};
use crate::keys::{self, EcdsaCurve, KeyAlgorithm};
use crate::manifest::Manifest;
use crate::options::{clean_target_path, DEFAULT_NAMESPACE};
use crate::pull_request::{self, PullRequestPlan};
use crate::secret_string::SecretString;
use crate::workload_identity::{self, WorkloadIdentity};
use crate::{install, kustomization, sync};

/// Every option that shapes the repository files and the bootstrap's decisions, flat, named as
/// the `flux bootstrap git` flags in camelCase. Every field but `url` has Flux's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "PlanOptions", optional_fields)
)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Options {
    /// `--url`: the repository, in any Azure DevOps form (or any Git URL).
    pub url: String,
    /// `--branch`: the branch to commit to and sync from.
    pub branch: String,
    /// `--path`: the folder of the cluster's files, relative to the repository root.
    pub path: String,
    /// `--interval`: how often the cluster fetches the repository (a Go duration).
    pub interval: String,
    /// `--token-auth`: the cluster syncs over HTTPS with the PAT (and the CLI pushes over HTTPS).
    pub token_auth: bool,
    /// `--with-bearer-token`: the cluster sends the PAT as a bearer token.
    pub with_bearer_token: bool,
    /// `--username`: the HTTPS user, or the SSH user when the URL names none.
    pub username: String,
    /// `--ssh-hostname`: the SSH host (`host[:port]`) the cluster syncs from, if not the URL's.
    pub ssh_hostname: String,
    /// `--ssh-hostkey-algos`: host key algorithms to offer (Azure DevOps: RSA SHA-2 by default).
    pub ssh_hostkey_algos: Vec<String>,
    /// `--ssh-key-algorithm`: the deploy key to generate; unset is RSA on Azure DevOps (the only
    /// kind it accepts), ECDSA elsewhere (Flux's default).
    pub ssh_key_algorithm: Option<KeyAlgorithm>,
    /// `--ssh-rsa-bits`: the size of a generated RSA key, 2048 to 8192.
    pub ssh_rsa_bits: u32,
    /// `--ssh-ecdsa-curve`: the curve of a generated ECDSA key.
    pub ssh_ecdsa_curve: EcdsaCurve,
    /// `--allow-insecure-http`: accept an `http://` URL.
    pub allow_insecure_http: bool,
    /// `--secret-name`: the cluster's Git credential Secret.
    pub secret_name: String,
    /// `--recurse-submodules`: the cluster also fetches submodules.
    pub recurse_submodules: bool,
    /// `--sparse-checkout`: the folders the cluster fetches (all when empty).
    pub sparse_checkout: Vec<String>,
    /// `--provider`: `azure` syncs with Azure workload identity (no Secret).
    pub provider: String,
    /// `--version`: the Flux version to install, e.g. `v2.9.4`.
    pub version: String,
    /// `--namespace`: where Flux runs; also the name of its sync objects.
    pub namespace: String,
    /// `--components`: the controllers to install.
    pub components: Vec<String>,
    /// `--components-extra`: optional controllers to install as well.
    pub components_extra: Vec<String>,
    /// `--registry`: where the controller images come from.
    pub registry: String,
    /// `--image-pull-secret`: the Secret for a private registry.
    pub image_pull_secret: String,
    /// `--watch-all-namespaces`: the controllers watch every namespace, not only their own.
    pub watch_all_namespaces: bool,
    /// `--network-policy`: install Flux's network policies.
    pub network_policy: bool,
    /// `--log-level`: `debug`, `info` or `error`.
    pub log_level: String,
    /// `--cluster-domain`: the cluster's DNS domain.
    pub cluster_domain: String,
    /// `--toleration-keys`: taints the controllers tolerate.
    pub toleration_keys: Vec<String>,
    /// `--author-name`: the commits' author.
    pub author_name: String,
    /// `--author-email`: the commits' author's e-mail (empty, as Flux's default).
    pub author_email: String,
    /// `--commit-message-appendix`: added to both commit messages after a blank line.
    pub commit_message_appendix: String,
    /// The `<path>/<namespace>/kustomization.yaml` already in the repository, kept as it is.
    pub existing_kustomization: Option<String>,
    /// `--pull-request`: the commits go to a branch of their own and reach `branch` through an
    /// Azure DevOps pull request (for branches whose policies refuse direct pushes).
    pub pull_request: bool,
    /// `--pull-request-auto-complete`: the pull request completes itself once its policies pass.
    pub pull_request_auto_complete: bool,
    /// The cluster the pull request's description names (the host's kubeconfig context).
    pub pull_request_cluster: String,
    /// `--workload-identity-client-id`: the managed identity the controllers sync as
    /// (required with `--provider=azure`).
    pub workload_identity_client_id: String,
    /// `--workload-identity-tenant-id`: the identity's tenant (the host discovers the
    /// organisation's when it can; empty leaves the cluster webhook's default).
    pub workload_identity_tenant_id: String,
    /// `--azure-credential`: push with a Microsoft Entra token from this credential (`default`,
    /// `cli`, `workload-identity`, `managed-identity`, `environment`, `pipelines`) instead of a
    /// PAT; empty: no Entra token.
    pub azure_credential: String,
    /// `--registry-creds`: `user:password` for `--registry`; with `--image-pull-secret`, the
    /// cluster gets that image pull Secret. Never in the repository files.
    pub registry_creds: SecretString,
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
            ssh_key_algorithm: None,
            ssh_rsa_bits: keys::DEFAULT_RSA_BITS,
            ssh_ecdsa_curve: EcdsaCurve::default(),
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
            author_name: "Flux".to_owned(),
            author_email: String::new(),
            commit_message_appendix: String::new(),
            existing_kustomization: None,
            pull_request: false,
            pull_request_auto_complete: false,
            pull_request_cluster: String::new(),
            workload_identity_client_id: String::new(),
            workload_identity_tenant_id: String::new(),
            azure_credential: String::new(),
            registry_creds: SecretString::default(),
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

/// The deploy key to generate when none is given or kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DeployKeySpec"))]
#[serde(rename_all = "camelCase")]
pub struct DeployKeySpec {
    pub algorithm: KeyAlgorithm,
    /// For RSA.
    pub rsa_bits: u32,
    /// For ECDSA.
    pub ecdsa_curve: EcdsaCurve,
}

/// A commit's author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Author {
    pub name: String,
    pub email: String,
}

/// The two commits bootstrap makes, as Flux words them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Commits {
    /// `Add Flux <version> component manifests` (+ the appendix).
    pub components_message: String,
    /// `Add Flux sync manifests` (+ the appendix).
    pub sync_message: String,
    pub author: Author,
}

/// What bootstrap will commit, and every decision the host acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub repo: Repo,
    pub sync_url: SyncUrl,
    pub sync_auth: SyncAuth,
    /// Where Flux runs (`--namespace`, validated).
    pub namespace: String,
    /// The branch to clone, commit to and sync from.
    pub branch: String,
    /// The Git credential Secret's name.
    pub secret_name: String,
    /// The HTTPS user for the PAT (`--username`), for the push and the Secret.
    pub username: String,
    /// `--components` then `--components-extra`: what the cluster must run.
    pub installed_components: Vec<String>,
    /// How the CLI's own Git connection goes.
    pub push: PushTarget,
    /// Azure DevOps SSH accepts only RSA deploy keys: a loaded or kept key must be RSA.
    pub requires_rsa: bool,
    /// The key to generate when the user gives none and the cluster holds none.
    pub deploy_key: DeployKeySpec,
    /// Where the user adds the deploy key (Azure DevOps Services' SSH keys page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub deploy_key_page: Option<String>,
    /// The Kustomization's `spec.path`, `./<path>`.
    pub sync_path: String,
    pub commit: Commits,
    /// `<path>/<namespace>/gotk-components.yaml`.
    pub components: Manifest,
    /// `<path>/<namespace>/gotk-sync.yaml`.
    pub sync: Manifest,
    /// `<path>/<namespace>/kustomization.yaml` (the existing file, with the host key patch
    /// added where needed).
    pub kustomization: Manifest,
    /// Whether `kustomization` differs from the existing file.
    pub kustomization_changed: bool,
    /// The host key algorithms the controllers are patched with (empty: no patch); also what
    /// the host offers when it scans the sync host's key.
    pub ssh_hostkey_algos: Vec<String>,
    /// `kustomization.yaml` goes into the first (components) commit: the controllers must
    /// carry the host key flag from their first start to reach Azure DevOps over SSH.
    pub kustomization_in_components_commit: bool,
    /// `--pull-request`: the branch, title and texts of the pull request (null without it).
    pub pull_request: Option<PullRequestPlan>,
    /// Where the CLI's push credential comes from: the PAT, the SSH key or an Entra token.
    pub push_credential: PushCredential,
    /// The Entra token to push with (`--azure-credential`); none without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub entra: Option<EntraPush>,
    /// Whether the run needs a PAT (`--password`): for an HTTPS push without an Entra token,
    /// and for a cluster that syncs with it (`--token-auth`, `--with-bearer-token`).
    pub needs_pat: bool,
    /// `--provider=azure`: the identity the controllers sync as, and the facts the Azure side
    /// needs (the federated credential's subjects and audience).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub workload_identity: Option<WorkloadIdentityPlan>,
    /// `--registry-creds` with `--image-pull-secret`: the image pull Secret the host creates or
    /// updates in the cluster (the host holds the credential and asks `imagePullSecret` for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub image_pull_secret: Option<ImagePullSecretPlan>,
}

/// What `--provider=azure` sets up, for the host's pre-flight and its printed Azure steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WorkloadIdentityPlan {
    pub client_id: String,
    /// Empty when not given.
    pub tenant_id: String,
    /// The controllers patched with the identity.
    pub controllers: Vec<String>,
    /// `system:serviceaccount:<namespace>:<controller>`, one per controller, same order.
    pub subjects: Vec<String>,
    /// The federated credential's audience, `api://AzureADTokenExchange`.
    pub audience: String,
}

impl Plan {
    /// The files bootstrap writes, in the one order every host uses: components, sync,
    /// kustomization.
    pub fn files(&self) -> [&Manifest; 3] {
        [&self.components, &self.sync, &self.kustomization]
    }
}

/// Plans the repository files of a bootstrap. The steps run in this order, so of several bad
/// options the first one here is reported.
pub fn plan(options: &Options, bundle: &Bundle) -> Result<Plan> {
    let repo = azure_url::parse(&options.url)?;
    let sync_auth = sync_auth(options);
    let sync_url = repo.sync_url(&sync_url_options(options, sync_auth))?;
    workload_identity::validate(
        &options.provider,
        &options.workload_identity_client_id,
        &options.workload_identity_tenant_id,
        repo.is_azure_devops() && sync_url.url.starts_with("https://"),
        options.with_bearer_token,
    )?;
    let push = repo.push_target(&options.ssh_hostkey_algos)?;
    let credentials = entra::push_credentials(&repo, &push, sync_auth, &options.azure_credential)?;
    let ssh_hostkey_algos = controller_hostkey_algos(options, &repo, &sync_url, sync_auth);
    let needs_key = sync_auth == SyncAuth::Ssh || matches!(push, PushTarget::Ssh { .. });
    let requires_rsa = repo.is_azure_devops();
    let deploy_key = deploy_key(options, requires_rsa && needs_key)?;

    let install_options = install_options(options);
    let image_pull_secret = image_pull_secret::plan(
        &options.image_pull_secret,
        &options.namespace,
        &options.registry,
        &options.registry_creds,
    )?;
    let identity = (sync_auth == SyncAuth::WorkloadIdentity).then(|| WorkloadIdentity {
        client_id: options.workload_identity_client_id.clone(),
        tenant_id: options.workload_identity_tenant_id.clone(),
        controllers: workload_identity::controllers(&install_options.all_components()),
    });
    let components = install::generate(&install_options, bundle)?;
    let sync = sync::generate(&sync_options(options, &sync_url))?;
    let kustomization = kustomization::generate(&kustomization_options(
        options,
        &ssh_hostkey_algos,
        identity.clone(),
    ))?;
    let commit = commits(options);
    let pull_request = if options.pull_request || options.pull_request_auto_complete {
        Some(pull_request::plan(&pull_request::Inputs {
            path: &clean_target_path(&options.path)?,
            namespace: &options.namespace,
            branch: &options.branch,
            version: &options.version,
            cluster: &options.pull_request_cluster,
            files: [&components.path, &sync.path, &kustomization.manifest.path],
            commit_subjects: [&commit.components_message, &commit.sync_message],
            auto_complete: options.pull_request_auto_complete,
        })?)
    } else {
        None
    };

    Ok(Plan {
        namespace: options.namespace.clone(),
        branch: options.branch.clone(),
        secret_name: options.secret_name.clone(),
        username: options.username.clone(),
        installed_components: install_options
            .all_components()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        deploy_key_page: repo.deploy_key_page(),
        sync_path: sync::sync_path(&clean_target_path(&options.path)?),
        commit,
        push,
        requires_rsa,
        deploy_key,
        kustomization_in_components_commit: !ssh_hostkey_algos.is_empty() || identity.is_some(),
        workload_identity: identity.map(|identity| WorkloadIdentityPlan {
            subjects: identity
                .controllers
                .iter()
                .map(|c| workload_identity::subject(&options.namespace, c))
                .collect(),
            audience: workload_identity::AUDIENCE.to_owned(),
            client_id: identity.client_id,
            tenant_id: identity.tenant_id,
            controllers: identity.controllers,
        }),
        repo,
        sync_url,
        sync_auth,
        components,
        sync,
        kustomization: kustomization.manifest,
        kustomization_changed: kustomization.changed,
        ssh_hostkey_algos,
        pull_request,
        push_credential: credentials.push_credential,
        needs_pat: credentials.needs_pat,
        entra: credentials.entra,
        image_pull_secret,
    })
}

/// The credentials a run needs (`Plan::push_credential`, `needs_pat`, `entra`) without the
/// bundle: what the host asks the user for before it loads anything.
pub fn push_credentials(options: &Options) -> Result<PushCredentials> {
    let repo = azure_url::parse(&options.url)?;
    let push = repo.push_target(&options.ssh_hostkey_algos)?;
    entra::push_credentials(&repo, &push, sync_auth(options), &options.azure_credential)
}

fn sync_auth(options: &Options) -> SyncAuth {
    if options.provider == "azure" {
        SyncAuth::WorkloadIdentity
    } else if options.with_bearer_token {
        SyncAuth::Bearer
    } else if options.token_auth {
        SyncAuth::Token
    } else {
        SyncAuth::Ssh
    }
}

/// The key to generate. Azure DevOps takes RSA only, so there a non-RSA `--ssh-key-algorithm`
/// is refused up front rather than after the key is made.
pub(crate) fn deploy_key(options: &Options, rsa_only: bool) -> Result<DeployKeySpec> {
    keys::validate_rsa_bits(options.ssh_rsa_bits)?;
    let algorithm = match options.ssh_key_algorithm {
        Some(algorithm) => algorithm,
        None if rsa_only => KeyAlgorithm::Rsa,
        None => KeyAlgorithm::Ecdsa,
    };
    if rsa_only && algorithm != KeyAlgorithm::Rsa {
        return Err(Error::KeyNotRsa {
            algorithm: format!("{algorithm:?}").to_lowercase(),
            option: "ssh-key-algorithm",
        });
    }
    Ok(DeployKeySpec {
        algorithm,
        rsa_bits: options.ssh_rsa_bits,
        ecdsa_curve: options.ssh_ecdsa_curve,
    })
}

fn install_options(options: &Options) -> install::Options {
    install::Options {
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
    }
}

fn sync_url_options(options: &Options, sync_auth: SyncAuth) -> SyncUrlOptions {
    SyncUrlOptions {
        https: sync_auth != SyncAuth::Ssh,
        username: options.username.clone(),
        ssh_hostname: options.ssh_hostname.clone(),
        allow_insecure_http: options.allow_insecure_http,
    }
}

/// The host key algorithms the controllers are patched with (none: no patch).
fn controller_hostkey_algos(
    options: &Options,
    repo: &Repo,
    sync_url: &SyncUrl,
    sync_auth: SyncAuth,
) -> Vec<String> {
    // Flux applies --ssh-hostkey-algos only to its own connection; the controllers need the
    // patch too, and for Azure DevOps they need it whether or not the user knew to ask.
    match &sync_url.ssh_host {
        Some(host) if sync_auth == SyncAuth::Ssh => {
            repo.host_key_algorithms(&host.host, &options.ssh_hostkey_algos)
        }
        _ => Vec::new(),
    }
}

fn sync_options(options: &Options, sync_url: &SyncUrl) -> sync::Options {
    sync::Options {
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
    }
}

fn kustomization_options(
    options: &Options,
    ssh_hostkey_algos: &[String],
    workload_identity: Option<WorkloadIdentity>,
) -> kustomization::Options {
    kustomization::Options {
        namespace: options.namespace.clone(),
        target_path: options.path.clone(),
        existing: options.existing_kustomization.clone(),
        ssh_hostkey_algos: ssh_hostkey_algos.to_vec(),
        workload_identity,
    }
}

fn commits(options: &Options) -> Commits {
    let message = |subject: String| {
        if options.commit_message_appendix.is_empty() {
            subject
        } else {
            format!("{subject}\n\n{}", options.commit_message_appendix)
        }
    };
    Commits {
        components_message: message(format!("Add Flux {} component manifests", options.version)),
        sync_message: message("Add Flux sync manifests".to_owned()),
        author: Author {
            name: options.author_name.clone(),
            email: options.author_email.clone(),
        },
    }
}
