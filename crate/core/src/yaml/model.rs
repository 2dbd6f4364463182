//! The data model Flux's output passes through: kustomize turns every resource into JSON before
//! writing it as YAML, so what reaches the writer is plain JSON data (null, bool, number,
//! string, array, object with string keys). Mapping order is kept as inserted; the writer sorts.

/// One YAML/JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    /// Integers above `i64::MAX`.
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    /// An empty mapping.
    pub fn map() -> Self {
        Node::Map(Vec::new())
    }

    pub fn str(value: impl Into<String>) -> Self {
        Node::Str(value.into())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match self {
            Node::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The value under `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a path of mapping keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn at_mut(&mut self, path: &[&str]) -> Option<&mut Node> {
        path.iter().try_fold(self, |node, key| node.get_mut(key))
    }

    /// Sets `key` (replacing an existing value in place, else appending). No-op unless a mapping.
    pub fn set(&mut self, key: &str, value: Node) {
        if let Node::Map(entries) = self {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key.to_owned(), value)),
            }
        }
    }

    /// The mapping under `key`, created (or replacing a null) when missing, as kustomize's
    /// `create: true` field specs do. `None` when a non-mapping value is in the way.
    pub fn map_entry(&mut self, key: &str) -> Option<&mut Node> {
        if !matches!(self, Node::Map(_)) {
            return None;
        }
        match self.get(key) {
            None | Some(Node::Null) => self.set(key, Node::map()),
            Some(Node::Map(_)) => {}
            Some(_) => return None,
        }
        self.get_mut(key)
    }

    /// Follows (and creates) a path of mappings.
    pub fn map_path(&mut self, path: &[&str]) -> Option<&mut Node> {
        path.iter().try_fold(self, |node, key| node.map_entry(key))
    }

    /// `kind` of a Kubernetes object, `""` when absent.
    pub fn kind(&self) -> &str {
        self.get("kind").and_then(Node::as_str).unwrap_or_default()
    }

    /// `metadata.name` of a Kubernetes object as text, `""` when absent.
    pub fn name(&self) -> String {
        self.at(&["metadata", "name"])
            .map(Node::scalar_text)
            .unwrap_or_default()
    }

    /// The text of a scalar as Go would print it (`fmt` of the decoded value); `""` for
    /// collections.
    pub fn scalar_text(&self) -> String {
        match self {
            Node::Null => String::new(),
            Node::Bool(b) => b.to_string(),
            Node::Int(i) => i.to_string(),
            Node::Uint(u) => u.to_string(),
            Node::Float(f) => crate::yaml::numbers::format_float(*f),
            Node::Str(s) => s.clone(),
            Node::Seq(_) | Node::Map(_) => String::new(),
        }
    }

    /// A mapping key as text: non-string keys become the text Go would print.
    pub fn into_key_text(self) -> String {
        match self {
            Node::Str(s) => s,
            Node::Null => "null".to_owned(),
            other => other.scalar_text(),
        }
    }

    /// A mapping of string keys, in the order given (the writer sorts as go-yaml does).
    pub fn map_of<K: Into<String>, const N: usize>(entries: [(K, Node); N]) -> Self {
        Node::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A sequence of strings.
    pub fn str_seq<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Self {
        Node::Seq(items.into_iter().map(|s| Node::str(s.as_ref())).collect())
    }

    /// Appends `key: value` to a mapping (no-op otherwise); for keys known to be new.
    pub fn push(&mut self, key: impl Into<String>, value: Node) {
        if let Node::Map(entries) = self {
            entries.push((key.into(), value));
        }
    }
}
