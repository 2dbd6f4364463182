//! A quick reader for the block-style YAML kustomize writes (the bundle files): block mappings
//! and sequences, plain, single- and double-quoted scalars, `|` blocks, `{}` and `[]`.
//!
//! Reading the bundle through libyaml was about a third of a generation's time. This reader
//! only takes what it fully understands and answers `None` for anything else (flow
//! collections, anchors, tags, comments, escapes, folded blocks, tabs, non-ASCII text, ...),
//! so that the caller reads that document the reference way: its answers must equal
//! serde_norway's, never differ in any other way than by giving up.

use super::model::Node;

/// Reads one document (the text between `---` lines). `Some(Node::Null)` for an empty one.
pub(super) fn document(text: &str) -> Option<Node> {
    // Only printable ASCII and line feeds: no tabs, carriage returns, BOMs or other line breaks.
    // A fold without an early exit: no branch per byte (this check was a tenth of the reading).
    let is_text = text.bytes().fold(true, |ok, b| {
        ok & ((b == b'\n') | (b.wrapping_sub(b' ') < 95))
    });
    if !is_text {
        return None;
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut reader = Reader {
        lines: if text.is_empty() {
            Vec::new()
        } else {
            body.split('\n').collect()
        },
        pos: 0,
        // A `|` block ending at the end of the text without a line break is clipped
        // differently; such texts are left to the reference reader.
        ends_in_break: text.ends_with('\n'),
    };
    reader.skip_blank();
    if reader.done() {
        return Some(Node::Null);
    }
    if indent(reader.lines[reader.pos]) != 0 {
        return None;
    }
    let node = reader.block(0)?;
    reader.skip_blank();
    reader.done().then_some(node)
}

struct Reader<'a> {
    lines: Vec<&'a str>,
    pos: usize,
    ends_in_break: bool,
}

fn indent(line: &str) -> usize {
    line.bytes().take_while(|b| *b == b' ').count()
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ')
}

/// `-` alone or followed by a space: a sequence entry.
fn is_entry(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

/// Characters that may not start a plain scalar (or that this reader does not take there).
fn is_indicator(b: u8) -> bool {
    b"-?:,[]{}#&*!|>'\"%@` ".contains(&b)
}

impl<'a> Reader<'a> {
    fn done(&self) -> bool {
        self.pos >= self.lines.len()
    }

    fn skip_blank(&mut self) {
        while !self.done() && is_blank(self.lines[self.pos]) {
            self.pos += 1;
        }
    }

    /// The next non-blank line at or after `pos`, with its index.
    fn next_content(&self) -> Option<(usize, &'a str)> {
        (self.pos..self.lines.len())
            .map(|i| (i, self.lines[i]))
            .find(|(_, line)| !is_blank(line))
    }

    /// A block collection whose first line (at `pos`) is indented by exactly `indent`.
    fn block(&mut self, indent: usize) -> Option<Node> {
        let content = &self.lines[self.pos][indent..];
        if is_entry(content) {
            self.sequence(indent)
        } else {
            self.mapping(indent, content)
        }
    }

    fn sequence(&mut self, indent: usize) -> Option<Node> {
        let mut items = Vec::new();
        while let Some((i, line)) = self.next_content() {
            let own = self::indent(line);
            if own > indent {
                return None;
            }
            if own < indent || !is_entry(&line[indent..]) {
                break;
            }
            self.pos = i;
            let after = &line[indent + 1..];
            let content = after.trim_start_matches(' ');
            let column = line.len() - content.len();
            let item = if content.is_empty() {
                self.pos += 1;
                self.nested(indent)?
            } else if is_entry(content) {
                return None;
            } else if split_key(content).is_some() {
                self.mapping(column, content)?
            } else {
                self.pos += 1;
                self.scalar(content, indent)?
            };
            items.push(item);
        }
        Some(Node::Seq(items))
    }

    /// A mapping whose first key is `first` (on line `pos`, at column `indent`); the other keys
    /// are lines indented by exactly `indent`.
    fn mapping(&mut self, indent: usize, first: &'a str) -> Option<Node> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        let mut content = first;
        let mut ascending = true;
        loop {
            let (key, rest) = split_key(content)?;
            let key = plain_node(key)?.into_key_text();
            self.pos += 1;
            let rest = rest.trim_start_matches(' ');
            let value = if rest.is_empty() {
                self.value_below(indent)?
            } else {
                self.scalar(rest, indent)?
            };
            // Repeated keys (or keys equal once written as text) are for the reference reader.
            // Keys come mostly in ascending order: a key above an ascending run is new.
            ascending &= entries.last().is_none_or(|(last, _)| *last < key);
            if !ascending && entries.iter().any(|(k, _)| *k == key) {
                return None;
            }
            entries.push((key, value));
            let Some((i, line)) = self.next_content() else {
                break;
            };
            let own = self::indent(line);
            if own > indent {
                return None;
            }
            if own < indent {
                break;
            }
            content = &line[indent..];
            if is_entry(content) {
                return None;
            }
            self.pos = i;
        }
        Some(Node::Map(entries))
    }

    /// The value of a key with nothing after its colon: a deeper block, a sequence at the
    /// key's own indent (kustomize does not indent sequences under keys), or null.
    fn value_below(&mut self, indent: usize) -> Option<Node> {
        let Some((i, line)) = self.next_content() else {
            return Some(Node::Null);
        };
        let own = self::indent(line);
        if own > indent {
            self.pos = i;
            self.block(own)
        } else if own == indent && is_entry(&line[indent..]) {
            self.pos = i;
            self.sequence(indent)
        } else {
            Some(Node::Null)
        }
    }

    /// The item of a sequence entry with nothing after its dash.
    fn nested(&mut self, indent: usize) -> Option<Node> {
        match self.next_content() {
            Some((i, line)) if self::indent(line) > indent => {
                self.pos = i;
                self.block(self::indent(line))
            }
            _ => Some(Node::Null),
        }
    }

    /// A scalar starting with `text` on the line before `pos`; continuation lines must be
    /// indented deeper than `parent`, the indent of the collection holding it.
    fn scalar(&mut self, text: &'a str, parent: usize) -> Option<Node> {
        let text = text.trim_end_matches(' ');
        match text.as_bytes()[0] {
            b'\'' => self.single_quoted(&text[1..], parent).map(Node::Str),
            b'"' => double_quoted(&text[1..]).map(|s| Node::Str(s.to_owned())),
            b'|' => self.literal(&text[1..], parent).map(Node::Str),
            _ if text == "{}" => Some(Node::map()),
            _ if text == "[]" => Some(Node::Seq(Vec::new())),
            b'-' | b'?' | b':' if text.len() > 1 && text.as_bytes()[1] != b' ' => {
                self.plain(text, parent)
            }
            b if is_indicator(b) => None,
            _ => self.plain(text, parent),
        }
    }

    /// The continuation line at `pos` of a scalar held by a collection at `parent`, trimmed;
    /// `None` at the end of the scalar. Blank lines inside a scalar (line feeds in the value)
    /// are not taken: `Err` gives up.
    fn continuation(&self, parent: usize) -> Result<Option<&'a str>, ()> {
        match self.next_content() {
            Some((i, line)) if indent(line) > parent => {
                if i != self.pos {
                    return Err(());
                }
                Ok(Some(line.trim_matches(' ')))
            }
            _ => Ok(None),
        }
    }

    fn plain(&mut self, first: &'a str, parent: usize) -> Option<Node> {
        if !plain_line(first) {
            return None;
        }
        let mut folded: Option<String> = None;
        while let Some(line) = self.continuation(parent).ok()? {
            if line.starts_with('#') || !plain_line(line) {
                return None;
            }
            let text = folded.get_or_insert_with(|| first.to_owned());
            text.push(' ');
            text.push_str(line);
            self.pos += 1;
        }
        match folded {
            None => plain_node(first),
            Some(text) => plain_node(&text).map(|node| match node {
                Node::Str(_) => Node::Str(text),
                other => other,
            }),
        }
    }

    /// The value of `'...'` from after the opening quote; lines fold into single spaces.
    fn single_quoted(&mut self, mut line: &'a str, parent: usize) -> Option<String> {
        let mut out = String::new();
        loop {
            let mut chars = line.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if c != '\'' {
                    out.push(c);
                } else if chars.peek().map(|(_, n)| *n) == Some('\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    return is_blank(&line[i + 1..]).then_some(out);
                }
            }
            // Spaces before a line break are not part of the value.
            out.truncate(out.trim_end_matches(' ').len());
            line = self.continuation(parent).ok()??;
            out.push(' ');
            self.pos += 1;
        }
    }

    /// The value of a `|` block from after the `|`: its header must be `|`, `|-` or `|+`.
    fn literal(&mut self, header: &str, parent: usize) -> Option<String> {
        let chomp = match header {
            "" | "-" | "+" => header,
            _ => return None,
        };
        let first = self.lines.get(self.pos)?;
        let block_indent = indent(first);
        if is_blank(first) || block_indent <= parent {
            return None;
        }
        let (mut out, mut breaks) = (String::new(), 0);
        while let Some(line) = self.lines.get(self.pos) {
            if line.len() <= block_indent && is_blank(line) {
                breaks += 1;
            } else if indent(line) >= block_indent {
                out.extend(std::iter::repeat_n('\n', breaks));
                breaks = 0;
                out.push_str(&line[block_indent..]);
                out.push('\n');
            } else {
                break;
            }
            if self.pos + 1 == self.lines.len() && !self.ends_in_break {
                return None;
            }
            self.pos += 1;
        }
        match chomp {
            "-" => {
                out.pop();
            }
            "+" => out.extend(std::iter::repeat_n('\n', breaks)),
            _ => {}
        }
        Some(out)
    }
}

/// A `"..."` scalar on one line without escapes, from after the opening quote.
fn double_quoted(text: &str) -> Option<&str> {
    let end = text.find(['"', '\\'])?;
    (text.as_bytes()[end] == b'"' && is_blank(&text[end + 1..])).then_some(&text[..end])
}

/// A line of a plain scalar this reader takes: nothing that would end it early (`: `, ` #`,
/// a final `:`).
fn plain_line(text: &str) -> bool {
    !text.contains(": ") && !text.contains(" #") && !text.ends_with(':')
}

/// `key: rest` with a plain key, split at the colon.
fn split_key(content: &str) -> Option<(&str, &str)> {
    if is_indicator(*content.as_bytes().first()?) {
        return None;
    }
    let colon = content
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| matches!(content.as_bytes().get(i + 1), None | Some(b' ')))?;
    let key = &content[..colon];
    // libyaml limits simple keys to 1024 characters.
    (!key.ends_with(' ') && !key.contains(" #") && key.len() < 1000)
        .then_some((key, &content[colon + 1..]))
}

/// What serde_norway makes of a plain scalar: null, booleans, simple decimal integers and
/// strings that cannot be numbers. Anything that might be another number is `None`.
fn plain_node(text: &str) -> Option<Node> {
    match text {
        "~" | "null" | "Null" | "NULL" => return Some(Node::Null),
        "true" | "True" | "TRUE" => return Some(Node::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Node::Bool(false)),
        _ => {}
    }
    let bytes = text.as_bytes();
    // Rust's integer and float parsers (which serde_norway uses) need a digit, sign or dot
    // first for anything finite.
    if !matches!(bytes.first()?, b'0'..=b'9' | b'+' | b'-' | b'.') {
        return Some(Node::Str(text.to_owned()));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if text == "0"
        || (digits.len() <= 18
            && digits
                .as_bytes()
                .first()
                .is_some_and(|b| (b'1'..=b'9').contains(b))
            && digits.bytes().all(|b| b.is_ascii_digit()))
    {
        return text.parse().ok().map(Node::Int);
    }
    // Characters no number syntax (decimal, 0x/0o/0b, exponents, inf, nan) can contain.
    let numeric = |b: &u8| b.is_ascii_hexdigit() || b"+-.xXoObBiInNtTyY".contains(b);
    if bytes.iter().all(numeric) {
        None
    } else {
        Some(Node::Str(text.to_owned()))
    }
}

#[cfg(test)]
mod tests;
