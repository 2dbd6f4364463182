//! libyaml's analysis of a scalar before writing it, which decides the scalar's style.

pub(super) fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// libyaml's printable set (no tabs, no characters beyond the Basic Multilingual Plane).
pub(super) fn is_printable(c: char) -> bool {
    matches!(c as u32, 0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD) && c != '\u{FEFF}'
}

/// libyaml's `yaml_emitter_analyze_scalar`, reduced to the block context this writer uses.
#[derive(Debug, PartialEq)]
pub(super) struct Analysis {
    pub(super) multiline: bool,
    pub(super) block_plain_allowed: bool,
    pub(super) single_quoted_allowed: bool,
    pub(super) block_allowed: bool,
    /// Printable ASCII and line feeds only: the writer may copy lines as they are.
    pub(super) text: bool,
    /// [`Self::text`] without line feeds.
    pub(super) one_line: bool,
    pub(super) has_space: bool,
}

impl Analysis {
    pub(super) fn of(value: &str) -> Self {
        if value.is_empty() {
            return Self {
                multiline: false,
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
                text: true,
                one_line: true,
                has_space: false,
            };
        }
        // Nearly every scalar of a bundle is printable ASCII text: its facts come from one
        // cheap pass over the bytes (this analysis was a sixth of a generation's time).
        Self::of_text(value.as_bytes()).unwrap_or_else(|| Self::of_chars(value))
    }

    /// The analysis of printable ASCII and line feeds (`None` for anything else), the same
    /// facts [`Scan::step`] collects: the only characters that matter here are ` `, `\n`,
    /// `:` (before a space or at the end), `#` (after a space or line feed) and the first one.
    fn of_text(bytes: &[u8]) -> Option<Self> {
        let (&first, &last) = (bytes.first()?, bytes.last()?);
        let (mut bad, mut breaks, mut spaces) = (false, false, false);
        let (mut indicators, mut break_space, mut space_break) = (false, false, false);
        let mut previous = first;
        for &b in &bytes[1..] {
            bad |= (b != b'\n') & (b.wrapping_sub(b' ') >= 95);
            breaks |= b == b'\n';
            spaces |= b == b' ';
            indicators |= (previous == b':' && b == b' ')
                || (b == b'#' && (previous == b' ' || previous == b'\n'));
            break_space |= previous == b'\n' && b == b' ';
            space_break |= previous == b' ' && b == b'\n';
            previous = b;
        }
        if bad || (first != b'\n' && !(b' '..=b'~').contains(&first)) {
            return None;
        }
        let followed_by_ws = bytes.get(1).is_none_or(|n| *n == b' ');
        indicators |= bytes.starts_with(b"---")
            || bytes.starts_with(b"...")
            || (bytes.len() > 1 && last == b':')
            || b"#,[]{}&*!|>'\"%@`".contains(&first)
            || (b"?:-".contains(&first) && followed_by_ws);
        let scan = Scan {
            block_indicators: indicators,
            line_breaks: breaks || first == b'\n',
            leading_space: first == b' ',
            leading_break: first == b'\n',
            trailing_space: last == b' ',
            trailing_break: last == b'\n',
            break_space,
            space_break,
            ..Scan::default()
        };
        let mut a = Self::from_scan(scan);
        a.text = true;
        a.one_line = !a.multiline;
        a.has_space = spaces || first == b' ';
        Some(a)
    }

    /// The analysis a character at a time, as libyaml does it.
    fn of_chars(value: &str) -> Self {
        let mut scan = Scan {
            block_indicators: value.starts_with("---") || value.starts_with("..."),
            preceded_by_ws: true,
            ..Scan::default()
        };
        let mut chars = value.chars().peekable();
        let mut first = true;
        while let Some(c) = chars.next() {
            scan.step(c, chars.peek().copied(), first);
            first = false;
        }
        let mut a = Self::from_scan(scan);
        a.has_space = value.contains(' ');
        a
    }

    fn from_scan(scan: Scan) -> Self {
        let Scan {
            block_indicators,
            line_breaks,
            special,
            leading_space,
            leading_break,
            trailing_space,
            trailing_break,
            break_space,
            space_break,
            ..
        } = scan;
        let mut a = Self {
            multiline: line_breaks,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
            text: false,
            one_line: false,
            has_space: false,
        };
        if leading_space || leading_break || trailing_space || trailing_break {
            a.block_plain_allowed = false;
        }
        if trailing_space {
            a.block_allowed = false;
        }
        if break_space {
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
        }
        if space_break || special {
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
            a.block_allowed = false;
        }
        if line_breaks || block_indicators {
            a.block_plain_allowed = false;
        }
        a
    }
}

/// The facts libyaml's analysis collects in one pass over a scalar.
#[derive(Default)]
struct Scan {
    block_indicators: bool,
    line_breaks: bool,
    special: bool,
    leading_space: bool,
    leading_break: bool,
    trailing_space: bool,
    trailing_break: bool,
    break_space: bool,
    space_break: bool,
    previous_space: bool,
    previous_break: bool,
    preceded_by_ws: bool,
}

impl Scan {
    /// One character `c`, followed by `next` (None at the end); `first` for the first one.
    #[inline(always)]
    fn step(&mut self, c: char, next: Option<char>, first: bool) {
        let followed_by_ws = next.is_none_or(|n| n == ' ' || n == '\t');
        let is_last = next.is_none();
        if first {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => self.block_indicators = true,
                '?' | ':' if followed_by_ws => self.block_indicators = true,
                '-' if followed_by_ws => self.block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => self.block_indicators = true,
                '#' if self.preceded_by_ws => self.block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            self.special = true;
        }
        if c == ' ' {
            self.leading_space |= first;
            self.trailing_space |= is_last;
            self.break_space |= self.previous_break;
            self.previous_space = true;
            self.previous_break = false;
        } else if is_break(c) {
            self.line_breaks = true;
            self.leading_break |= first;
            self.trailing_break |= is_last;
            self.space_break |= self.previous_space;
            self.previous_space = false;
            self.previous_break = true;
        } else {
            self.previous_space = false;
            self.previous_break = false;
        }
        self.preceded_by_ws = c == ' ' || c == '\t' || is_break(c);
    }
}

#[cfg(test)]
mod tests {
    use super::Analysis;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// The byte pass finds what libyaml's character steps find, on text made of the
        /// characters that decide them.
        #[test]
        fn the_byte_pass_equals_the_character_steps(value in "[a :#\n?,'|>\\-.\t\u{85}\u{e9}]{1,12}") {
            let mut by_chars = Analysis::of_chars(&value);
            match Analysis::of_text(value.as_bytes()) {
                Some(by_bytes) => {
                    by_chars.text = by_bytes.text;
                    by_chars.one_line = by_bytes.one_line;
                    prop_assert!(value.bytes().all(|b| b == b'\n' || (b' '..=b'~').contains(&b)));
                    prop_assert_eq!(by_bytes.one_line, !value.contains('\n'));
                    prop_assert_eq!(by_bytes, by_chars);
                }
                None => prop_assert!(!value.bytes().all(|b| b == b'\n' || (b' '..=b'~').contains(&b))),
            }
        }
    }
}
