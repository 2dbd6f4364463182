/**
 * The one event type every long operation emits. The CLI renders it (progress view, plain
 * lines or `--json`), the VS Code command shows it, the browser page uses it. Events never carry
 * secret values. `message` is for humans; the facts a program needs are fields, so nothing has
 * to parse a message.
 */
import type { ErrorCode } from './errors.js';
import type { ServerRetry } from './git/server-retry.js';
import type { ApplyAction } from './kube/apply.js';
import type { SecretAction } from './kube/secret.js';
import type { WorkloadIdentityFacts } from './kube/workload-identity.js';

export type BootstrapStep =
  | 'preflight'
  | 'clone'
  | 'components'
  | 'install'
  | 'secret'
  | 'sync'
  | 'apply'
  | 'health'
  | 'pull-request'
  | 'export'
  | 'dry-run'
  | 'uninstall'
  // rotate and check
  | 'verify'
  | 'reconcile'
  | 'rollback'
  | 'check';

/** What happened to one cluster object: applied (as the server said), ready, or deleted. */
export type ObjectAction = ApplyAction | 'ready' | 'deleted';

export interface StepEvent {
  type: 'step';
  step: BootstrapStep;
  message: string;
  /** The health step: the `<branch>@sha1:<sha>` the cluster must reconcile. */
  revision?: string;
}

export interface ProgressEvent {
  type: 'progress';
  step: BootstrapStep;
  message: string;
  current?: number;
  total?: number;
  /** The object, `Kind/namespace/name` or `Kind/name`. */
  ref?: string;
  action?: ObjectAction;
  /** The pull-request step: the pull request's id and its web page. */
  pullRequestId?: number;
  url?: string;
}

export interface LogEvent {
  type: 'log';
  level: 'debug' | 'info' | 'warn';
  message: string;
  /** `--provider=azure` pre-flight: the issuer, the webhook and the Azure steps left to do. */
  workloadIdentity?: WorkloadIdentityFacts;
  /** `--provider=azure` without `--workload-identity-tenant-id`: the tenant found from the organisation. */
  tenantId?: string;
  /** A Git request the server answered 429/5xx, about to be retried: the status, the attempt, the wait, `Retry-After`. */
  retry?: ServerRetry;
}

export interface DoneEvent {
  type: 'done';
  step: BootstrapStep;
  message: string;
  /** Commit steps (`components`, `sync`): the branch's commit holding the files (its tip when nothing was pushed). */
  sha?: string;
  /** Commit steps: whether this run pushed that commit (false: it was there already). */
  pushed?: boolean;
  /** Commit steps: pushes rejected as not a fast-forward (another bootstrap pushed first) and rebuilt. */
  retries?: number;
  /** The health step: the `<branch>@sha1:<sha>` the cluster reconciled. */
  revision?: string;
  /** The secret step: the Secret, absent when the cluster needs none (workload identity). */
  ref?: string;
  /** The secret step: what happened to the Secret (`none`: no Secret is needed). */
  action?: SecretAction | 'none';
  /** The export step: the file written. */
  path?: string;
  /** The uninstall step: how many objects were deleted. */
  deleted?: number;
  /** The pull-request step: the pull request's id and its web page. */
  pullRequestId?: number;
  url?: string;
}

/** One change a bootstrap made before it stopped: a pushed commit, the install, the Secret. */
export interface DoneFact {
  step: 'components' | 'sync' | 'install' | 'secret';
  /** `components` / `sync`: the commit pushed. */
  sha?: string;
  /** `secret`: the Secret, `Secret/<namespace>/<name>`. */
  ref?: string;
  /** `secret`: what happened to it (`created`, `configured`, …). */
  action?: SecretAction;
}

export interface ErrorEvent {
  type: 'error';
  step?: BootstrapStep;
  code: ErrorCode;
  message: string;
  /** Bootstrap: what the run had already changed (empty: nothing); a re-run converges from there. */
  done?: DoneFact[];
  /** Rotate: the old Secret was put back after the cluster could not fetch with the new one. */
  rolledBack?: boolean;
  /** A Git error: the operation that failed (`clone`, `fetch`, `push`). */
  operation?: 'clone' | 'fetch' | 'push';
  /** GIT_SERVER_ERROR: the HTTP status the server last answered. */
  status?: number;
}

export type FluxAzdoEvent = StepEvent | ProgressEvent | LogEvent | DoneEvent | ErrorEvent;

export type EventHandler = (event: FluxAzdoEvent) => void;

export const ignoreEvents: EventHandler = () => {};
