//! The wasm-bindgen facade: one thin function per core entry point. Each decodes its options
//! object, calls the core, encodes the result and maps a core error to a JS `Error` carrying
//! the stable `code` (and the `option` it is about), which the TS wrapper turns into
//! `FluxAzdoError`. Every export names its TypeScript types; the types themselves are the
//! ts-rs declarations of the core, in `ts/core-types.ts`, emitted into the `.d.ts` below.

// #[wasm_bindgen] needs `pub`; the exports reach JS, not other Rust crates.
#![allow(unreachable_pub)]

use flux_azdo_core::bundle::Bundle;
use flux_azdo_core::{install, Error};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

mod keys;
mod lifecycle;
mod manifests;

#[wasm_bindgen(typescript_custom_section)]
const CORE_TYPES: &str = include_str!("../ts/core-types.ts");

/// Maps maps to plain objects: Kubernetes labels must arrive as `{}` not `Map`.
const SERIALIZER: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::new()
    .serialize_missing_as_null(false)
    .serialize_maps_as_objects(true);

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&SERIALIZER)
        .map_err(|e| internal(&e.to_string()))
}

/// Decodes an argument of TS type `input`. A wrong shape is `INVALID_INPUT` naming the type
/// and, where serde names it, the field (as a CLI flag name).
fn from_js<T: DeserializeOwned>(value: JsValue, input: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        // serde-wasm-bindgen's errors print as JS errors do ("Error: ..."); the reason is the rest.
        let text = e.to_string();
        let reason = text.strip_prefix("Error: ").unwrap_or(&text).to_owned();
        core_error(&Error::InvalidInput {
            input: input.to_owned(),
            field: named_field(&reason).map(|f| kebab(&f)),
            reason,
        })
    })
}

/// The field in serde's ``unknown field `x` `` / ``missing field `x` `` messages.
fn named_field(reason: &str) -> Option<String> {
    let start = reason.find("field `")? + "field `".len();
    let len = reason[start..].find('`')?;
    Some(reason[start..start + len].to_owned())
}

/// `sshHostkeyAlgos` → `ssh-hostkey-algos`, as the CLI names flags.
fn kebab(field: &str) -> String {
    let mut out = String::with_capacity(field.len() + 4);
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn internal(message: &str) -> JsValue {
    core_error(&Error::Internal(message.to_owned()))
}

/// A JS `Error` with `code` and, where known, `option`.
fn core_error(err: &Error) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    let obj: &JsValue = js.as_ref();
    let _ = js_sys::Reflect::set(obj, &"code".into(), &err.code().as_str().into());
    if let Some(option) = err.option() {
        let _ = js_sys::Reflect::set(obj, &"option".into(), &option.into());
    }
    js.into()
}

fn bundle_from_js(bundle: JsValue) -> Result<Bundle, JsValue> {
    if let Some(bytes) = bundle.dyn_ref::<js_sys::Uint8Array>() {
        return Bundle::from_tar_gz(&bytes.to_vec()).map_err(|e| core_error(&e));
    }
    let files: std::collections::BTreeMap<String, String> = from_js(bundle, "BundleData")?;
    Bundle::from_files(files).map_err(|e| core_error(&e))
}

/// `gotk-components.yaml` for the install options.
#[wasm_bindgen(js_name = generateInstall, unchecked_return_type = "Manifest")]
pub fn generate_install(
    #[wasm_bindgen(unchecked_param_type = "InstallOptions")] options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "BundleData")] bundle: JsValue,
) -> Result<JsValue, JsValue> {
    let options: install::Options = from_js(options, "InstallOptions")?;
    let bundle = bundle_from_js(bundle)?;
    let manifest = install::generate(&options, &bundle).map_err(|e| core_error(&e))?;
    to_js(&manifest)
}

/// Flux's 9 bundle files, checked, from the tarball bytes or a file name → content object
/// (other files are left out).
#[wasm_bindgen(js_name = readBundle, unchecked_return_type = "BundleFiles")]
pub fn read_bundle(
    #[wasm_bindgen(unchecked_param_type = "BundleData")] bundle: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(bundle_from_js(bundle)?.files())
}

/// The Flux version this build's defaults come from.
#[wasm_bindgen(js_name = fluxVersion)]
pub fn flux_version() -> String {
    flux_azdo_core::FLUX_VERSION.to_owned()
}

/// Every code a core error can carry (the TS wrapper checks codes against it).
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "ErrorCode[]")]
pub fn error_codes() -> Result<JsValue, JsValue> {
    to_js(&flux_azdo_core::ErrorCode::ALL)
}

/// Flux's defaults, for every front end's help and forms.
#[wasm_bindgen(unchecked_return_type = "Defaults")]
pub fn defaults() -> Result<JsValue, JsValue> {
    to_js(&flux_azdo_core::defaults())
}
