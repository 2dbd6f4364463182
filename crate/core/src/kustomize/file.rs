//! Reading a `kustomization.yaml` into the parts this build supports (resources and the three
//! patch fields), refusing every other kustomize field by name, and resolving the paths it
//! names against its folder.

use crate::error::{Error, Result};
use crate::yaml::{self, Node};

use super::select::Selector;

/// A kustomization reduced to what the build applies, in kustomize's order of application.
#[derive(Debug, Default)]
pub(super) struct Kustomization {
    /// Repository-relative paths of the resource files, in the order listed.
    pub resources: Vec<String>,
    /// `patchesStrategicMerge` (applied first), then `patches`, then `patchesJson6902` (last),
    /// as kustomize orders its builtin transformers.
    pub patches: Vec<PatchSpec>,
}

/// One patch, however it was written.
#[derive(Debug)]
pub(super) struct PatchSpec {
    pub body: PatchBody,
    pub target: Option<Selector>,
    /// Where it was written, for messages: e.g. `patches[2]`.
    pub origin: String,
    /// `patchesJson6902` entries are JSON 6902 whatever they look like.
    pub json6902_only: bool,
}

#[derive(Debug)]
pub(super) enum PatchBody {
    Inline(String),
    /// A repository-relative path.
    File(String),
}

/// The fields kustomize knows that this build leaves to kustomize-controller, each with what to
/// do instead. Anything not listed here nor supported gets the generic advice.
fn fix_for(field: &str) -> &'static str {
    match field {
        "components" => "list the component's resources under `resources` and its patches under `patches`, or move it to a folder a Flux Kustomization of its own reconciles",
        "configMapGenerator" | "secretGenerator" | "generators" | "generatorOptions" => "commit the generated ConfigMap or Secret as a file under `resources`, or generate it in a folder a Flux Kustomization of its own reconciles",
        "helmCharts" | "helmGlobals" | "helmChartInflationGenerator" => "install the chart with a Flux HelmRelease instead",
        "bases" => "rename `bases` to `resources` (kustomize deprecated it)",
        _ => "flux-azdo builds `resources` (local files), `patches`, `patchesStrategicMerge` and `patchesJson6902` only, as Flux's documentation uses them; move this to a folder a Flux Kustomization of its own reconciles",
    }
}

const SUPPORTED: [&str; 7] = [
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
];

pub(super) fn unsupported(path: &str, field: impl Into<String>, fix: impl Into<String>) -> Error {
    Error::KustomizationUnsupported {
        path: path.to_owned(),
        field: field.into(),
        fix: fix.into(),
    }
}

pub(super) fn invalid(path: &str, reason: impl Into<String>) -> Error {
    Error::KustomizationInvalid {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// Parses the kustomization at `path` (repository-relative), whose folder is `dir`.
pub(super) fn parse(path: &str, dir: &str, text: &str) -> Result<Kustomization> {
    let document = match yaml::parse_documents(path, text)?.as_slice() {
        [] => Node::map(),
        [document @ Node::Map(_)] => document.clone(),
        _ => return Err(invalid(
            path,
            "a kustomization.yaml holds one mapping (apiVersion, kind, resources, patches, ...)",
        )),
    };
    let Node::Map(entries) = &document else {
        return Err(invalid(path, "a kustomization.yaml must be a mapping"));
    };
    for (key, _) in entries {
        if !SUPPORTED.contains(&key.as_str()) {
            return Err(unsupported(path, key.clone(), fix_for(key)));
        }
    }
    if let Some(kind) = document.get("kind").and_then(Node::as_str) {
        if kind != "Kustomization" {
            return Err(unsupported(
                path,
                format!("kind: {kind}"),
                "the flux-system folder's kustomization.yaml must be a `kind: Kustomization`",
            ));
        }
    }

    let mut out = Kustomization::default();
    for (index, entry) in list(path, &document, "resources")?.iter().enumerate() {
        let origin = format!("resources[{index}]");
        let text = entry
            .as_str()
            .ok_or_else(|| invalid(path, format!("{origin} must be a file path")))?;
        out.resources.push(local_path(path, dir, &origin, text)?);
    }
    for (index, entry) in list(path, &document, "patchesStrategicMerge")?
        .iter()
        .enumerate()
    {
        let origin = format!("patchesStrategicMerge[{index}]");
        let text = entry.as_str().ok_or_else(|| {
            invalid(
                path,
                format!("{origin} must be a file path or a patch as text"),
            )
        })?;
        // kustomize reads an entry as an inline patch when it is not a file name; a file name
        // never spans lines, an inline patch always does (at least `kind:` and `metadata:`).
        let body = if text.contains('\n') {
            PatchBody::Inline(text.to_owned())
        } else {
            PatchBody::File(local_path(path, dir, &origin, text)?)
        };
        out.patches.push(PatchSpec {
            body,
            target: None,
            origin,
            json6902_only: false,
        });
    }
    for (field, json6902_only) in [("patches", false), ("patchesJson6902", true)] {
        for (index, entry) in list(path, &document, field)?.iter().enumerate() {
            let origin = format!("{field}[{index}]");
            out.patches
                .push(patch_entry(path, dir, &origin, entry, json6902_only)?);
        }
    }
    Ok(out)
}

fn list<'a>(path: &str, document: &'a Node, field: &str) -> Result<&'a [Node]> {
    match document.get(field) {
        None | Some(Node::Null) => Ok(&[]),
        Some(Node::Seq(items)) => Ok(items),
        Some(_) => Err(invalid(path, format!("`{field}` must be a list"))),
    }
}

fn patch_entry(
    path: &str,
    dir: &str,
    origin: &str,
    entry: &Node,
    json6902_only: bool,
) -> Result<PatchSpec> {
    let Node::Map(fields) = entry else {
        return Err(invalid(
            path,
            format!("{origin} must be a mapping with `patch` or `path`"),
        ));
    };
    let (mut inline, mut file, mut target) = (None, None, None);
    for (key, value) in fields {
        match (key.as_str(), value) {
            ("patch", Node::Str(text)) => inline = Some(text.clone()),
            ("path", Node::Str(text)) => {
                file = Some(local_path(path, dir, &format!("{origin}.path"), text)?);
            }
            ("target", Node::Null) => {}
            ("target", value) => {
                target = Some(Selector::parse(path, &format!("{origin}.target"), value)?);
            }
            ("options", Node::Map(options)) => {
                // allowNameChange / allowKindChange let a patch rename its target, which the
                // build does not track; false is what kustomize does anyway.
                if let Some((name, _)) = options.iter().find(|(_, v)| *v != Node::Bool(false)) {
                    return Err(unsupported(
                        path,
                        format!("{origin}.options.{name}"),
                        "patches that rename or re-kind their target are not built; remove the option",
                    ));
                }
            }
            ("patch" | "path", _) => {
                return Err(invalid(path, format!("{origin}.{key} must be a string")));
            }
            (other, _) => {
                return Err(unsupported(
                    path,
                    format!("{origin}.{other}"),
                    "a patch has `patch` or `path`, `target` and `options` only",
                ));
            }
        }
    }
    let body = match (inline, file) {
        (Some(text), None) => PatchBody::Inline(text),
        (None, Some(file)) => PatchBody::File(file),
        (Some(_), Some(_)) => {
            return Err(invalid(
                path,
                format!("{origin} has both `patch` and `path`; keep one"),
            ))
        }
        (None, None) => {
            return Err(invalid(
                path,
                format!("{origin} has neither `patch` nor `path`"),
            ))
        }
    };
    if json6902_only && target.is_none() {
        return Err(invalid(
            path,
            format!("{origin} needs a `target` (the object the JSON 6902 patch applies to)"),
        ));
    }
    Ok(PatchSpec {
        body,
        target,
        origin: origin.to_owned(),
        json6902_only,
    })
}

/// `text`, a path relative to `dir`, as a repository-relative path. Remote resources,
/// absolute paths and paths out of the repository are refused.
pub(super) fn local_path(path: &str, dir: &str, origin: &str, text: &str) -> Result<String> {
    let remote = text.contains("://")
        || text.starts_with("git@")
        || text.contains("?ref=")
        || ["github.com/", "gitlab.com/", "bitbucket.org/"]
            .iter()
            .any(|host| text.starts_with(host));
    if remote {
        return Err(unsupported(
            path,
            format!("{origin}: {text}"),
            "remote resources are not fetched; commit the file next to kustomization.yaml and list it by its relative path",
        ));
    }
    if text.starts_with('/') || text.is_empty() {
        return Err(invalid(
            path,
            format!(
                "{origin} {text:?} must be a path relative to the folder of kustomization.yaml"
            ),
        ));
    }
    let mut parts: Vec<&str> = dir
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    for segment in text.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(invalid(
                        path,
                        format!("{origin} {text:?} points out of the repository"),
                    ));
                }
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err(invalid(path, format!("{origin} {text:?} names no file")));
    }
    Ok(parts.join("/"))
}
