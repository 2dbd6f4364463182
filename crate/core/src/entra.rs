//! Pushing with a Microsoft Entra token (`--azure-credential`): which credential kinds there
//! are, the resource and scope Azure DevOps' tokens are for, where the organisation's tenant is
//! probed, and which flag combinations make sense. The host gets the token (I/O); every rule
//! about it is here.

use serde::{Deserialize, Serialize};

use crate::azure_url::{PushTarget, Repo};
use crate::error::{Error, Result};
use crate::plan::SyncAuth;

/// Azure DevOps' application (resource) id: the `aud` of its Entra tokens.
pub const AZURE_DEVOPS_RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";

/// The credential of `--azure-credential`, named after `@azure/identity`'s credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum AzureCredentialKind {
    /// `DefaultAzureCredential`: environment, workload identity, managed identity, then the
    /// developer tools (Azure CLI, Azure PowerShell, Azure Developer CLI).
    Default,
    /// `AzureCliCredential`: the account of `az login`.
    Cli,
    /// `WorkloadIdentityCredential`: `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`.
    WorkloadIdentity,
    /// `ManagedIdentityCredential`: the VM's or the pod's managed identity (`AZURE_CLIENT_ID` picks a user-assigned one).
    ManagedIdentity,
    /// `EnvironmentCredential`: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET`
    /// (or `AZURE_CLIENT_CERTIFICATE_PATH`).
    Environment,
    /// `AzurePipelinesCredential`: an Azure Pipelines service connection with workload identity federation.
    Pipelines,
    /// A credential the API caller hands over (`azureTokenCredential`: e.g. VS Code's Microsoft
    /// sign-in). The host refuses it when none was handed over, so the CLI, which has none to
    /// give, never falls back to another credential silently.
    External,
}

const KINDS: [(&str, AzureCredentialKind); 7] = [
    ("default", AzureCredentialKind::Default),
    ("cli", AzureCredentialKind::Cli),
    ("workload-identity", AzureCredentialKind::WorkloadIdentity),
    ("managed-identity", AzureCredentialKind::ManagedIdentity),
    ("environment", AzureCredentialKind::Environment),
    ("pipelines", AzureCredentialKind::Pipelines),
    ("external", AzureCredentialKind::External),
];

/// What the host needs to push with an Entra token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EntraPush {
    pub credential: AzureCredentialKind,
    /// The token's scope: `499b84ac-1321-427f-aa17-267ca6975798/.default`.
    pub scope: String,
    /// `https://dev.azure.com/{org}` (or `https://{server}/{collection}`): an anonymous `HEAD`
    /// there names the organisation's tenant (`WWW-Authenticate`, `X-VSS-ResourceTenant`).
    pub organization_url: String,
}

/// Where the CLI's own push credential comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum PushCredential {
    /// The PAT (`--password`), as HTTP Basic.
    Pat,
    /// The SSH key (given, kept or generated).
    SshKey,
    /// A Microsoft Entra token from `--azure-credential`, as `Authorization: Bearer`.
    Entra,
    /// The password as `Authorization: Bearer` (`--with-bearer-token`): Flux's own bootstrap
    /// pushes with the token it writes into the Secret's `bearerToken`.
    Bearer,
}

/// `--azure-credential` as typed: empty for none, else one of the kinds.
pub fn parse_kind(value: &str) -> Result<Option<AzureCredentialKind>> {
    if value.is_empty() {
        return Ok(None);
    }
    KINDS
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, kind)| Some(*kind))
        .ok_or_else(|| Error::InvalidOption {
            option: "azure-credential".into(),
            value: value.into(),
            reason: format!("expected one of {}", KINDS.map(|(name, _)| name).join(", ")),
        })
}

/// The push with an Entra token, checked against the URL and the sync settings. The one rule
/// for the combinations: the token authenticates HTTPS to Azure DevOps only, and is never
/// given to the cluster, which reads with the SSH deploy key (default), the PAT
/// (`--token-auth`: for the cluster only) or workload identity (`--provider=azure`).
pub fn entra_push(
    kind: AzureCredentialKind,
    repo: &Repo,
    push: &PushTarget,
    sync_auth: SyncAuth,
) -> Result<EntraPush> {
    let refuse = |reason: &str| Error::InvalidOption {
        option: "azure-credential".into(),
        value: KINDS
            .iter()
            .find(|(_, k)| *k == kind)
            .map(|(name, _)| (*name).to_owned())
            .unwrap_or_default(),
        reason: reason.into(),
    };
    if !repo.is_azure_devops() {
        return Err(refuse(
            "Microsoft Entra tokens authenticate to Azure DevOps only; give the repository's https://dev.azure.com/<org>/<project>/_git/<repo> URL",
        ));
    }
    if !matches!(push, PushTarget::Https { .. }) {
        return Err(refuse(
            "an Entra token authenticates HTTPS pushes: give the https:// clone URL (the cluster still syncs over SSH unless --token-auth or --provider=azure says otherwise)",
        ));
    }
    let organization_url = repo.organization_url().ok_or_else(|| {
        refuse("the URL names no organisation (https://dev.azure.com/<org>/<project>/_git/<repo>)")
    })?;
    // Every sync kind works with an Entra push; the match keeps this rule in view when a kind
    // is added.
    match sync_auth {
        SyncAuth::Ssh | SyncAuth::Token | SyncAuth::Bearer | SyncAuth::WorkloadIdentity => {}
    }
    Ok(EntraPush {
        credential: kind,
        scope: format!("{AZURE_DEVOPS_RESOURCE}/.default"),
        organization_url,
    })
}

/// The credentials a run needs, before anything is fetched: what the host asks for up front.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PushCredentials {
    /// Where the CLI's push credential comes from.
    pub push_credential: PushCredential,
    /// Whether the run needs a PAT (`--password`): for an HTTPS push without an Entra token,
    /// and for a cluster that syncs with it (`--token-auth`, `--with-bearer-token`).
    pub needs_pat: bool,
    /// The Entra token to push with; none without `--azure-credential`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub entra: Option<EntraPush>,
}

/// The push credential for this URL, sync and `--azure-credential` (empty: none).
pub fn push_credentials(
    repo: &Repo,
    push: &PushTarget,
    sync_auth: SyncAuth,
    azure_credential: &str,
) -> Result<PushCredentials> {
    let entra = parse_kind(azure_credential)?
        .map(|kind| entra_push(kind, repo, push, sync_auth))
        .transpose()?;
    let push_credential = match (push, &entra) {
        (PushTarget::Ssh { .. }, _) => PushCredential::SshKey,
        (PushTarget::Https { .. }, Some(_)) => PushCredential::Entra,
        (PushTarget::Https { .. }, None) if sync_auth == SyncAuth::Bearer => PushCredential::Bearer,
        (PushTarget::Https { .. }, None) => PushCredential::Pat,
    };
    Ok(PushCredentials {
        push_credential,
        needs_pat: matches!(
            push_credential,
            PushCredential::Pat | PushCredential::Bearer
        ) || matches!(sync_auth, SyncAuth::Token | SyncAuth::Bearer),
        entra,
    })
}
