//! The YAML model and a writer that formats exactly as Flux's output does (Go's YAML writer):
//! sorted keys, compact sequences, double quotes for strings that would read as another type,
//! and libyaml's folding of long plain scalars at width 80.
//!
//! PLACEHOLDER: a minimal writer so other modules can be built against the API; the exact
//! writer replaces it.

use serde_yaml::Value;

/// Writes one YAML document (no `---`), with a trailing newline.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0, false);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn write_value(out: &mut String, value: &Value, indent: usize, _in_seq: bool) {
    match value {
        Value::Mapping(map) if !map.is_empty() => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| scalar(a.0).cmp(&scalar(b.0)));
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 || !_in_seq {
                    out.push_str(&" ".repeat(indent));
                }
                out.push_str(&scalar(k));
                out.push(':');
                match v {
                    Value::Mapping(m) if !m.is_empty() => {
                        out.push('\n');
                        write_value(out, v, indent + 2, false);
                    }
                    Value::Sequence(s) if !s.is_empty() => {
                        out.push('\n');
                        write_value(out, v, indent, false);
                    }
                    _ => {
                        out.push(' ');
                        write_value(out, v, indent, false);
                        out.push('\n');
                    }
                }
            }
        }
        Value::Sequence(seq) if !seq.is_empty() => {
            for item in seq {
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                match item {
                    Value::Mapping(m) if !m.is_empty() => write_value(out, item, indent + 2, true),
                    _ => {
                        write_value(out, item, indent + 2, false);
                        out.push('\n');
                    }
                }
            }
        }
        Value::Mapping(_) => out.push_str("{}"),
        Value::Sequence(_) => out.push_str("[]"),
        other => out.push_str(&scalar(other)),
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let ambiguous = s.is_empty()
                || matches!(
                    s.as_str(),
                    "true"
                        | "false"
                        | "null"
                        | "~"
                        | "yes"
                        | "no"
                        | "on"
                        | "off"
                        | "True"
                        | "False"
                )
                || s.parse::<f64>().is_ok();
            if ambiguous {
                format!("{s:?}")
            } else {
                s.clone()
            }
        }
        _ => String::new(),
    }
}
