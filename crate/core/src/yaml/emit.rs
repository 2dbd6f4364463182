//! A YAML writer that produces the bytes Go's `sigs.k8s.io/yaml` (go-yaml v2, a port of
//! libyaml's emitter) produces for JSON-shaped data, which is what kustomize and Flux print:
//! block style, keys in go-yaml order, sequences not indented under their key, empty
//! collections as `{}`/`[]`, and libyaml's scalar styles and line folding at width 80.

use std::cmp::Ordering;

use super::analysis::{is_break, is_printable, Analysis};
use super::model::Node;
use super::numbers::format_float;
use super::order::key_order;
use super::scalar::reads_back_as_string;

const BEST_WIDTH: usize = 80;
const BEST_INDENT: i64 = 2;
const SPACES: &str = "                                                                ";

/// Appends one document (no `---`), ending in a newline, to `out` (which ends in a newline or
/// is empty): one buffer for a whole stream instead of one per document.
pub(crate) fn write_document(out: &mut String, node: &Node) {
    write_document_with(out, node, true);
}

/// `quick: false` writes every scalar a character at a time, for tests of the quick copies.
fn write_document_with(out: &mut String, node: &Node, quick: bool) {
    let mut e = Emitter {
        quick,
        out: std::mem::take(out),
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
    };
    e.node(node, Context::default());
    // Document end: break the last line.
    e.indent = -1;
    e.write_indent();
    *out = e.out;
}

#[derive(Debug, Clone, Copy, Default)]
struct Context {
    mapping: bool,
    simple_key: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Emitter {
    quick: bool,
    out: String,
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Writes a line break character taken from a scalar.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn restore_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        if self.column < indent {
            // A slice copy instead of a push per space (indents were a tenth of the writing).
            let mut missing = indent - self.column;
            while missing > 0 {
                let n = missing.min(SPACES.len());
                self.out.push_str(&SPACES[..n]);
                missing -= n;
            }
            self.column = indent;
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        indicator.chars().for_each(|c| self.put(c));
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    fn node(&mut self, node: &Node, ctx: Context) {
        match node {
            Node::Map(entries) if entries.is_empty() => self.flow_empty("{", "}"),
            Node::Seq(items) if items.is_empty() => self.flow_empty("[", "]"),
            Node::Map(entries) => self.block_mapping(entries),
            Node::Seq(items) => self.block_sequence(items, ctx),
            Node::Str(s) => self.string(s, ctx),
            Node::Null => self.scalar("null", Style::Plain, ctx),
            Node::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, ctx),
            Node::Int(i) => self.scalar(&i.to_string(), Style::Plain, ctx),
            Node::Uint(u) => self.scalar(&u.to_string(), Style::Plain, ctx),
            Node::Float(f) => self.scalar(&format_float(*f), Style::Plain, ctx),
        }
    }

    fn string(&mut self, s: &str, ctx: Context) {
        let requested = if s.contains('\n') {
            Style::Literal
        } else if reads_back_as_string(s) {
            Style::Plain
        } else {
            Style::Double
        };
        self.scalar(s, requested, ctx);
    }

    fn flow_empty(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.restore_indent();
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Node], ctx: Context) {
        self.increase_indent(false, ctx.mapping && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Context::default());
        }
        self.restore_indent();
    }

    fn block_mapping(&mut self, entries: &[(String, Node)]) {
        self.increase_indent(false, false);
        // Mappings read from the bundle are mostly in order already: no sorted copy for them
        // (keeping the order of equal keys, as the stable sort does).
        let in_order = entries.is_sorted_by(|a, b| key_order(&a.0, &b.0) != Ordering::Greater);
        let mut sorted: Vec<&(String, Node)> = Vec::new();
        if !in_order {
            sorted.extend(entries);
            sorted.sort_by(|a, b| key_order(&a.0, &b.0));
        }
        let entries = entries.iter().filter(|_| in_order).chain(sorted);
        for (key, value) in entries {
            self.write_indent();
            // libyaml writes a key inline ("simple") when it is one line of at most 128 bytes.
            if !key.contains(is_break) && key.len() <= 128 {
                self.string(
                    key,
                    Context {
                        mapping: false,
                        simple_key: true,
                    },
                );
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.string(key, Context::default());
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(
                value,
                Context {
                    mapping: true,
                    simple_key: false,
                },
            );
        }
        self.restore_indent();
    }

    fn scalar(&mut self, value: &str, requested: Style, ctx: Context) {
        let a = Analysis::of(value);
        let mut style = requested;
        if ctx.simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain && (!a.block_plain_allowed || (value.is_empty() && ctx.simple_key))
        {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || ctx.simple_key) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.plain(value, &a, allow_breaks),
            Style::Single => self.single_quoted(value, &a, allow_breaks),
            Style::Double => self.double_quoted(value, &a, allow_breaks),
            Style::Literal => self.literal(value, &a),
        }
        self.restore_indent();
    }

    fn plain(&mut self, value: &str, a: &Analysis, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        if self.fits(value, a, allow_breaks) {
            self.put_str(value);
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn single_quoted(&mut self, value: &str, a: &Analysis, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        if !value.contains('\'') && self.fits(value, a, allow_breaks) {
            self.put_str(value);
            self.write_indicator("'", false, false, false);
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < chars.len() - 1
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn double_quoted(&mut self, value: &str, a: &Analysis, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // libyaml's BOM check looks at the start of the value for every character.
        let starts_with_bom = value.starts_with('\u{FEFF}');
        if !value.contains(['"', '\\']) && self.fits(value, a, allow_breaks) {
            self.put_str(value);
            self.write_indicator("\"", false, false, false);
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || starts_with_bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    _ => {
                        let v = c as u32;
                        let (prefix, width) = match v {
                            0..=0xFF => ('x', 2),
                            0x100..=0xFFFF => ('u', 4),
                            _ => ('U', 8),
                        };
                        self.put(prefix);
                        for ch in format!("{v:0width$X}").chars() {
                            self.put(ch);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < chars.len() - 1
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// True when `value` is printable ASCII without line breaks that no space of it would
    /// fold at (a fold happens at a space past the width), so it can be copied as it is.
    fn fits(&self, value: &str, a: &Analysis, allow_breaks: bool) -> bool {
        self.quick
            && a.one_line
            && (!allow_breaks || self.column + value.len() <= BEST_WIDTH + 1 || !a.has_space)
    }

    fn put_str(&mut self, value: &str) {
        self.out.push_str(value);
        self.column += value.len();
    }

    fn literal(&mut self, value: &str, a: &Analysis) {
        self.write_indicator("|", true, false, false);
        if value.starts_with(|c| c == ' ' || is_break(c)) {
            self.write_indicator("2", false, false, false);
        }
        let mut from_end = value.chars().rev();
        let last_is_break = from_end.next().is_some_and(is_break);
        let chomp = if !last_is_break {
            Some("-")
        } else if from_end.next().is_none_or(is_break) {
            Some("+")
        } else {
            None
        };
        if let Some(hint) = chomp {
            self.write_indicator(hint, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        if self.quick && a.text {
            // The same writes as below, a line at a time: an indent before each non-empty line.
            for (i, line) in value.split('\n').enumerate() {
                if i > 0 {
                    self.put_break();
                    self.indention = true;
                }
                if !line.is_empty() {
                    self.write_indent();
                    self.put_str(line);
                    self.indention = false;
                }
            }
            return;
        }
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[cfg(test)]
mod tests;
