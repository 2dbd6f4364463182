//! How Go's YAML libraries read and write scalars, which decides Flux's bytes:
//! - which strings the writer must quote (go-yaml v2's resolver, YAML 1.1 flavoured: a string
//!   that would read back as a bool, number, null or timestamp gets double quotes);
//! - what a plain scalar means when a template put user text into YAML (go-yaml v3's resolver).
//!
//! Go's number parsing lives in `numbers.rs`, Go's map key order in `order.rs`.

use super::model::Node;
use super::numbers::{go_parse_float, go_parse_int, go_parse_uint};

/// True when go-yaml v2 would read `s`, written plain, back as a string: only then may the
/// writer leave it unquoted.
pub fn reads_back_as_string(s: &str) -> bool {
    !is_base60_float(s) && matches!(resolve_v2(s), Resolved::Str)
}

#[derive(Debug, PartialEq)]
enum Resolved {
    Str,
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Timestamp,
}

const V2_TRUE: [&str; 11] = [
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
];
const V2_FALSE: [&str; 11] = [
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
];
const NULLS: [&str; 5] = ["", "~", "null", "Null", "NULL"];

fn special_float(s: &str) -> Option<f64> {
    match s {
        ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

fn resolve_v2(s: &str) -> Resolved {
    let Some(first) = s.bytes().next() else {
        return Resolved::Null;
    };
    let hint = match first {
        b'+' | b'-' | b'0'..=b'9' => 'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => 'M',
        b'.' => '.',
        _ => return Resolved::Str,
    };
    if V2_TRUE.contains(&s) {
        return Resolved::Bool(true);
    }
    if V2_FALSE.contains(&s) {
        return Resolved::Bool(false);
    }
    if NULLS.contains(&s) {
        return Resolved::Null;
    }
    if let Some(f) = special_float(s) {
        return Resolved::Float(f);
    }
    if s == "<<" {
        return Resolved::Str;
    }
    match hint {
        '.' => go_parse_float(s).map_or(Resolved::Str, Resolved::Float),
        'D' => {
            if parse_timestamp(s) {
                return Resolved::Timestamp;
            }
            resolve_number(s).unwrap_or(Resolved::Str)
        }
        _ => Resolved::Str,
    }
}

/// The int/float part shared by both Go resolvers (`_` separators dropped, Go base prefixes).
fn resolve_number(s: &str) -> Option<Resolved> {
    let plain: String = s.chars().filter(|c| *c != '_').collect();
    if let Some(i) = go_parse_int(&plain) {
        return Some(Resolved::Int(i));
    }
    if let Some(u) = go_parse_uint(&plain) {
        return Some(Resolved::Uint(u));
    }
    if is_yaml_style_float(&plain) {
        if let Some(f) = go_parse_float(&plain) {
            return Some(Resolved::Float(f));
        }
    }
    if let Some(bin) = plain.strip_prefix("0b") {
        if let Ok(i) = i64::from_str_radix(bin, 2) {
            return Some(Resolved::Int(i));
        }
        if let Ok(u) = u64::from_str_radix(bin, 2) {
            return Some(Resolved::Uint(u));
        }
    } else if let Some(bin) = plain.strip_prefix("-0b") {
        if let Ok(i) = i64::from_str_radix(&format!("-{bin}"), 2) {
            return Some(Resolved::Int(i));
        }
    }
    None
}

/// What go-yaml v3 decodes a plain scalar to (timestamps stay strings, YAML 1.1 booleans such
/// as `yes` stay strings). Used where a Flux template writes user text unquoted into YAML.
pub fn resolve_plain(s: &str) -> Node {
    match s {
        "true" | "True" | "TRUE" => return Node::Bool(true),
        "false" | "False" | "FALSE" => return Node::Bool(false),
        _ => {}
    }
    if NULLS.contains(&s) {
        return Node::Null;
    }
    if let Some(f) = special_float(s) {
        return Node::Float(f);
    }
    let resolved = match s.bytes().next() {
        Some(b'+' | b'-' | b'0'..=b'9') => {
            let octal = s
                .strip_prefix("0o")
                .and_then(|o| i64::from_str_radix(o, 8).ok());
            resolve_number(s).or(octal.map(Resolved::Int))
        }
        Some(b'.') => go_parse_float(s).map(Resolved::Float),
        _ => None,
    };
    match resolved {
        Some(Resolved::Int(i)) => Node::Int(i),
        Some(Resolved::Uint(u)) => Node::Uint(u),
        Some(Resolved::Float(f)) => Node::Float(f),
        _ => Node::Str(s.to_owned()),
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if !b.get(i).is_some_and(u8::is_ascii_digit) || !s.contains(':') {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let group = &b[start..i];
        let ok = match group.len() {
            1 => true,
            2 => group[0] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml's timestamp check: `YYYY-M-D`, optionally followed by a time of day.
fn parse_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let [year, month, day] = parts[..] else {
        return false;
    };
    let num = |p: &str, max_len: usize| -> Option<u32> {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|c| c.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(year, 4), num(month, 2), num(day, 2)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if d == 0 || d > days {
        return false;
    }
    match time {
        None => true,
        Some(t) => {
            let clock = t.split(['.', 'Z', '+', '-']).next().unwrap_or_default();
            let hms: Vec<Option<u32>> = clock.split(':').map(|p| num(p, 2)).collect();
            matches!(hms[..], [Some(h), Some(mi), Some(se)] if h < 24 && mi < 60 && se < 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_go_yaml_v2() {
        for s in [
            "",
            "true",
            "yes",
            "Off",
            "~",
            "null",
            "1000",
            "8080",
            "0x1F",
            "1e3",
            ".5",
            "1:20",
            "2001-12-14",
            "-1",
            "+.inf",
            "0777",
            "089",
            "1_000",
        ] {
            assert!(!reads_back_as_string(s), "{s:?} must be quoted");
        }
        for s in [
            "flux-system",
            "nan",
            "inf",
            "yesno",
            "2001-13-14",
            "v2.9.4",
            "1.2.3",
            "0x",
            "-",
            "--log-level=info",
            "<<",
            "1:70",
        ] {
            assert!(reads_back_as_string(s), "{s:?} may stay plain");
        }
    }

    #[test]
    fn plain_scalars_resolve_like_go_yaml_v3() {
        assert_eq!(resolve_plain("123"), Node::Int(123));
        assert_eq!(resolve_plain("0123"), Node::Int(83));
        assert_eq!(resolve_plain("089"), Node::Float(89.0));
        assert_eq!(resolve_plain("yes"), Node::str("yes"));
        assert_eq!(resolve_plain("true"), Node::Bool(true));
        assert_eq!(resolve_plain("null"), Node::Null);
        assert_eq!(resolve_plain("2001-12-14"), Node::str("2001-12-14"));
        assert_eq!(resolve_plain("flux-system"), Node::str("flux-system"));
        assert_eq!(resolve_plain("0o17"), Node::Int(15));
    }
}
