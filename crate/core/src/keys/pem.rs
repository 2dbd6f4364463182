//! PEM blocks as key files carry them, including the RFC 1421 headers (`Proc-Type`,
//! `DEK-Info`) of OpenSSL's legacy encrypted keys, which the RFC 7468 parsers refuse.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use base64::Engine;
use md5::{Digest, Md5};

use crate::error::{Error, Result};

#[derive(Debug)]
pub(super) struct PemBlock {
    pub(super) label: String,
    headers: Vec<(String, String)>,
    pub(super) der: Vec<u8>,
}

impl PemBlock {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the block is encrypted the legacy OpenSSL way (`Proc-Type: 4,ENCRYPTED`).
    pub(super) fn is_legacy_encrypted(&self) -> bool {
        self.header("Proc-Type")
            .is_some_and(|v| v.contains("ENCRYPTED"))
    }
}

/// The first PEM block in `text`.
pub(super) fn parse(text: &str) -> Result<PemBlock> {
    let invalid = |reason: &str| Error::InvalidKey {
        reason: reason.to_owned(),
    };
    let mut lines = text.lines().map(str::trim);
    let label = lines
        .by_ref()
        .find_map(|l| {
            l.strip_prefix("-----BEGIN ")
                .and_then(|rest| rest.strip_suffix("-----"))
        })
        .ok_or_else(|| invalid("no PEM block (-----BEGIN ...-----) found; expected an OpenSSH, PKCS#1 or PKCS#8 private key file"))?
        .to_owned();
    let end = format!("-----END {label}-----");
    let mut headers = Vec::new();
    let mut body = String::new();
    let mut ended = false;
    for line in lines {
        if line == end {
            ended = true;
            break;
        }
        if body.is_empty() {
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
                continue;
            }
        }
        body.push_str(line);
    }
    if !ended {
        return Err(invalid(&format!("the PEM block has no {end} line")));
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|_| invalid("the PEM body is not valid base64"))?;
    Ok(PemBlock {
        label,
        headers,
        der,
    })
}

/// Decrypts a legacy encrypted PEM body (`DEK-Info: AES-128-CBC,<iv>`, as `ssh-keygen -m PEM
/// -N` and `openssl rsa -aes128` write): the key is OpenSSL's `EVP_BytesToKey` with MD5 over
/// the passphrase and the first 8 IV bytes.
pub(super) fn decrypt_legacy(block: &PemBlock, passphrase: &[u8]) -> Result<Vec<u8>> {
    let dek = block.header("DEK-Info").ok_or_else(|| Error::InvalidKey {
        reason: "the encrypted PEM key has no DEK-Info header".into(),
    })?;
    let (cipher, iv_hex) = dek.split_once(',').ok_or_else(|| Error::InvalidKey {
        reason: format!("unreadable DEK-Info header {dek:?}"),
    })?;
    let iv = hex_decode(iv_hex.trim()).ok_or_else(|| Error::InvalidKey {
        reason: format!("unreadable DEK-Info IV {iv_hex:?}"),
    })?;
    let key_len = match cipher.trim() {
        "AES-128-CBC" => 16,
        "AES-192-CBC" => 24,
        "AES-256-CBC" => 32,
        other => {
            return Err(Error::InvalidKey {
                reason: format!(
                    "unsupported PEM encryption {other}; convert the key with `ssh-keygen -p -f <file>` (OpenSSH format)"
                ),
            })
        }
    };
    if iv.len() != 16 {
        return Err(Error::InvalidKey {
            reason: "the DEK-Info IV must be 16 bytes for AES".into(),
        });
    }
    let key = bytes_to_key(passphrase, &iv[..8], key_len);
    let mut buf = block.der.clone();
    let plain_len = match key_len {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, &iv)
            .map_err(|_| Error::Internal("AES key size".into()))?
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .map(<[u8]>::len),
        24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(&key, &iv)
            .map_err(|_| Error::Internal("AES key size".into()))?
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .map(<[u8]>::len),
        _ => cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, &iv)
            .map_err(|_| Error::Internal("AES key size".into()))?
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .map(<[u8]>::len),
    }
    // Bad padding is what a wrong passphrase almost always gives.
    .map_err(|_| Error::WrongPassphrase)?;
    buf.truncate(plain_len);
    Ok(buf)
}

fn bytes_to_key(passphrase: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(len + 16);
    let mut prev: Vec<u8> = Vec::new();
    while key.len() < len {
        let mut md5 = Md5::new();
        md5.update(&prev);
        md5.update(passphrase);
        md5.update(salt);
        prev = md5.finalize().to_vec();
        key.extend_from_slice(&prev);
    }
    key.truncate(len);
    key
}

fn hex_decode(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}
