//! The Git credential Secret (`flux-system` in the Flux namespace). Never committed: the host
//! applies it to the cluster.

use crate::error::{Error, Result};

pub fn generate() -> Result<String> {
    Err(Error::Internal(
        "secret::generate is not implemented yet".into(),
    ))
}
