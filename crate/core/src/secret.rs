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
    /// The Secret's `type`; none (Kubernetes' `Opaque`) for the Git Secret, as Flux writes it.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub secret_type: Option<String>,
    /// Key → value; the values include credentials.
    pub string_data: BTreeMap<String, String>,
}

/// Prints the keys only: the values are credentials.
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .field("type", &self.secret_type)
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
    let string_data = match &options.auth {
        Auth::Token {
            username,
            password,
            ca_crt,
        } => token_data(username, password, ca_crt.as_deref())?,
        Auth::Bearer { token, ca_crt } => bearer_data(token, ca_crt.as_deref())?,
        Auth::Ssh {
            identity,
            identity_pub,
            known_hosts,
            passphrase,
        } => ssh_data(identity, identity_pub, known_hosts, passphrase.as_ref())?,
    };
    Ok(Secret {
        name: options.name.clone(),
        namespace: options.namespace.clone(),
        secret_type: None,
        string_data,
    })
}

type Data = BTreeMap<String, String>;

fn put(data: &mut Data, key: &str, value: &str) {
    data.insert(key.to_owned(), value.to_owned());
}

/// `--token-auth`: the user name and the PAT as its password.
fn token_data(username: &str, password: &SecretString, ca_crt: Option<&str>) -> Result<Data> {
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
    let mut data = Data::new();
    put(&mut data, USERNAME_KEY, username);
    put(&mut data, PASSWORD_KEY, password.expose());
    put_ca(&mut data, ca_crt)?;
    Ok(data)
}

/// `--with-bearer-token`: the PAT as a bearer token.
fn bearer_data(token: &SecretString, ca_crt: Option<&str>) -> Result<Data> {
    require(
        "password",
        token.is_empty(),
        "bearer token auth needs the token (--password or GIT_PASSWORD)",
    )?;
    let mut data = Data::new();
    put(&mut data, BEARER_TOKEN_KEY, token.expose());
    put_ca(&mut data, ca_crt)?;
    Ok(data)
}

/// `--ca-file`, for both HTTPS kinds.
fn put_ca(data: &mut Data, ca_crt: Option<&str>) -> Result<()> {
    if let Some(ca) = ca_crt {
        require("ca-file", ca.trim().is_empty(), "the CA file is empty")?;
        put(data, CA_CRT_KEY, ca);
    }
    Ok(())
}

/// The SSH deploy key: the key pair, the host's known_hosts and the key's passphrase if any.
fn ssh_data(
    identity: &SecretString,
    identity_pub: &str,
    known_hosts: &str,
    passphrase: Option<&SecretString>,
) -> Result<Data> {
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
    let mut data = Data::new();
    put(&mut data, IDENTITY_KEY, identity.expose());
    put(&mut data, IDENTITY_PUB_KEY, identity_pub);
    put(&mut data, KNOWN_HOSTS_KEY, known_hosts);
    if let Some(passphrase) = passphrase.filter(|p| !p.is_empty()) {
        put(&mut data, PASSWORD_KEY, passphrase.expose());
    }
    Ok(data)
}

/// The value is never put in the error: only the option and what is wrong.
fn require(option: &str, missing: bool, reason: &str) -> Result<()> {
    if missing {
        Err(Error::invalid_option(option, "", reason))
    } else {
        Ok(())
    }
}
