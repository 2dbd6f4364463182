//! The YAML model and a writer that formats exactly as Flux's output does (Go's YAML writer):
//! keys in go-yaml's order, compact sequences, double quotes for strings that would read as
//! another type, single quotes where a plain scalar cannot be written, libyaml's folding of
//! long plain and single-quoted scalars at width 80, `|` blocks for multi-line strings.
//!
//! The model ([`Node`]) is JSON-shaped on purpose: kustomize converts every resource to JSON
//! before writing it, so styles and tags of the input never reach Flux's output.

mod analysis;
mod emit;
mod fast;
mod model;
mod numbers;
mod order;
mod parse;
pub(crate) mod scalar;

pub use model::Node;
pub use parse::{documents as parse_documents, from_value};
pub use scalar::{reads_back_as_string, resolve_plain};

/// Writes documents separated by `---` lines, as kustomize prints a build (no leading `---`).
pub fn documents_to_string(nodes: &[Node]) -> String {
    let mut out = String::new();
    for (i, node) in nodes.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        emit::write_document(&mut out, node);
    }
    out
}
