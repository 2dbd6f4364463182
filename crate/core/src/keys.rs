//! SSH keys for Azure DevOps: RSA keypairs encoded from WebCrypto's PKCS#8 (or generated here as
//! a fallback), existing keys loaded, fingerprints and known_hosts lines.

use crate::error::{Error, Result};

pub fn load() -> Result<()> {
    Err(Error::Internal("keys are not implemented yet".into()))
}
