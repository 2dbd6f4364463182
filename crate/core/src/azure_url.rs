//! Azure DevOps repository URLs: every form users paste, one `Repo` value, and the HTTPS, SSH
//! and sync URLs derived from it. Other Git hosts pass through as plain Git URLs.

use crate::error::{Error, Result};

pub fn parse(url: &str) -> Result<()> {
    Err(Error::InvalidUrl {
        url: url.to_owned(),
        reason: "not implemented".into(),
        expected: String::new(),
    })
}
