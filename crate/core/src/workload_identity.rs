//! Azure workload identity for the sync (`--provider=azure`): the rules for the flags, the
//! controller-level patches Flux documents for `kustomization.yaml`, and the facts the host
//! prints for the Azure side (federated credential subject and audience).
//!
//! Controller level means the controllers' own ServiceAccounts carry the identity: the AKS
//! webhook sees the pod label, reads the ServiceAccount's annotations and injects
//! `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_AUTHORITY_HOST` and a projected token file.
//! The patches must be in the cluster from the controllers' first start (the webhook only
//! mutates pods when they are created), so they go into the first commit.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::yaml::Node;

/// The ServiceAccount annotation naming the managed identity's client id.
pub const CLIENT_ID_ANNOTATION: &str = "azure.workload.identity/client-id";
/// The ServiceAccount annotation naming the identity's tenant.
pub const TENANT_ID_ANNOTATION: &str = "azure.workload.identity/tenant-id";
/// The pod label the webhook acts on.
pub const USE_LABEL: &str = "azure.workload.identity/use";
/// The audience of the federated credential and of the projected ServiceAccount token.
pub const AUDIENCE: &str = "api://AzureADTokenExchange";

/// The controllers that reach Azure DevOps or Azure registries themselves, in Flux's order:
/// source-controller fetches the repository, the image controllers scan registries and push.
pub const CONTROLLERS: [&str; 3] = [
    "source-controller",
    "image-reflector-controller",
    "image-automation-controller",
];

/// The identity the controllers run as.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct WorkloadIdentity {
    /// `--workload-identity-client-id`: the user-assigned managed identity's client id.
    pub client_id: String,
    /// `--workload-identity-tenant-id`: its tenant (empty: the webhook's default tenant).
    pub tenant_id: String,
    /// The installed controllers that get the identity (a subset of `CONTROLLERS`).
    pub controllers: Vec<String>,
}

/// Checks the flag combination: `provider` is `--provider`, the ids the two identity flags.
/// `https_azure_devops` says whether the sync URL is Azure DevOps over HTTPS, the only form
/// source-controller's azure provider fetches.
pub fn validate(
    provider: &str,
    client_id: &str,
    tenant_id: &str,
    https_azure_devops: bool,
    with_bearer_token: bool,
) -> Result<()> {
    if provider != "azure" {
        for (option, value) in [
            ("workload-identity-client-id", client_id),
            ("workload-identity-tenant-id", tenant_id),
        ] {
            if !value.is_empty() {
                return Err(Error::OptionConflict {
                    option: option.to_owned(),
                    reason: "the workload identity is only used with --provider=azure; add it or drop this flag".to_owned(),
                });
            }
        }
        return Ok(());
    }
    if client_id.is_empty() {
        return Err(Error::OptionRequired {
            option: "workload-identity-client-id".to_owned(),
            reason: "--provider=azure syncs as a managed identity: pass its client id (az identity show --query clientId)".to_owned(),
        });
    }
    validate_guid("workload-identity-client-id", client_id)?;
    if !tenant_id.is_empty() {
        validate_guid("workload-identity-tenant-id", tenant_id)?;
    }
    if with_bearer_token {
        return Err(Error::OptionConflict {
            option: "with-bearer-token".to_owned(),
            reason: "--provider=azure gets its bearer token from Entra ID, not from a Secret; drop --with-bearer-token".to_owned(),
        });
    }
    if !https_azure_devops {
        return Err(Error::OptionConflict {
            option: "provider".to_owned(),
            reason: "--provider=azure fetches Azure DevOps over HTTPS only: use https://dev.azure.com/<org>/<project>/_git/<repo>".to_owned(),
        });
    }
    Ok(())
}

/// A GUID as Entra writes them: 8-4-4-4-12 hex digits.
fn validate_guid(option: &str, value: &str) -> Result<()> {
    let groups: Vec<&str> = value.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    let ok = groups.len() == lengths.len()
        && groups
            .iter()
            .zip(lengths)
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_option(
            option,
            value,
            "must be a GUID such as 00000000-0000-0000-0000-000000000000 (az identity show --query clientId / tenantId)",
        ))
    }
}

/// The installed controllers that get the identity, in `CONTROLLERS` order.
pub fn controllers(installed: &[&str]) -> Vec<String> {
    CONTROLLERS
        .iter()
        .filter(|c| installed.contains(c))
        .map(|c| (*c).to_owned())
        .collect()
}

/// The federated credential's subject for a controller's ServiceAccount.
pub fn subject(namespace: &str, controller: &str) -> String {
    format!("system:serviceaccount:{namespace}:{controller}")
}

impl WorkloadIdentity {
    /// `target.name` of both patches: the controllers as one anchored alternation.
    pub fn target_pattern(&self) -> String {
        format!("({})", self.controllers.join("|"))
    }

    /// The two strategic-merge patches as (patch text, target kind): the annotations on the
    /// ServiceAccounts and the label on the pod templates (the label belongs on the pod only;
    /// the webhook ignores it elsewhere).
    pub fn patches(&self) -> [(String, &'static str); 2] {
        let mut annotations = format!("    {CLIENT_ID_ANNOTATION}: \"{}\"\n", self.client_id);
        if !self.tenant_id.is_empty() {
            annotations.push_str(&format!(
                "    {TENANT_ID_ANNOTATION}: \"{}\"\n",
                self.tenant_id
            ));
        }
        // kustomize applies a targeted patch to every target, whatever name the patch has.
        let service_account = format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: controller\n  annotations:\n{annotations}"
        );
        let deployment = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: controller\nspec:\n  template:\n    metadata:\n      labels:\n        {USE_LABEL}: \"true\"\n"
        );
        [
            (service_account, "ServiceAccount"),
            (deployment, "Deployment"),
        ]
    }

    /// Applies the patches to the components the host applies (what kustomize would build).
    pub fn apply(&self, resources: &mut [Node]) {
        for resource in resources.iter_mut() {
            let name = resource.name();
            if !self.controllers.contains(&name) {
                continue;
            }
            match resource.kind() {
                "ServiceAccount" => {
                    let mut pairs = vec![(CLIENT_ID_ANNOTATION, self.client_id.as_str())];
                    if !self.tenant_id.is_empty() {
                        pairs.push((TENANT_ID_ANNOTATION, self.tenant_id.as_str()));
                    }
                    set_strings(resource, &["metadata", "annotations"], &pairs);
                }
                "Deployment" => set_strings(
                    resource,
                    &["spec", "template", "metadata", "labels"],
                    &[(USE_LABEL, "true")],
                ),
                _ => {}
            }
        }
    }
}

/// Sets string entries of the mapping at `path`, creating the mappings on the way.
fn set_strings(node: &mut Node, path: &[&str], pairs: &[(&str, &str)]) {
    if let Some(map) = node.map_path(path) {
        for (key, value) in pairs {
            map.set(key, Node::str(*value));
        }
    }
}
