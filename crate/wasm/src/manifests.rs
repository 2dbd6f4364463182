//! The repository files, the plan and the Secret: one thin export per core generator.

// #[wasm_bindgen] needs `pub`; the exports reach JS, not other Rust crates.
#![allow(unreachable_pub)]

use flux_azdo_core::inputs::{DurationOptions, PushTargetOptions, SyncPathCheck};
use flux_azdo_core::{azure_url, image_pull_secret, kustomization, kustomize, plan, secret, sync};
use wasm_bindgen::prelude::*;

use super::{bundle_from_js, core_error, from_js, to_js};

/// `gotk-sync.yaml`.
#[wasm_bindgen(js_name = generateSync, unchecked_return_type = "Manifest")]
pub fn generate_sync(
    #[wasm_bindgen(unchecked_param_type = "SyncOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: sync::Options = from_js(options, "SyncOptions")?;
    to_js(&sync::generate(&options).map_err(|e| core_error(&e))?)
}

/// `kustomization.yaml`, and whether it differs from the existing file.
#[wasm_bindgen(js_name = generateKustomization, unchecked_return_type = "KustomizationOutput")]
pub fn generate_kustomization(
    #[wasm_bindgen(unchecked_param_type = "KustomizationOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: kustomization::Options = from_js(options, "KustomizationOptions")?;
    to_js(&kustomization::generate(&options).map_err(|e| core_error(&e))?)
}

/// The Git Secret the host applies.
#[wasm_bindgen(js_name = generateSecret, unchecked_return_type = "Secret")]
pub fn generate_secret(
    #[wasm_bindgen(unchecked_param_type = "SecretOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: secret::Options = from_js(options, "SecretOptions")?;
    to_js(&secret::generate(&options).map_err(|e| core_error(&e))?)
}

/// The image pull Secret (`--registry-creds`) the host applies.
#[wasm_bindgen(js_name = imagePullSecret, unchecked_return_type = "Secret")]
pub fn image_pull_secret(
    #[wasm_bindgen(unchecked_param_type = "ImagePullSecretOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: image_pull_secret::Options = from_js(options, "ImagePullSecretOptions")?;
    to_js(&image_pull_secret::generate(&options).map_err(|e| core_error(&e))?)
}

/// Parses a repository URL in any form users paste.
#[wasm_bindgen(js_name = parseRepoUrl, unchecked_return_type = "Repo")]
pub fn parse_repo_url(url: &str) -> Result<JsValue, JsValue> {
    to_js(&azure_url::parse(url).map_err(|e| core_error(&e))?)
}

/// The organisation's URL (`https://dev.azure.com/{org}`, `https://{server}/{collection}`) the
/// REST API and the tenant probe start from; undefined off Azure DevOps.
#[wasm_bindgen(js_name = organizationUrl)]
pub fn organization_url(url: &str) -> Result<Option<String>, JsValue> {
    Ok(azure_url::parse(url)
        .map_err(|e| core_error(&e))?
        .organization_url())
}

/// The URL as messages show it: as given, credentials masked.
#[wasm_bindgen(js_name = shownUrl)]
pub fn shown_url(url: &str) -> String {
    azure_url::shown_url(url)
}

/// How a Git connection to `url` goes (transport, and for SSH host, port, user, path and host
/// key algorithms).
#[wasm_bindgen(js_name = pushTarget, unchecked_return_type = "PushTarget")]
pub fn push_target(
    #[wasm_bindgen(unchecked_param_type = "PushTargetOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: PushTargetOptions = from_js(options, "PushTargetOptions")?;
    let target = azure_url::parse(&options.url)
        .and_then(|repo| repo.push_target(&options.ssh_hostkey_algos))
        .map_err(|e| core_error(&e))?;
    to_js(&target)
}

/// The credentials a bootstrap with these options needs (PAT, SSH key, Entra token), before
/// the bundle is loaded.
#[wasm_bindgen(js_name = pushCredentials, unchecked_return_type = "PushCredentials")]
pub fn push_credentials(
    #[wasm_bindgen(unchecked_param_type = "PlanOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: plan::Options = from_js(options, "PlanOptions")?;
    to_js(&plan::push_credentials(&options).map_err(|e| core_error(&e))?)
}

/// What an SSH host must show (published fingerprints) and the algorithms to offer it.
#[wasm_bindgen(js_name = sshHostPolicy, unchecked_return_type = "SshHostPolicy")]
pub fn ssh_host_policy(host: &str) -> Result<JsValue, JsValue> {
    to_js(&azure_url::ssh_host_policy(host))
}

/// The repository files of a bootstrap and every decision around them.
#[wasm_bindgen(js_name = planRepository, unchecked_return_type = "Plan")]
pub fn plan_repository(
    #[wasm_bindgen(unchecked_param_type = "PlanOptions")] options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "BundleData")] bundle: JsValue,
) -> Result<JsValue, JsValue> {
    let options: plan::Options = from_js(options, "PlanOptions")?;
    let bundle = bundle_from_js(bundle)?;
    to_js(&plan::plan(&options, &bundle).map_err(|e| core_error(&e))?)
}

/// The plan's files in the order they are written: components, sync, kustomization.
#[wasm_bindgen(js_name = planFiles, unchecked_return_type = "Manifest[]")]
pub fn plan_files(
    #[wasm_bindgen(unchecked_param_type = "Plan")] plan: JsValue,
) -> Result<JsValue, JsValue> {
    let plan: plan::Plan = from_js(plan, "Plan")?;
    to_js(&plan.files())
}

/// Refuses a branch name Git would refuse (`INVALID_OPTION` on `branch`).
#[wasm_bindgen(js_name = validateBranch)]
pub fn validate_branch(branch: &str) -> Result<(), JsValue> {
    sync::validate_branch(branch).map_err(|e| core_error(&e))
}

/// Refuses to move an existing installation to another `--path` (`PATH_CONFLICT`).
#[wasm_bindgen(js_name = checkSyncPath)]
pub fn check_sync_path(
    #[wasm_bindgen(unchecked_param_type = "SyncPathCheck")] check: JsValue,
) -> Result<(), JsValue> {
    let check: SyncPathCheck = from_js(check, "SyncPathCheck")?;
    sync::check_sync_path(&check.existing, &check.wanted).map_err(|e| core_error(&e))
}

/// A Go duration (`5m`, `1h30m`, `90s`) in milliseconds, as Flux reads `--timeout`.
#[wasm_bindgen(js_name = parseDuration)]
pub fn parse_duration(
    #[wasm_bindgen(unchecked_param_type = "DurationOptions")] options: JsValue,
) -> Result<f64, JsValue> {
    let options: DurationOptions = from_js(options, "DurationOptions")?;
    let nanos = sync::duration::parse(&options.text).map_err(|e| {
        core_error(&flux_azdo_core::Error::InvalidOption {
            option: options.option.clone(),
            value: options.text.clone(),
            reason: format!("{}; use a duration such as 5m, 90s or 1h30m", e.0),
        })
    })?;
    // Milliseconds fit an f64 exactly for any duration a user would give.
    #[allow(clippy::cast_precision_loss)]
    Ok(nanos as f64 / 1_000_000.0)
}

/// `kustomize build` of a kustomization and the files it names (the subset flux-azdo builds).
#[wasm_bindgen(js_name = kustomizeBuild, unchecked_return_type = "KustomizeOutput")]
pub fn kustomize_build(
    #[wasm_bindgen(unchecked_param_type = "KustomizeInput")] input: JsValue,
) -> Result<JsValue, JsValue> {
    let input: kustomize::Input = from_js(input, "KustomizeInput")?;
    let built = kustomize::build(&input).map_err(|e| core_error(&e))?;
    to_js(&kustomize::Output::from_built(&built))
}

/// The repository files the plan's kustomization names besides the plan's own three: what the
/// host reads for `clusterObjects`.
#[wasm_bindgen(js_name = clusterFilesToRead, unchecked_return_type = "string[]")]
pub fn cluster_files_to_read(
    #[wasm_bindgen(unchecked_param_type = "Plan")] plan: JsValue,
) -> Result<JsValue, JsValue> {
    let plan: plan::Plan = from_js(plan, "Plan")?;
    to_js(&kustomize::files_to_read(&plan).map_err(|e| core_error(&e))?)
}

/// What bootstrap applies: the build of the planned flux-system folder, at install (without
/// the sync objects) and at the apply step.
#[wasm_bindgen(js_name = clusterObjects, unchecked_return_type = "ClusterObjects")]
pub fn cluster_objects(
    #[wasm_bindgen(unchecked_param_type = "Plan")] plan: JsValue,
    #[wasm_bindgen(unchecked_param_type = "RepoFiles")] repo: JsValue,
) -> Result<JsValue, JsValue> {
    let plan: plan::Plan = from_js(plan, "Plan")?;
    let repo: kustomize::RepoFiles = from_js(repo, "RepoFiles")?;
    to_js(&kustomize::cluster_objects(&plan, &repo).map_err(|e| core_error(&e))?)
}
