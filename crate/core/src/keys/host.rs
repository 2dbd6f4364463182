//! Host keys as the host scanned them: the Secret's `known_hosts` line and fingerprints.

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The `known_hosts` entry Flux writes: `host key-type base64`, with the host as Go's
/// `knownhosts.Normalize` gives it (`[host]:port` unless the port is 22). One line, no newline.
/// The blob must be a public key of `key_type`.
pub fn known_hosts_line(
    host: &str,
    port: u16,
    key_type: &str,
    key_blob_base64: &str,
) -> Result<String> {
    let blob = decode_blob(key_blob_base64)?;
    let inner = blob_key_type(&blob).ok_or_else(|| invalid("the key blob has no key type"))?;
    if inner != key_type.as_bytes() {
        return Err(invalid(&format!(
            "the key blob is a {:?} key, not {key_type:?}",
            String::from_utf8_lossy(inner)
        )));
    }
    let entry = host_entry(host, port)?;
    Ok(format!("{entry} {key_type} {}", key_blob_base64.trim()))
}

/// The host as a known_hosts line names it: `host` on port 22, `[host]:port` otherwise.
pub(crate) fn host_entry(host: &str, port: u16) -> Result<String> {
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(Error::invalid_option(
            "ssh-hostname",
            host,
            "must be a host name or address without spaces",
        ));
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    Ok(if port == 22 {
        bare.to_owned()
    } else {
        format!("[{bare}]:{port}")
    })
}

/// `SHA256:<base64 without padding>` of a public key blob, as `ssh-keygen -l` prints it.
pub fn fingerprint_of_blob(key_blob_base64: &str) -> Result<String> {
    let blob = decode_blob(key_blob_base64)?;
    let digest = Sha256::digest(&blob);
    Ok(format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    ))
}

fn invalid(reason: &str) -> Error {
    Error::InvalidHostKey {
        reason: reason.to_owned(),
    }
}

/// A public key blob from its base64 (refused when not base64 or empty).
pub fn decode_blob(key_blob_base64: &str) -> Result<Vec<u8>> {
    let blob = base64::engine::general_purpose::STANDARD
        .decode(key_blob_base64.trim())
        .map_err(|_| invalid("the key blob is not base64"))?;
    if blob.is_empty() {
        return Err(invalid("the key blob is empty"));
    }
    Ok(blob)
}

/// The leading SSH string of a public key blob: its key type.
fn blob_key_type(blob: &[u8]) -> Option<&[u8]> {
    let len = u32::from_be_bytes(blob.get(..4)?.try_into().ok()?) as usize;
    blob.get(4..4 + len)
}
