//! SSH keys: RSA generation through WebCrypto (the core only encodes the PKCS#8 it exports),
//! with the core's pure-Rust generation as the fallback where `crypto.subtle` is missing;
//! loading a user's key; known_hosts lines and fingerprints.

// #[wasm_bindgen] needs `pub`; the exports reach JS, not other Rust crates.
#![allow(unreachable_pub)]

use flux_azdo_core::inputs::{
    CheckHostKeyOptions, GenerateRsaKeyOptions, KnownHostsLineOptions, LoadPrivateKeyOptions,
};
use flux_azdo_core::keys::{self, GeneratedKeyPair, KeyGenerator};
use flux_azdo_core::secret_string::SecretString;
use js_sys::{Array, Object, Reflect, Uint8Array};
use rand_core::OsRng;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{core_error, from_js, to_js};

/// A generated RSA keypair. The OpenSSH encoding is encrypted with `passphrase` when one is
/// given.
#[wasm_bindgen(js_name = generateRsaKey, unchecked_return_type = "GeneratedKeyPair")]
pub async fn generate_rsa_key(
    #[wasm_bindgen(unchecked_param_type = "GenerateRsaKeyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: GenerateRsaKeyOptions = from_js(options, "GenerateRsaKeyOptions")?;
    let bits = options.bits;
    keys::validate_rsa_bits(bits).map_err(|e| core_error(&e))?;
    // A WebCrypto failure (or its absence, e.g. a browser page outside a secure context)
    // falls back to the slower pure-Rust generation.
    let (pair, generator) = match subtle_crypto() {
        Some(subtle) => match webcrypto_pkcs8(&subtle, bits).await {
            Ok(der) => (keys::from_pkcs8_der(&der), KeyGenerator::Webcrypto),
            Err(_) => (keys::generate_rsa(bits, &mut OsRng), KeyGenerator::Rust),
        },
        None => (keys::generate_rsa(bits, &mut OsRng), KeyGenerator::Rust),
    };
    finish_generated(pair, options.passphrase, generator)
}

/// The pure-Rust generation alone (slow on wasm32: seconds to tens of seconds); for hosts
/// without WebCrypto and for benchmarks.
#[wasm_bindgen(js_name = generateRsaKeyPureRust, unchecked_return_type = "GeneratedKeyPair")]
pub fn generate_rsa_key_pure_rust(
    #[wasm_bindgen(unchecked_param_type = "GenerateRsaKeyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: GenerateRsaKeyOptions = from_js(options, "GenerateRsaKeyOptions")?;
    finish_generated(
        keys::generate_rsa(options.bits, &mut OsRng),
        options.passphrase,
        KeyGenerator::Rust,
    )
}

fn finish_generated(
    pair: flux_azdo_core::error::Result<keys::KeyPair>,
    passphrase: Option<SecretString>,
    generator: KeyGenerator,
) -> Result<JsValue, JsValue> {
    let mut pair = pair.map_err(|e| core_error(&e))?;
    if let Some(passphrase) = passphrase.filter(|p| !p.is_empty()) {
        pair = keys::encrypt_openssh(pair, &passphrase, &mut OsRng).map_err(|e| core_error(&e))?;
    }
    to_js(&GeneratedKeyPair { pair, generator })
}

/// Loads a private key file; with `requireRsa`, refuses non-RSA keys as Azure DevOps does.
#[wasm_bindgen(js_name = loadPrivateKey, unchecked_return_type = "KeyPair")]
pub fn load_private_key(
    #[wasm_bindgen(unchecked_param_type = "LoadPrivateKeyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: LoadPrivateKeyOptions = from_js(options, "LoadPrivateKeyOptions")?;
    let pair = keys::load_private_key(&options.private_key.0, options.passphrase.as_ref())
        .map_err(|e| core_error(&e))?;
    if options.require_rsa {
        keys::require_rsa_for_azure(&pair).map_err(|e| core_error(&e))?;
    }
    to_js(&pair)
}

/// The Secret's `known_hosts` line for a scanned host key.
#[wasm_bindgen(js_name = knownHostsLine)]
pub fn known_hosts_line(
    #[wasm_bindgen(unchecked_param_type = "KnownHostsLineOptions")] options: JsValue,
) -> Result<String, JsValue> {
    let o: KnownHostsLineOptions = from_js(options, "KnownHostsLineOptions")?;
    keys::known_hosts_line(&o.host, o.port, &o.key_type, &o.key_blob).map_err(|e| core_error(&e))
}

/// What a known_hosts text says about the key a host presented (OpenSSH's rules, in the core).
#[wasm_bindgen(js_name = checkHostKey, unchecked_return_type = "HostKeyCheck")]
pub fn check_host_key(
    #[wasm_bindgen(unchecked_param_type = "CheckHostKeyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let o: CheckHostKeyOptions = from_js(options, "CheckHostKeyOptions")?;
    let blob = keys::decode_key_blob(&o.key_blob).map_err(|e| core_error(&e))?;
    let check =
        keys::check_host_key(&o.known_hosts, &o.host, o.port, &blob).map_err(|e| core_error(&e))?;
    to_js(&check)
}

/// `SHA256:...` of a public key blob (base64).
#[wasm_bindgen(js_name = fingerprintOfBlob)]
pub fn fingerprint_of_blob(key_blob_base64: &str) -> Result<String, JsValue> {
    keys::fingerprint_of_blob(key_blob_base64).map_err(|e| core_error(&e))
}

/// `globalThis.crypto.subtle`, looked up by name so it is found in Node (≥19), windows and
/// workers alike.
fn subtle_crypto() -> Option<web_sys::SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    if crypto.is_undefined() || crypto.is_null() {
        return None;
    }
    let subtle = Reflect::get(&crypto, &"subtle".into()).ok()?;
    if subtle.is_undefined() || subtle.is_null() {
        return None;
    }
    Some(subtle.unchecked_into())
}

/// Generates an RSA key with WebCrypto and exports its private key as PKCS#8 DER.
async fn webcrypto_pkcs8(subtle: &web_sys::SubtleCrypto, bits: u32) -> Result<Vec<u8>, JsValue> {
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"RSASSA-PKCS1-v1_5".into())?;
    Reflect::set(&algorithm, &"modulusLength".into(), &bits.into())?;
    let exponent = Uint8Array::from([1u8, 0, 1].as_slice());
    Reflect::set(&algorithm, &"publicExponent".into(), &exponent)?;
    Reflect::set(&algorithm, &"hash".into(), &"SHA-256".into())?;
    let usages = Array::of2(&"sign".into(), &"verify".into());
    let pair = JsFuture::from(subtle.generate_key_with_object(&algorithm, true, &usages)?).await?;
    let private: web_sys::CryptoKey = Reflect::get(&pair, &"privateKey".into())?.unchecked_into();
    let der = JsFuture::from(subtle.export_key("pkcs8", &private)?).await?;
    Ok(Uint8Array::new(&der).to_vec())
}
