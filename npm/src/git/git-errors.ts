/**
 * isomorphic-git's errors → FluxAzdoError with a stable code and a message saying what to do.
 * Messages name the URL (never carrying credentials: transports add them on the way out) and
 * quote what the server said, never the request.
 */
import git from 'isomorphic-git';

import { FluxAzdoError } from '../errors.js';
import { GitServerUnavailable, serverUnavailableError } from './server-retry.js';

export type GitOperation = 'clone' | 'fetch' | 'push';

interface HttpErrorData {
  statusCode?: number;
  statusMessage?: string;
  response?: string;
}

/**
 * Server rejections of a ref update that mean "someone pushed first": Git's own texts, and Azure
 * DevOps' TF401028 ("has already been updated by another client"). Other TF4023xx/TF4024xx codes
 * are policy and permission refusals: retrying them only repeats the refusal.
 */
const NON_FAST_FORWARD_REASONS = /non-fast-forward|fetch first|stale info|failed to lock|cannot lock|failed to update ref|TF401028/i;

/** Azure DevOps' refusal of a direct push to a branch with required policies (report-status `ng <ref> TF402455: …`). */
const BRANCH_POLICY_REASON = /TF402455/;

/** The flag that bootstraps a protected branch through a pull request instead of a push. */
export const PULL_REQUEST_FLAG = '--pull-request';

interface RefResult {
  ok: boolean;
  error?: string;
}

function firstLine(text: string | undefined): string {
  return (
    (text ?? '')
      .split(/\r?\n/)
      .find((line) => line.trim() !== '')
      ?.trim()
      .slice(0, 300) ?? ''
  );
}

export function httpStatusError(status: number, url: string, operation: GitOperation, response?: string): FluxAzdoError {
  const said = firstLine(response);
  const suffix = said === '' ? '' : ` (${said})`;
  if (status === 401 || status === 203) {
    return new FluxAzdoError(
      'AUTH_FAILED',
      `${url} refused the credentials (HTTP ${status}): the personal access token is wrong, expired, or lacks the Code (Read & Write) scope`,
      { option: 'password' },
    );
  }
  if (status === 403) {
    const scope = operation === 'push' ? 'Code (Read & Write)' : 'Code (Read)';
    return new FluxAzdoError(
      'SCOPE_MISSING',
      `${url} denied the ${operation} (HTTP 403)${suffix}: the personal access token lacks the ${scope} scope or its user lacks the permission on the repository`,
      { option: 'password' },
    );
  }
  if (status === 404) {
    return new FluxAzdoError('REPO_NOT_FOUND', `${url} was not found (HTTP 404): check the organization, project and repository names`, {
      option: 'url',
    });
  }
  return new FluxAzdoError('GIT_PROTOCOL', `${url} answered the ${operation} with HTTP ${status}${suffix}`);
}

/**
 * `remoteMessages`: what the server said on the side band during a push (`remote: …` lines),
 * which is where a pre-receive hook's reason arrives; the ref result itself only says "declined".
 */
export function toGitError(err: unknown, url: string, operation: GitOperation, remoteMessages: readonly string[] = []): FluxAzdoError {
  const error = classify(err, url, operation, remoteMessages);
  if (error.operation !== undefined) return error;
  // Every Git error names its operation (clone, fetch, push) as a field, transport errors too.
  return new FluxAzdoError(error.code, error.message, {
    operation,
    cause: error.cause ?? err,
    ...(error.option === undefined ? {} : { option: error.option }),
    ...(error.step === undefined ? {} : { step: error.step }),
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.tried === undefined ? {} : { tried: error.tried }),
  });
}

function classify(err: unknown, url: string, operation: GitOperation, remoteMessages: readonly string[]): FluxAzdoError {
  if (err instanceof FluxAzdoError) return err;
  if (err instanceof GitServerUnavailable) return serverUnavailableError(err, url, operation);
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case git.Errors.HttpError.code: {
      const data = ((err as { data?: HttpErrorData }).data ?? {}) as HttpErrorData;
      return httpStatusError(data.statusCode ?? 0, url, operation, data.response);
    }
    case git.Errors.PushRejectedError.code:
      return new FluxAzdoError('NON_FAST_FORWARD', `${url} has commits the local branch does not: the push would not be a fast-forward`);
    case git.Errors.GitPushError.code: {
      const refs = (err as { data?: { result?: { refs?: Record<string, RefResult> } } }).data?.result?.refs ?? {};
      return refRejection(refs, url, message, remoteMessages);
    }
    case git.Errors.SmartHttpError.code:
      return new FluxAzdoError('GIT_PROTOCOL', `${url} did not answer as a Git server; check the URL`, { option: 'url' });
    case git.Errors.RemoteCapabilityError.code:
    case git.Errors.ParseError.code:
    case git.Errors.UnknownTransportError.code:
    case git.Errors.UrlParseError.code:
      return new FluxAzdoError('GIT_PROTOCOL', `${operation} of ${url} failed: ${message}`);
    default:
      return new FluxAzdoError('INTERNAL', `${operation} of ${url} failed: ${message}`, { cause: err });
  }
}

/**
 * A push the server answered with a rejected ref. Three kinds, and only the first is retried:
 * someone pushed first (NON_FAST_FORWARD); branch policies require a pull request
 * (BRANCH_PROTECTED, naming the branch and --pull-request); anything else the server refused
 * (PUSH_REJECTED, with the server's own reason and what its hook printed).
 */
export function refRejection(
  refs: Readonly<Record<string, RefResult>>,
  url: string,
  fallback: string,
  remoteMessages: readonly string[] = [],
): FluxAzdoError {
  const rejected = Object.entries(refs).filter(([, r]) => !r.ok);
  const protectedRef = rejected.find(([, r]) => BRANCH_POLICY_REASON.test(r.error ?? ''));
  if (protectedRef) {
    const [ref, result] = protectedRef;
    const branch = ref.replace(/^refs\/heads\//, '');
    return new FluxAzdoError(
      'BRANCH_PROTECTED',
      `${url} refuses direct pushes to branch ${branch} (${firstLine(result.error)}): its branch policies require a pull request; re-run with ${PULL_REQUEST_FLAG} to open one, or push as an identity allowed to bypass the policies`,
      { option: 'branch' },
    );
  }
  const reason = rejected.map(([, r]) => r.error || 'rejected').join('; ') || fallback;
  if (NON_FAST_FORWARD_REASONS.test(reason)) {
    return new FluxAzdoError('NON_FAST_FORWARD', `${url} rejected the push as not a fast-forward: ${reason}`);
  }
  const said = remoteMessages
    .map((line) => line.replace(/^remote:\s*/, '').trim())
    .filter((line) => line !== '')
    .join(' / ')
    .slice(0, 1000);
  return new FluxAzdoError(
    'PUSH_REJECTED',
    `${url} rejected the push: ${reason}${said === '' ? '' : ` (the server said: ${said})`}; a server hook or a permission forbids this update`,
  );
}
