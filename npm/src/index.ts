/**
 * flux-azdo: Flux CD bootstrap for Azure DevOps.
 *
 * The public API. Every function takes one options object whose fields map one to one to the
 * CLI's flags (camelCase here, kebab-case there), and throws `FluxAzdoError` with a stable `code`.
 */
export { FluxAzdoError, SecretValue, isFluxAzdoError, type ErrorCode } from './errors.js';
export { installManifests, type InstallOptions } from './install.js';
export { loadBundle, type BundleSource } from './manifests.js';
export {
  DEFAULT_RSA_BITS,
  fingerprintOfBlob,
  generateKey,
  knownHostsLine,
  loadPrivateKey,
  type GenerateKeyOptions,
  type GeneratedKeyPair,
  type KeyPair,
  type LoadPrivateKeyOptions,
} from './keys.js';
