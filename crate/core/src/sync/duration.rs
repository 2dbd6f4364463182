//! Go's `time.Duration` text: `ParseDuration` and `Duration.String`, so intervals read and
//! print exactly as in Flux (`1m` → `1m0s`, `90s` → `1m30s`).

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000 * NANOSECOND;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

/// Why a duration text was refused; the caller turns it into an option error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub &'static str);

fn unit_nanos(unit: &[u8]) -> Option<u64> {
    Some(match unit {
        b"ns" => NANOSECOND,
        // Go accepts the ASCII form and both micro signs (U+00B5, U+03BC).
        b"us" | [0xC2, 0xB5, b's'] | [0xCE, 0xBC, b's'] => MICROSECOND,
        b"ms" => MILLISECOND,
        b"s" => SECOND,
        b"m" => MINUTE,
        b"h" => HOUR,
        _ => return None,
    })
}

const LIMIT: u64 = 1 << 63;

/// Parses Go duration text (`[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or `0`) into nanoseconds,
/// with Go's overflow rules.
pub fn parse(text: &str) -> Result<i64, ParseError> {
    let mut s = text.as_bytes();
    let mut negative = false;
    if let Some(&c) = s.first() {
        if c == b'-' || c == b'+' {
            negative = c == b'-';
            s = &s[1..];
        }
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(ParseError("empty duration"));
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(ParseError("expected a number"));
        }
        let before = s.len();
        let (mut value, rest) = leading_int(s)?;
        s = rest;
        let has_int = before != s.len();
        let mut fraction = 0u64;
        let mut scale = 1f64;
        let mut has_fraction = false;
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let before = s.len();
            let (f, sc, rest) = leading_fraction(s);
            fraction = f;
            scale = sc;
            s = rest;
            has_fraction = before != s.len();
        }
        if !has_int && !has_fraction {
            return Err(ParseError("expected digits"));
        }
        let unit_len = s
            .iter()
            .position(|c| *c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(ParseError("missing unit"));
        }
        let unit = unit_nanos(&s[..unit_len]).ok_or(ParseError("unknown unit"))?;
        s = &s[unit_len..];
        if value > LIMIT / unit {
            return Err(ParseError("out of range"));
        }
        value *= unit;
        if fraction > 0 {
            // Go computes the fraction in float64; exact for every text `format` produces.
            value += (fraction as f64 * (unit as f64 / scale)) as u64;
            if value > LIMIT {
                return Err(ParseError("out of range"));
            }
        }
        total += value;
        if total > LIMIT {
            return Err(ParseError("out of range"));
        }
    }
    if negative {
        return Ok((total as i64).wrapping_neg());
    }
    if total > LIMIT - 1 {
        return Err(ParseError("out of range"));
    }
    Ok(total as i64)
}

fn leading_int(s: &[u8]) -> Result<(u64, &[u8]), ParseError> {
    let mut x: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if x > LIMIT / 10 {
            return Err(ParseError("out of range"));
        }
        x = x * 10 + u64::from(s[i] - b'0');
        if x > LIMIT {
            return Err(ParseError("out of range"));
        }
        i += 1;
    }
    Ok((x, &s[i..]))
}

fn leading_fraction(s: &[u8]) -> (u64, f64, &[u8]) {
    let mut x: u64 = 0;
    let mut scale = 1f64;
    let mut overflow = false;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if !overflow {
            if x > (LIMIT - 1) / 10 {
                overflow = true;
            } else {
                let y = x * 10 + u64::from(s[i] - b'0');
                if y > LIMIT {
                    overflow = true;
                } else {
                    x = y;
                    scale *= 10.0;
                }
            }
        }
        i += 1;
    }
    (x, scale, &s[i..])
}

/// Formats nanoseconds as Go's `Duration.String()`: `1m0s`, `1h30m0s`, `500ms`, `1.5µs`, `0s`.
pub fn format(nanos: i64) -> String {
    let mut u = nanos.unsigned_abs();
    let mut out = String::new();
    if u < SECOND {
        let (precision, unit) = match u {
            0 => return "0s".to_owned(),
            u if u < MICROSECOND => (0, "ns"),
            u if u < MILLISECOND => (3, "µs"),
            _ => (6, "ms"),
        };
        let (frac, whole) = fraction(u, precision);
        out.push_str(&whole.to_string());
        out.push_str(&frac);
        out.push_str(unit);
    } else {
        let (frac, seconds) = fraction(u, 9);
        u = seconds;
        let mut tail = format!("{}{frac}s", u % 60);
        u /= 60;
        if u > 0 {
            tail = format!("{}m{tail}", u % 60);
            u /= 60;
            if u > 0 {
                tail = format!("{u}h{tail}");
            }
        }
        out.push_str(&tail);
    }
    if nanos < 0 {
        out.insert(0, '-');
    }
    out
}

/// Splits `v` into `v / 10^precision` and the fraction text (`.5`, trailing zeros dropped, empty
/// when zero), as Go's `fmtFrac`.
fn fraction(v: u64, precision: u32) -> (String, u64) {
    let divisor = 10u64.pow(precision);
    let frac = v % divisor;
    if frac == 0 {
        return (String::new(), v / divisor);
    }
    let digits = format!("{frac:0width$}", width = precision as usize);
    (format!(".{}", digits.trim_end_matches('0')), v / divisor)
}

#[cfg(test)]
mod tests {
    use super::{format, parse};

    #[test]
    fn formats_like_go() {
        let cases = [
            ("1m", "1m0s"),
            ("90s", "1m30s"),
            ("1h30m", "1h30m0s"),
            ("1m0s", "1m0s"),
            ("500ms", "500ms"),
            ("1.5s", "1.5s"),
            ("1.5h", "1h30m0s"),
            ("10m", "10m0s"),
            ("0", "0s"),
            ("-1m", "-1m0s"),
            ("1500us", "1.5ms"),
            ("1µs", "1µs"),
            ("3ns", "3ns"),
            ("24h", "24h0m0s"),
            (".5s", "500ms"),
            ("1.s", "1s"),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).map(format), Ok(expected.to_owned()), "{input}");
        }
        assert_eq!(format(i64::MIN), "-2562047h47m16.854775808s");
        assert_eq!(format(i64::MAX), "2562047h47m16.854775807s");
    }

    #[test]
    fn refuses_what_go_refuses() {
        for bad in [
            "",
            "1",
            "m",
            "1x",
            ".s",
            "-",
            "1m 0s",
            "9223372036854775808ns",
            "3000000h",
            "1.2.3s",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} must be refused");
        }
        assert_eq!(parse("-9223372036854775808ns"), Ok(i64::MIN));
    }
}
