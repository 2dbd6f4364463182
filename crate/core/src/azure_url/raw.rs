//! Splitting a pasted repository URL into its parts, %-decoding and Go's %-encoding, and
//! redacting credentials before a URL is shown in an error.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Https,
    Http,
    Ssh,
}

impl Scheme {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Https => "https",
            Self::Http => "http",
            Self::Ssh => "ssh",
        }
    }
    pub(crate) fn is_http(self) -> bool {
        matches!(self, Self::Https | Self::Http)
    }
}

/// A URL split into parts. The password of the user info is never kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawUrl {
    pub(crate) scheme: Scheme,
    /// The user name of the user info, %-decoded.
    pub(crate) user: Option<String>,
    /// Lowercase; IPv6 literals keep their brackets.
    pub(crate) host: String,
    pub(crate) port: Option<u16>,
    /// Starts with `/` unless empty; still %-encoded.
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) fragment: Option<String>,
    /// Written as `[user@]host:path` (scp-like syntax).
    pub(crate) scp: bool,
}

/// Why the text is not a URL at all; the caller adds the input and the expected forms.
pub(crate) type SplitError = String;

/// Hosts that are clearly Azure DevOps even when pasted without `https://`.
fn is_known_https_host(host: &str) -> bool {
    host == "dev.azure.com" || host.ends_with(".visualstudio.com")
}

pub(crate) fn split(input: &str) -> Result<RawUrl, SplitError> {
    if input.chars().any(char::is_control) {
        return Err("it contains control characters (a line break?)".into());
    }
    let scheme_end = input.find("://").filter(|&at| is_scheme(&input[..at]));
    let (scheme, rest, scp) = if let Some(at) = scheme_end {
        let scheme = match input[..at].to_ascii_lowercase().as_str() {
            "https" => Scheme::Https,
            "http" => Scheme::Http,
            "ssh" => Scheme::Ssh,
            other => {
                return Err(format!(
                    "the scheme {other:?} is not supported; Flux clones over https://, ssh:// or http://"
                ))
            }
        };
        (scheme, &input[at + 3..], false)
    } else if scp_colon(input).is_some() {
        (Scheme::Ssh, input, true)
    } else {
        let host = input.split('/').next().unwrap_or_default();
        if is_known_https_host(&host.to_ascii_lowercase()) {
            (Scheme::Https, input, false)
        } else {
            return Err(
                "it is not a URL: it must start with https:// or ssh:// (or be git@host:path)"
                    .into(),
            );
        }
    };

    let (authority, remainder) = if scp {
        let colon = scp_colon(rest).unwrap_or(rest.len());
        let path = &rest[colon + 1..];
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        (&rest[..colon], path)
    } else {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        (&rest[..end], rest[end..].to_owned())
    };

    let (user, host_port) = match authority.rfind('@') {
        Some(at) => {
            let info = &authority[..at];
            let name = info.split(':').next().unwrap_or_default();
            let name =
                decode(name).map_err(|_| "the user name has an invalid %-escape".to_owned())?;
            (Some(name).filter(|n| !n.is_empty()), &authority[at + 1..])
        }
        None => (None, authority),
    };
    let (host, port) = split_host_port(host_port)?;

    let (before_fragment, fragment) = match remainder.find('#') {
        Some(at) => (&remainder[..at], Some(remainder[at + 1..].to_owned())),
        None => (remainder.as_str(), None),
    };
    let (path, query) = match before_fragment.find('?') {
        Some(at) => (
            &before_fragment[..at],
            Some(before_fragment[at + 1..].to_owned()),
        ),
        None => (before_fragment, None),
    };
    Ok(RawUrl {
        scheme,
        user,
        host,
        port,
        path: path.to_owned(),
        query,
        fragment,
        scp,
    })
}

fn is_scheme(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// The `:` of `[user@]host:path`, if the text has that shape (a colon before any slash).
/// `user:password@host/...` (a URL missing its scheme) is not that shape.
fn scp_colon(text: &str) -> Option<usize> {
    let colon = text.find(':')?;
    let slash = text.find('/').unwrap_or(text.len());
    let after = &text[colon + 1..];
    let at_before_slash = after
        .find('@')
        .is_some_and(|at| at < after.find('/').unwrap_or(after.len()));
    (colon < slash && colon > 0 && !text[..colon].contains(' ') && !at_before_slash)
        .then_some(colon)
}

/// Splits and checks `host[:port]` (also used for `--ssh-hostname`).
pub(crate) fn split_host_port(text: &str) -> Result<(String, Option<u16>), SplitError> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let end = rest
            .find(']')
            .ok_or("the IPv6 address lacks its closing ']'")?;
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err("unexpected text after the IPv6 address".into()),
        };
        let literal = &rest[..end];
        if literal.is_empty()
            || !literal
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err("the IPv6 address is not valid".into());
        }
        (format!("[{}]", literal.to_ascii_lowercase()), port)
    } else {
        match text.rsplit_once(':') {
            Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
            None => (text.to_ascii_lowercase(), None),
        }
    };
    if host.is_empty() {
        return Err("the host name is missing".into());
    }
    if !host.starts_with('[') {
        let valid = host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
        if !valid {
            return Err("the host name is not valid (letters, digits, '-' and '.')".into());
        }
    }
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => return Err("the port is not a number from 1 to 65535".into()),
        },
    };
    Ok((host, port))
}

/// %-decodes one path segment (or user name); `+` stays `+` as in URL paths.
pub(crate) fn decode(text: &str) -> Result<String, ()> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(())?;
            let hex = std::str::from_utf8(hex).map_err(|_| ())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

/// %-encodes one path segment as Go's `url.URL.String()` writes paths (`encodePath`), plus `/`.
pub(crate) fn encode_segment(text: &str) -> String {
    encode(text, |b| {
        b.is_ascii_alphanumeric() || b"-_.~$&+,:;=@".contains(&b)
    })
}

/// %-encodes a user name as Go writes user info.
pub(crate) fn encode_user(text: &str) -> String {
    encode(text, |b| {
        b.is_ascii_alphanumeric() || b"-_.~$&+,;=".contains(&b)
    })
}

/// %-encodes as JavaScript's `encodeURIComponent` (for a URL segment built from a name).
pub(crate) fn encode_component(text: &str) -> String {
    encode(text, |b| {
        b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b)
    })
}

fn encode(text: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The input with credentials masked, fit for an error message: a password in the user info
/// becomes `***`, and so does a user name long enough to be a token. It errs on the side of
/// masking: everything up to the last `@` counts as user info.
pub(crate) fn redact(input: &str) -> String {
    let (prefix, rest) = match input.find("://").filter(|&at| is_scheme(&input[..at])) {
        Some(at) => input.split_at(at + 3),
        None => ("", input),
    };
    let Some(at) = rest.rfind('@') else {
        return input.to_owned();
    };
    let info = &rest[..at];
    let masked = match info.split_once(':') {
        _ if info.len() >= 40 || info.contains('/') => "***".to_owned(),
        Some((user, _)) => format!("{user}:***"),
        None => info.to_owned(),
    };
    format!("{prefix}{masked}{}", &rest[at..])
}
