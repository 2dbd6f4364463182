//! Reading YAML into the [`Node`] model. The parser is serde_norway's (libyaml-based); values
//! are taken as JSON data, as kustomize does before writing them out.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_yaml::Value;

use super::fast;
use super::model::Node;
use crate::error::{Error, Result};

/// Parses a multi-document YAML stream. Empty documents (null) are dropped, as kustomize
/// drops them. `source_name` names the input in errors.
pub fn documents(source_name: &str, text: &str) -> Result<Vec<Node>> {
    let Some(chunks) = split_documents(text) else {
        return reference_documents(source_name, text);
    };
    let mut out = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        match fast::document(chunk) {
            Some(Node::Null) => {}
            Some(node) => out.push(node),
            None => match reference_documents(source_name, chunk) {
                Ok(nodes) => out.extend(nodes),
                // Read the whole text again so that the error names lines of the text itself.
                Err(_) => return reference_documents(source_name, text),
            },
        }
    }
    Ok(out)
}

/// The documents of a stream as the texts between `---` lines, each of which libyaml reads on
/// its own as it reads it in the stream. `None` for streams with directives, `...` ends or
/// content on a `---` line.
pub(super) fn split_documents(text: &str) -> Option<Vec<&str>> {
    let mut chunks = Vec::new();
    let (mut start, mut at) = (0, 0);
    for line in text.split_inclusive('\n') {
        let bare = line.strip_suffix('\n').unwrap_or(line);
        if bare == "---" {
            chunks.push(&text[start..at]);
            start = at + line.len();
        } else if bare.starts_with("---") || bare.starts_with("...") || bare.starts_with('%') {
            return None;
        }
        at += line.len();
    }
    chunks.push(&text[start..]);
    Some(chunks)
}

/// Every document through serde_norway (libyaml), the reference reading.
pub(super) fn reference_documents(source_name: &str, text: &str) -> Result<Vec<Node>> {
    let mut out = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let node = match Direct::deserialize(doc) {
            Ok(Direct(node)) => node,
            // Whatever the direct path does not take as plain JSON-shaped data (tags, keys that
            // collide once written as text, errors) goes through serde_yaml's Value, whose
            // reading is the reference.
            Err(_) => slow_document(source_name, text, out.len())?,
        };
        if node != Node::Null {
            out.push(node);
        }
    }
    Ok(out)
}

/// Document `index` of the non-empty documents of `text`, read through `Value`.
fn slow_document(source_name: &str, text: &str, index: usize) -> Result<Node> {
    let mut seen = 0;
    for doc in serde_yaml::Deserializer::from_str(text) {
        let value = Value::deserialize(doc).map_err(|e| Error::InvalidYaml {
            source_name: source_name.to_owned(),
            reason: e.to_string(),
        })?;
        let node = from_value(&value);
        if node == Node::Null {
            continue;
        }
        if seen == index {
            return Ok(node);
        }
        seen += 1;
    }
    Err(Error::InvalidYaml {
        source_name: source_name.to_owned(),
        reason: "the document could not be read".to_owned(),
    })
}

/// Reads a document straight into [`Node`], as `from_value(Value::deserialize(..))` would,
/// without building the `Value` tree first (parsing is most of a generation's time).
struct Direct(Node);

impl<'de> Deserialize<'de> for Direct {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(DirectVisitor).map(Direct)
    }
}

struct DirectVisitor;

impl<'de> Visitor<'de> for DirectVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("plain YAML data")
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> std::result::Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> std::result::Result<Node, E> {
        Ok(Node::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> std::result::Result<Node, E> {
        Ok(Node::Int(i))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> std::result::Result<Node, E> {
        Ok(i64::try_from(u).map_or(Node::Uint(u), Node::Int))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> std::result::Result<Node, E> {
        Ok(Node::Float(f))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Node, E> {
        Ok(Node::Str(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> std::result::Result<Node, E> {
        Ok(Node::Str(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Direct(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Node, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some((Direct(key), Direct(value))) = map.next_entry()? {
            let key = key.into_key_text();
            if entries.iter().any(|(k, _)| *k == key) {
                // Duplicate keys are an error for Value, or distinct keys with the same text:
                // either way the reference path decides.
                return Err(de::Error::custom("repeated mapping key"));
            }
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
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
    from_value(key).into_key_text()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference reading: every document through `Value`.
    fn through_value(text: &str) -> std::result::Result<Vec<Node>, String> {
        let mut out = Vec::new();
        for doc in serde_yaml::Deserializer::from_str(text) {
            let node = from_value(&Value::deserialize(doc).map_err(|e| e.to_string())?);
            if node != Node::Null {
                out.push(node);
            }
        }
        Ok(out)
    }

    #[test]
    fn direct_reading_equals_the_value_reading() {
        let cases = [
            "a: 1\nb: -2\nc: 18446744073709551615\nd: 1.5\ne: .nan\nf: ~\ng: yes\nh: 'x'\n",
            "- 1\n- [a, {b: c}]\n- {}\n- []\n- |\n  block\n  text\n",
            "1: one\n2.5: two\n~: three\ntrue: four\n? [x]\n: five\n",
            "---\n---\na: 1\n...\n---\n- b\n",
            "x: !custom {a: 1}\ny: !!str 12\n",
            "k: 1\nk: 2\n",
            "1: a\n'1': b\n",
            "huge: 340282366920938463463374607431768211456\nneg: -9223372036854775809\n",
        ];
        for (text, read) in cases.iter().flat_map(|text| {
            [documents, reference_documents]
                .map(|read: fn(&str, &str) -> Result<Vec<Node>>| (*text, read))
        }) {
            let direct = read("t.yaml", text).map_err(|e| e.to_string());
            let reference = through_value(text);
            match (&direct, &reference) {
                // Debug text, so that NaN equals NaN.
                (Ok(d), Ok(r)) => assert_eq!(format!("{d:?}"), format!("{r:?}"), "{text:?}"),
                (Err(_), Err(_)) => {}
                _ => panic!("{text:?}: direct {direct:?}, reference {reference:?}"),
            }
        }
    }
}
