/**
 * The typed front door to the Rust core: one function per core entry point, each taking and
 * returning the types generated from the Rust ones (see `crate/wasm/ts/core-types.ts`). Core
 * errors become `FluxAzdoError`s with the core's stable `code`. Import it through
 * `flux-azdo/core` (Node) or `flux-azdo/core/web` (browsers, after `init(url)`).
 */
import type {
  BundleData,
  BundleFiles,
  ClusterObjects,
  CheckFacts,
  CheckHostKeyOptions,
  CheckReport,
  CredentialFacts,
  CredentialKind,
  Defaults,
  DurationOptions,
  ErrorCode as CoreErrorCode,
  GeneratedKeyPair,
  GenerateRsaKeyOptions,
  HostKeyCheck,
  InstallOptions,
  KeyPair,
  KnownHostsLineOptions,
  KustomizationOptions,
  KustomizationOutput,
  KustomizeInput,
  KustomizeOutput,
  LoadPrivateKeyOptions,
  Manifest,
  PatExpiry,
  PatExpiryOptions,
  Plan,
  PlanOptions,
  PushCredentials,
  PushTarget,
  PushTargetOptions,
  Repo,
  RepoFiles,
  RotationOptions,
  RotationPlan,
  ImagePullSecretOptions,
  Secret,
  SecretOptions,
  SshHostPolicy,
  SyncOptions,
  SyncPathCheck,
} from '../../wasm/flux_azdo_wasm.js';
import { FluxAzdoError } from '../errors.js';
import { wasmModule, type WasmModule } from './state.js';

export { FluxAzdoError, isFluxAzdoError, type ErrorCode, type HostErrorCode, type FluxAzdoErrorOptions } from '../errors.js';
export { SecretValue } from '../secret-value.js';
export type {
  Author,
  BundleData,
  BundleFiles,
  ClusterObjects,
  CheckFacts,
  CheckReport,
  CheckStatus,
  Commits,
  ComponentFact,
  CredentialFacts,
  CredentialKind,
  Defaults,
  DeployKeySpec,
  DurationOptions,
  EcdsaCurve,
  GeneratedKeyPair,
  GenerateRsaKeyOptions,
  HostKind,
  InstallOptions,
  KeyAlgorithm,
  KeyGenerator,
  KeyPair,
  KnownHostsLineOptions,
  CheckHostKeyOptions,
  HostKeyCheck,
  HostKeyVerdict,
  KustomizationOptions,
  KustomizationOutput,
  KustomizeInput,
  KustomizeOutput,
  LoadPrivateKeyOptions,
  Manifest,
  FluxObjectFact,
  Finding,
  PatExpiry,
  PatExpiryOptions,
  PatExpiryStatus,
  PatFact,
  Plan,
  PlanDefaults,
  PlanOptions,
  PullRequestPlan,
  PushTarget,
  PushTargetOptions,
  Repo,
  RepoFiles,
  RotationOptions,
  RotationPlan,
  ImagePullSecretOptions,
  ImagePullSecretPlan,
  Secret,
  SecretAuth,
  Severity,
  SecretOptions,
  SecretString,
  SshHost,
  SshHostPolicy,
  SyncAuth,
  SyncOptions,
  SyncPathCheck,
  SyncUrl,
  SyncUrlOptions,
  WorkloadIdentity,
  WorkloadIdentityPlan,
  AzureCredentialKind,
  EntraPush,
  PushCredential,
  PushCredentials,
} from '../../wasm/flux_azdo_wasm.js';
export type { ErrorCode as CoreErrorCode } from '../../wasm/flux_azdo_wasm.js';

let coreCodes: ReadonlySet<string> | undefined;

function isCoreErrorCode(wasm: WasmModule, code: string): code is CoreErrorCode {
  coreCodes ??= new Set<string>(wasm.errorCodes());
  return coreCodes.has(code);
}

/** A JS error thrown by the core (it carries `code` and maybe `option`) as a `FluxAzdoError`. */
function toFluxAzdoError(wasm: WasmModule, err: unknown): FluxAzdoError {
  if (err instanceof FluxAzdoError) return err;
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && isCoreErrorCode(wasm, err.code)) {
    const option = 'option' in err && typeof err.option === 'string' ? { option: err.option } : {};
    return new FluxAzdoError(err.code, err.message, option);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new FluxAzdoError('INTERNAL', `the core failed unexpectedly: ${message}`, { cause: err });
}

function call<T>(fn: (wasm: WasmModule) => T): T {
  const wasm = wasmModule();
  try {
    return fn(wasm);
  } catch (err) {
    throw toFluxAzdoError(wasm, err);
  }
}

async function callAsync<T>(fn: (wasm: WasmModule) => Promise<T>): Promise<T> {
  const wasm = wasmModule();
  try {
    return await fn(wasm);
  } catch (err) {
    throw toFluxAzdoError(wasm, err);
  }
}

/** The Flux version whose manifests and defaults this build was checked against. */
export function fluxVersion(): string {
  return call((w) => w.fluxVersion());
}

/** Flux's defaults: every plan option, the components, bits, timeout, Kubernetes version. */
export function defaults(): Defaults {
  return call((w) => w.defaults());
}

/**
 * Parses a repository URL in any form users paste (Azure DevOps Services, visualstudio.com,
 * Server, SSH v3, scp-like, or any Git URL). Throws `INVALID_URL` naming the expected form; a
 * password pasted into the URL is never echoed.
 */
export function parseRepoUrl(url: string): Repo {
  return call((w) => w.parseRepoUrl(url));
}

/**
 * The URL as every message shows it: as the user gave it (neither decoded nor encoded), with a
 * password or token in it masked.
 */
export function shownUrl(url: string): string {
  return call((w) => w.shownUrl(url));
}

/**
 * The organisation's URL for a repository URL (`https://dev.azure.com/{org}`, or
 * `https://{server}/{collection}` for Azure DevOps Server): where the REST API and the tenant
 * probe start. Undefined for a repository that is not on Azure DevOps.
 */
export function organizationUrl(url: string): string | undefined {
  return call((w) => w.organizationUrl(url));
}

/** How a Git connection to a URL goes: HTTPS, or SSH with host, port, user, path, algorithms. */
export function pushTarget(options: PushTargetOptions): PushTarget {
  return call((w) => w.pushTarget(options));
}

/** The credentials a bootstrap needs (PAT, SSH key, Entra token), before the bundle is loaded. */
export function pushCredentials(options: PlanOptions): PushCredentials {
  return call((w) => w.pushCredentials(options));
}

/** What an SSH host must show (published fingerprints) and which host key algorithms to offer. */
export function sshHostPolicy(host: string): SshHostPolicy {
  return call((w) => w.sshHostPolicy(host));
}

/** The repository files of a bootstrap and every decision around them. */
export function planRepository(options: PlanOptions, bundle: BundleData): Plan {
  return call((w) => w.planRepository(options, bundle));
}

/** The plan's files in the order they are written: components, sync, kustomization. */
export function planFiles(plan: Plan): Manifest[] {
  return call((w) => w.planFiles(plan));
}

/**
 * `kustomize build` of a kustomization and the files it names, for the subset flux-azdo builds
 * (resources, patches, patchesStrategicMerge, patchesJson6902). Anything else is
 * `KUSTOMIZATION_UNSUPPORTED`; what kustomize would refuse is `KUSTOMIZATION_INVALID`.
 */
export function kustomizeBuild(input: KustomizeInput): KustomizeOutput {
  return call((w) => w.kustomizeBuild(input));
}

/** The repository files the plan's kustomization names besides the plan's own: what to read for `clusterObjects`. */
export function clusterFilesToRead(plan: Plan): string[] {
  return call((w) => w.clusterFilesToRead(plan));
}

/** What bootstrap applies: the build of the planned flux-system folder, at install and at the apply step. */
export function clusterObjects(plan: Plan, repo: RepoFiles): ClusterObjects {
  return call((w) => w.clusterObjects(plan, repo));
}

/** Flux's 9 bundle files, checked (`INVALID_BUNDLE` when one is missing or unreadable). */
export function readBundle(bundle: BundleData): BundleFiles {
  return call((w) => w.readBundle(bundle));
}

/** `gotk-components.yaml` exactly as `flux install --export` prints it. */
export function generateInstall(options: InstallOptions, bundle: BundleData): Manifest {
  return call((w) => w.generateInstall(options, bundle));
}

/** `gotk-sync.yaml`. */
export function generateSync(options: SyncOptions): Manifest {
  return call((w) => w.generateSync(options));
}

/** `kustomization.yaml`: the existing file kept, with the host key patch where needed. */
export function generateKustomization(options: KustomizationOptions): KustomizationOutput {
  return call((w) => w.generateKustomization(options));
}

/** The Git credential Secret to apply (never committed). */
export function generateSecret(options: SecretOptions): Secret {
  return call((w) => w.generateSecret(options));
}

/** The image pull Secret for `--registry-creds` to apply (never committed). */
export function imagePullSecret(options: ImagePullSecretOptions): Secret {
  return call((w) => w.imagePullSecret(options));
}

/**
 * An RSA keypair, through WebCrypto where there is one (else the core's pure-Rust generator).
 * Secrets are plain strings here; `flux-azdo`'s `generateKey` wraps them in `SecretValue`.
 */
export function generateRsaKey(options: GenerateRsaKeyOptions): Promise<GeneratedKeyPair> {
  return callAsync((w) => w.generateRsaKey(options));
}

/** The core's pure-Rust RSA generator alone (slow on wasm; for benchmarks and tests). */
export function generateRsaKeyPureRust(options: GenerateRsaKeyOptions): GeneratedKeyPair {
  return call((w) => w.generateRsaKeyPureRust(options));
}

/** Loads a private key file in any format Flux reads (secrets as plain strings). */
export function loadPrivateKey(options: LoadPrivateKeyOptions): KeyPair {
  return call((w) => w.loadPrivateKey(options));
}

/** The known_hosts line Flux writes for a scanned key (`[host]:port` unless port 22). */
export function knownHostsLine(options: KnownHostsLineOptions): string {
  return call((w) => w.knownHostsLine(options));
}

/** What known_hosts says about a presented host key (OpenSSH's rules: patterns, hashed names, `@revoked`). */
export function checkHostKey(options: CheckHostKeyOptions): HostKeyCheck {
  return call((w) => w.checkHostKey(options));
}

/** `SHA256:...` of a public key blob (base64), as `ssh-keygen -l` prints it. */
export function fingerprintOfBlob(keyBlobBase64: string): string {
  return call((w) => w.fingerprintOfBlob(keyBlobBase64));
}

/** A Go duration (`5m`, `90s`, `1h30m`) in milliseconds; `INVALID_OPTION` names `option`. */
export function parseDuration(options: DurationOptions): number {
  return call((w) => w.parseDuration(options));
}

/** Throws `INVALID_OPTION` (option `branch`) for a name Git would refuse as a branch. */
export function validateBranch(branch: string): void {
  call((w) => w.validateBranch(branch));
}

/** Throws `PATH_CONFLICT` when `wanted` would move the installation at `existing`. */
export function checkSyncPath(check: SyncPathCheck): void {
  call((w) => w.checkSyncPath(check));
}

/** The credential a cluster syncs with (`provider: azure` wins; else the URL's transport and the Secret's keys). */
export function credentialKind(facts: CredentialFacts): CredentialKind {
  return call((w) => w.credentialKind(facts));
}

/** What `rotate` replaces and the key to make; refuses a switch the URL cannot carry (`CREDENTIAL_KIND_SWITCH`). */
export function rotationPlan(options: RotationOptions): RotationPlan {
  return call((w) => w.rotationPlan(options));
}

/** How close a PAT is to its `validTo` (`--warn-days`). */
export function patExpiry(options: PatExpiryOptions): PatExpiry {
  return call((w) => w.patExpiry(options));
}

/** `check`'s findings (code, severity, remedy) over what the host read from the cluster. */
export function evaluateCheck(facts: CheckFacts): CheckReport {
  return call((w) => w.evaluateCheck(facts));
}
