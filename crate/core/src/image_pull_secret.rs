//! The image pull Secret for a private registry (`--registry-creds` with `--image-pull-secret`),
//! as `flux bootstrap` reconciles it: `v1/Secret` of type `kubernetes.io/dockerconfigjson` in the
//! Flux namespace, `stringData[".dockerconfigjson"]` holding Docker's config JSON with one entry
//! keyed by the `--registry` value as given (path included, e.g. `ghcr.io/fluxcd`). It goes to
//! the cluster only: the repository files never depend on the credential.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::options::{validate_dns1123_label, validate_dns1123_subdomain, DEFAULT_NAMESPACE};
use crate::secret::Secret;
use crate::secret_string::SecretString;

/// The Secret's one key and its type, as Kubernetes names them.
pub const DOCKER_CONFIG_JSON_KEY: &str = ".dockerconfigjson";
pub const DOCKER_CONFIG_JSON_TYPE: &str = "kubernetes.io/dockerconfigjson";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "ImagePullSecretOptions")
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    /// `--image-pull-secret`: the Secret's name.
    pub name: String,
    /// `-n` (Flux's default `flux-system`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// `--registry`: the entry's key in `auths`, as given.
    pub registry: String,
    /// `--registry-creds`: `user:password` (the password may itself contain `:`).
    pub credentials: SecretString,
}

fn default_namespace() -> String {
    DEFAULT_NAMESPACE.to_owned()
}

/// What the plan says about the image pull Secret; the credential itself stays with the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ImagePullSecretPlan"))]
#[serde(rename_all = "camelCase")]
pub struct ImagePullSecretPlan {
    pub name: String,
    pub namespace: String,
    pub registry: String,
    /// The registry user (not a secret; shown in messages).
    pub username: String,
}

/// Checks `--registry-creds` against `--image-pull-secret`: none means no Secret; given, the
/// Secret's name must be given too and the credential must be `user:password`.
pub fn plan(
    image_pull_secret: &str,
    namespace: &str,
    registry: &str,
    credentials: &SecretString,
) -> Result<Option<ImagePullSecretPlan>> {
    if credentials.is_empty() {
        return Ok(None);
    }
    if image_pull_secret.is_empty() {
        return Err(Error::OptionRequired {
            option: "image-pull-secret".to_owned(),
            reason: "--registry-creds makes an image pull Secret and needs its name, e.g. --image-pull-secret=regcred".to_owned(),
        });
    }
    let (username, _) = split(credentials)?;
    if registry.is_empty() {
        return Err(Error::OptionRequired {
            option: "registry".to_owned(),
            reason: "--registry-creds is for the registry the images come from".to_owned(),
        });
    }
    Ok(Some(ImagePullSecretPlan {
        name: image_pull_secret.to_owned(),
        namespace: namespace.to_owned(),
        registry: registry.to_owned(),
        username: username.to_owned(),
    }))
}

/// The Secret for `options`, checked; the host applies it (it is never committed).
pub fn generate(options: &Options) -> Result<Secret> {
    validate_dns1123_subdomain("image-pull-secret", &options.name)?;
    validate_dns1123_label("namespace", &options.namespace)?;
    if options.registry.is_empty() {
        return Err(Error::invalid_option(
            "registry",
            "",
            "the registry the credential is for is empty",
        ));
    }
    let (username, password) = split(&options.credentials)?;
    let mut string_data = BTreeMap::new();
    string_data.insert(
        DOCKER_CONFIG_JSON_KEY.to_owned(),
        docker_config_json(&options.registry, username, password),
    );
    Ok(Secret {
        name: options.name.clone(),
        namespace: options.namespace.clone(),
        secret_type: Some(DOCKER_CONFIG_JSON_TYPE.to_owned()),
        string_data,
    })
}

/// `user:password` at its first colon. Flux refuses a password with a colon; Docker's `auth`
/// field splits at the first one too, so such a password works and is accepted here.
/// The errors never carry the value.
fn split(credentials: &SecretString) -> Result<(&str, &str)> {
    let refuse = |reason: &str| Err(Error::invalid_option("registry-creds", "", reason));
    let Some((username, password)) = credentials.expose().split_once(':') else {
        return refuse("expected the form user:password (or the user alone, with the password in FLUX_REGISTRY_PASSWORD, at the prompt or on stdin)");
    };
    if username.is_empty() {
        return refuse("the user name before the colon is empty: use user:password");
    }
    if password.is_empty() {
        return refuse("the password after the colon is empty: use user:password");
    }
    Ok((username, password))
}

/// Docker's config JSON byte for byte as Go's `encoding/json` writes Flux's struct: fields
/// `username`, `password`, `auth` in that order (`email` is empty, hence left out), no spaces.
fn docker_config_json(registry: &str, username: &str, password: &str) -> String {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    let mut out = String::from(r#"{"auths":{"#);
    go_json_string(&mut out, registry);
    out.push_str(r#":{"username":"#);
    go_json_string(&mut out, username);
    out.push_str(r#","password":"#);
    go_json_string(&mut out, password);
    out.push_str(r#","auth":"#);
    go_json_string(&mut out, &auth);
    out.push_str("}}}");
    out
}

/// A JSON string as Go's `encoding/json` escapes it (HTML escaping on, the Go 1.22+ short forms
/// `\b` and `\f`): the Secret's bytes then equal Flux's even for unusual passwords.
fn go_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\u{0}'..='\u{1f}' => {
                let code = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(char::from(HEX[((code >> shift) & 0xf) as usize]));
                }
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_go_does() {
        let mut out = String::new();
        go_json_string(
            &mut out,
            "u<&>\"\\\u{8}\u{c}\n\r\t\u{1}\u{7f}\u{2028}\u{2029}é😀:x",
        );
        // Printed by Go 1.26's json.Marshal for the same string.
        assert_eq!(
            out,
            "\"u\\u003c\\u0026\\u003e\\\"\\\\\\b\\f\\n\\r\\t\\u0001\u{7f}\\u2028\\u2029é😀:x\""
        );
    }
}
