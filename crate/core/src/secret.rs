//! The Git credential Secret (`flux-system` in the Flux namespace), as Flux's
//! `sourcesecret.GenerateGit` builds it: `v1/Secret` with `stringData` only and no `type`.
//! Never committed: the host applies the returned object to the cluster; no YAML is written.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::options::{validate_dns1123_label, validate_dns1123_subdomain, DEFAULT_NAMESPACE};
use crate::secret_string::SecretString;

/// The Secret's keys, as Flux names them.
pub const USERNAME_KEY: &str = "username";
pub const PASSWORD_KEY: &str = "password";
pub const BEARER_TOKEN_KEY: &str = "bearerToken";
pub const CA_CRT_KEY: &str = "ca.crt";
pub const IDENTITY_KEY: &str = "identity";
pub const IDENTITY_PUB_KEY: &str = "identity.pub";
pub const KNOWN_HOSTS_KEY: &str = "known_hosts";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SecretOptions"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    /// `--secret-name` (Flux's default `flux-system`).
    #[serde(default = "default_name")]
    pub name: String,
    /// `-n` (Flux's default `flux-system`).
    #[serde(default = "default_name")]
    pub namespace: String,
    /// How the controllers authenticate; decides the Secret's keys.
    pub auth: Auth,
}

// Per-field defaults: `auth` has none, so the struct cannot take a `Default`.
fn default_name() -> String {
    DEFAULT_NAMESPACE.to_owned()
}

/// How the controllers authenticate to the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SecretAuth"))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Auth {
    /// `--token-auth`: HTTPS basic auth, a PAT as the password (`--username`, default `git`).
    Token {
        username: String,
        password: SecretString,
        /// `--ca-file` content (PEM).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        ca_crt: Option<String>,
    },
    /// `--with-bearer-token`: the PAT sent as a bearer token.
    Bearer {
        token: SecretString,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        ca_crt: Option<String>,
    },
    /// SSH deploy key.
    Ssh {
        /// Private key (PEM), as given or generated.
        identity: SecretString,
        /// `authorized_keys` line of the public key.
        identity_pub: String,
        /// The scanned host key line(s) for the sync URL's host.
        known_hosts: String,
        /// `--password`: the private key's passphrase, if it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        passphrase: Option<SecretString>,
    },
}

/// The Secret as plain data, for the host to apply.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    pub name: String,
    pub namespace: String,
    /// Key → value; the values include credentials.
    pub string_data: BTreeMap<String, String>,
}

/// Prints the keys only: the values are credentials.
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .field(
                "string_data",
                &self
                    .string_data
                    .keys()
                    .map(|k| (k.as_str(), "***"))
                    .collect::<BTreeMap<_, _>>(),
            )
            .finish()
    }
}

/// The Secret for `options`, checked; the host applies it (it is never committed).
pub fn generate(options: &Options) -> Result<Secret> {
    validate_dns1123_subdomain("secret-name", &options.name)?;
    validate_dns1123_label("namespace", &options.namespace)?;
    let mut data = BTreeMap::new();
    let mut put = |key: &str, value: &str| {
        data.insert(key.to_owned(), value.to_owned());
    };
    match &options.auth {
        Auth::Token {
            username,
            password,
            ca_crt,
        } => {
            require(
                "username",
                username.is_empty(),
                "the HTTPS user name (Flux's default is git)",
            )?;
            require(
                "password",
                password.is_empty(),
                "token auth needs the Azure DevOps PAT (--password or GIT_PASSWORD)",
            )?;
            put(USERNAME_KEY, username);
            put(PASSWORD_KEY, password.expose());
            if let Some(ca) = ca_crt {
                require("ca-file", ca.trim().is_empty(), "the CA file is empty")?;
                put(CA_CRT_KEY, ca);
            }
        }
        Auth::Bearer { token, ca_crt } => {
            require(
                "password",
                token.is_empty(),
                "bearer token auth needs the token (--password or GIT_PASSWORD)",
            )?;
            put(BEARER_TOKEN_KEY, token.expose());
            if let Some(ca) = ca_crt {
                require("ca-file", ca.trim().is_empty(), "the CA file is empty")?;
                put(CA_CRT_KEY, ca);
            }
        }
        Auth::Ssh {
            identity,
            identity_pub,
            known_hosts,
            passphrase,
        } => {
            require(
                "private-key-file",
                identity.is_empty(),
                "the private key is empty",
            )?;
            require(
                "private-key-file",
                identity_pub.trim().is_empty(),
                "the public key of the private key is missing",
            )?;
            require(
                "ssh-hostname",
                known_hosts.trim().is_empty(),
                "known_hosts is empty: the host key scan of the SSH host found no key",
            )?;
            put(IDENTITY_KEY, identity.expose());
            put(IDENTITY_PUB_KEY, identity_pub);
            put(KNOWN_HOSTS_KEY, known_hosts);
            if let Some(passphrase) = passphrase.as_ref().filter(|p| !p.is_empty()) {
                put(PASSWORD_KEY, passphrase.expose());
            }
        }
    }
    Ok(Secret {
        name: options.name.clone(),
        namespace: options.namespace.clone(),
        string_data: data,
    })
}

/// The value is never put in the error: only the option and what is wrong.
fn require(option: &str, missing: bool, reason: &str) -> Result<()> {
    if missing {
        Err(Error::invalid_option(option, "", reason))
    } else {
        Ok(())
    }
}
