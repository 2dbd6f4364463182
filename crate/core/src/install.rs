//! `gotk-components.yaml`: Flux's install manifests generated from a bundle and the install
//! options, byte for byte as `flux install --export` (Flux's `pkg/manifestgen/install`).
//!
//! Flux writes a kustomization around the bundle files and builds it with kustomize. This
//! module applies the same transforms, in kustomize's order, to the parsed bundle:
//! `namespace.yaml`, `policies.yaml` (network policy only), `roles/` (`rbac.yaml` with the
//! namespace substituted, `namespace` and `nameSuffix: -<ns>`), then one file per component;
//! on top the node-selector patch, the source-watcher feature gate, the namespace, the
//! per-component argument patches, the registry, and last the labels transformer.

mod kustomize;

use serde::{Deserialize, Serialize};

use crate::bundle::Bundle;
use crate::error::{Error, Result};
use crate::manifest::{join_path, Manifest};
use crate::options::{
    validate_dns1123_label, DEFAULT_COMPONENTS, DEFAULT_NAMESPACE, EXTRA_COMPONENTS, LOG_LEVELS,
};
use crate::yaml::{self, Node};
use kustomize::PodPatch;

/// Install options with Flux's defaults (`install.MakeDefaultOptions` + the CLI's flags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "InstallOptions", optional_fields)
)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Options {
    /// Flux version written in the header, e.g. `v2.9.4`.
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
    /// `--path`: the file goes to `<path>/<namespace>/gotk-components.yaml`.
    pub target_path: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            version: crate::FLUX_VERSION.to_owned(),
            namespace: DEFAULT_NAMESPACE.to_owned(),
            components: DEFAULT_COMPONENTS.iter().map(|c| (*c).to_owned()).collect(),
            components_extra: Vec::new(),
            registry: "ghcr.io/fluxcd".to_owned(),
            image_pull_secret: String::new(),
            watch_all_namespaces: true,
            network_policy: true,
            log_level: "info".to_owned(),
            cluster_domain: "cluster.local".to_owned(),
            toleration_keys: Vec::new(),
            target_path: String::new(),
        }
    }
}

impl Options {
    /// `--components` followed by `--components-extra`, as Flux installs them.
    pub fn all_components(&self) -> Vec<&str> {
        self.components
            .iter()
            .chain(&self.components_extra)
            .map(String::as_str)
            .collect()
    }

    /// Rejects what Flux rejects (unknown or missing components, log levels, namespaces) and
    /// values that cannot be written into Flux's templates. The checks run in this order, so
    /// of several bad options the first one here is reported.
    pub fn validate(&self) -> Result<()> {
        self.validate_namespace()?;
        self.validate_components()?;
        self.validate_log_level()?;
        self.validate_template_words()
    }

    fn validate_namespace(&self) -> Result<()> {
        validate_dns1123_label("namespace", &self.namespace)?;
        // Flux writes the namespace as a bare word into YAML; kustomize then fails (numbers,
        // booleans such as `yes`, `null`) or writes another namespace (dates) if that word
        // does not read as a string.
        if !yaml::reads_back_as_string(&self.namespace) {
            return Err(Error::invalid_option(
                "namespace",
                self.namespace.clone(),
                "YAML reads this name as a number, boolean, null or date, which Flux cannot install into; choose a name with a letter that is not one of yes/no/on/off/y/n/true/false/null",
            ));
        }
        Ok(())
    }

    /// Every component known, none twice, and the two Flux cannot run without.
    fn validate_components(&self) -> Result<()> {
        let known: Vec<&str> = DEFAULT_COMPONENTS
            .iter()
            .chain(&EXTRA_COMPONENTS)
            .copied()
            .collect();
        // Like Flux, either list may name any known component.
        for (flag, list) in [
            ("components", &self.components),
            ("components-extra", &self.components_extra),
        ] {
            if let Some(bad) = list.iter().find(|c| !known.contains(&c.as_str())) {
                return Err(Error::invalid_option(
                    flag,
                    bad.clone(),
                    format!("unknown component; use one of {}", known.join(", ")),
                ));
            }
        }
        let all = self.all_components();
        for (i, c) in all.iter().enumerate() {
            if all[..i].contains(c) {
                return Err(Error::invalid_option(
                    "components",
                    *c,
                    "listed twice (in --components or --components-extra); list each component once",
                ));
            }
        }
        for required in ["source-controller", "kustomize-controller"] {
            if !all.contains(&required) {
                return Err(Error::invalid_option(
                    "components",
                    all.join(","),
                    format!("component {required} is required; add it to --components"),
                ));
            }
        }
        Ok(())
    }

    fn validate_log_level(&self) -> Result<()> {
        if !LOG_LEVELS.contains(&self.log_level.as_str()) {
            return Err(Error::invalid_option(
                "log-level",
                self.log_level.clone(),
                format!("use one of {}", LOG_LEVELS.join(", ")),
            ));
        }
        Ok(())
    }

    /// The registry, image pull secret, cluster domain, version and toleration keys.
    fn validate_template_words(&self) -> Result<()> {
        validate_bare_word("registry", &self.registry, true)?;
        validate_bare_word("image-pull-secret", &self.image_pull_secret, true)?;
        validate_bare_word("cluster-domain", &self.cluster_domain, false)?;
        validate_bare_word("version", &self.version, false)?;
        for key in &self.toleration_keys {
            validate_bare_word("toleration-keys", key, false)?;
        }
        Ok(())
    }
}

/// These values go into YAML templates as bare words; blanks or quotes would change the YAML.
fn validate_bare_word(flag: &str, value: &str, optional: bool) -> Result<()> {
    let bad = (value.is_empty() && !optional)
        || value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'#\\".contains(c))
        || value.starts_with(|c| "[]{}&*!|>%@`,".contains(c))
        || value.ends_with(':');
    if bad {
        Err(Error::invalid_option(
            flag,
            value,
            "must be a single word: no blanks, quotes, '#' or '\\', not starting with a YAML indicator such as '*' or '[', not ending with ':'",
        ))
    } else {
        Ok(())
    }
}

pub const MANIFEST_FILE: &str = "gotk-components.yaml";

/// Generates `<path>/<namespace>/gotk-components.yaml`. What the cluster gets is the build of
/// the flux-system folder around it (`kustomize::cluster_objects`), with its patches.
pub fn generate(options: &Options, bundle: &Bundle) -> Result<Manifest> {
    let (header, resources) = build(options, bundle)?;
    Ok(Manifest {
        path: join_path(&[&options.target_path, &options.namespace, MANIFEST_FILE]),
        content: header + &yaml::documents_to_string(&resources),
    })
}

/// The header comment and the resources of `gotk-components.yaml`.
fn build(options: &Options, bundle: &Bundle) -> Result<(String, Vec<Node>)> {
    options.validate()?;
    let components = options.all_components();
    let ns = options.namespace.as_str();

    let mut resources = vec![namespace_object(ns)];
    if options.network_policy {
        resources.extend(bundle_documents(bundle, "policies.yaml")?);
    }
    resources.extend(roles(bundle, ns)?);
    for component in &components {
        resources.extend(bundle_documents(bundle, &format!("{component}.yaml"))?);
    }

    let pod_patch = pod_patch(options);
    let feature_gate = components.contains(&"source-watcher");
    let events_addr = if components.contains(&"notification-controller") {
        format!(
            "http://notification-controller.$(RUNTIME_NAMESPACE).svc.{}./",
            options.cluster_domain
        )
    } else {
        String::new()
    };
    let labels = [
        ("app.kubernetes.io/instance", ns),
        ("app.kubernetes.io/version", options.version.as_str()),
        ("app.kubernetes.io/part-of", "flux"),
    ];

    for resource in &mut resources {
        let is_deployment = resource.kind() == "Deployment";
        let name = resource.name();
        if is_deployment {
            kustomize::apply_pod_patch(resource, &pod_patch);
            if feature_gate && matches!(name.as_str(), "kustomize-controller" | "helm-controller") {
                kustomize::append_arg(resource, "--feature-gates=ExternalArtifact=true")?;
            }
        }
        kustomize::set_namespace(resource, ns);
        let is_apps_v1 = resource.get("apiVersion").and_then(Node::as_str) == Some("apps/v1");
        if is_deployment && is_apps_v1 && components.contains(&name.as_str()) {
            for (index, value) in component_args(&name, options, &events_addr) {
                kustomize::replace_arg(resource, index, &value)?;
            }
        }
        if !options.registry.is_empty() {
            for component in &components {
                let new_name = format!("{}/{component}", options.registry);
                kustomize::set_image_name(resource, &format!("fluxcd/{component}"), &new_name);
            }
        }
        kustomize::add_labels(resource, &labels);
    }

    let header = format!(
        "---\n# This manifest was generated by flux. DO NOT EDIT.\n# Flux Version: {}\n# Components: {}\n",
        options.version,
        components.join(",")
    );
    Ok((header, resources))
}

fn bundle_documents(bundle: &Bundle, file: &str) -> Result<Vec<Node>> {
    let text = bundle.file(file).ok_or_else(|| Error::InvalidBundle {
        reason: format!("missing {file}"),
    })?;
    yaml::parse_documents(file, text)
}

/// Flux's `namespace.yaml` (validation made sure the bare namespace reads as a string).
fn namespace_object(ns: &str) -> Node {
    Node::Map(vec![
        ("apiVersion".into(), Node::str("v1")),
        ("kind".into(), Node::str("Namespace")),
        (
            "metadata".into(),
            Node::Map(vec![
                ("name".into(), Node::str(ns)),
                (
                    "labels".into(),
                    Node::Map(vec![
                        (
                            "pod-security.kubernetes.io/warn".into(),
                            Node::str("restricted"),
                        ),
                        (
                            "pod-security.kubernetes.io/warn-version".into(),
                            Node::str("latest"),
                        ),
                    ]),
                ),
            ]),
        ),
    ])
}

/// Flux's `roles/`: `rbac.yaml` with every `flux-system` replaced by the namespace (as
/// text), built with `namespace: <ns>` and `nameSuffix: -<ns>`.
fn roles(bundle: &Bundle, ns: &str) -> Result<Vec<Node>> {
    let text = bundle
        .file("rbac.yaml")
        .ok_or_else(|| Error::InvalidBundle {
            reason: "missing rbac.yaml".into(),
        })?;
    let text = if ns == DEFAULT_NAMESPACE {
        text.to_owned()
    } else {
        text.replace(DEFAULT_NAMESPACE, ns)
    };
    let mut docs = yaml::parse_documents("rbac.yaml", &text)?;
    for doc in &mut docs {
        kustomize::set_namespace(doc, ns);
    }
    kustomize::add_name_suffix(&mut docs, &format!("-{ns}"));
    Ok(docs)
}

/// Flux's `node-selector.yaml` patch.
fn pod_patch(options: &Options) -> PodPatch {
    let mut patch = PodPatch {
        node_selector: vec![("kubernetes.io/os".into(), "linux".into())],
        ..PodPatch::default()
    };
    if !options.image_pull_secret.is_empty() {
        patch.image_pull_secrets.push(Node::Map(vec![(
            "name".into(),
            yaml::resolve_plain(&options.image_pull_secret),
        )]));
    }
    for key in &options.toleration_keys {
        patch.tolerations.push(Node::Map(vec![
            ("key".into(), Node::str(key.clone())),
            ("operator".into(), Node::str("Exists")),
        ]));
    }
    patch
}

/// The argument replacements Flux's kustomization template makes per component.
fn component_args(component: &str, options: &Options, events_addr: &str) -> Vec<(usize, String)> {
    let watch = format!("--watch-all-namespaces={}", options.watch_all_namespaces);
    let log = format!("--log-level={}", options.log_level);
    match component {
        "notification-controller" => vec![(0, watch), (1, log)],
        "source-controller" | "source-watcher" => vec![
            (0, format!("--events-addr={events_addr}")),
            (1, watch),
            (2, log),
            (
                6,
                format!(
                    "--storage-adv-addr={component}.$(RUNTIME_NAMESPACE).svc.{}.",
                    options.cluster_domain
                ),
            ),
        ],
        _ => vec![
            (0, format!("--events-addr={events_addr}")),
            (1, watch),
            (2, log),
        ],
    }
}

#[cfg(test)]
mod tests;
