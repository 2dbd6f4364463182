//! `kustomization.yaml` of the flux-system directory: the fresh file Flux writes, and the
//! `--ssh-hostkey-algos` patch Azure DevOps SSH needs, added to an existing file without
//! touching anything else in it.
//!
//! Flux never rewrites an existing kustomization.yaml (users keep their patches there), so the
//! patch is added by text: one item appended to the `patches:` list, or a `patches:` block
//! appended to the file. The result is parsed back and must equal the old document plus that
//! one item, so a layout the text edit does not understand is refused instead of corrupted.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::manifest::{join_path, Manifest};
use crate::options::{clean_target_path, validate_dns1123_label, DEFAULT_NAMESPACE};
use crate::workload_identity::{WorkloadIdentity, CLIENT_ID_ANNOTATION};
use crate::yaml::{self, Node};

mod append;

use append::append_items;

pub const MANIFEST_FILE: &str = "kustomization.yaml";

/// The files of a fresh bootstrap, in the order Flux lists them.
pub const RESOURCES: [&str; 2] = ["gotk-components.yaml", "gotk-sync.yaml"];

/// A controller flag that bootstrap adds through a patch in `kustomization.yaml`, and the
/// Deployments the patch targets. The cluster gets it by the build of that file
/// (`kustomize::cluster_objects`), so the patch text is the one place the rule lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControllerFlag {
    /// The flag with its dashes, e.g. `--ssh-hostkey-algos`.
    pub flag: &'static str,
    /// The Deployments whose first container gets the flag.
    pub targets: &'static [&'static str],
}

impl ControllerFlag {
    /// `--flag=value`.
    pub fn arg(&self, value: &str) -> String {
        format!("{}={value}", self.flag)
    }

    /// The patch's `target.name` regular expression, e.g. `(a|b)`.
    pub fn target_pattern(&self) -> String {
        format!("({})", self.targets.join("|"))
    }
}

/// `--ssh-hostkey-algos`, for the controllers that clone over SSH.
pub const SSH_HOSTKEY_ALGOS: ControllerFlag = ControllerFlag {
    flag: "--ssh-hostkey-algos",
    targets: &["source-controller", "image-automation-controller"],
};

/// Host key algorithm names Go's `x/crypto/ssh` knows (what the controllers accept).
pub const HOST_KEY_ALGORITHMS: [&str; 20] = [
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-ed25519",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "sk-ssh-ed25519@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
    "ssh-rsa-cert-v01@openssh.com",
    "ssh-dss-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "ssh-ed25519-cert-v01@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "KustomizationOptions", optional_fields)
)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Options {
    /// `-n` (Flux's default `flux-system`).
    pub namespace: String,
    pub target_path: String,
    /// The `<path>/<namespace>/kustomization.yaml` already in the repository, if any.
    pub existing: Option<String>,
    /// `--ssh-hostkey-algos`: when set, the controllers get the flag through a patch.
    pub ssh_hostkey_algos: Vec<String>,
    /// `--provider=azure`: the controllers get the workload identity through two patches.
    pub workload_identity: Option<WorkloadIdentity>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            namespace: DEFAULT_NAMESPACE.to_owned(),
            target_path: String::new(),
            existing: None,
            ssh_hostkey_algos: Vec::new(),
            workload_identity: None,
        }
    }
}

/// The file to write, and whether it differs from `Options::existing` (always true for a new file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "KustomizationOutput"))]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub manifest: Manifest,
    pub changed: bool,
}

/// Generates `<path>/<namespace>/kustomization.yaml`: the existing file kept byte for byte, with
/// the host key patch added when `ssh_hostkey_algos` is set and the file does not have it yet.
pub fn generate(options: &Options) -> Result<Output> {
    let namespace = options.namespace.as_str();
    validate_dns1123_label("namespace", namespace)?;
    let path = join_path(&[
        &clean_target_path(&options.target_path)?,
        namespace,
        MANIFEST_FILE,
    ]);
    validate_algorithms(&options.ssh_hostkey_algos)?;

    let mut content = options.existing.clone().unwrap_or_else(fresh);
    if !options.ssh_hostkey_algos.is_empty() {
        content = add_hostkey_patch(&content, &options.ssh_hostkey_algos, &path)?;
    }
    if let Some(identity) = &options.workload_identity {
        content = add_workload_identity_patches(&content, identity, &path)?;
    }
    let changed = options.existing.as_deref() != Some(content.as_str());
    Ok(Output {
        manifest: Manifest { path, content },
        changed,
    })
}

/// The kustomization.yaml Flux writes for a fresh bootstrap.
pub fn fresh() -> String {
    yaml::documents_to_string(&[Node::map_of([
        ("apiVersion", Node::str("kustomize.config.k8s.io/v1beta1")),
        ("kind", Node::str("Kustomization")),
        ("resources", Node::str_seq(RESOURCES)),
    ])])
}

/// One item bootstrap adds to `patches:`: an inline patch and the objects it targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchItem {
    /// The patch text (a strategic merge patch or a JSON 6902 list), lines ending in `\n`.
    pub patch: String,
    pub kind: &'static str,
    /// `target.name`, a regular expression.
    pub name: String,
}

impl PatchItem {
    /// The item in block style, with its `-` at `indent` spaces and lines ending in `newline`.
    pub fn block(&self, indent: usize, newline: &str) -> String {
        let pad = " ".repeat(indent);
        let mut lines = vec!["- patch: |".to_owned()];
        lines.extend(self.patch.lines().map(|line| format!("    {line}")));
        lines.push("  target:".to_owned());
        lines.push(format!("    kind: {}", self.kind));
        lines.push(format!("    name: {}", self.name));
        lines
            .iter()
            .map(|line| format!("{pad}{line}{newline}"))
            .collect()
    }

    /// The item as one flow mapping, for a `patches: [...]` list.
    pub fn flow(&self) -> String {
        let quoted = |text: &str| {
            let escaped = text
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("\"{escaped}\"")
        };
        format!(
            "{{patch: {}, target: {{kind: {}, name: {}}}}}",
            quoted(&self.patch),
            self.kind,
            quoted(&self.name)
        )
    }

    /// The item as the parsed document must show it.
    fn value(&self) -> Node {
        Node::map_of([
            ("patch", Node::str(&self.patch)),
            (
                "target",
                Node::map_of([
                    ("kind", Node::str(self.kind)),
                    ("name", Node::str(&self.name)),
                ]),
            ),
        ])
    }
}

/// The host key patch item.
fn hostkey_item(algorithms: &[String]) -> PatchItem {
    PatchItem {
        patch: format!(
            "- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: {}\n",
            SSH_HOSTKEY_ALGOS.arg(&algorithms.join(","))
        ),
        kind: "Deployment",
        name: SSH_HOSTKEY_ALGOS.target_pattern(),
    }
}

/// The two workload identity patch items (ServiceAccounts, then Deployments).
pub fn workload_identity_items(identity: &WorkloadIdentity) -> Vec<PatchItem> {
    identity
        .patches()
        .into_iter()
        .map(|(patch, kind)| PatchItem {
            patch,
            kind,
            name: identity.target_pattern(),
        })
        .collect()
}

/// The `patches:` item, as text, with its `-` at `indent` spaces and lines ending in `newline`.
pub fn hostkey_patch_item(algorithms: &[String], indent: usize, newline: &str) -> String {
    hostkey_item(algorithms).block(indent, newline)
}

fn validate_algorithms(algorithms: &[String]) -> Result<()> {
    for algorithm in algorithms {
        if !HOST_KEY_ALGORITHMS.contains(&algorithm.as_str()) {
            return Err(Error::invalid_option(
                "ssh-hostkey-algos",
                algorithm,
                "unknown host key algorithm; Azure DevOps needs rsa-sha2-512,rsa-sha2-256",
            ));
        }
    }
    Ok(())
}

/// The one document of a kustomization.yaml, as a mapping.
fn parse_kustomization(text: &str, path: &str) -> Result<Node> {
    let invalid = |reason: &str| Error::InvalidYaml {
        source_name: path.to_owned(),
        reason: reason.to_owned(),
    };
    match yaml::parse_documents(path, text)?.as_mut_slice() {
        [document @ Node::Map(_)] => Ok(std::mem::replace(document, Node::Null)),
        [_, _, ..] => Err(invalid(
            "a kustomization.yaml holds one document, not several",
        )),
        _ => Err(invalid(
            "a kustomization.yaml must be a mapping (apiVersion, kind, resources, ...)",
        )),
    }
}

fn add_hostkey_patch(text: &str, algorithms: &[String], path: &str) -> Result<String> {
    let map = parse_kustomization(text, path)?;
    let configured = configured_algorithms(&map);
    if configured.iter().any(|c| c == algorithms) {
        return Ok(text.to_owned());
    }
    if let Some(other) = configured.first() {
        return Err(Error::invalid_option(
            "ssh-hostkey-algos",
            algorithms.join(","),
            format!(
                "{path} already passes {} to the controllers; edit that patch or pass the same algorithms",
                SSH_HOSTKEY_ALGOS.arg(&other.join(","))
            ),
        ));
    }
    append_items(
        text,
        map,
        &[hostkey_item(algorithms)],
        path,
        "ssh-hostkey-algos",
    )
}

/// Adds the workload identity patches once: a file whose inline patches already set the same
/// client id is kept as it is, one naming another identity is refused (never two identities).
fn add_workload_identity_patches(
    text: &str,
    identity: &WorkloadIdentity,
    path: &str,
) -> Result<String> {
    let map = parse_kustomization(text, path)?;
    let configured = configured_client_ids(&map);
    if configured.iter().any(|id| id == &identity.client_id) {
        return Ok(text.to_owned());
    }
    if let Some(other) = configured.first() {
        return Err(Error::OptionConflict {
            option: "workload-identity-client-id".to_owned(),
            reason: format!(
                "{path} already annotates the controllers with {CLIENT_ID_ANNOTATION}: {other}; edit that patch or pass the same client id"
            ),
        });
    }
    append_items(
        text,
        map,
        &workload_identity_items(identity),
        path,
        "provider",
    )
}

/// Every client id found in inline patches, as the annotation's value.
fn configured_client_ids(map: &Node) -> Vec<String> {
    let prefix = format!("{CLIENT_ID_ANNOTATION}:");
    let mut found = Vec::new();
    for item in inline_patches(map) {
        for line in item.lines() {
            if let Some(rest) = line.trim_start().strip_prefix(&prefix) {
                found.push(rest.trim().trim_matches(['"', '\'']).to_owned());
            }
        }
    }
    found
}

/// The text of every inline patch (`patches`, `patchesJson6902`).
fn inline_patches(map: &Node) -> Vec<&str> {
    ["patches", "patchesJson6902"]
        .iter()
        .filter_map(|key| match map.get(key) {
            Some(Node::Seq(items)) => Some(items),
            _ => None,
        })
        .flatten()
        .filter_map(|item| item.get("patch").and_then(Node::as_str))
        .collect()
}

/// Every `--ssh-hostkey-algos=` value found in inline patches (`patches`, `patchesJson6902`).
fn configured_algorithms(map: &Node) -> Vec<Vec<String>> {
    let prefix = SSH_HOSTKEY_ALGOS.arg("");
    let mut found = Vec::new();
    for key in ["patches", "patchesJson6902"] {
        let Some(Node::Seq(items)) = map.get(key) else {
            continue;
        };
        for item in items {
            let Some(patch) = item.get("patch").and_then(Node::as_str) else {
                continue;
            };
            let mut rest = patch;
            while let Some(at) = rest.find(&prefix) {
                rest = &rest[at + prefix.len()..];
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ']')
                    .unwrap_or(rest.len());
                found.push(rest[..end].split(',').map(str::to_owned).collect());
            }
        }
    }
    found
}

/// The host key patch as one flow mapping, for a `patches: [...]` list.
pub fn hostkey_patch_flow_item(algorithms: &[String]) -> String {
    hostkey_item(algorithms).flow()
}
