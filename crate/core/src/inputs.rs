//! The argument objects of the core's entry points that take more than one value, so that
//! every call across the wasm boundary takes one typed options object.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::keys::DEFAULT_RSA_BITS;
use crate::secret_string::SecretString;

/// Options of `generateRsaKey`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct GenerateRsaKeyOptions {
    /// `--ssh-rsa-bits`: 2048 to 8192, a multiple of 8.
    pub bits: u32,
    /// Encrypts `privateKeyOpenssh` (bcrypt KDF, aes256-ctr, as `ssh-keygen -N`).
    pub passphrase: Option<SecretString>,
}

impl Default for GenerateRsaKeyOptions {
    fn default() -> Self {
        Self {
            bits: DEFAULT_RSA_BITS,
            passphrase: None,
        }
    }
}

/// Options of `loadPrivateKey`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct LoadPrivateKeyOptions {
    /// The key file's content: OpenSSH, PKCS#1, SEC1 or PKCS#8 PEM.
    #[cfg_attr(feature = "ts", ts(type = "string | Uint8Array"))]
    pub private_key: KeyFile,
    /// `--password`: the key's passphrase, when it is encrypted.
    pub passphrase: Option<SecretString>,
    /// Refuse non-RSA keys (`KEY_NOT_RSA`), as Azure DevOps SSH accepts only RSA.
    pub require_rsa: bool,
}

/// A key file's bytes, given as text or as bytes. `Debug` never shows them.
#[derive(Clone, PartialEq, Eq, Default, Serialize)]
pub struct KeyFile(pub Vec<u8>);

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyFile(***)")
    }
}

impl<'de> Deserialize<'de> for KeyFile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl<'de> Visitor<'de> for Bytes {
            type Value = KeyFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("the key file as a string or bytes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyFile, E> {
                Ok(KeyFile(v.as_bytes().to_vec()))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<KeyFile, E> {
                Ok(KeyFile(v.to_vec()))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<KeyFile, E> {
                Ok(KeyFile(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyFile, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(KeyFile(out))
            }
        }
        deserializer.deserialize_any(Bytes)
    }
}

/// Options of `knownHostsLine`: a scanned host key and where it was scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KnownHostsLineOptions {
    /// Host name or address (IPv6 with or without brackets).
    pub host: String,
    pub port: u16,
    /// The key type the server named, e.g. `ssh-rsa`.
    pub key_type: String,
    /// The public key blob, base64.
    pub key_blob: String,
}

/// Options of `checkHostKey`: the key a host presented and the known_hosts text to check it
/// against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckHostKeyOptions {
    /// known_hosts text (OpenSSH format: patterns, hashed names, `@revoked`).
    pub known_hosts: String,
    /// Host name or address the connection was made to.
    pub host: String,
    pub port: u16,
    /// The presented public key blob, base64.
    pub key_blob: String,
}

/// Options of `parseDuration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DurationOptions {
    /// The flag the text came from (named in the error), e.g. `timeout`.
    pub option: String,
    /// A Go duration: `5m`, `90s`, `1h30m`.
    pub text: String,
}

/// Options of `checkSyncPath`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncPathCheck {
    /// `spec.path` of the cluster's Flux Kustomization.
    pub existing: String,
    /// `--path` as given.
    pub wanted: String,
}

/// Options of `pushTarget`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PushTargetOptions {
    /// The repository URL, any accepted form.
    pub url: String,
    /// `--ssh-hostkey-algos`.
    pub ssh_hostkey_algos: Vec<String>,
}
