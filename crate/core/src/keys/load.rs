//! Loading a user's private key file: OpenSSH (maybe encrypted), PKCS#1 `RSA PRIVATE KEY` and
//! SEC1 `EC PRIVATE KEY` (maybe legacy-encrypted), PKCS#8 `PRIVATE KEY` and `ENCRYPTED PRIVATE
//! KEY`: the formats Flux's Go SSH library reads, plus encrypted PKCS#8.

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::der::asn1::ObjectIdentifier;
use rsa::pkcs8::der::Decode;
use rsa::pkcs8::{EncryptedPrivateKeyInfo, LineEnding, PrivateKeyInfo};
use ssh_key::private::{Ed25519Keypair, KeypairData};
use ssh_key::{Algorithm, EcdsaCurve, PrivateKey};

use super::openssh_ecdsa;
use super::pem::{self, PemBlock};
use super::{encode, pkcs8_pem, rsa_to_ssh, ssh_to_rsa, KeyPair};
use crate::error::{Error, Result};
use crate::secret_string::SecretString;

const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// Loads a private key file (`--private-key-file`), decrypting it with `passphrase`
/// (`--password`) when it is encrypted. `identity` is the file as given, except for encrypted
/// PKCS#8, which Flux cannot read: that becomes unencrypted PKCS#8 (`identity_encrypted` false).
pub fn load_private_key(file: &[u8], passphrase: Option<&SecretString>) -> Result<KeyPair> {
    let passphrase = passphrase.filter(|p| !p.is_empty());
    let text = std::str::from_utf8(file).map_err(|_| Error::InvalidKey {
        reason: "the key file is not text; expected a PEM private key file".into(),
    })?;
    let block = pem::parse(text)?;
    let original = SecretString::new(text);
    match block.label.as_str() {
        "OPENSSH PRIVATE KEY" => load_openssh(text, &block, passphrase),
        "RSA PRIVATE KEY" => {
            let (der, encrypted) = legacy_der(&block, passphrase)?;
            let key = rsa::RsaPrivateKey::from_pkcs1_der(&der).map_err(|e| {
                if encrypted {
                    Error::WrongPassphrase
                } else {
                    invalid(format!("unreadable PKCS#1 RSA key: {e}"))
                }
            })?;
            let mut pair = encode(&rsa_to_ssh(&key)?, Some(pkcs8_pem(&key)?))?;
            pair.identity = original;
            pair.identity_encrypted = encrypted;
            Ok(pair)
        }
        "EC PRIVATE KEY" => {
            let (der, encrypted) = legacy_der(&block, passphrase)?;
            let key = ec_from_sec1(&der, None).map_err(|e| {
                if encrypted {
                    Error::WrongPassphrase
                } else {
                    e
                }
            })?;
            let mut pair = encode(&key, None)?;
            pair.identity = original;
            pair.identity_encrypted = encrypted;
            Ok(pair)
        }
        "PRIVATE KEY" => {
            refuse_passphrase(passphrase)?;
            let mut pair = from_pkcs8_info(&block.der)?;
            pair.identity = original;
            Ok(pair)
        }
        "ENCRYPTED PRIVATE KEY" => {
            let info = EncryptedPrivateKeyInfo::from_der(&block.der)
                .map_err(|e| invalid(format!("unreadable encrypted PKCS#8 key: {e}")))?;
            let passphrase = passphrase.ok_or(Error::KeyPassphraseRequired)?;
            let der = info
                .decrypt(passphrase.expose().as_bytes())
                .map_err(|e| match e {
                    rsa::pkcs8::Error::EncryptedPrivateKey(
                        pkcs5_error @ (rsa::pkcs8::pkcs5::Error::UnsupportedAlgorithm { .. }
                        | rsa::pkcs8::pkcs5::Error::AlgorithmParametersInvalid { .. }),
                    ) => invalid(format!(
                        "cannot decrypt the PKCS#8 key ({pkcs5_error}); convert it with `ssh-keygen -p -f <file>`"
                    )),
                    // A wrong passphrase shows as bad padding (which pkcs5 0.7 reports as
                    // "encryption failed") or as garbage DER afterwards.
                    _ => Error::WrongPassphrase,
                })?;
            let mut pair = from_pkcs8_info(der.as_bytes()).map_err(|_| Error::WrongPassphrase)?;
            // Flux reads no encrypted PKCS#8, so the Secret gets the decrypted key.
            pair.identity = der
                .to_pem("PRIVATE KEY", LineEnding::LF)
                .map(|pem| SecretString::new(pem.as_str()))
                .map_err(|e| Error::Internal(format!("encoding PKCS#8: {e}")))?;
            Ok(pair)
        }
        other => Err(invalid(format!(
            "unsupported PEM block {other:?}; expected OPENSSH PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY"
        ))),
    }
}

fn invalid(reason: String) -> Error {
    Error::InvalidKey { reason }
}

/// Flux refuses a passphrase for an unencrypted key, and so would its source-controller when
/// the Secret's `password` is set: say so now.
fn refuse_passphrase(passphrase: Option<&SecretString>) -> Result<()> {
    match passphrase {
        Some(_) => Err(Error::invalid_option(
            "password",
            "***",
            "the private key is not encrypted; leave out --password",
        )),
        None => Ok(()),
    }
}

fn load_openssh(
    text: &str,
    block: &PemBlock,
    passphrase: Option<&SecretString>,
) -> Result<KeyPair> {
    let key = PrivateKey::from_openssh(text)
        .or_else(|e| openssh_ecdsa::reread_unencrypted(&block.der).ok_or(e))
        .map_err(|e| invalid(format!("unreadable OpenSSH private key: {e}")))?;
    let encrypted = key.is_encrypted();
    let key = if encrypted {
        let passphrase = passphrase
            .ok_or(Error::KeyPassphraseRequired)?
            .expose()
            .as_bytes();
        key.decrypt(passphrase).or_else(|e| match e {
            // The checkints did not match: the passphrase is wrong.
            ssh_key::Error::Crypto => Err(Error::WrongPassphrase),
            other => openssh_ecdsa::decrypt(&key, passphrase)
                .ok_or_else(|| invalid(format!("cannot decrypt the OpenSSH key: {other}"))),
        })?
    } else {
        refuse_passphrase(passphrase)?;
        key
    };
    let pkcs8 = match key.key_data().rsa() {
        Some(rsa) => Some(pkcs8_pem(&ssh_to_rsa(rsa)?)?),
        None => None,
    };
    let mut pair = encode(&key, pkcs8)?;
    pair.identity = SecretString::new(text);
    pair.identity_encrypted = encrypted;
    Ok(pair)
}

/// The DER of a PKCS#1 or SEC1 block, decrypted when it carries legacy encryption headers.
fn legacy_der(block: &PemBlock, passphrase: Option<&SecretString>) -> Result<(Vec<u8>, bool)> {
    if block.is_legacy_encrypted() {
        let passphrase = passphrase.ok_or(Error::KeyPassphraseRequired)?;
        Ok((
            pem::decrypt_legacy(block, passphrase.expose().as_bytes())?,
            true,
        ))
    } else {
        refuse_passphrase(passphrase)?;
        Ok((block.der.clone(), false))
    }
}

/// An unencrypted PKCS#8 PrivateKeyInfo of an RSA, ECDSA or Ed25519 key.
fn from_pkcs8_info(der: &[u8]) -> Result<KeyPair> {
    let info = PrivateKeyInfo::from_der(der)
        .map_err(|e| invalid(format!("unreadable PKCS#8 key: {e}")))?;
    let oid = info.algorithm.oid;
    if oid == OID_RSA {
        let key = rsa::RsaPrivateKey::try_from(info)
            .map_err(|e| invalid(format!("unreadable PKCS#8 RSA key: {e}")))?;
        encode(&rsa_to_ssh(&key)?, Some(pkcs8_pem(&key)?))
    } else if oid == OID_EC {
        let curve = info
            .algorithm
            .parameters_oid()
            .map_err(|_| invalid("the PKCS#8 EC key names no curve".into()))?;
        encode(&ec_from_sec1(info.private_key, Some(curve))?, None)
    } else if oid == OID_ED25519 {
        // CurvePrivateKey ::= OCTET STRING (the 32-byte seed)
        let seed = rsa::pkcs8::der::asn1::OctetStringRef::from_der(info.private_key)
            .map_err(|e| invalid(format!("unreadable Ed25519 key: {e}")))?;
        let seed = seed.as_bytes();
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| invalid("an Ed25519 seed must be 32 bytes".into()))?;
        let key = PrivateKey::new(KeypairData::Ed25519(Ed25519Keypair::from_seed(&seed)), "")
            .map_err(|e| Error::Internal(format!("building the Ed25519 key: {e}")))?;
        encode(&key, None)
    } else {
        Err(invalid(format!(
            "unsupported key algorithm {oid}; expected RSA, ECDSA (P-256/384/521) or Ed25519"
        )))
    }
}

/// A SEC1 ECPrivateKey with its public point (OpenSSL and Go always write it). The curve comes
/// from the key or, inside PKCS#8, from the algorithm parameters.
fn ec_from_sec1(der: &[u8], curve: Option<ObjectIdentifier>) -> Result<PrivateKey> {
    let key = sec1::EcPrivateKey::try_from(der)
        .map_err(|e| invalid(format!("unreadable EC private key: {e}")))?;
    let curve = curve
        .or_else(|| key.parameters.and_then(|p| p.named_curve()))
        .ok_or_else(|| invalid("the EC key names no curve".into()))?;
    let (curve, size) = match curve {
        c if c == OID_P256 => (EcdsaCurve::NistP256, 32),
        c if c == OID_P384 => (EcdsaCurve::NistP384, 48),
        c if c == OID_P521 => (EcdsaCurve::NistP521, 66),
        other => {
            return Err(invalid(format!(
                "unsupported EC curve {other}; SSH takes P-256, P-384 or P-521"
            )))
        }
    };
    let public = key
        .public_key
        .ok_or_else(|| invalid("the EC key has no public point".into()))?;
    if key.private_key.len() > size {
        return Err(invalid("the EC private scalar is too long".into()));
    }
    // ssh-key builds ECDSA keypairs only from its wire form without the curve crates, so
    // write that form: string curve, string Q, mpint d.
    let mut wire = Vec::new();
    put_string(&mut wire, curve.as_str().as_bytes());
    put_string(&mut wire, public);
    put_scalar(&mut wire, key.private_key, size);
    let data = KeypairData::decode_as(&mut wire.as_slice(), Algorithm::Ecdsa { curve })
        .map_err(|e| invalid(format!("inconsistent EC key: {e}")))?;
    PrivateKey::new(data, "").map_err(|e| invalid(format!("inconsistent EC key: {e}")))
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// ssh-key reads an ECDSA scalar as exactly the curve size, plus a zero byte when the top bit
/// is set (mpint style).
fn put_scalar(out: &mut Vec<u8>, bytes: &[u8], size: usize) {
    let mut fixed = vec![0u8; size - bytes.len()];
    fixed.extend_from_slice(bytes);
    if fixed[0] & 0x80 != 0 {
        fixed.insert(0, 0);
    }
    put_string(out, &fixed);
}
