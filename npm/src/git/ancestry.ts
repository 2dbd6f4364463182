/**
 * "Does the revision the cluster reconciled contain our commit?" A fleet bootstrapping into one
 * repository lands commits on top of each other: the cluster that pushed first may reconcile a
 * later tip holding another cluster's commit too, and that counts. Equality would make the
 * winner of a push race wait for a revision that is already history, and time out although its
 * cluster is Ready. The answer comes from the Git history, not from timestamps or messages.
 */
import * as fs from 'node:fs';

import git from 'isomorphic-git';

import { toGitError } from './git-errors.js';
import { withHeadFallback } from './head-fallback.js';
import { withTransport } from './transport.js';
import type { GitRemote } from './types.js';

export interface ContainsCommitOptions extends GitRemote {
  /** The bootstrap's clone (no working tree), which holds `commit`. */
  dir: string;
  branch: string;
  /** The commit the cluster must have: bootstrap's sync commit. */
  commit: string;
}

/** `<branch>@sha1:<sha>` → sha; undefined for anything else (an empty status, another branch). */
function revisionSha(revision: string, branch: string): string | undefined {
  const match = /^(.+)@sha1:([0-9a-f]{40})$/.exec(revision);
  return match && match[1] === branch ? match[2] : undefined;
}

async function hasObject(dir: string, oid: string): Promise<boolean> {
  try {
    await git.readCommit({ fs, dir, oid });
    return true;
  } catch {
    return false;
  }
}

/**
 * A predicate for the health wait: true when `revision` is `commit` or a descendant of it on
 * `branch`. A revision the clone does not know yet is fetched once (without a depth limit, so
 * the commits between it and ours arrive; the server sends only what the clone lacks). Answers
 * are remembered per revision, so polling costs one fetch per new tip at most.
 */
export function revisionContains(options: ContainsCommitOptions): (revision: string) => Promise<boolean> {
  const answers = new Map<string, Promise<boolean>>();
  return (revision) => {
    let answer = answers.get(revision);
    if (!answer) {
      answer = contains(options, revision);
      answers.set(revision, answer);
      // A failed fetch is not remembered: the next poll asks again.
      answer.then(
        () => undefined,
        () => answers.delete(revision),
      );
    }
    return answer;
  };
}

async function contains(options: ContainsCommitOptions, revision: string): Promise<boolean> {
  const { dir, branch, commit } = options;
  const sha = revisionSha(revision, branch);
  if (sha === undefined) return false;
  if (sha === commit) return true;
  if (!(await hasObject(dir, sha))) {
    await withTransport(options, async (t) => {
      try {
        await git.fetch({
          fs,
          http: withHeadFallback(t.http, branch),
          dir,
          url: t.url,
          remote: 'origin',
          ref: branch,
          singleBranch: true,
          tags: false,
        });
      } catch (err) {
        throw toGitError(err, t.shownUrl, 'fetch');
      }
    });
    // The cluster saw a commit the branch no longer has (rewritten history): not ours.
    if (!(await hasObject(dir, sha))) return false;
  }
  try {
    return await git.isDescendent({ fs, dir, oid: sha, ancestor: commit, depth: -1 });
  } catch {
    // The walk reached a shallow boundary without meeting our commit: it is not below `sha`.
    return false;
  }
}
