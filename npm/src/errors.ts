/**
 * Every error flux-azdo throws is a `FluxAzdoError` with a stable `code`. Match on `code`,
 * never on the message. Codes from the Rust core and from the host share one namespace.
 */
import type { ErrorCode as CoreErrorCode } from '../wasm/flux_azdo_wasm.js';

/** Codes raised by the host (Git, cluster, files, CLI); the core's codes are generated from Rust. */
export type HostErrorCode =
  | 'MANIFESTS_DOWNLOAD_FAILED'
  | 'MANIFESTS_NOT_FOUND'
  | 'USAGE'
  | 'CANCELLED'
  | 'IO'
  // from the host's Git half (npm/src/git/)
  | 'AUTH_FAILED'
  | 'SCOPE_MISSING'
  | 'REPO_NOT_FOUND'
  | 'BRANCH_NOT_FOUND'
  | 'NON_FAST_FORWARD'
  | 'PUSH_REJECTED'
  | 'BRANCH_PROTECTED'
  // from pull request bootstraps (npm/src/azdo, npm/src/bootstrap/pull-request.ts)
  | 'REST_FAILED'
  | 'REST_CREDENTIAL_MISSING'
  | 'PULL_REQUEST_ABANDONED'
  | 'PULL_REQUEST_CONFLICTS'
  | 'HOST_KEY_MISMATCH'
  | 'HOST_KEY_UNKNOWN'
  | 'TLS_UNTRUSTED'
  | 'GIT_UNREACHABLE'
  | 'GIT_PROTOCOL'
  // a Git server that kept answering 429/5xx (npm/src/git/server-retry.ts)
  | 'GIT_SERVER_ERROR'
  // from the Entra token push (npm/src/azure/): all AUTH_*, like AUTH_FAILED
  | 'AUTH_NO_AZURE_CREDENTIAL'
  | 'AUTH_ENTRA_REFUSED'
  | 'AUTH_TOKEN_REJECTED'
  | 'AUTH_NO_ORG_ACCESS'
  // --provider=azure without --workload-identity-tenant-id, and the organisation names no tenant
  | 'TENANT_NOT_FOUND'
  // from the cluster side (npm/src/kube)
  | 'KUBECONFIG_INVALID'
  | 'KUBE_AUTH_INTERACTIVE'
  | 'KUBE_AUTH_FAILED'
  | 'KUBE_UNREACHABLE'
  | 'KUBE_VERSION'
  | 'FORBIDDEN'
  | 'FLUX_MANAGED_ELSEWHERE'
  | 'APPLY_FAILED'
  | 'KUBE_REQUEST_FAILED'
  | 'TIMEOUT'
  | 'HEALTH_CHECK_FAILED'
  // from concurrent bootstraps into one repository (npm/src/git/repo.ts commitAndPush)
  | 'CONCURRENT_BOOTSTRAP'
  // from rotate and check (npm/src/rotate, npm/src/check)
  | 'NOT_BOOTSTRAPPED'
  | 'ROTATE_ROLLED_BACK'
  | 'ROTATE_ROLLBACK_FAILED'
  | 'PAT_LIFECYCLE_FAILED'
  // a known_hosts `@revoked` line names the key the SSH server presented (npm/src/git/hostkey.ts)
  | 'HOST_KEY_REVOKED'
  // the SSH server offers only ssh-rsa (SHA-1) host key signatures, we offered RSA SHA-2 (Azure DevOps' defaults)
  | 'HOST_KEY_SHA1_ONLY';

export type ErrorCode = CoreErrorCode | HostErrorCode;

export interface FluxAzdoErrorOptions {
  /** The option (CLI flag name without dashes) the error is about. */
  option?: string;
  /** The step of bootstrap that failed. */
  step?: string;
  /** The file the error is about (e.g. the bundle file that is not Flux's release). */
  file?: string;
  /** What was tried before giving up (AUTH_NO_AZURE_CREDENTIAL: the credentials, e.g. `EnvironmentCredential`). */
  tried?: readonly string[];
  /** Git errors: the operation that failed (`clone`, `fetch`, `push`). */
  operation?: 'clone' | 'fetch' | 'push';
  /** GIT_SERVER_ERROR: the HTTP status the server last answered. */
  status?: number;
  cause?: unknown;
}

export class FluxAzdoError extends Error {
  readonly code: ErrorCode;
  readonly option: string | undefined;
  readonly step: string | undefined;
  readonly file: string | undefined;
  readonly tried: readonly string[] | undefined;
  readonly operation: 'clone' | 'fetch' | 'push' | undefined;
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options: FluxAzdoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FluxAzdoError';
    this.code = code;
    this.option = options.option;
    this.step = options.step;
    this.file = options.file;
    this.tried = options.tried;
    this.operation = options.operation;
    this.status = options.status;
  }
}

export function isFluxAzdoError(value: unknown): value is FluxAzdoError {
  return value instanceof FluxAzdoError;
}
