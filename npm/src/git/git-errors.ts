/**
 * isomorphic-git's errors → FluxAzdoError with a stable code and a message saying what to do.
 * Messages name the URL (never carrying credentials: transports add them on the way out) and
 * quote what the server said, never the request.
 */
import git from 'isomorphic-git';

import { FluxAzdoError } from '../errors.js';

export type GitOperation = 'clone' | 'fetch' | 'push';

interface HttpErrorData {
  statusCode?: number;
  statusMessage?: string;
  response?: string;
}

/** Server rejections of a ref update that mean "someone pushed first". */
const NON_FAST_FORWARD_REASONS = /non-fast-forward|fetch first|stale info|failed to lock|cannot lock|failed to update ref|TF402(4|3)/i;

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

export function toGitError(err: unknown, url: string, operation: GitOperation): FluxAzdoError {
  if (err instanceof FluxAzdoError) return err;
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
      const refs = (err as { data?: { result?: { refs?: Record<string, { ok: boolean; error?: string }> } } }).data?.result?.refs ?? {};
      const reasons = Object.values(refs)
        .filter((r) => !r.ok)
        .map((r) => r.error ?? 'rejected');
      const reason = reasons.join('; ') || message;
      if (NON_FAST_FORWARD_REASONS.test(reason)) {
        return new FluxAzdoError('NON_FAST_FORWARD', `${url} rejected the push as not a fast-forward: ${reason}`);
      }
      return new FluxAzdoError(
        'PUSH_REJECTED',
        `${url} rejected the push: ${reason} (branch policies or permissions may forbid direct pushes)`,
      );
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
