//! Strategic merge patches, as kustomize applies them: mappings merge key by key (a `null`
//! removes the key), lists of the Kubernetes types that declare a patch merge key merge element
//! by element on that key, every other list is replaced. `$patch: delete` removes a mapping or
//! list element (or, at the top, the whole object), `$patch: replace` replaces instead of
//! merging.

use crate::error::Result;
use crate::yaml::Node;

const DIRECTIVE: &str = "$patch";

/// What a patch did to the object it was applied to.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Merged,
    /// `$patch: delete` at the top: the object leaves the build.
    Deleted,
}

/// Fails with the message of the first directive this build does not know.
pub(super) type Refusal = String;

/// The patch merge key of a list, from Kubernetes' API types (`patchMergeKey`), for objects of
/// built-in API groups; `None` replaces the list. `parent` is the field holding the list's
/// mapping (for `ports`, whose key differs between a container and a Service).
fn merge_key(field: &str, parent: &str) -> Option<&'static str> {
    match (field, parent) {
        ("containers" | "initContainers" | "ephemeralContainers", _) => Some("name"),
        ("env" | "volumes" | "imagePullSecrets" | "resourceClaims", _) => Some("name"),
        ("volumeMounts", _) => Some("mountPath"),
        ("volumeDevices", _) => Some("devicePath"),
        ("hostAliases", _) => Some("ip"),
        ("topologySpreadConstraints", _) => Some("topologyKey"),
        // A Service's ports merge by port, a container's by containerPort.
        ("ports", "spec") => Some("port"),
        ("ports", _) => Some("containerPort"),
        // A ServiceAccount's mountable secrets.
        ("secrets", "") => Some("name"),
        ("ownerReferences", "metadata") => Some("uid"),
        _ => None,
    }
}

/// Whether objects of `api_version` have Kubernetes' schema (and so its merge keys); objects
/// of custom resources have none, and their lists are replaced.
pub(super) fn is_built_in(api_version: &str) -> bool {
    match api_version.rsplit_once('/') {
        None => true,
        Some((group, _)) => !group.contains('.') || group.ends_with(".k8s.io"),
    }
}

/// Applies `patch` to `object`.
pub(super) fn apply(object: &mut Node, patch: &Node) -> std::result::Result<Outcome, Refusal> {
    if directive(patch) == Some("delete") {
        return Ok(Outcome::Deleted);
    }
    let schema = object
        .get("apiVersion")
        .and_then(Node::as_str)
        .is_some_and(is_built_in);
    merge_map(object, patch, "", schema)?;
    Ok(Outcome::Merged)
}

fn directive(node: &Node) -> Option<&str> {
    node.get(DIRECTIVE).and_then(Node::as_str)
}

fn merge_map(
    target: &mut Node,
    patch: &Node,
    parent: &str,
    schema: bool,
) -> std::result::Result<(), Refusal> {
    let Node::Map(entries) = patch else {
        *target = clean(patch)?;
        return Ok(());
    };
    match directive(patch) {
        None | Some("merge") => {}
        Some("replace") => {
            *target = clean(patch)?;
            return Ok(());
        }
        Some("delete") => {
            *target = Node::Null;
            return Ok(());
        }
        Some(other) => {
            return Err(format!(
                "`$patch: {other}` is not a strategic merge directive"
            ))
        }
    }
    if !matches!(target, Node::Map(_)) {
        *target = Node::map();
    }
    for (key, value) in entries {
        if key == DIRECTIVE {
            continue;
        }
        if key.starts_with('$') {
            return Err(format!(
                "the strategic merge directive `{key}` is not supported; write the list or mapping out in full"
            ));
        }
        match value {
            Node::Null => remove_key(target, key),
            Node::Map(_) if directive(value) == Some("delete") => remove_key(target, key),
            Node::Map(_) => match target.get_mut(key) {
                Some(existing @ Node::Map(_)) => merge_map(existing, value, key, schema)?,
                _ => target.set(key, clean(value)?),
            },
            Node::Seq(items) => {
                let key_field = if schema { merge_key(key, parent) } else { None };
                let merged = match (target.get_mut(key), key_field) {
                    (Some(Node::Seq(existing)), Some(merge_key)) => {
                        merge_list(existing, items, merge_key, key, schema)?;
                        None
                    }
                    _ => Some(replace_list(items)?),
                };
                if let Some(list) = merged {
                    target.set(key, list);
                }
            }
            scalar => target.set(key, scalar.clone()),
        }
    }
    Ok(())
}

fn remove_key(target: &mut Node, key: &str) {
    if let Node::Map(entries) = target {
        entries.retain(|(k, _)| k != key);
    }
}

/// A list replacing another: a `{$patch: replace}` element is dropped, every element cleaned.
fn replace_list(items: &[Node]) -> std::result::Result<Node, Refusal> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if matches!(item, Node::Map(_)) && directive(item) == Some("replace") && map_len(item) == 1
        {
            continue;
        }
        out.push(clean(item)?);
    }
    Ok(Node::Seq(out))
}

fn map_len(node: &Node) -> usize {
    match node {
        Node::Map(entries) => entries.len(),
        _ => 0,
    }
}

/// Merges a list on its merge key as kustomize does: the patch's elements first, in the
/// patch's order (each merged into the element with the same key, or deleted by `$patch:
/// delete`), then the elements the patch does not name, in their order. A `{$patch: replace}`
/// element makes the patch's elements the whole list.
fn merge_list(
    existing: &mut Vec<Node>,
    items: &[Node],
    merge_key: &str,
    field: &str,
    schema: bool,
) -> std::result::Result<(), Refusal> {
    if items
        .iter()
        .any(|i| directive(i) == Some("replace") && map_len(i) == 1)
    {
        if let Node::Seq(list) = replace_list(items)? {
            *existing = list;
        }
        return Ok(());
    }
    let mut rest: Vec<Option<Node>> = existing.drain(..).map(Some).collect();
    let mut out = Vec::with_capacity(rest.len() + items.len());
    for item in items {
        let Some(key) = item.get(merge_key).filter(|k| !matches!(k, Node::Null)) else {
            // An element without its merge key cannot be matched; kustomize drops it.
            continue;
        };
        let position = rest
            .iter()
            .position(|e| e.as_ref().is_some_and(|e| e.get(merge_key) == Some(key)));
        let matched = position.and_then(|at| rest[at].take());
        match (matched, directive(item)) {
            (_, Some("delete")) => {}
            (Some(mut element), _) => {
                merge_map(&mut element, item, field, schema)?;
                out.push(element);
            }
            (None, _) => out.push(clean(item)?),
        }
    }
    out.extend(rest.into_iter().flatten());
    *existing = out;
    Ok(())
}

/// A patch value taken as it is: directives and `null` mapping values removed (a `null` in a
/// patch means "no such key", even where there was nothing to remove).
fn clean(node: &Node) -> std::result::Result<Node, Refusal> {
    Ok(match node {
        Node::Map(entries) => {
            let mut out = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                if key == DIRECTIVE || matches!(value, Node::Null) {
                    continue;
                }
                if key.starts_with('$') {
                    return Err(format!(
                        "the strategic merge directive `{key}` is not supported; write the list or mapping out in full"
                    ));
                }
                out.push((key.clone(), clean(value)?));
            }
            Node::Map(out)
        }
        Node::Seq(items) => Node::Seq(items.iter().map(clean).collect::<Result<_, _>>()?),
        scalar => scalar.clone(),
    })
}

/// Whether a parsed patch document is a JSON 6902 patch (a list of operations) rather than a
/// strategic merge patch (an object).
pub(super) fn is_json6902(document: &Node) -> bool {
    matches!(document, Node::Seq(_))
}

#[cfg(test)]
pub(super) fn apply_for_test(object: &mut Node, patch: &Node) -> Result<Outcome> {
    apply(object, patch).map_err(crate::error::Error::Internal)
}
