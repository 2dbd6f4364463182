//! Reading YAML into the [`Node`] model. The parser is serde_norway's (libyaml-based); values
//! are taken as JSON data, as kustomize does before writing them out.

use serde::Deserialize;
use serde_yaml::Value;

use super::model::Node;
use super::numbers::format_float;
use crate::error::{Error, Result};

/// Parses a multi-document YAML stream. Empty documents (null) are dropped, as kustomize
/// drops them. `source_name` names the input in errors.
pub fn documents(source_name: &str, text: &str) -> Result<Vec<Node>> {
    let mut out = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let value = Value::deserialize(doc).map_err(|e| Error::InvalidYaml {
            source_name: source_name.to_owned(),
            reason: e.to_string(),
        })?;
        let node = from_value(&value);
        if node != Node::Null {
            out.push(node);
        }
    }
    Ok(out)
}

/// Converts a serde_yaml value; tags are dropped and non-string keys become their text.
pub fn from_value(value: &Value) -> Node {
    match value {
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Node::Int(i)
            } else if let Some(u) = n.as_u64() {
                Node::Uint(u)
            } else {
                Node::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => Node::Str(s.clone()),
        Value::Sequence(items) => Node::Seq(items.iter().map(from_value).collect()),
        Value::Mapping(map) => Node::Map(
            map.iter()
                .map(|(k, v)| (key_text(k), from_value(v)))
                .collect(),
        ),
        Value::Tagged(tagged) => from_value(&tagged.value),
    }
}

fn key_text(key: &Value) -> String {
    match from_value(key) {
        Node::Str(s) => s,
        Node::Float(f) => format_float(f),
        Node::Null => "null".to_owned(),
        other => other.scalar_text(),
    }
}
