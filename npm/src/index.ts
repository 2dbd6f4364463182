/**
 * flux-azdo: Flux CD bootstrap for Azure DevOps.
 *
 * The public API. Every function takes one options object whose fields map one to one to the
 * CLI's flags (camelCase here, kebab-case there), and throws `FluxAzdoError` with a stable `code`.
 */
export { FluxAzdoError, SecretValue, isFluxAzdoError, type ErrorCode, type HostErrorCode } from './errors.js';
export { installManifests, type InstallOptions } from './install.js';
export type { Manifest } from './generated/core-types.js';
export { loadBundle, fluxVersion, defaultCacheDir, type BundleSource, type BundleData, type LoadBundleOptions } from './manifests.js';
export type { FluxAzdoEvent, EventHandler, BootstrapStep } from './events.js';
