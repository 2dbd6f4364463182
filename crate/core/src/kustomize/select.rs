//! A patch's `target`: group, version and kind compared exactly, name and namespace as regular
//! expressions anchored at both ends (as kustomize anchors them), and label and annotation
//! selectors in Kubernetes' selector syntax (`a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`,
//! `!a`, comma-separated, all must hold).

use regex_lite::Regex;

use crate::error::Result;
use crate::yaml::Node;

use super::file::{invalid, unsupported};

#[derive(Debug)]
pub(super) struct Selector {
    group: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Vec<Requirement>,
    annotations: Vec<Requirement>,
}

#[derive(Debug, PartialEq)]
enum Requirement {
    Exists(String),
    Absent(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

impl Requirement {
    fn matches(&self, map: Option<&Node>) -> bool {
        let value = |key: &str| map.and_then(|m| m.get(key)).map(Node::scalar_text);
        match self {
            Self::Exists(key) => value(key).is_some(),
            Self::Absent(key) => value(key).is_none(),
            Self::In(key, values) => value(key).is_some_and(|v| values.contains(&v)),
            Self::NotIn(key, values) => value(key).is_none_or(|v| !values.contains(&v)),
        }
    }
}

impl Selector {
    /// Reads a `target` mapping; `origin` names it in errors (e.g. `patches[0].target`).
    pub(super) fn parse(path: &str, origin: &str, node: &Node) -> Result<Self> {
        let Node::Map(fields) = node else {
            return Err(invalid(path, format!("{origin} must be a mapping")));
        };
        let mut selector = Self {
            group: None,
            version: None,
            kind: None,
            name: None,
            namespace: None,
            labels: Vec::new(),
            annotations: Vec::new(),
        };
        for (key, value) in fields {
            // An empty or null field selects everything, as in kustomize.
            let text = match value {
                Node::Null => continue,
                Node::Str(s) if s.is_empty() => continue,
                Node::Seq(_) | Node::Map(_) => {
                    return Err(invalid(path, format!("{origin}.{key} must be a string")))
                }
                scalar => scalar.scalar_text(),
            };
            let field = format!("{origin}.{key}");
            match key.as_str() {
                "group" => selector.group = Some(text),
                "version" => selector.version = Some(text),
                "kind" => selector.kind = Some(text),
                "name" => selector.name = Some(anchored(path, &field, &text)?),
                "namespace" => selector.namespace = Some(anchored(path, &field, &text)?),
                "labelSelector" => selector.labels = requirements(path, &field, &text)?,
                "annotationSelector" => selector.annotations = requirements(path, &field, &text)?,
                _ => {
                    return Err(unsupported(
                        path,
                        field,
                        "a target selects by group, version, kind, name, namespace, labelSelector and annotationSelector",
                    ))
                }
            }
        }
        Ok(selector)
    }

    pub(super) fn matches(&self, resource: &Node) -> bool {
        let api_version = resource
            .get("apiVersion")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let exact = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let regex =
            |want: &Option<Regex>, have: &str| want.as_ref().is_none_or(|r| r.is_match(have));
        let metadata = resource.get("metadata");
        let namespace = metadata
            .and_then(|m| m.get("namespace"))
            .map(Node::scalar_text)
            .unwrap_or_default();
        exact(&self.group, group)
            && exact(&self.version, version)
            && exact(&self.kind, resource.kind())
            && regex(&self.name, &resource.name())
            && regex(&self.namespace, &namespace)
            && self
                .labels
                .iter()
                .all(|r| r.matches(metadata.and_then(|m| m.get("labels"))))
            && self
                .annotations
                .iter()
                .all(|r| r.matches(metadata.and_then(|m| m.get("annotations"))))
    }
}

fn anchored(path: &str, field: &str, pattern: &str) -> Result<Regex> {
    Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
        invalid(
            path,
            format!("{field} {pattern:?} is not a regular expression: {e}"),
        )
    })
}

/// Parses a selector such as `app=a,tier in (x, y),!legacy`.
fn requirements(path: &str, field: &str, text: &str) -> Result<Vec<Requirement>> {
    let bad = |reason: &str| invalid(path, format!("{field} {text:?}: {reason}"));
    let mut out = Vec::new();
    for part in split_top_level(text) {
        let part = part.trim();
        if part.is_empty() {
            return Err(bad("an empty requirement (two commas in a row?)"));
        }
        let requirement = if let Some(key) = part.strip_prefix('!') {
            Requirement::Absent(key.trim().to_owned())
        } else if let Some((key, value)) = part.split_once("!=") {
            Requirement::NotIn(key.trim().to_owned(), vec![value.trim().to_owned()])
        } else if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
            Requirement::In(key.trim().to_owned(), vec![value.trim().to_owned()])
        } else if let Some((key, values)) = set_requirement(part, " notin ") {
            Requirement::NotIn(key, values.ok_or_else(|| bad("`notin` needs a (list)"))?)
        } else if let Some((key, values)) = set_requirement(part, " in ") {
            Requirement::In(key, values.ok_or_else(|| bad("`in` needs a (list)"))?)
        } else {
            Requirement::Exists(part.to_owned())
        };
        let key = match &requirement {
            Requirement::Exists(k)
            | Requirement::Absent(k)
            | Requirement::In(k, _)
            | Requirement::NotIn(k, _) => k,
        };
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(bad("a requirement is `key`, `!key`, `key=value`, `key!=value`, `key in (a,b)` or `key notin (a,b)`"));
        }
        out.push(requirement);
    }
    Ok(out)
}

/// `key in (a, b)` → `(key, Some([a, b]))`; `None` when `op` is not in `part`.
fn set_requirement(part: &str, op: &str) -> Option<(String, Option<Vec<String>>)> {
    let (key, rest) = part.split_once(op)?;
    let values = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .map(|inner| {
            inner
                .split(',')
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect()
        });
    Some((key.trim().to_owned(), values))
}

/// Splits at commas outside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (at, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn selector_syntax_reads_as_kubernetes_does() {
        let r = requirements("k", "f", "a=b, c in (x, y),!d,e,f!=g,h notin (i)").unwrap();
        assert_eq!(
            r,
            vec![
                Requirement::In("a".into(), vec!["b".into()]),
                Requirement::In("c".into(), vec!["x".into(), "y".into()]),
                Requirement::Absent("d".into()),
                Requirement::Exists("e".into()),
                Requirement::NotIn("f".into(), vec!["g".into()]),
                Requirement::NotIn("h".into(), vec!["i".into()]),
            ]
        );
        assert!(requirements("k", "f", "a,,b").is_err());
        assert!(requirements("k", "f", "a in x").is_err());
    }

    #[test]
    fn names_match_whole_not_in_part() {
        let re = anchored("k", "f", "source-controller|kustomize-controller").unwrap();
        assert!(re.is_match("kustomize-controller"));
        assert!(!re.is_match("image-source-controller-x"));
    }
}
