//! libyaml's analysis of a scalar before writing it, which decides the scalar's style.

pub(super) fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// libyaml's printable set (no tabs, no characters beyond the Basic Multilingual Plane).
pub(super) fn is_printable(c: char) -> bool {
    matches!(c as u32, 0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD) && c != '\u{FEFF}'
}

/// libyaml's `yaml_emitter_analyze_scalar`, reduced to the block context this writer uses.
pub(super) struct Analysis {
    pub(super) multiline: bool,
    pub(super) block_plain_allowed: bool,
    pub(super) single_quoted_allowed: bool,
    pub(super) block_allowed: bool,
}

impl Analysis {
    pub(super) fn of(value: &str) -> Self {
        if value.is_empty() {
            return Self {
                multiline: false,
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let mut scan = Scan {
            block_indicators: value.starts_with("---") || value.starts_with("..."),
            preceded_by_ws: true,
            ..Scan::default()
        };
        if value.is_ascii() {
            // Most scalars are ASCII: the same steps over bytes, without decoding characters.
            let bytes = value.as_bytes();
            for (i, &b) in bytes.iter().enumerate() {
                scan.step(
                    char::from(b),
                    bytes.get(i + 1).map(|n| char::from(*n)),
                    i == 0,
                );
            }
        } else {
            let mut chars = value.chars().peekable();
            let mut first = true;
            while let Some(c) = chars.next() {
                scan.step(c, chars.peek().copied(), first);
                first = false;
            }
        }
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
