/**
 * flux-azdo: Flux CD bootstrap for Azure DevOps.
 *
 * The public API. Every function takes one options object whose fields map one to one to the
 * CLI's flags (camelCase here, kebab-case on the command line), and throws `FluxAzdoError`
 * with a stable `code`. `defaults()` gives Flux's defaults, for help texts and forms.
 *
 * @example
 * ```ts
 * import { bootstrap, defaults } from 'flux-azdo';
 * console.log(defaults().options.namespace); // flux-system
 * await bootstrap({ url: 'https://dev.azure.com/org/project/_git/fleet', path: 'clusters/dev', tokenAuth: true, password: process.env.GIT_PASSWORD });
 * ```
 */
export { FluxAzdoError, isFluxAzdoError, type ErrorCode, type HostErrorCode } from './errors.js';
export { SecretValue } from './secret-value.js';
export { installManifests, type InstallOptions } from './install.js';
export {
  defaults,
  parseRepoUrl,
  planFiles,
  pushTarget,
  pushCredentials,
  type Defaults,
  type Manifest,
  type Plan,
  type PlanOptions,
  type PushTarget,
  type PushCredentials,
  type PushTargetOptions,
  type Repo,
} from './core/node.js';
export { embeddedBundle, embeddedBundleVersion } from './embedded-bundle.js';
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
  DoneFact,
  ObjectAction,
} from './events.js';
export {
  fingerprintOfBlob,
  generateKey,
  knownHostsLine,
  loadPrivateKey,
  type GenerateKeyOptions,
  type GeneratedKeyPair,
  type KeyPair,
  type LoadPrivateKeyOptions,
} from './keys.js';
export { bootstrap, planRepository, type BootstrapResult, type RunOptions, type DeployKeyPrompt } from './bootstrap/run.js';
export { dryRun, type DryRunReport, type FileChange, type ObjectChange, type Change } from './bootstrap/dry-run.js';
export { exportFiles, type ExportResult } from './bootstrap/export.js';
export type { BootstrapOptions } from './bootstrap/options.js';
export {
  createAzureDevOpsTokenProvider,
  discoverTenant,
  type AzureDevOpsTokenProvider,
  type TokenProviderOptions,
  type TenantProbe,
} from './azure/index.js';
export {
  uninstallFlux,
  connect,
  listKubeContexts,
  type KubeContext,
  type KubeContexts,
  type UninstallOptions,
  type UninstallResult,
} from './kube/index.js';
export { rotate, type RotateOptions, type RotateResult, type RotateRunOptions } from './rotate/run.js';
export { check, type CheckOptions, type CheckResult } from './check/run.js';
export { listPats, type PatToken, type PatLifecycleOptions } from './check/pat-lifecycle.js';
