// Generated from the Rust core's types by crate/core/tests/ts_types.rs. Do not edit:
// run `UPDATE=1 cargo test -p flux-azdo-core --features ts --test ts_types`.

export type Manifest = { 
/**
 * Slash-separated path relative to the repository root, e.g. `clusters/my-cluster/flux-system/gotk-sync.yaml`.
 */
path: string, 
/**
 * The exact bytes to write.
 */
content: string, };

export type ErrorCode = "INVALID_OPTION" | "INVALID_URL" | "INVALID_BUNDLE" | "INVALID_YAML" | "INVALID_KEY" | "KEY_PASSPHRASE_REQUIRED" | "WRONG_PASSPHRASE" | "KEY_NOT_RSA" | "INTERNAL";

export type InstallOptions = { 
/**
 * Flux version written in the header, e.g. `v2.9.4`.
 */
version: string, namespace: string, components: Array<string>, componentsExtra: Array<string>, registry: string, imagePullSecret: string, watchAllNamespaces: boolean, networkPolicy: boolean, logLevel: string, clusterDomain: string, tolerationKeys: Array<string>, 
/**
 * `--path`: the file goes to `<path>/<namespace>/gotk-components.yaml`.
 */
targetPath: string, };

export type SyncOptions = { 
/**
 * The URL the cluster syncs from (already in Flux's sync form).
 */
url: string, namespace: string, branch: string, tag: string, semver: string, commit: string, 
/**
 * GitRepository interval as the user wrote it (`1m`, `90s`); written in Go's form (`1m0s`).
 */
interval: string, secretName: string, targetPath: string, recurseSubmodules: boolean, sparseCheckout: Array<string>, 
/**
 * `azure` syncs through Azure workload identity: no Secret, `provider: azure`.
 */
provider: string, };
