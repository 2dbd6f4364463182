/**
 * The cluster half of bootstrap: kubeconfig, pre-flight, server-side apply of YAML text, the Git
 * Secret, health waits and uninstall. Every function takes a `KubeClient` from `connect()`;
 * errors are `FluxAzdoError`s with stable codes.
 */
import { KubeClient } from './client.js';
import { loadKubeConfig, type KubeConfigOptions } from './kubeconfig.js';

export { KubeClient, type KubeResponse, type KubeRequestOptions } from './client.js';
export { loadKubeConfig, listKubeContexts, type KubeConfigOptions, type KubeContext, type KubeContexts } from './kubeconfig.js';
export { findHelmMarks, finishHelmTakeover, type HelmMarks, type HelmRelease } from './helm.js';
export {
  preflight,
  checkFluxManager,
  KubeAccessError,
  parseVersion,
  compareVersions,
  type PreflightOptions,
  type PreflightResult,
} from './preflight.js';
export { applyManifests, discoveryFor, type ApplyOptions, type ApplyResult, type ApplyAction } from './apply.js';
export { splitManifests, objectRef, type ManifestObject } from './documents.js';
export { KNOWN_TYPES, resourcePath, type ResourceType } from './discovery.js';
export {
  applyGitSecret,
  previewGitSecret,
  type GitSecretInput,
  type GitSecretOptions,
  type GitSecretResult,
  type SecretAction,
} from './secret.js';
export {
  waitForHealth,
  waitForCrdsEstablished,
  bootstrapHealthTargets,
  KubeHealthError,
  type HealthTarget,
  type HealthFailure,
  type WaitOptions,
} from './wait.js';
export {
  checkWorkloadIdentity,
  federatedCredentialCommands,
  ENABLE_ON_AKS,
  WEBHOOK_CONFIGURATION,
  WEBHOOK_NAME,
  type WorkloadIdentityFacts,
} from './workload-identity.js';
export { uninstallFlux, type UninstallOptions, type UninstallResult } from './uninstall.js';

/** Loads the kubeconfig like kubectl and returns a client for its current (or given) context. */
export function connect(options: KubeConfigOptions = {}): KubeClient {
  return new KubeClient(loadKubeConfig(options));
}
