//! Which host key a `known_hosts` text allows for a host, by OpenSSH's rules (sshd(8),
//! "SSH_KNOWN_HOSTS FILE FORMAT"): comma-separated host patterns with `*`/`?` and `!` negation,
//! `[host]:port` for ports other than 22, hashed names (`|1|salt|hash`, HMAC-SHA1), several keys
//! per host, and `@revoked` lines, which refuse a key whatever else the file says. A
//! `@cert-authority` line pins no key (flux-azdo verifies no host certificates), so it is skipped.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha1::Sha1;

use crate::error::Result;

use super::host::host_entry;

/// What a known_hosts text says about the key a host presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum HostKeyVerdict {
    /// The key is listed for the host.
    Pinned,
    /// The host is listed, with other keys only: the key changed, or someone is in between.
    Mismatch,
    /// A `@revoked` line names the key: never accepted.
    Revoked,
    /// No line names the host.
    Unlisted,
}

/// The verdict and the name the lines were matched against (`host` or `[host]:port`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct HostKeyCheck {
    pub verdict: HostKeyVerdict,
    pub host_name: String,
    /// How many keys the text pins for the host (0 when unlisted).
    pub pinned_keys: u32,
}

/// Checks the key `host:port` presented (its blob) against `known_hosts`.
pub fn check_host_key(
    known_hosts: &str,
    host: &str,
    port: u16,
    key_blob: &[u8],
) -> Result<HostKeyCheck> {
    let name = host_entry(host, port)?;
    let mut pinned = 0u32;
    let mut matched = false;
    let mut revoked = false;
    for entry in known_hosts.lines().filter_map(parse_line) {
        if !applies(entry.hosts, &name) {
            continue;
        }
        match entry.marker {
            Marker::Revoked if entry.key == key_blob => revoked = true,
            Marker::None => {
                pinned += 1;
                matched |= entry.key == key_blob;
            }
            Marker::Revoked | Marker::CertAuthority => {}
        }
    }
    let verdict = if revoked {
        HostKeyVerdict::Revoked
    } else if matched {
        HostKeyVerdict::Pinned
    } else if pinned > 0 {
        HostKeyVerdict::Mismatch
    } else {
        HostKeyVerdict::Unlisted
    };
    Ok(HostKeyCheck {
        verdict,
        host_name: name,
        pinned_keys: pinned,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    None,
    Revoked,
    CertAuthority,
}

struct Entry<'a> {
    marker: Marker,
    hosts: &'a str,
    key: Vec<u8>,
}

/// One line's marker, host patterns and key blob; `None` for blank, comment or unreadable lines
/// (OpenSSH skips those too).
fn parse_line(line: &str) -> Option<Entry<'_>> {
    let mut fields = line.split_ascii_whitespace();
    let first = fields.next()?;
    if first.starts_with('#') {
        return None;
    }
    let (marker, hosts) = match first {
        "@revoked" => (Marker::Revoked, fields.next()?),
        "@cert-authority" => (Marker::CertAuthority, fields.next()?),
        m if m.starts_with('@') => return None,
        hosts => (Marker::None, hosts),
    };
    let _key_type = fields.next()?;
    let key = base64::engine::general_purpose::STANDARD
        .decode(fields.next()?)
        .ok()?;
    Some(Entry { marker, hosts, key })
}

/// Whether a line's host field names `name`: a hashed name, or patterns where one matches and
/// no negated one does.
fn applies(hosts: &str, name: &str) -> bool {
    if let Some(hashed) = hosts.strip_prefix("|1|") {
        return hashed_matches(hashed, name);
    }
    let name = name.to_ascii_lowercase();
    let mut any = false;
    for pattern in hosts.split(',') {
        let pattern = pattern.to_ascii_lowercase();
        if let Some(negated) = pattern.strip_prefix('!') {
            if glob(negated.as_bytes(), name.as_bytes()) {
                return false;
            }
        } else if glob(pattern.as_bytes(), name.as_bytes()) {
            any = true;
        }
    }
    any
}

/// `salt|hash`, both base64: HMAC-SHA1 of the name keyed by the salt.
fn hashed_matches(salt_and_hash: &str, name: &str) -> bool {
    let engine = base64::engine::general_purpose::STANDARD;
    let Some((salt, hash)) = salt_and_hash.split_once('|') else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (engine.decode(salt), engine.decode(hash)) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&salt) else {
        return false;
    };
    mac.update(name.as_bytes());
    mac.verify_slice(&hash).is_ok()
}

/// OpenSSH's `match_pattern`: `*` any run, `?` any one byte.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
#[path = "known_hosts_tests.rs"]
mod tests;
