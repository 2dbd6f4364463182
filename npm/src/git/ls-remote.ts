/**
 * `git ls-remote` through the same transports as clone and push: proves a credential can read a
 * repository without fetching anything (rotate runs it before it touches the cluster's Secret).
 */
import git from 'isomorphic-git';

import { toGitError } from './git-errors.js';
import { withTransport } from './transport.js';
import type { GitRemote } from './types.js';

export interface LsRemoteResult {
  /** Branch name → commit, as the server advertised them. */
  heads: Record<string, string>;
}

export async function lsRemote(remote: GitRemote): Promise<LsRemoteResult> {
  return withTransport(remote, async (t) => {
    try {
      const info = await git.getRemoteInfo2({ http: t.http, url: t.url, protocolVersion: 1 });
      const heads: Record<string, string> = {};
      for (const r of info.refs ?? []) {
        if (r.ref.startsWith('refs/heads/')) heads[r.ref.slice('refs/heads/'.length)] = r.oid;
      }
      return { heads };
    } catch (err) {
      throw toGitError(err, t.shownUrl, 'fetch');
    }
  });
}
