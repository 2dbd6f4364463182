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
export type {
  FluxAzdoEvent,
  EventHandler,
  BootstrapStep,
  StepEvent,
  ProgressEvent,
  LogEvent,
  DoneEvent,
  ErrorEvent,
  ObjectAction,
} from './events.js';
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
export { bootstrap, planRepository, MIN_KUBERNETES_VERSION, type BootstrapResult, type RunOptions, type DeployKeyPrompt } from './bootstrap/run.js';
export { dryRun, type DryRunReport, type FileChange, type ObjectChange, type Change } from './bootstrap/dry-run.js';
export { exportFiles, type ExportResult } from './bootstrap/export.js';
export type { BootstrapOptions } from './bootstrap/options.js';
export type { Plan, PlanOptions, Repo } from './generated/core-types.js';
export {
  uninstallFlux,
  connect,
  listKubeContexts,
  type KubeContext,
  type KubeContexts,
  type UninstallOptions,
  type UninstallResult,
} from './kube/index.js';
export { parseRepoUrl } from './repo-url.js';
