//! The credential lifecycle after bootstrap (`rotate`, `check`): one thin export per core entry.

// #[wasm_bindgen] needs `pub`; the exports reach JS, not other Rust crates.
#![allow(unreachable_pub)]

use flux_azdo_core::{check, credentials};
use wasm_bindgen::prelude::*;

use super::{core_error, from_js, to_js};

/// The credential a cluster syncs with, from the GitRepository and its Secret's keys.
#[wasm_bindgen(js_name = credentialKind, unchecked_return_type = "CredentialKind")]
pub fn credential_kind(
    #[wasm_bindgen(unchecked_param_type = "CredentialFacts")] facts: JsValue,
) -> Result<JsValue, JsValue> {
    let facts: credentials::CredentialFacts = from_js(facts, "CredentialFacts")?;
    to_js(&credentials::credential_kind(&facts).map_err(|e| core_error(&e))?)
}

/// What `rotate` replaces, and the key to make.
#[wasm_bindgen(js_name = rotationPlan, unchecked_return_type = "RotationPlan")]
pub fn rotation_plan(
    #[wasm_bindgen(unchecked_param_type = "RotationOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: credentials::RotationOptions = from_js(options, "RotationOptions")?;
    to_js(&credentials::rotation_plan(&options).map_err(|e| core_error(&e))?)
}

/// How close a PAT is to its `validTo`.
#[wasm_bindgen(js_name = patExpiry, unchecked_return_type = "PatExpiry")]
pub fn pat_expiry(
    #[wasm_bindgen(unchecked_param_type = "PatExpiryOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: credentials::PatExpiryOptions = from_js(options, "PatExpiryOptions")?;
    to_js(&credentials::pat_expiry(&options))
}

/// `check`'s findings over what the host read from the cluster.
#[wasm_bindgen(js_name = evaluateCheck, unchecked_return_type = "CheckReport")]
pub fn evaluate_check(
    #[wasm_bindgen(unchecked_param_type = "CheckFacts")] facts: JsValue,
) -> Result<JsValue, JsValue> {
    let facts: check::CheckFacts = from_js(facts, "CheckFacts")?;
    to_js(&check::evaluate(&facts).map_err(|e| core_error(&e))?)
}
