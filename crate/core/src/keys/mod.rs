//! SSH keys for Azure DevOps: RSA keypairs encoded from WebCrypto's PKCS#8 (or generated here as
//! a fallback), existing keys loaded, fingerprints and known_hosts lines.
//!
//! Every function takes bytes (and, where randomness is needed, an rng from the host) and
//! returns plain data: the core does no I/O.
//!
//! ssh-key 0.6.7 builds a broken `rsa::RsaPrivateKey` from an OpenSSH RSA keypair (it passes
//! the prime `p` twice), so this module never uses that conversion: it only converts from
//! `rsa` to `ssh-key`, and rebuilds `rsa` keys from the OpenSSH components itself.

mod host;
mod known_hosts;
mod load;
mod openssh_ecdsa;
mod pem;

use rand_core::CryptoRngCore;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PrivateKeyParts;
use serde::{Deserialize, Serialize};
use ssh_key::private::{KeypairData, RsaKeypair};
use ssh_key::{HashAlg, PrivateKey};

use crate::error::{Error, Result};
use crate::secret_string::SecretString;

pub use host::{decode_blob as decode_key_blob, fingerprint_of_blob, known_hosts_line};
pub use known_hosts::{check_host_key, HostKeyCheck, HostKeyVerdict};
pub use load::load_private_key;

/// `--ssh-rsa-bits` when none is given.
pub const DEFAULT_RSA_BITS: u32 = 4096;
pub const MIN_RSA_BITS: u32 = 2048;
pub const MAX_RSA_BITS: u32 = 8192;

/// `--ssh-key-algorithm`: the kind of deploy key to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum KeyAlgorithm {
    Rsa,
    Ecdsa,
    Ed25519,
}

/// `--ssh-ecdsa-curve`: the curve of a generated ECDSA key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum EcdsaCurve {
    P256,
    /// Flux's default.
    #[default]
    P384,
    P521,
}

/// A keypair and every encoding of it the host needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KeyPair {
    /// The SSH key type: `ssh-rsa`, `ecdsa-sha2-nistp256|384|521` or `ssh-ed25519`.
    pub algorithm: String,
    /// The RSA modulus size, the ECDSA curve size, or 256 for Ed25519.
    pub bits: u32,
    /// What goes into the Secret's `identity`: the PKCS#8 PEM of a generated key (as Flux
    /// writes it), or the user's key file exactly as given (as Flux keeps it).
    pub identity: SecretString,
    /// Whether `identity` is encrypted, i.e. the Secret also needs the passphrase as `password`.
    pub identity_encrypted: bool,
    /// The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`); RSA keys only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub private_key_pkcs8: Option<SecretString>,
    /// The private key in OpenSSH format, for the user's own file and for SSH clients. A
    /// generated key is encrypted with the passphrase given (bcrypt + aes256-ctr); a loaded key
    /// is re-encoded unencrypted (the user already has their own file).
    pub private_key_openssh: SecretString,
    /// Whether `private_key_openssh` is encrypted.
    pub openssh_encrypted: bool,
    /// The public key as an authorized_keys line without comment, ending in `\n` (Flux's
    /// `identity.pub`).
    pub public_key: String,
    /// `SHA256:...`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
}

/// Which generator made a key: WebCrypto, or the core's pure-Rust fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum KeyGenerator {
    Webcrypto,
    Rust,
}

/// A generated keypair and the generator that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GeneratedKeyPair {
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub pair: KeyPair,
    pub generator: KeyGenerator,
}

/// Checks `--ssh-rsa-bits`: 2048 to 8192, a multiple of 8.
pub fn validate_rsa_bits(bits: u32) -> Result<()> {
    if (MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) && bits.is_multiple_of(8) {
        Ok(())
    } else {
        Err(Error::invalid_option(
            "ssh-rsa-bits",
            bits.to_string(),
            format!(
                "must be a multiple of 8 from {MIN_RSA_BITS} to {MAX_RSA_BITS} (default {DEFAULT_RSA_BITS})"
            ),
        ))
    }
}

/// Generates an RSA keypair in pure Rust. Slow on wasm32 (seconds to tens of seconds for 4096
/// bits): the host uses WebCrypto and [`from_pkcs8_der`] where it can, and this as the fallback.
pub fn generate_rsa(bits: u32, rng: &mut impl CryptoRngCore) -> Result<KeyPair> {
    validate_rsa_bits(bits)?;
    let key = rsa::RsaPrivateKey::new(rng, bits as usize)
        .map_err(|e| Error::Internal(format!("RSA key generation failed: {e}")))?;
    encode_generated_rsa(&key)
}

/// Encodes an RSA private key given as PKCS#8 DER (what WebCrypto's `exportKey('pkcs8')`
/// returns) into a [`KeyPair`] as Flux would write a key it generated.
pub fn from_pkcs8_der(der: &[u8]) -> Result<KeyPair> {
    let key = rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|e| Error::InvalidKey {
        reason: format!("not an RSA PKCS#8 private key: {e}"),
    })?;
    encode_generated_rsa(&key)
}

/// Encrypts the OpenSSH encoding of a freshly generated pair with `passphrase` (bcrypt KDF,
/// aes256-ctr, as `ssh-keygen -N` does). The Secret's `identity` stays the unencrypted PKCS#8
/// key, as Flux writes it.
pub fn encrypt_openssh(
    pair: KeyPair,
    passphrase: &SecretString,
    rng: &mut impl CryptoRngCore,
) -> Result<KeyPair> {
    if passphrase.is_empty() {
        return Ok(pair);
    }
    if pair.openssh_encrypted {
        return Err(Error::Internal(
            "the OpenSSH key is already encrypted".into(),
        ));
    }
    let key = PrivateKey::from_openssh(pair.private_key_openssh.expose())
        .map_err(|e| Error::Internal(format!("re-reading our own OpenSSH key: {e}")))?;
    let encrypted = key
        .encrypt(rng, passphrase.expose().as_bytes())
        .map_err(|e| Error::Internal(format!("encrypting the OpenSSH key: {e}")))?;
    Ok(KeyPair {
        private_key_openssh: openssh_text(&encrypted)?,
        openssh_encrypted: true,
        ..pair
    })
}

/// Refuses keys Azure DevOps cannot use: its SSH server accepts only RSA keys, signed with
/// rsa-sha2-256 or rsa-sha2-512.
pub fn require_rsa_for_azure(pair: &KeyPair) -> Result<()> {
    if pair.algorithm == "ssh-rsa" {
        Ok(())
    } else {
        Err(Error::KeyNotRsa {
            algorithm: pair.algorithm.clone(),
            option: "private-key-file",
        })
    }
}

fn encode_generated_rsa(key: &rsa::RsaPrivateKey) -> Result<KeyPair> {
    let pkcs8 = pkcs8_pem(key)?;
    let mut pair = encode(&rsa_to_ssh(key)?, Some(pkcs8.clone()))?;
    pair.identity = pkcs8;
    Ok(pair)
}

fn pkcs8_pem(key: &rsa::RsaPrivateKey) -> Result<SecretString> {
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| Error::Internal(format!("encoding PKCS#8: {e}")))?;
    Ok(SecretString::new(pem.as_str()))
}

/// Converts a checked `rsa` key into ssh-key's form (the direction ssh-key gets right).
fn rsa_to_ssh(key: &rsa::RsaPrivateKey) -> Result<PrivateKey> {
    key.validate().map_err(|e| Error::InvalidKey {
        reason: format!("the RSA key is inconsistent: {e}"),
    })?;
    if key.primes().len() != 2 {
        return Err(Error::InvalidKey {
            reason: "multi-prime RSA keys are not supported by SSH".into(),
        });
    }
    let keypair = RsaKeypair::try_from(key).map_err(|e| Error::InvalidKey {
        reason: format!("cannot express the RSA key for SSH: {e}"),
    })?;
    PrivateKey::new(KeypairData::Rsa(keypair), "")
        .map_err(|e| Error::Internal(format!("building the SSH key: {e}")))
}

/// Rebuilds an `rsa` key from an OpenSSH RSA keypair's components and checks it.
fn ssh_to_rsa(keypair: &RsaKeypair) -> Result<rsa::RsaPrivateKey> {
    let uint = |m: &ssh_key::Mpint| {
        m.as_positive_bytes()
            .map(rsa::BigUint::from_bytes_be)
            .ok_or_else(|| Error::InvalidKey {
                reason: "an RSA component is negative".into(),
            })
    };
    let key = rsa::RsaPrivateKey::from_components(
        uint(&keypair.public.n)?,
        uint(&keypair.public.e)?,
        uint(&keypair.private.d)?,
        vec![uint(&keypair.private.p)?, uint(&keypair.private.q)?],
    )
    .map_err(|e| Error::InvalidKey {
        reason: format!("the RSA key is inconsistent: {e}"),
    })?;
    key.validate().map_err(|e| Error::InvalidKey {
        reason: format!("the RSA key is inconsistent: {e}"),
    })?;
    Ok(key)
}

fn openssh_text(key: &PrivateKey) -> Result<SecretString> {
    let text = key
        .to_openssh(ssh_key::LineEnding::LF)
        .map_err(|e| Error::Internal(format!("encoding the OpenSSH key: {e}")))?;
    Ok(SecretString::new(text.as_str()))
}

/// Every encoding of an unencrypted key; `identity` starts as the OpenSSH text and callers
/// replace it with what Flux would store.
fn encode(key: &PrivateKey, pkcs8: Option<SecretString>) -> Result<KeyPair> {
    let mut key = key.clone();
    key.set_comment("");
    let public = key.public_key();
    let public_line = public
        .to_openssh()
        .map_err(|e| Error::Internal(format!("encoding the public key: {e}")))?;
    let openssh = openssh_text(&key)?;
    Ok(KeyPair {
        algorithm: key.algorithm().as_str().to_owned(),
        bits: key_bits(key.key_data()),
        identity: openssh.clone(),
        identity_encrypted: false,
        private_key_pkcs8: pkcs8,
        private_key_openssh: openssh,
        openssh_encrypted: false,
        public_key: format!("{public_line}\n"),
        fingerprint: public.fingerprint(HashAlg::Sha256).to_string(),
    })
}

fn key_bits(data: &KeypairData) -> u32 {
    if let Some(rsa) = data.rsa() {
        let n = rsa.public.n.as_positive_bytes().unwrap_or_default();
        let lead = n.first().map_or(0, |b| 8 - b.leading_zeros());
        return (n.len().saturating_sub(1) * 8) as u32 + lead;
    }
    if let Some(ecdsa) = data.ecdsa() {
        return match ecdsa.curve() {
            ssh_key::EcdsaCurve::NistP256 => 256,
            ssh_key::EcdsaCurve::NistP384 => 384,
            ssh_key::EcdsaCurve::NistP521 => 521,
        };
    }
    256
}

#[cfg(test)]
mod tests;
