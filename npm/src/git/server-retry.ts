/**
 * Git requests the server answered "busy or failed for a moment" (429, 5xx): sent again within
 * the core's bounds (`defaults().gitHttpRetries`, the backoff, the cap on `Retry-After`) and
 * within the operation's time limit (`--timeout`), then a typed error naming the operation and
 * the status. The numbers and the statuses are the core's; this module only waits.
 */
import { setTimeout as delay } from 'node:timers/promises';

import { defaults } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { backoffMs } from './backoff.js';

/** One retry, told to the caller before its wait (bootstrap turns it into an event). */
export interface ServerRetry {
  /** The status the server answered. */
  status: number;
  /** The attempt that failed (1 = the first request). */
  attempt: number;
  /** The wait before the next attempt (ms). */
  waitMs: number;
  /** The server's `Retry-After` in ms, when it sent one (the wait then is exactly that). */
  retryAfterMs?: number;
}

/**
 * A Git request answered with a retryable status that is not (or no longer) retried. Not a
 * FluxAzdoError: it becomes one in `toGitError`, which knows the operation (clone, fetch, push).
 */
export class GitServerUnavailable extends Error {
  readonly status: number;
  readonly attempts: number;
  readonly retryAfterMs: number | undefined;
  /** Why the retries stopped: spent, a `Retry-After` over the cap, the time limit, or a push (retried by its caller). */
  readonly reason: 'retries-spent' | 'retry-after-too-long' | 'deadline' | 'push';
  readonly said: string;

  constructor(status: number, attempts: number, retryAfterMs: number | undefined, reason: GitServerUnavailable['reason'], said: string) {
    super(`HTTP ${status}`);
    this.name = 'GitServerUnavailable';
    this.status = status;
    this.attempts = attempts;
    this.retryAfterMs = retryAfterMs;
    this.reason = reason;
    this.said = said;
  }
}

/** `Retry-After` as ms: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with the day's name; Date.parse alone would read "-5" as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What one transport (one operation) knows about retrying and its time limit. */
export interface RetryContext {
  /** When the operation must be over (epoch ms), from `GitRemote.timeoutMs`; Infinity without one. */
  deadline: number;
  timeoutMs: number | undefined;
  signal: AbortSignal | undefined;
  onServerRetry: ((retry: ServerRetry) => void) | undefined;
}

export function retryContext(options: {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  onServerRetry?: ((retry: ServerRetry) => void) | undefined;
}): RetryContext {
  const { timeoutMs } = options;
  return {
    deadline: timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs,
    timeoutMs,
    signal: options.signal,
    onServerRetry: options.onServerRetry,
  };
}

export function isRetryableStatus(status: number): boolean {
  return defaults().gitRetryStatuses.includes(status);
}

/**
 * Decides about a retryable answer (`status`, its `Retry-After`) on attempt `attempt`: waits and
 * returns true to try again, or returns the GitServerUnavailable to throw.
 */
export async function waitForRetry(
  ctx: RetryContext,
  answer: { status: number; retryAfterMs: number | undefined; said: string },
  attempt: number,
): Promise<true | GitServerUnavailable> {
  const d = defaults();
  const { status, retryAfterMs: after, said } = answer;
  const giveUp = (reason: GitServerUnavailable['reason']) => new GitServerUnavailable(status, attempt, after, reason, said);
  if (attempt > d.gitHttpRetries) return giveUp('retries-spent');
  if (after !== undefined && after > d.gitRetryAfterMaxMs) return giveUp('retry-after-too-long');
  const waitMs = after ?? backoffMs({ baseMs: d.gitHttpBackoffMs, maxMs: d.gitHttpBackoffMaxMs }, attempt);
  if (Date.now() + waitMs >= ctx.deadline) return giveUp('deadline');
  ctx.onServerRetry?.({ status, attempt, waitMs, ...(after === undefined ? {} : { retryAfterMs: after }) });
  try {
    await delay(waitMs, undefined, ctx.signal ? { signal: ctx.signal } : {});
  } catch {
    throw new FluxAzdoError('CANCELLED', 'the Git operation was cancelled while waiting to retry');
  }
  return true;
}

/** The TIMEOUT of an operation that did not finish within `--timeout`. */
export function gitTimeout(target: string, timeoutMs: number | undefined, what = 'answer'): FluxAzdoError {
  const limit = timeoutMs === undefined ? '' : ` within --timeout (${Math.round(timeoutMs / 100) / 10}s)`;
  return new FluxAzdoError('TIMEOUT', `${target} did not ${what}${limit}; check that the server is up, or raise --timeout`, {
    option: 'timeout',
  });
}

/** The typed error for a GitServerUnavailable, once the operation is known. */
export function serverUnavailableError(err: GitServerUnavailable, url: string, operation: 'clone' | 'fetch' | 'push'): FluxAzdoError {
  const after = err.retryAfterMs === undefined ? '' : `, Retry-After ${Math.round(err.retryAfterMs / 1000)}s`;
  const why =
    err.reason === 'retry-after-too-long'
      ? `the server asked to wait longer than ${defaults().gitRetryAfterMaxMs / 1000}s`
      : err.reason === 'deadline'
        ? 'the next retry would end after --timeout'
        : `${err.attempts} attempt${err.attempts === 1 ? '' : 's'}`;
  const said = err.said === '' ? '' : ` (${err.said})`;
  return new FluxAzdoError(
    'GIT_SERVER_ERROR',
    `${url} answered the ${operation} with HTTP ${err.status}${after}${said}, ${why}; the server is busy or failing: re-run later (a re-run carries on where this one stopped)`,
    { operation, status: err.status, cause: err },
  );
}
