//! The wasm-bindgen facade: one thin function per core entry point. Each decodes its options
//! object, calls the core, encodes the result and maps a core error to a JS `Error` carrying
//! the stable `code` (and the `option` it is about), which the TS wrapper turns into
//! `FluxAzdoError`.

use flux_azdo_core::bundle::Bundle;
use flux_azdo_core::{install, Error};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Maps maps to plain objects: Kubernetes labels must arrive as `{}` not `Map`.
const SERIALIZER: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::new()
    .serialize_missing_as_null(false)
    .serialize_maps_as_objects(true);

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&SERIALIZER)
        .map_err(|e| internal(&e.to_string()))
}

fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        core_error(&Error::InvalidOption {
            option: what.to_owned(),
            value: String::new(),
            reason: e.to_string(),
        })
    })
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
    let files: std::collections::BTreeMap<String, String> = from_js(bundle, "manifests")?;
    Bundle::from_files(files).map_err(|e| core_error(&e))
}

/// `gotk-components.yaml` for the install options. `bundle` is the `manifests.tar.gz` bytes or
/// an object of file name → content.
#[wasm_bindgen(js_name = generateInstall)]
pub fn generate_install(options: JsValue, bundle: JsValue) -> Result<JsValue, JsValue> {
    let options: install::Options = from_js(options, "options")?;
    let bundle = bundle_from_js(bundle)?;
    let manifest = install::generate(&options, &bundle).map_err(|e| core_error(&e))?;
    to_js(&manifest)
}

/// Checks that `bundle` (tarball bytes or file name → content) holds Flux's 9 manifest files.
#[wasm_bindgen(js_name = checkBundle)]
pub fn check_bundle(bundle: JsValue) -> Result<(), JsValue> {
    bundle_from_js(bundle).map(|_| ())
}

/// The Flux version this build's defaults come from.
#[wasm_bindgen(js_name = fluxVersion)]
pub fn flux_version() -> String {
    flux_azdo_core::FLUX_VERSION.to_owned()
}
