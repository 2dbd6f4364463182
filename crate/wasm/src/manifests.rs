//! The repository files and the Secret: one thin export per core generator.

// #[wasm_bindgen] needs `pub`; the exports reach JS, not other Rust crates.
#![allow(unreachable_pub)]

use flux_azdo_core::{azure_url, kustomization, plan, secret, sync};
use wasm_bindgen::prelude::*;

use super::{bundle_from_js, core_error, from_js, to_js};

/// `gotk-sync.yaml` (`SyncOptions` → `Manifest`).
#[wasm_bindgen(js_name = generateSync)]
pub fn generate_sync(options: JsValue) -> Result<JsValue, JsValue> {
    let options: sync::Options = from_js(options, "options")?;
    to_js(&sync::generate(&options).map_err(|e| core_error(&e))?)
}

/// `kustomization.yaml` (`KustomizationOptions` → `KustomizationOutput`).
#[wasm_bindgen(js_name = generateKustomization)]
pub fn generate_kustomization(options: JsValue) -> Result<JsValue, JsValue> {
    let options: kustomization::Options = from_js(options, "options")?;
    to_js(&kustomization::generate(&options).map_err(|e| core_error(&e))?)
}

/// The Git Secret (`SecretOptions` → `SecretOutput`: the object and its YAML).
#[wasm_bindgen(js_name = generateSecret)]
pub fn generate_secret(options: JsValue) -> Result<JsValue, JsValue> {
    let options: secret::Options = from_js(options, "options")?;
    to_js(&secret::generate(&options).map_err(|e| core_error(&e))?)
}

/// Parses a repository URL in any form users paste (`Repo`).
#[wasm_bindgen(js_name = parseRepoUrl)]
pub fn parse_repo_url(url: &str) -> Result<JsValue, JsValue> {
    to_js(&azure_url::parse(url).map_err(|e| core_error(&e))?)
}

/// The repository files of a bootstrap (`PlanOptions` + bundle → `Plan`).
#[wasm_bindgen(js_name = planRepository)]
pub fn plan_repository(options: JsValue, bundle: JsValue) -> Result<JsValue, JsValue> {
    let options: plan::Options = from_js(options, "options")?;
    let bundle = bundle_from_js(bundle)?;
    to_js(&plan::plan(&options, &bundle).map_err(|e| core_error(&e))?)
}

/// A Go duration (`5m`, `1h30m`, `90s`) in milliseconds, as Flux reads `--timeout`.
#[wasm_bindgen(js_name = parseDurationMs)]
pub fn parse_duration_ms(option: &str, text: &str) -> Result<f64, JsValue> {
    let nanos = flux_azdo_core::sync::duration::parse(text).map_err(|e| {
        core_error(&flux_azdo_core::Error::InvalidOption {
            option: option.to_owned(),
            value: text.to_owned(),
            reason: format!("{}; use a duration such as 5m, 90s or 1h30m", e.0),
        })
    })?;
    // Milliseconds fit an f64 exactly for any duration a user would give.
    #[allow(clippy::cast_precision_loss)]
    Ok(nanos as f64 / 1_000_000.0)
}
