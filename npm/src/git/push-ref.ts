/**
 * One push of one local branch to one remote ref, for every caller (bootstrap's commits, the pull
 * request's branch): the server's side-band words kept for the error (a hook's reason arrives
 * only there), errors typed, and a push the server answered 429/5xx retried without ever
 * landing twice: before each retry the remote ref is read, and if it already holds our commit
 * (the server applied the push, then failed its answer) the push is done.
 */
import * as fs from 'node:fs';

import git from 'isomorphic-git';

import { toGitError } from './git-errors.js';
import { GitServerUnavailable, waitForRetry } from './server-retry.js';
import type { Transport } from './transport.js';

const REMOTE = 'origin';

export interface PushRefOptions {
  dir: string;
  /** The local branch to push. */
  branch: string;
  /** The remote ref, `refs/heads/…`. */
  remoteRef: string;
  /** Replace the remote ref whatever it holds (only the pull request's own branch). */
  force?: boolean;
}

/** The remote ref's commit as advertised right now, or null. */
export async function advertisedTip(t: Transport, ref: string): Promise<string | null> {
  const info = await git.getRemoteInfo2({ http: t.http, url: t.url, protocolVersion: 1, forPush: true });
  return (info.refs ?? []).find((r) => r.ref === ref)?.oid ?? null;
}

/** Pushes `branch` to `remoteRef`; returns the commit pushed. Errors are FluxAzdoErrors of operation `push`. */
export async function pushRef(t: Transport, options: PushRefOptions): Promise<string> {
  const { dir, branch, remoteRef } = options;
  const oid = await git.resolveRef({ fs, dir, ref: `refs/heads/${branch}` });
  for (let attempt = 1; ; attempt += 1) {
    const said: string[] = [];
    try {
      await git.push({
        fs,
        http: t.http,
        dir,
        url: t.url,
        remote: REMOTE,
        ref: branch,
        remoteRef,
        force: options.force ?? false,
        onMessage: (line) => void said.push(line),
      });
      return oid;
    } catch (err) {
      if (!(err instanceof GitServerUnavailable)) throw toGitError(err, t.shownUrl, 'push', said);
      const next = await waitForRetry(t.retry, { status: err.status, retryAfterMs: err.retryAfterMs, said: err.said }, attempt);
      if (next !== true) throw toGitError(next, t.shownUrl, 'push', said);
      // The server may have applied the push before it failed: then it is done, not pushed again.
      const tip = await advertisedTip(t, remoteRef).catch((e: unknown) => {
        throw toGitError(e, t.shownUrl, 'push');
      });
      if (tip === oid) return oid;
    }
  }
}
