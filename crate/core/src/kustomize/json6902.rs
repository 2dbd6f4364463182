//! JSON 6902 patches (RFC 6902 operations on JSON Pointer paths, RFC 6901) over [`Node`]:
//! `add`, `remove`, `replace`, `move`, `copy` and `test`, each failing when its path is not
//! there, as kustomize's JSON patch library does.

use crate::yaml::Node;

/// Applies every operation of `patch` (a list of `{op, path, value|from}`) in order.
pub(super) fn apply(object: &mut Node, patch: &[Node]) -> Result<(), String> {
    for (index, operation) in patch.iter().enumerate() {
        apply_one(object, operation).map_err(|e| format!("operation {index}: {e}"))?;
    }
    Ok(())
}

fn field<'a>(operation: &'a Node, name: &str) -> Result<&'a str, String> {
    operation
        .get(name)
        .and_then(Node::as_str)
        .ok_or_else(|| format!("needs `{name}` as a string"))
}

fn apply_one(object: &mut Node, operation: &Node) -> Result<(), String> {
    let op = field(operation, "op")?;
    let path = pointer(field(operation, "path")?)?;
    let value = || {
        operation
            .get("value")
            .cloned()
            .ok_or_else(|| format!("`{op}` needs a `value`"))
    };
    match op {
        "add" => add(object, &path, value()?),
        "remove" => remove(object, &path).map(drop),
        "replace" => replace(object, &path, value()?),
        "move" => {
            let from = pointer(field(operation, "from")?)?;
            let moved = remove(object, &from)?;
            add(object, &path, moved)
        }
        "copy" => {
            let from = pointer(field(operation, "from")?)?;
            let copied = get_mut(object, &from)?.clone();
            add(object, &path, copied)
        }
        "test" => {
            let want = value()?;
            if *get_mut(object, &path)? == want {
                Ok(())
            } else {
                Err(format!("test failed at {}", show(&path)))
            }
        }
        other => Err(format!(
            "unknown op {other:?}; use add, remove, replace, move, copy or test"
        )),
    }
}

/// A JSON Pointer as its unescaped reference tokens.
fn pointer(text: &str) -> Result<Vec<String>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let rest = text
        .strip_prefix('/')
        .ok_or_else(|| format!("path {text:?} must start with /"))?;
    Ok(rest
        .split('/')
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn show(path: &[String]) -> String {
    format!("/{}", path.join("/"))
}

fn index(token: &str, len: usize, path: &[String]) -> Result<usize, String> {
    let ok = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    match token.parse::<usize>() {
        Ok(at) if ok && at < len => Ok(at),
        _ => Err(format!(
            "{} is not an element of a list of {len}",
            show(path)
        )),
    }
}

fn get_mut<'a>(object: &'a mut Node, path: &[String]) -> Result<&'a mut Node, String> {
    let mut node = object;
    for (depth, token) in path.iter().enumerate() {
        let here = &path[..=depth];
        node = match node {
            Node::Map(_) => node
                .get_mut(token)
                .ok_or_else(|| format!("{} does not exist", show(here)))?,
            Node::Seq(items) => {
                let at = index(token, items.len(), here)?;
                &mut items[at]
            }
            _ => return Err(format!("{} does not exist", show(here))),
        };
    }
    Ok(node)
}

fn split_last(path: &[String]) -> Result<(&[String], &str), String> {
    match path.split_last() {
        Some((last, parent)) => Ok((parent, last.as_str())),
        None => Err("the whole object cannot be added or removed".to_owned()),
    }
}

fn add(object: &mut Node, path: &[String], value: Node) -> Result<(), String> {
    let (parent_path, last) = split_last(path)?;
    match get_mut(object, parent_path)? {
        parent @ Node::Map(_) => {
            parent.set(last, value);
            Ok(())
        }
        Node::Seq(items) => {
            // `-` appends; an index may also be one past the end.
            let at = if last == "-" {
                items.len()
            } else {
                index(last, items.len() + 1, path)?
            };
            items.insert(at, value);
            Ok(())
        }
        _ => Err(format!("{} has no parent to add to", show(path))),
    }
}

/// kustomize's JSON patch library replaces a missing key of an existing mapping as if added;
/// a missing list element or parent fails.
fn replace(object: &mut Node, path: &[String], value: Node) -> Result<(), String> {
    let (parent_path, last) = split_last(path)?;
    match get_mut(object, parent_path)? {
        parent @ Node::Map(_) => {
            parent.set(last, value);
            Ok(())
        }
        Node::Seq(items) => {
            let at = index(last, items.len(), path)?;
            items[at] = value;
            Ok(())
        }
        _ => Err(format!("{} does not exist", show(path))),
    }
}

fn remove(object: &mut Node, path: &[String]) -> Result<Node, String> {
    let (parent_path, last) = split_last(path)?;
    match get_mut(object, parent_path)? {
        Node::Map(entries) => {
            let at = entries
                .iter()
                .position(|(k, _)| k == last)
                .ok_or_else(|| format!("{} does not exist", show(path)))?;
            Ok(entries.remove(at).1)
        }
        Node::Seq(items) => {
            let at = index(last, items.len(), path)?;
            Ok(items.remove(at))
        }
        _ => Err(format!("{} does not exist", show(path))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn doc(text: &str) -> Node {
        parse_documents("t", text).unwrap().remove(0)
    }

    #[test]
    fn operations_follow_rfc_6902() {
        let mut object = doc("a:\n  b: [1, 2]\n  c: x\n");
        let patch = doc(
            "- {op: add, path: /a/b/-, value: 3}\n- {op: add, path: /a/b/0, value: 0}\n- {op: replace, path: /a/c, value: y}\n- {op: copy, from: /a/c, path: /a/d}\n- {op: move, from: /a/d, path: /e~1f}\n- {op: remove, path: /a/b/1}\n- {op: test, path: /a/c, value: y}\n",
        );
        let Node::Seq(ops) = patch else { panic!() };
        apply(&mut object, &ops).unwrap();
        assert_eq!(object, doc("a:\n  b: [0, 2, 3]\n  c: y\ne/f: y\n"));
        // As kustomize's JSON patch library: replacing a key a mapping lacks sets it.
        let Node::Seq(ops) = doc("- {op: replace, path: /a/z, value: 1}") else {
            panic!()
        };
        apply(&mut object, &ops).unwrap();
        assert_eq!(object.at(&["a", "z"]), Some(&Node::Int(1)));
    }

    #[test]
    fn missing_paths_fail() {
        for op in [
            "- {op: replace, path: /x/y, value: 1}",
            "- {op: replace, path: /a/1, value: 1}",
            "- {op: remove, path: /a/5}",
            "- {op: add, path: /x/y, value: 1}",
            "- {op: add, path: /a/01, value: 1}",
            "- {op: test, path: /a/0, value: 9}",
        ] {
            let mut object = doc("a: [1]\n");
            let Node::Seq(ops) = doc(op) else { panic!() };
            assert!(apply(&mut object, &ops).is_err(), "{op}");
        }
    }
}
