//! Numbers as Go prints them: kustomize writes each resource as JSON (Go's `encoding/json`)
//! and go-yaml v2 reads that back and prints it (`strconv.FormatFloat(f, 'g', -1, 64)`); and
//! numbers as Go reads them (`strconv.ParseInt`/`ParseUint`/`ParseFloat`).

/// A float as go-yaml v2 prints it after the JSON round trip kustomize makes: Go's JSON
/// encoding first, which a YAML reader then takes as an int when it has no fraction.
pub(crate) fn format_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let json = go_json_float(f);
    match go_parse_int(&json) {
        Some(i) => i.to_string(),
        None => go_format_g(json.parse().unwrap_or(f)),
    }
}

/// Shortest round-trip digits and decimal exponent: `f = 0.d1d2... × 10^point`.
fn shortest_digits(f: f64) -> (String, i32) {
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (digits, exp + 1)
}

fn fixed(negative: bool, digits: &str, point: i32) -> String {
    let mut out = String::from(if negative { "-" } else { "" });
    if point <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat(point.unsigned_abs() as usize));
        out.push_str(digits);
    } else if point as usize >= digits.len() {
        out.push_str(digits);
        out.push_str(&"0".repeat(point as usize - digits.len()));
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    out
}

fn exponent(negative: bool, digits: &str, point: i32, min_exp_digits: usize) -> String {
    let mut out = String::from(if negative { "-" } else { "" });
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let e = point - 1;
    out.push('e');
    out.push(if e < 0 { '-' } else { '+' });
    out.push_str(&format!("{:0width$}", e.abs(), width = min_exp_digits));
    out
}

/// Go's `encoding/json` float64 text.
fn go_json_float(f: f64) -> String {
    if f == 0.0 {
        return "0".to_owned();
    }
    let abs = f.abs();
    let (digits, point) = shortest_digits(f);
    if !(1e-6..1e21).contains(&abs) {
        // Go's JSON writes e-07 as e-7: one exponent digit at least.
        return exponent(f < 0.0, &digits, point, 1);
    }
    fixed(f < 0.0, &digits, point)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`.
fn go_format_g(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let (digits, point) = shortest_digits(f);
    let exp = point - 1;
    // Go decides with precision 6 when printing the shortest representation.
    if !(-4..6).contains(&exp) {
        exponent(f < 0.0, &digits, point, 2)
    } else {
        fixed(f < 0.0, &digits, point)
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
pub(super) fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = go_parse_uint(digits)?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)` (no sign accepted).
pub(super) fn go_parse_uint(s: &str) -> Option<u64> {
    let lower = s.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms YAML can produce.
pub(super) fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.trim_start_matches(['+', '-']);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return s.parse::<f64>().ok();
    }
    if !body
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    s.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::format_float;

    #[test]
    fn floats_print_like_go_after_the_json_round_trip() {
        assert_eq!(format_float(89.0), "89");
        assert_eq!(format_float(0.5), "0.5");
        assert_eq!(format_float(1e21), "1e+21");
        assert_eq!(format_float(1e-7), "1e-07");
        assert_eq!(format_float(-2.5), "-2.5");
    }
}
