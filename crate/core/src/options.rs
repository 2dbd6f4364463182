//! Flux v2.9.4's shared defaults (namespace, components, log levels) and the validators the
//! generators share. Field names map one to one to `flux bootstrap git` flags (camelCase here,
//! kebab-case on the command line).

use crate::error::{Error, Result};

pub const DEFAULT_NAMESPACE: &str = "flux-system";
pub const DEFAULT_COMPONENTS: [&str; 4] = [
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
];
pub const EXTRA_COMPONENTS: [&str; 3] = [
    "image-reflector-controller",
    "image-automation-controller",
    "source-watcher",
];
pub const LOG_LEVELS: [&str; 3] = ["debug", "info", "error"];

/// Checks a Kubernetes DNS-1123 label (namespaces, Secret names are subdomains but Flux's
/// own names are labels).
pub fn validate_dns1123_label(option: &str, value: &str) -> Result<()> {
    if value.len() <= 63 && is_label(value) {
        Ok(())
    } else {
        Err(Error::invalid_option(
            option,
            value,
            "must be a DNS-1123 label: at most 63 characters, lowercase letters, digits and '-', starting and ending with a letter or digit",
        ))
    }
}

/// Checks a DNS-1123 subdomain (Secret and image pull secret names).
pub fn validate_dns1123_subdomain(option: &str, value: &str) -> Result<()> {
    if value.len() <= 253 && value.split('.').all(is_label) {
        Ok(())
    } else {
        Err(Error::invalid_option(
            option,
            value,
            "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', at most 253 characters",
        ))
    }
}

/// Lowercase letters, digits and `-`, not empty, starting and ending with a letter or digit
/// (the length limits differ between labels and subdomains).
fn is_label(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

/// Cleans `--path` as Flux's `flags.SafeRelativePath` does and returns it without a leading
/// `./` ("" for the repository root). Absolute paths and paths escaping the root are refused.
pub fn clean_target_path(value: &str) -> Result<String> {
    if value.starts_with('/') {
        return Err(Error::invalid_option(
            "path",
            value,
            "must be relative to the repository root, e.g. clusters/my-cluster",
        ));
    }
    let mut out: Vec<&str> = Vec::new();
    for seg in value.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.pop().is_none() {
                    return Err(Error::invalid_option(
                        "path",
                        value,
                        "must stay inside the repository (no leading '..')",
                    ));
                }
            }
            s => out.push(s),
        }
    }
    Ok(out.join("/"))
}
