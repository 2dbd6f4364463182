//! Appending bootstrap's patch items to the `patches:` of an existing kustomization.yaml, as
//! text: after the last item of a block list, inside a flow list, or as a new `patches:` block.
//! The result is parsed back and must equal the old document plus the items, so a layout the
//! text edit does not understand is refused (with the items to paste) instead of corrupted.

use super::PatchItem;
use crate::error::{Error, Result};
use crate::yaml::{self, Node};

/// Appends `items` to the `patches:` list of `text` (whose parsed document is `map`), or a
/// `patches:` block to the file, and proves by parsing that nothing else changed.
pub(super) fn append_items(
    text: &str,
    mut map: Node,
    items: &[PatchItem],
    path: &str,
    option: &'static str,
) -> Result<String> {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    // A refusal says where and hands over the items to paste, so the user is never stuck.
    let not_patchable = |reason: &str| Error::KustomizationNotPatchable {
        path: path.to_owned(),
        reason: refusal(text, reason, items),
        option,
    };
    let has_patches = map.get("patches").is_some();
    let mut patches = match map.get("patches") {
        None | Some(Node::Null) => Vec::new(),
        Some(Node::Seq(existing)) => existing.clone(),
        Some(_) => {
            return Err(Error::InvalidYaml {
                source_name: path.to_owned(),
                reason: "`patches` must be a list".into(),
            })
        }
    };
    let updated = if has_patches {
        insert_into_patches(text, items, newline).map_err(not_patchable)?
    } else {
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(newline);
        }
        out.push_str("patches:");
        out.push_str(newline);
        out.push_str(&blocks(items, 0, newline));
        out
    };

    // The edit must have added exactly these items and changed nothing else.
    patches.extend(items.iter().map(PatchItem::value));
    map.set("patches", Node::Seq(patches));
    let reparsed = yaml::parse_documents(path, &updated).ok();
    if reparsed.as_deref() != Some(std::slice::from_ref(&map)) {
        return Err(not_patchable(
            "its layout is not one this tool can extend safely; add the patch by hand",
        ));
    }
    Ok(updated)
}

fn blocks(items: &[PatchItem], indent: usize, newline: &str) -> String {
    items.iter().map(|i| i.block(indent, newline)).collect()
}

/// Adds the item after the last item of the top-level `patches:` block list.
fn insert_into_patches(
    text: &str,
    items: &[PatchItem],
    newline: &str,
) -> std::result::Result<String, &'static str> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let key_line = lines
        .iter()
        .position(|line| line.starts_with("patches:"))
        .ok_or("the `patches` key is not written as a plain `patches:` line")?;
    let after_key = lines[key_line]["patches:".len()..].trim_end();
    let (value, comment) = match after_key.find('#') {
        Some(at) => (after_key[..at].trim(), after_key[at..].trim()),
        None => (after_key.trim(), ""),
    };

    let mut out = String::with_capacity(text.len() + 300);
    if value == "[]" {
        // An empty flow list becomes a block list holding the one item.
        out.extend(lines[..key_line].iter().copied());
        out.push_str("patches:");
        if !comment.is_empty() {
            out.push(' ');
            out.push_str(comment);
        }
        out.push_str(newline);
        out.push_str(&blocks(items, 0, newline));
        out.extend(lines[key_line + 1..].iter().copied());
        return Ok(out);
    }
    if value.starts_with('[') {
        let start = lines[..key_line].iter().map(|l| l.len()).sum::<usize>()
            + lines[key_line].find('[').unwrap_or(0);
        return insert_into_flow_list(text, start, items);
    }
    if !value.is_empty() {
        return Err("`patches` is neither a block list nor a flow list ([...])");
    }

    let mut item_indent = None;
    let mut last_content = key_line;
    for (index, line) in lines.iter().enumerate().skip(key_line + 1) {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        if indent == 0 && (trimmed.starts_with("---") || trimmed.starts_with("...")) {
            break;
        }
        let blank = trimmed.trim().is_empty();
        let comment = trimmed.starts_with('#');
        // A comment never ends the list or sets its indentation; only one indented deeper than
        // the items may be content (a line of a block scalar), so it stays inside its item.
        if blank || (comment && item_indent.is_none_or(|items| indent <= items)) {
            continue;
        }
        if item_indent.is_none() {
            if !trimmed.starts_with('-') {
                break; // `patches:` with no items, followed by the next key
            }
            item_indent = Some(indent);
        }
        let item_level = item_indent.unwrap_or(0);
        if indent < item_level || (indent == item_level && !trimmed.starts_with('-')) {
            break;
        }
        last_content = index;
    }

    out.extend(lines[..=last_content].iter().copied());
    if !out.ends_with('\n') {
        out.push_str(newline);
    }
    out.push_str(&blocks(items, item_indent.unwrap_or(0), newline));
    out.extend(lines[last_content + 1..].iter().copied());
    Ok(out)
}

/// Adds the item before the `]` that closes the flow list opening at byte `start`, after the
/// last item (with a `, ` unless the list is empty or ends in a comma); nothing else moves.
fn insert_into_flow_list(
    text: &str,
    start: usize,
    items: &[PatchItem],
) -> std::result::Result<String, &'static str> {
    let bytes = text.as_bytes();
    let (mut depth, mut quote, mut escaped, mut comment) = (0usize, None::<u8>, false, false);
    let mut last = start;
    for (at, &byte) in bytes.iter().enumerate().skip(start) {
        if comment {
            comment = byte != b'\n';
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if q == b'"' && byte == b'\\' {
                escaped = true;
            } else if byte == q {
                quote = None;
            }
            last = at;
            continue;
        }
        match byte {
            b'#' if at > 0 && bytes[at - 1].is_ascii_whitespace() => comment = true,
            b'\'' | b'"' => quote = Some(byte),
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let separator = match bytes[last] {
                        b'[' => "",
                        b',' => " ",
                        _ => ", ",
                    };
                    let item = items
                        .iter()
                        .map(PatchItem::flow)
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Ok(format!(
                        "{}{separator}{item}{}",
                        &text[..=last],
                        &text[last + 1..]
                    ));
                }
            }
            _ => {}
        }
        if !byte.is_ascii_whitespace() && !comment {
            last = at;
        }
    }
    Err("the `patches` flow list ([...]) is not closed")
}

/// The reason for a refusal, with the line of `patches` and the item to add by hand.
fn refusal(text: &str, reason: &str, items: &[PatchItem]) -> String {
    let line = text
        .split('\n')
        .position(|l| l.trim_start_matches(['"', '\'']).starts_with("patches"))
        .map(|index| format!(" (line {})", index + 1))
        .unwrap_or_default();
    format!(
        "{reason}{line}; add this to its `patches:` list by hand:\n{}",
        blocks(items, 0, "\n")
    )
}
