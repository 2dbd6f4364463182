//! A workaround for ssh-key 0.6.7 reading OpenSSH ECDSA keys: it wants the private scalar at
//! the curve's full width, but OpenSSH writes it as a minimal mpint, so about half of all P-521
//! keys (and 1 in 256 P-256/P-384 keys) fail to load. This rewrites the private section with
//! the scalar at full width and hands ssh-key an equivalent unencrypted key.

use ssh_key::PrivateKey;

const MAGIC: &[u8] = b"openssh-key-v1\0";

/// Rereads an unencrypted OpenSSH key container (the PEM body) that ssh-key refused.
pub(super) fn reread_unencrypted(container: &[u8]) -> Option<PrivateKey> {
    let mut r = Reader(container.strip_prefix(MAGIC)?);
    let cipher = r.string()?;
    let kdf = r.string()?;
    let _kdf_options = r.string()?;
    if cipher != b"none" || kdf != b"none" || r.u32()? != 1 {
        return None;
    }
    let public = r.string()?;
    let section = r.string()?;
    rebuild(public, section)
}

/// Decrypts an encrypted OpenSSH key whose decoding ssh-key refused after decryption.
pub(super) fn decrypt(key: &PrivateKey, passphrase: &[u8]) -> Option<PrivateKey> {
    let (k, iv) = key.kdf().derive_key_and_iv(key.cipher(), passphrase).ok()?;
    let mut section = key.key_data().encrypted()?.to_vec();
    key.cipher().decrypt(&k, &iv, &mut section, None).ok()?;
    let public = key.public_key().key_data().clone();
    let public = ssh_key::PublicKey::new(public, "").to_bytes().ok()?;
    rebuild(&public, &section)
}

/// An unencrypted container holding `section` with the ECDSA scalar widened, parsed by ssh-key.
fn rebuild(public: &[u8], section: &[u8]) -> Option<PrivateKey> {
    let mut r = Reader(section);
    let check1 = r.u32()?;
    let check2 = r.u32()?;
    if check1 != check2 {
        return None;
    }
    let key_type = r.string()?;
    let curve = r.string()?;
    let point = r.string()?;
    let scalar = r.string()?;
    let comment = r.string()?;
    let width = match key_type {
        b"ecdsa-sha2-nistp256" => 32,
        b"ecdsa-sha2-nistp384" => 48,
        b"ecdsa-sha2-nistp521" => 66,
        _ => return None,
    };
    let digits = &scalar[scalar.iter().position(|&b| b != 0).unwrap_or(scalar.len())..];
    if digits.len() > width {
        return None;
    }
    let mut wide = vec![0u8; width - digits.len()];
    wide.extend_from_slice(digits);
    if wide[0] & 0x80 != 0 {
        wide.insert(0, 0);
    }

    let mut out = Vec::new();
    out.extend_from_slice(&check1.to_be_bytes());
    out.extend_from_slice(&check2.to_be_bytes());
    for field in [key_type, curve, point, &wide, comment] {
        put_string(&mut out, field);
    }
    // Unencrypted sections are padded 1, 2, 3, ... to a multiple of 8.
    let mut pad = 1u8;
    while out.len() % 8 != 0 {
        out.push(pad);
        pad += 1;
    }

    let mut container = MAGIC.to_vec();
    put_string(&mut container, b"none");
    put_string(&mut container, b"none");
    put_string(&mut container, b"");
    container.extend_from_slice(&1u32.to_be_bytes());
    put_string(&mut container, public);
    put_string(&mut container, &out);
    PrivateKey::from_bytes(&container).ok()
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_be_bytes(*head))
    }
    fn string(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()? as usize;
        let bytes = self.0.get(..len)?;
        self.0 = &self.0[len..];
        Some(bytes)
    }
}
